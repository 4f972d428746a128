"""Compile a pack into durable_rules rulesets (one, or several when the core's limits demand).

Three-valued logic in a two-valued engine: every condition C compiles to a pair of durable
expressions, T(C) "C is certainly true" and F(C) "C is certainly false". A comparison on a missing
attribute is false in durable_rules, so both are false when a fact is missing, which is exactly
"unknown". Each pack rule then becomes durable rules that fire only on a certain outcome:

    <i>:n     F(applies_when)                                  -> not applicable
    <i>:v:<k> T(case k) & T(applies) & F(case 1..k-1)          -> violated, case k
    <i>:u:0   U(applies_when)                                  -> undetermined
    <i>:u:<k> U(case k) & T(applies) & F(case 1..k-1)          -> undetermined

where U(C) "C is unknown" is compiled from T, F and `$nex`. The rare part comes first (a case violated, a
fact missing): the core walks an `$and` as a chain of tests, so most chains stop at their first test
instead of after the applies and earlier cases. A rule for which nothing fired is satisfied: as durable_rules' own guidance has it, the common outcome is derived from silence, so a
typical screening fires a handful of actions instead of one per rule. (A ruleset that never fires
would thus pass everything; the runtime refuses a state in which the always-rule did not run, and
the per-rule cases catch a ruleset that fires too little.) Parameters and indicators travel inside the fact
(`par.*`, `ind.*`), so one ruleset serves every zone and date. Numbers travel as integers scaled by
10^6, so durable_rules compares them exactly.

The fact is flat and its keys are short (`f0`, `f1`, ...; `Compiled.keys` maps each to its fact path):
the core parses the fact once and copies it into every action it fires, and a flat fact with short
keys costs it about a tenth less than the nested one with full paths.

The durable rules are split into rulesets, and within a ruleset into lanes (`Compiled.partitions` and
`Compiled.lanes`, chosen here, at compile time) so that no fact can overflow the core's 64-entry stack
and no node outgrows the core's tables (engine/core/partition.py): a pack of any size screens with zero
refusals. The national pack fits one ruleset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zonecheck.engine.contract.proposal import FACTS
from zonecheck.engine.pack.model import All, Condition, Default, Leaf, Not, Pack, Rule
from zonecheck.engine.contract.units import PLACES, scaled
from zonecheck.engine.core.partition import partition, ruleset

Json = dict[str, Any]
TYPE = {"type": "screening"}
ALWAYS = "always"
_NEGATE = {"eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "le": "gt", "gt": "le"}
INT64 = 2**63 - 1
MAX_BRANCHES = 256  # per durable rule; the core refuses rulesets far beyond this
MAX_ENTRIES = 31  # expression entries per durable rule (the core's MAX_SEQUENCE_EXPRESSIONS is 32)
_DURABLE = {"eq": "$eq", "ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


@dataclass(frozen=True)
class Outcome:
    rule_index: int
    kind: str  # n | v | u | s
    case_index: int | None = None
    unknown: int | None = None  # for u: the condition found unknown (0 applies_when, k + 1 case k)


@dataclass(frozen=True)
class Compiled:
    name: str
    definition: dict[str, Json]  # durable rule name -> {'all': [...]} (no actions yet)
    outcomes: dict[str, Outcome]
    silent: dict[int, str]  # rule index -> the outcome of a rule for which nothing fired
    keys: dict[str, str]  # fact path (a list member as `path.member`) -> its key in the durable fact
    # (path, key, ((member, key), ...) for a list fact) per path the ruleset reads: how durable_fact fills the fact
    layout: tuple[tuple[str, str, tuple[tuple[str, str], ...] | None], ...]
    # the durable rules of each ruleset (each also gets the always-rule); () puts all in one ruleset
    partitions: tuple[tuple[str, ...], ...] = ()
    lanes: dict[str, int] = field(default_factory=dict)  # durable rule -> its lane in its ruleset

    def rulesets(self) -> list[dict[str, Json]]:
        """The definition of each ruleset, as the core gets it (engine/core/partition.py)."""
        if not self.partitions:  # everything in one ruleset, as written: only tests build it so
            return [dict(self.definition)]
        return [ruleset(self.definition, ALWAYS, names, self.lanes) for names in self.partitions]


def literal(value: object) -> object:
    return scaled(value) if isinstance(value, Decimal) else value


def _and(parts: list[Json]) -> Json:
    return _join("$and", parts)


def _or(parts: list[Json]) -> Json:
    return _join("$or", parts)


def _join(kind: str, parts: list[Json]) -> Json:
    """One `$and`/`$or` over the parts, nested ones of the same kind flattened: the core allows 32
    expression entries per rule and every `$and`/`$or` takes two."""
    flat: list[Json] = []
    for part in parts:
        flat.extend(part[kind] if len(part) == 1 and kind in part else [part])
    return flat[0] if len(flat) == 1 else {kind: flat}


class _Compiler:
    def __init__(self, pack: Pack):
        self.pack = pack
        self.keys: dict[str, str] = {}
        self.list_fields: dict[str, tuple[str, ...]] = {}

    def use(self, path: str) -> str:
        """The key of a fact path in the durable fact."""
        key = self.keys.get(path)
        if key is None:
            key = self.keys[path] = f"f{len(self.keys)}"
        return key

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
            self.list_fields[leaf.path] = FACTS[leaf.path].choices
            items = list(leaf.operand)  # type: ignore[arg-type]
            if positive:
                return _or([{"$eq": {self.use(f"{leaf.path}.{v}"): True}} for v in items])
            return _and([{"$eq": {self.use(f"{leaf.path}.{v}"): False}} for v in items])
        op = leaf.op if positive else _NEGATE[leaf.op]
        if leaf.ref is None:
            return self.compare(op, leaf.path, leaf.operand)
        # a comparison against a missing reference fires in durable_rules: guard it
        return _and([{"$ex": {self.use(leaf.ref): 1}},
                     {_DURABLE[op]: {self.use(leaf.path): {"$m": self.use(leaf.ref)}}}])

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

    def unknown(self, node: Condition, defaults: dict[str, Default]) -> Json | None:
        """U(node): "node is unknown" (neither certainly true nor certainly false); None: never."""
        if isinstance(node, Leaf):
            if node.op == "exists":
                return None
            field = f"{node.path}.{FACTS[node.path].choices[0]}" if node.op == "contains_any" else node.path
            gaps = [{"$nex": {self.use(field): 1}}] + ([{"$nex": {self.use(node.ref): 1}}] if node.ref else [])
            default = defaults.get(node.path)
            if default is not None:
                # missing, and the default's condition is not certainly true
                settles = [p for p in (self.condition(default.when, False, {}), self.unknown(default.when, {})) if p]
                gaps[0] = _and([gaps[0], _or(settles)])
            return _or(gaps)
        if isinstance(node, Not):
            return self.unknown(node.child, defaults)
        # all: no child false and one unknown; any: no child true and one unknown. Split on the
        # first unknown child j, so that one situation matches one branch: before j every child is
        # decided the non-deciding way, after j none is decided the deciding way.
        settled = isinstance(node, All)  # the value a child must have not to decide the node
        branches = []
        for j, child in enumerate(node.children):
            unknown_j = self.unknown(child, defaults)
            if unknown_j is None:
                continue
            parts = [self.condition(c, settled, defaults) for c in node.children[:j]] + [unknown_j]
            for later in node.children[j + 1:]:
                later_unknown = self.unknown(later, defaults)
                plain = self.condition(later, settled, defaults)
                parts.append(_or([plain, later_unknown]) if later_unknown else plain)
            branches.append(_and(parts))
        return _or(branches) if branches else None

    def rule(self, index: int, rule: Rule) -> dict[str, tuple[Json, Outcome]]:
        defaults = {d.fact: d for d in rule.defaults}
        out: dict[str, tuple[Json, Outcome]] = {}
        applies: list[Json] = []
        if rule.applies_when is not None:
            out[f"{index}:n"] = (self.condition(rule.applies_when, False, defaults), Outcome(index, "n"))
            unknown = self.unknown(rule.applies_when, defaults)
            if unknown:
                out[f"{index}:u:0"] = (unknown, Outcome(index, "u", unknown=0))
            applies = [self.condition(rule.applies_when, True, defaults)]
        earlier: list[Json] = []
        for k, case in enumerate(rule.cases):
            out[f"{index}:v:{k}"] = (_and([self.condition(case.when, True, defaults), *applies, *earlier]),
                                     Outcome(index, "v", k))
            unknown = self.unknown(case.when, defaults)
            if unknown:
                out[f"{index}:u:{k + 1}"] = (_and([unknown, *applies, *earlier]), Outcome(index, "u", unknown=k + 1))
            earlier.append(self.condition(case.when, False, defaults))
        unknowns = [e for e, o in out.values() if o.kind == "u"]
        if (max(map(_branches, unknowns), default=0) > MAX_BRANCHES
                or max(map(_entries, unknowns), default=0) > MAX_ENTRIES):
            # too many ways to be unknown for the core (error 113): fire "satisfied" instead and
            # leave "undetermined" silent for this rule
            out = {name: entry for name, entry in out.items() if entry[1].kind != "u"}
            out[f"{index}:s"] = (_and([*applies, *earlier]) if applies or earlier else {}, Outcome(index, "s"))
        return out  # the silent outcome is what fires nothing here

    def compile(self) -> Compiled:
        definition: dict[str, Json] = {ALWAYS: {"all": [{"m": TYPE}]}}
        outcomes: dict[str, Outcome] = {}
        silent: dict[int, str] = {}
        groups: list[list[str]] = []
        for index, rule in enumerate(self.pack.rules):
            compiled = self.rule(index, rule)
            groups.append(list(compiled))
            silent[index] = "undetermined" if any(o.kind == "s" for _, o in compiled.values()) else "satisfied"
            for name, (expression, outcome) in compiled.items():
                condition = _and([TYPE, expression]) if expression else TYPE
                if _entries(condition) > MAX_ENTRIES:
                    raise ValueError(f"{rule.where}: rule {rule.id} is too complex for durable_rules "
                                     f"({_entries(condition)} expression entries, at most {MAX_ENTRIES})")
                definition[name] = {"all": [{"m": condition}]}
                outcomes[name] = outcome
        layout = []
        for path, key in self.keys.items():
            head = path.rsplit(".", 1)[0]
            if head in self.list_fields:
                continue  # a list member: filled with its list
            members = self.list_fields.get(path)
            if members is not None:
                layout.append((path, key, tuple((m, self.use(f"{path}.{m}")) for m in members)))
            else:
                layout.append((path, key, None))
        for path, members in self.list_fields.items():
            if path not in self.keys:
                layout.append((path, "", tuple((m, self.use(f"{path}.{m}")) for m in members)))
        partitions, lanes = partition(definition, ALWAYS, groups)
        return Compiled(
            name=f"zonecheck-{self.pack.id}-{self.pack.hash[7:19]}",
            definition=definition,
            outcomes=outcomes,
            silent=silent,
            keys=dict(self.keys),
            layout=tuple(layout),
            partitions=partitions,
            lanes=lanes,
        )


def _branches(expression: Json) -> int:
    """How many branches durable_rules expands an expression into ($or inside $and multiplies)."""
    if "$and" in expression:
        count = 1
        for part in expression["$and"]:
            count *= _branches(part)
        return count
    if "$or" in expression:
        return sum(_branches(part) for part in expression["$or"])
    return 1


def _entries(expression: Json) -> int:
    """The core's expression entries for an expression: two per `$and`/`$or`, one per reference."""
    (name, body), = expression.items() if expression else (("", None),)
    if name in ("$and", "$or"):
        return 2 + sum(_entries(part) for part in body)
    if name.startswith("$"):
        (_, value), = body.items()
        return 1 if isinstance(value, dict) else 0
    return 0


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
    """The fact asserted into durable_rules: only what the ruleset reads, under its short keys."""
    fact: Json = dict(TYPE)
    get = values.get
    for path, key, members in compiled.layout:
        value = get(path)
        if value is None:
            continue
        if members is not None:
            if key:
                fact[key] = True  # the list itself is present
            for member, member_key in members:
                fact[member_key] = member in value  # type: ignore[operator]
        elif type(value) is Decimal:
            number = int(value.scaleb(PLACES))  # as `scaled`, inline: this loop runs per screening
            if not -INT64 <= number <= INT64:
                raise OverflowError(f"{path} is too large to compare exactly")
            fact[key] = number
        else:
            fact[key] = value
    return fact
