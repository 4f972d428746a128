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
be too high. Rules are then packed greedily into lanes and rulesets whose bound stays under
`STACK_BUDGET` (`partition`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]
CORE_STACK = 64  # MAX_STACK_SIZE in the core's events.c
STACK_BUDGET = 56  # what a ruleset may reach; the margin absorbs any slip of this model
LANE_BUDGET = 28  # what one lane of a ruleset may reach (see `partition`)
MAX_LANES = STACK_BUDGET - LANE_BUDGET + 1  # so that (lanes - 1) + a lane's bound stays within STACK_BUDGET
MAX_RULES = 2000  # durable rules per ruleset (the core's MAX_ACTIONS is 4096)
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


def lane_test(lane: int) -> Json:
    """The test that opens a lane: it holds for every screening fact (whose type is "screening")."""
    return {"$neq": {"type": f"lane-{lane}"}}


def in_lane(condition: Json, lane: int) -> Json:
    """A durable rule's `m` condition with its lane's test right after the type test it starts with."""
    parts = condition["$and"] if len(condition) == 1 and "$and" in condition else [condition]
    return {"$and": [parts[0], lane_test(lane), *parts[1:]]}


def partition(definition: dict[str, Json], always: str,
              groups: Iterable[list[str]]) -> tuple[tuple[tuple[str, ...], ...], dict[str, int]]:
    """Pack groups of durable rules (a pack rule's rules stay together) into safe rulesets, in order:
    (the rule names of each ruleset, each rule's lane).

    Every rule starts with the test `type == screening`, so in one ruleset the first tests of all its
    rules would be children of that one node, pushed together, and the stack would fill at about a
    hundred rules. So each ruleset's rules hang in lanes: a test every screening fact passes
    (`lane_test`), under which a share of the rules hangs. The type node then pushes only its lanes,
    and a lane only its own rules' first tests: a ruleset's bound is (its lanes - 1) + its deepest
    lane's, kept under `STACK_BUDGET` with lanes of at most `LANE_BUDGET`. A group too large for one
    lane is split rule by rule; a single rule too large for the core raises ValueError."""
    rulesets: list[list[list[str]]] = [[[]]]  # ruleset -> lane -> rule names

    def fits(names: list[str]) -> bool:
        trial = Network()
        for name in names:
            trial.add(in_lane(definition[name]["all"][0]["m"], 0))
        return trial.core_accepts(SAFE_CHILDREN) and trial.stack_bound() <= LANE_BUDGET

    def place(names: list[str]) -> bool:
        """Into the current lane, else a new lane, else a new ruleset; False: too large for any lane."""
        lanes = rulesets[-1]
        room = sum(map(len, lanes)) + len(names) <= MAX_RULES
        if room and fits([*lanes[-1], *names]):
            lanes[-1].extend(names)
            return True
        if not fits(names):
            return False
        if room and len(lanes) < MAX_LANES:
            lanes.append(list(names))
        else:
            rulesets.append([list(names)])
        return True

    for group in groups:
        if place(group):
            continue
        for name in group:
            if not place([name]):
                raise ValueError(f"durable rule {name} alone exceeds the core's limits")
    lane_of: dict[str, int] = {}
    parts: list[tuple[str, ...]] = []
    for lanes in rulesets:
        for lane, names in enumerate(lanes):
            lane_of.update(dict.fromkeys(names, lane))
        parts.append(tuple(name for names in lanes for name in names))
        if not network_of(ruleset(definition, always, parts[-1], lane_of)).within_limits():
            raise ValueError("a partition outgrew the core's limits")  # the arithmetic above says it cannot
    return tuple(parts), lane_of


def ruleset(definition: dict[str, Json], always: str, names: Iterable[str], lanes: dict[str, int]) -> dict[str, Json]:
    """The definition of one ruleset: `always` and the named rules, each in its lane (if it has one)."""
    made = {always: definition[always]}
    for name in names:
        rule = definition[name]
        if name in lanes:
            rule = {**rule, "all": [{"m": in_lane(rule["all"][0]["m"], lanes[name])}]}
        made[name] = rule
    return made


def network_of(definition: dict[str, Json]) -> Network:
    network = Network()
    for rule in definition.values():
        network.add(rule["all"][0]["m"])
    return network
