"""What explaining a rule needs that depends only on the pack: the paths it reads, the parameters and
the bound each sets per case, its citations as references, the paths its templates show.

Worked out once per pack (`plans(pack)`), shared by the engine and by every view of a verdict.
"""

from __future__ import annotations

from typing import Any

from zonecheck.engine.pack.loader import PLACEHOLDER
from zonecheck.engine.pack.model import All, Any_, Condition, Leaf, Not, Pack, Row, Rule, leaves

_REQUIREMENT = {"lt": "≥", "le": ">", "gt": "≤", "ge": "<", "eq": "≠", "ne": "="}
_TRIGGER = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "eq": "=", "ne": "≠"}
_MIRROR = {"≥": "≤", "≤": "≥", ">": "<", "<": ">"}
_INCLUSIVE = {"≥": True, "≤": True, ">": False, "<": False, "=": True, "≠": False}


class RulePlan:
    """One rule, read once."""

    def __init__(self, rule: Rule, pack: Pack):
        self.rule = rule
        self.pack = pack
        conditions = [rule.applies_when, *(c.when for c in rule.cases), *(d.when for d in rule.defaults)]
        direct: list[str] = []
        for leaf in (leaf for condition in conditions for leaf in leaves(condition)):
            for path in (leaf.path, leaf.ref):
                if path and path not in direct:
                    direct.append(path)
        self.value_paths: list[str] = []  # facts and indicators the rule reads (a finding's `values`)
        self.params: list[str] = []
        for path in direct:
            for inner in [path, *self.formula_inputs(path)]:
                if inner.startswith("par."):
                    if inner[4:] not in self.params:
                        self.params.append(inner[4:])
                elif inner not in self.value_paths:
                    self.value_paths.append(inner)
        # paths the messages show beyond those read: kept in the structured finding so views can fill them
        texts = [rule.satisfied, rule.not_applicable or {}, rule.undetermined or {}]
        texts += [t for c in rule.cases for t in (c.message, c.remedy or {})]
        shown = {p for text in texts for body in text.values() for p in PLACEHOLDER.findall(body)}
        self.shown_paths = sorted(p for p in shown if p not in self.value_paths and p.split(".")[0] not in ("par", "remedy"))
        cases = [(c.when, True) for c in rule.cases]
        applies = [(rule.applies_when, False)] if rule.applies_when is not None else []
        self.refs_any = self.refs(self.bounds(cases + applies))
        self.refs_case = [self.refs(self.bounds([(c.when, True)] + applies)) for c in rule.cases]
        self.citations = [self.citation(c) for c in rule.citations]
        self.case_indices = {c.id: index for index, c in enumerate(rule.cases)}
        self.remedies = {r.name: r for r in rule.remedy_values}
        self.has_defaults = bool(rule.defaults)
        # per condition (0 applies_when, k + 1 case k): its leaves that can be unknown, when the
        # condition is flat (see `flat_leaves`); None: only a three-valued walk names what is unknown
        self.unknown_leaves = [flat_leaves(c) for c in (rule.applies_when, *(c.when for c in rule.cases))]
        # each path compared directly with a parameter: views keep a rounded figure on its side of the bound
        self.compared: dict[str, list[str]] = {}
        for leaf in (leaf for condition in conditions for leaf in leaves(condition)):
            if leaf.ref and leaf.ref.startswith("par.") and leaf.op in _REQUIREMENT:
                self.compared.setdefault(leaf.path, []).append(leaf.ref[4:])

    def formula_inputs(self, path: str) -> list[str]:
        if not path.startswith("ind."):
            return []
        found: list[str] = []
        for inner in self.pack.indicators[path[4:]].formula.paths:
            for p in [inner, *self.formula_inputs(inner)]:
                if p not in found:
                    found.append(p)
        return found

    def refs(self, bounds: dict[str, str]) -> list[dict[str, Any]]:
        """What a finding says of each threshold it reads; the values are in the verdict's table."""
        return [{"parameter": name, "comparison": bounds.get(name),
                 "inclusive": _INCLUSIVE.get(bounds[name]) if name in bounds else None} for name in self.params]

    def thresholds(self, case_index: int | None) -> list[dict[str, Any]]:
        return self.refs_case[case_index] if case_index is not None else self.refs_any

    @staticmethod
    def bounds(parts: list[tuple[Condition, bool]]) -> dict[str, str]:
        """The bound each directly compared parameter sets: ≥ for a minimum the rule requires, etc."""
        found: dict[str, str] = {}
        for condition, is_case in parts:
            for leaf in leaves(condition):
                for side in (leaf.ref, leaf.path):
                    # only a parameter compared directly has a bound; inside a formula it is an input
                    if side is None or leaf.op not in _REQUIREMENT or not side.startswith("par."):
                        continue
                    symbol = (_REQUIREMENT if is_case else _TRIGGER)[leaf.op]
                    if side == leaf.path:  # the parameter is on the left: mirror the comparison
                        symbol = _MIRROR.get(symbol, symbol)
                    found.setdefault(side[4:], symbol)
        return found

    @staticmethod
    def citation(citation: Any) -> dict[str, Any]:
        if citation.seed:
            named = {"source": citation.source.id} if citation.source else {}
            return {**named, "seed": citation.seed, "paragraph": citation.paragraph}
        return {"source": citation.source.id, "article": citation.article}


