"""Split compiled durable rules into rulesets the C core can always evaluate.

durable_rules walks its alpha network with a fixed stack of 64 entries (`handleAlpha` in the core's
events.c): popping a node pushes every child that matches the fact, and a 65th entry refuses the fact
(error 303). A ruleset is safe when no fact can push 65 entries, so this module mirrors how the core
builds the network (rete.c `createAlpha`/`findAlpha`: an `$and` is a chain, an `$or` joins its branches
in a fresh forward node, identical tests under one parent are shared) and bounds the stack over every
possible fact. A node's children are pushed per property: a `$nex` test when the property is missing, a
reference (`{"$m": ...}`) whenever it is present, a literal test when it holds, a forward node always.
Per property the bound takes the worst single value (each literal and its neighbours, a fresh text,
missing), and properties add up; the bound ignores that a path fixes a property's value, so it can only
be too high. Rules are then packed greedily into rulesets whose bound stays under `STACK_BUDGET`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]
CORE_STACK = 64  # MAX_STACK_SIZE in the core's events.c
STACK_BUDGET = 56  # what a ruleset may reach; the margin absorbs any slip of this model
CORE_CHILDREN = (511, 127, 255)  # per node: the core's hash set of tests (NEXT_BUCKET_LENGTH 512), its
# `$nex` list (NEXT_LIST_LENGTH 128) and its list of rules ending there (BETA_LIST_LENGTH 256)
SAFE_CHILDREN = (400, 100, 200)  # what a partition may use
_OPS = {"$eq", "$neq", "$lt", "$lte", "$gt", "$gte", "$ex", "$nex"}


@dataclass(eq=False)
class _Node:
    prop: str = ""
    op: str = ""
    value: Any = None  # a literal, or ("ref", key) for a same-fact reference
    forward: bool = False
    tests: dict[tuple[str, str, str], "_Node"] = field(default_factory=dict)  # shared children
    forwards: list["_Node"] = field(default_factory=list)  # children joining an `$or`
    betas: int = 0


class Network:
    """The alpha network of one ruleset, as the core would build it."""

    def __init__(self) -> None:
        self.root = _Node()

    def add(self, condition: Json) -> None:
        """One durable rule's `m` condition."""
        end = self._build(condition, self.root)
        end.betas += 1

    def _build(self, expression: Json, parent: _Node) -> _Node:
        if not expression:
            return parent
        (name, body), = expression.items()
        if name == "$and":
            node = parent
            for part in body:
                node = self._build(part, node)
            return node
        if name == "$or":
            forward = _Node(forward=True)
            for part in body:
                self._build(part, parent).forwards.append(forward)
            return forward
        if name in _OPS:
            (prop, value), = body.items()
            op = name
        else:  # `{"type": "screening"}` is an equality
            prop, value, op = name, body, "$eq"
        if isinstance(value, dict):
            value = ("ref", value["$m"])
        key = (prop, op, repr(value))
        child = parent.tests.get(key)
        if child is None:
            child = parent.tests[key] = _Node(prop, op, value)
        return child

    def stack_bound(self) -> int:
        """The most entries the core's stack can hold for any fact."""
        memo: dict[int, int] = {}

        def height(node: _Node) -> int:
            found = memo.get(id(node))
            if found is None:
                children = [*node.tests.values(), *node.forwards]
                if not children:
                    found = 0
                else:
                    pushed = _pushed(node)
                    found = max(pushed, pushed - 1 + max(height(c) for c in children))
                memo[id(node)] = found
            return found

        return height(self.root)

    def within_limits(self) -> bool:
        """Whether the core accepts this ruleset and can never refuse a fact of it."""
        return self.core_accepts(SAFE_CHILDREN) and self.stack_bound() <= STACK_BUDGET

    def core_accepts(self, limits: tuple[int, int, int] = CORE_CHILDREN) -> bool:
        """Whether the core can build this ruleset: past 512 tests under one node its hash set is full
        and `createRuleset` loops forever, so this is checked before the core sees a ruleset."""
        seen: set[int] = set()
        todo = [self.root]
        while todo:
            node = todo.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            nex = sum(1 for c in node.tests.values() if c.op == "$nex") + len(node.forwards)
            if len(node.tests) - nex > limits[0] or nex > limits[1] or node.betas > limits[2]:
                return False
            todo.extend(node.tests.values())
            todo.extend(node.forwards)
        return True


def _pushed(node: _Node) -> int:
    """The most children of `node` one fact can push: forward nodes always, the worst value per property."""
    by_prop: dict[str, list[_Node]] = {}
    for child in node.tests.values():
        by_prop.setdefault(child.prop, []).append(child)
    return len(node.forwards) + sum(_worst(children) for children in by_prop.values())


def _worst(children: list[_Node]) -> int:
    missing = sum(1 for c in children if c.op == "$nex")
    literals = [c.value for c in children if c.op not in ("$ex", "$nex") and not isinstance(c.value, tuple)]
    always = sum(1 for c in children if c.op == "$ex" or isinstance(c.value, tuple))
    kinds = {type(v) for v in literals}
    if len(kinds) > 1:
        return max(missing, len(children) - missing)  # mixed types: count every test
    candidates: list[Any]
    if kinds == {int}:
        candidates = [v + d for v in literals for d in (-1, 0, 1)]
    elif kinds == {bool}:
        candidates = [True, False]
    else:
        candidates = [*literals, "\x00none of them"]
    tests = [c for c in children if c.op not in ("$ex", "$nex") and not isinstance(c.value, tuple)]
    present = max((sum(1 for c in tests if _holds(c.op, x, c.value)) for x in candidates), default=0)
    return max(missing, always + present)


def _holds(op: str, x: Any, y: Any) -> bool:
    if op == "$eq":
        return x == y
    if op == "$neq":
        return x != y
    if type(x) is not type(y):
        return True  # the core compares mixed types as text: assume the worst
    return {"$lt": x < y, "$lte": x <= y, "$gt": x > y, "$gte": x >= y}[op]


def partition(definition: dict[str, Json], always: str, groups: Iterable[list[str]]) -> tuple[tuple[str, ...], ...]:
    """Pack groups of durable rules (a pack rule's rules stay together) into safe rulesets, in order.

    Every ruleset also holds `always`. A group too large for one ruleset is split rule by rule; a
    single rule too large for the core raises ValueError."""
    parts: list[list[str]] = []
    current: list[str] = []

    def fits(names: list[str]) -> bool:
        trial = _fresh(definition, always)
        for name in [*current, *names]:
            trial.add(definition[name]["all"][0]["m"])
        return trial.within_limits()

    for group in groups:
        if fits(group):
            current.extend(group)
            continue
        if current:
            parts.append(current)
            current = []
        for name in group:
            if not fits([name]):
                if not current:
                    raise ValueError(f"durable rule {name} alone exceeds the core's limits")
                parts.append(current)
                current = []
            current.append(name)
    if current or not parts:
        parts.append(current)
    return tuple(tuple(p) for p in parts)


def network_of(definition: dict[str, Json]) -> Network:
    network = Network()
    for rule in definition.values():
        network.add(rule["all"][0]["m"])
    return network


def _fresh(definition: dict[str, Json], always: str) -> Network:
    network = Network()
    if always in definition:
        network.add(definition[always]["all"][0]["m"])
    return network
