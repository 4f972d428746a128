"""Compile a pack into one durable_rules ruleset.

Three-valued logic in a two-valued engine: every condition C compiles to a pair of durable
expressions, T(C) "C is certainly true" and F(C) "C is certainly false". A comparison on a missing
attribute is false in durable_rules, so both are false when a fact is missing, which is exactly
"unknown". Each pack rule then becomes durable rules that fire only on a certain outcome:

    <i>:n     F(applies_when)                                  -> not applicable
    <i>:v:<k> T(applies) & F(case 1..k-1) & T(case k)          -> violated, case k
    <i>:s     T(applies) & F(every case)                       -> satisfied

A rule for which nothing fired is undetermined. Parameters and indicators travel inside the fact
(`par.*`, `ind.*`), so one ruleset serves every zone and date. Numbers travel as integers scaled by
10^6, so durable_rules compares them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .model import FACTS
from .pack import All, Any_, Condition, Default, Leaf, Not, Pack, Rule
from .units import scaled

Json = dict[str, Any]
TYPE = {"type": "screening"}
ALWAYS = "always"
_NEGATE = {"eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "le": "gt", "gt": "le"}
_DURABLE = {"eq": "$eq", "ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


@dataclass(frozen=True)
class Outcome:
    rule_index: int
    kind: str  # n | v | s
    case_index: int | None = None


@dataclass(frozen=True)
class Compiled:
    name: str
    definition: dict[str, Json]  # durable rule name -> {'all': [...]} (no actions yet)
    outcomes: dict[str, Outcome]
    fields: tuple[str, ...]  # fact paths the ruleset reads
    list_fields: dict[str, tuple[str, ...]]  # list facts, encoded as {member: bool}


def literal(value: object) -> object:
    return scaled(value) if isinstance(value, Decimal) else value


def _and(parts: list[Json]) -> Json:
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _or(parts: list[Json]) -> Json:
    return parts[0] if len(parts) == 1 else {"$or": parts}


class _Compiler:
    def __init__(self, pack: Pack):
        self.pack = pack
        self.fields: dict[str, None] = {}
        self.list_fields: dict[str, tuple[str, ...]] = {}

    def use(self, path: str) -> str:
        self.fields[path] = None
        return path

    def compare(self, op: str, path: str, value: object) -> Json:
        return {_DURABLE[op]: {self.use(path): literal(value)}}

    def leaf(self, leaf: Leaf, positive: bool) -> Json:
        """T(leaf) when positive, else F(leaf)."""
        if leaf.op == "exists":
            present = leaf.operand if positive else not leaf.operand
            return {"$ex" if present else "$nex": {self.use(leaf.path): 1}}
        if leaf.op in ("in", "not_in"):
            wants_member = (leaf.op == "in") == positive
            items = list(leaf.operand)  # type: ignore[arg-type]
            if wants_member:
                return _or([self.compare("eq", leaf.path, v) for v in items])
            return _and([self.compare("ne", leaf.path, v) for v in items])
        if leaf.op == "contains_any":
            self.use(leaf.path)
            self.list_fields[leaf.path] = FACTS[leaf.path].choices
            items = list(leaf.operand)  # type: ignore[arg-type]
            if positive:
                return _or([{"$eq": {f"{leaf.path}.{v}": True}} for v in items])
            return _and([{"$eq": {f"{leaf.path}.{v}": False}} for v in items])
        op = leaf.op if positive else _NEGATE[leaf.op]
        if leaf.ref is None:
            return self.compare(op, leaf.path, leaf.operand)
        # a comparison against a missing reference fires in durable_rules: guard it
        return _and([{"$ex": {self.use(leaf.ref): 1}},
                     {_DURABLE[op]: {self.use(leaf.path): {"$m": leaf.ref}}}])

    def condition(self, node: Condition, positive: bool, defaults: dict[str, Default]) -> Json:
        if isinstance(node, Leaf):
            return self.defaulted_leaf(node, positive, defaults)
        if isinstance(node, Not):
            return self.condition(node.child, not positive, defaults)
        parts = [self.condition(child, positive, defaults) for child in node.children]
        conjunctive = isinstance(node, All) == positive  # T(all) and F(any) are conjunctions
        return _and(parts) if conjunctive else _or(parts)

    def defaulted_leaf(self, leaf: Leaf, positive: bool, defaults: dict[str, Default]) -> Json:
        plain = self.leaf(leaf, positive)
        default = defaults.get(leaf.path)
        if default is None or leaf.op == "exists":
            return plain
        if _holds(leaf, default.value) != positive:
            return plain
        # the fact is missing and the default applies: the leaf takes the default's value
        assumed = _and([{"$nex": {self.use(leaf.path): 1}}, self.condition(default.when, True, {})])
        return _or([plain, assumed])

    def rule(self, index: int, rule: Rule) -> dict[str, tuple[Json, Outcome]]:
        defaults = {d.fact: d for d in rule.defaults}
        out: dict[str, tuple[Json, Outcome]] = {}
        applies: list[Json] = []
        if rule.applies_when is not None:
            out[f"{index}:n"] = (self.condition(rule.applies_when, False, defaults), Outcome(index, "n"))
            applies = [self.condition(rule.applies_when, True, defaults)]
        earlier: list[Json] = []
        for k, case in enumerate(rule.cases):
            out[f"{index}:v:{k}"] = (_and([*applies, *earlier, self.condition(case.when, True, defaults)]),
                                     Outcome(index, "v", k))
            earlier.append(self.condition(case.when, False, defaults))
        parts = [*applies, *earlier]
        out[f"{index}:s"] = (_and(parts) if parts else {}, Outcome(index, "s"))
        return out

    def compile(self) -> Compiled:
        definition: dict[str, Json] = {ALWAYS: {"all": [{"m": TYPE}]}}
        outcomes: dict[str, Outcome] = {}
        for index, rule in enumerate(self.pack.rules):
            for name, (expression, outcome) in self.rule(index, rule).items():
                condition = {"$and": [TYPE, expression]} if expression else TYPE
                definition[name] = {"all": [{"m": condition}]}
                outcomes[name] = outcome
        return Compiled(
            name=f"zonecheck-{self.pack.id}-{self.pack.hash[7:19]}",
            definition=definition,
            outcomes=outcomes,
            fields=tuple(self.fields),
            list_fields=dict(self.list_fields),
        )


def _holds(leaf: Leaf, value: object) -> bool:
    """Whether a literal leaf holds for a known value (defaults are literals)."""
    op, operand = leaf.op, leaf.operand
    if op == "in":
        return value in operand  # type: ignore[operator]
    if op == "not_in":
        return value not in operand  # type: ignore[operator]
    if op == "eq":
        return value == operand
    if op == "ne":
        return value != operand
    raise ValueError(f"a default cannot feed a `{op}` comparison")


def compile_pack(pack: Pack) -> Compiled:
    return _Compiler(pack).compile()


def durable_fact(compiled: Compiled, values: dict[str, object]) -> Json:
    """The fact asserted into durable_rules: only the fields the ruleset reads."""
    fact: Json = dict(TYPE)
    for path in compiled.fields:
        value = values.get(path)
        if value is None:
            continue
        if path in compiled.list_fields:
            value = {member: member in value for member in compiled.list_fields[path]}  # type: ignore[operator]
        else:
            value = literal(value)
        head, _, rest = path.partition(".")
        node = fact.setdefault(head, {})
        *middle, last = rest.split(".")
        for part in middle:
            node = node.setdefault(part, {})
        node[last] = value
    return fact