def flat_leaves(condition: Condition | None) -> tuple[Leaf, ...] | None:
    """The leaves that can be unknown of a flat condition (a comparison, or one `all`/`any` of
    comparisons, each perhaps negated), else None. When such a condition is unknown, no comparison in it
    decided it, so what is unknown is exactly its comparisons with a value missing: no walk needed."""
    def single(node: Condition) -> Leaf | None:
        while isinstance(node, Not):
            node = node.child
        return node if isinstance(node, Leaf) else None

    if condition is None:
        return None
    inner = condition
    while isinstance(inner, Not):
        inner = inner.child
    parts = [single(c) for c in inner.children] if isinstance(inner, (All, Any_)) else [single(inner)]
    if any(leaf is None or (leaf.op != "exists" and leaf.ref is None and leaf.operand is None) for leaf in parts):
        return None
    return tuple(leaf for leaf in parts if leaf.op != "exists")  # type: ignore[union-attr]


class PackPlan:
    """Every rule's plan, the parameters any rule reads, and stable references to threshold rows."""

    def __init__(self, pack: Pack):
        self.pack = pack
        self.rules = [RulePlan(rule, pack) for rule in pack.rules]
        self.by_id = {plan.rule.id: plan for plan in self.rules}
        # every path a rule reads or shows, in the order the rules first read them (the verdict's `values`)
        self.read_paths = list(dict.fromkeys(p for plan in self.rules for p in (*plan.value_paths, *plan.shown_paths)))
        self.param_names = list(dict.fromkeys(name for plan in self.rules for name in plan.params))
        self.citation_sources = {c.source.id: c.source for rule in pack.rules for c in rule.citations if c.source}
        self._refs: dict[int, str] = {}
        for name, param in pack.parameters.items():
            for index, row in enumerate(param.rows):
                self._refs[id(row)] = f"n{index}"
            if param.default is not None:
                self._refs[id(param.default)] = "d"
        for zone in pack.zones.values():
            for rows in zone.rows.values():
                for index, row in enumerate(rows):
                    self._refs[id(row)] = f"z{index}"

    def row_ref(self, row: Row) -> str:
        """A row's id within its parameter: `n3` the national table's 4th row, `z0` the zone's first, `d` the default."""
        return self._refs[id(row)]

    def row(self, parameter: str, ref: str, zone: str) -> Row:
        param = self.pack.parameters[parameter]
        if ref == "d":
            return param.default  # type: ignore[return-value]
        rows = param.rows if ref[0] == "n" else self.pack.zones[zone].rows[parameter]
        return rows[int(ref[1:])]


_PLANS: dict[int, PackPlan] = {}


def plans(pack: Pack) -> PackPlan:
    """The pack's plan, made once per loaded pack (a pack lives as long as the process)."""
    found = _PLANS.get(id(pack))
    if found is None or found.pack is not pack:
        found = _PLANS[id(pack)] = PackPlan(pack)
    return found
