"""Findings: what durable_rules concluded for each rule, with the why.

The status of every finding comes from which durable rules fired. This module only explains it:
the values read, the thresholds with their sources, the facts to supply, the message and remedy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .compiler import Compiled
from .facts import FactSet
from .loader import PLACEHOLDER
from .model import FACTS, display_choice, label_for
from .pack import All, Any_, Condition, Default, Leaf, Not, Pack, Rule
from .params import Resolved
from .units import format_value, quantize

STATUS_LABELS = {
    "violated": {"zh": "违反", "en": "violated"},
    "satisfied": {"zh": "符合", "en": "satisfied"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
    "undetermined": {"zh": "无法判断", "en": "cannot judge"},
}
_REQUIREMENT = {"lt": "≥", "le": ">", "gt": "≤", "ge": "<", "eq": "≠", "ne": "="}
_TRIGGER = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "eq": "=", "ne": "≠"}
_INCLUSIVE = {"≥": True, "≤": True, ">": False, "<": False, "=": True, "≠": False}


@dataclass(frozen=True)
class Finding:
    rule: Rule
    status: str
    severity: str
    case: str | None
    reason: str | None
    missing: tuple[str, ...]
    body: dict[str, Any]  # the JSON form


def plain(value: object) -> object:
    """JSON form of a fact value: exact decimals as text, everything else as is."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, tuple):
        return list(value)
    return value


class Explainer:
    def __init__(self, pack: Pack, compiled: Compiled):
        self.pack = pack
        self.by_rule: dict[int, list[tuple[str, int | None]]] = {}
        for outcome in compiled.outcomes.values():
            self.by_rule.setdefault(outcome.rule_index, [])
        self.compiled = compiled

    # --- status from what fired ----------------------------------------------------------------
    def statuses(self, fired: set[str]) -> list[tuple[str, int | None]]:
        found: dict[int, set[tuple[str, int | None]]] = {}
        for name in fired:
            outcome = self.compiled.outcomes.get(name)
            if outcome is not None:
                found.setdefault(outcome.rule_index, set()).add((outcome.kind, outcome.case_index))
        result: list[tuple[str, int | None]] = []
        for index, rule in enumerate(self.pack.rules):
            outcomes = found.get(index, set())
            if len(outcomes) > 1:
                raise RuntimeError(f"{rule.id}: durable_rules concluded {sorted(map(str, outcomes))} at once")
            kind, case = next(iter(outcomes)) if outcomes else ("u", None)
            status = {"n": "not_applicable", "v": "violated", "s": "satisfied", "u": "undetermined"}[kind]
            result.append((status, case))
        return result

    def findings(self, facts: FactSet, fired: set[str]) -> list[Finding]:
        return [self.finding(rule, facts, status, case)
                for rule, (status, case) in zip(self.pack.rules, self.statuses(fired))]

    # --- one finding ---------------------------------------------------------------------------
    def finding(self, rule: Rule, facts: FactSet, status: str, case_index: int | None) -> Finding:
        walk = _Walk(rule, facts)
        case = rule.cases[case_index] if case_index is not None else None
        severity = case.severity if case else rule.severity
        reason, missing = None, ()
        if status == "undetermined":
            reason, missing = self.why_undetermined(walk.unknown_leaves(), facts)
        deciding = self.deciding_condition(rule, status, case_index)
        values = self.values(rule, facts, walk)
        thresholds = self.thresholds(rule, facts, deciding)
        message = self.message(rule, facts, status, case, reason, missing, walk)
        remedy = self.remedy(rule, facts, case, walk) if case else None
        body = {
            "rule_id": rule.id,
            "title": rule.title,
            "domain": rule.domain,
            "severity": severity,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "case": case.id if case else None,
            "reason": reason,
            "missing_facts": [self.missing_entry(path, facts) for path in missing],
            "message": message,
            "remedy": remedy,
            "values": values,
            "thresholds": thresholds,
            "citations": [c.as_json() for c in rule.citations],
        }
        return Finding(rule, status, severity, case.id if case else None, reason, missing, body)

    def deciding_condition(self, rule: Rule, status: str, case_index: int | None) -> list[tuple[Condition, bool]]:
        """Conditions whose comparisons explain the outcome, and whether they are violation cases."""
        parts: list[tuple[Condition, bool]] = []
        if status == "violated" and case_index is not None:
            parts.append((rule.cases[case_index].when, True))
        else:
            parts += [(c.when, True) for c in rule.cases]
        if rule.applies_when is not None:
            parts.append((rule.applies_when, False))
        return parts

    def why_undetermined(self, leaves: list[Leaf], facts: FactSet) -> tuple[str, tuple[str, ...]]:
        missing: list[str] = []
        no_threshold = False
        for leaf in leaves:
            for path in (leaf.path, leaf.ref):
                if path is None:
                    continue
                for fact in self.inputs(path, facts):
                    if fact.startswith("par."):
                        no_threshold = True
                    elif fact not in missing:
                        missing.append(fact)
        if no_threshold:
            return "no_threshold", ()
        return "missing_facts", tuple(missing)

    def inputs(self, path: str, facts: FactSet) -> list[str]:
        """The missing proposal facts (or `par.X` with no value in force) behind a missing path."""
        if path in facts.values:
            return []
        head, _, name = path.partition(".")
        if head == "ind":
            found: list[str] = []
            for inner in self.pack.indicators[name].formula.paths:
                found += [p for p in self.inputs(inner, facts) if p not in found]
            return found or [path]
        if head == "par":
            resolved = facts.params[name]
            if resolved.status == "no_value":
                return [path]
            return list(resolved.missing)
        return [path]

    def missing_entry(self, path: str, facts: FactSet) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": path, "label": label_for(path)}
        if path == "project.industry_code" and path in facts.values:
            entry["hint"] = {"zh": "行业代码过短，对应多个控制值：请提供 3 位或 4 位代码",
                             "en": "the industry code is too short and maps to several control values: give 3 or 4 digits"}
        return entry

    # --- values and thresholds -----------------------------------------------------------------
    def values(self, rule: Rule, facts: FactSet, walk: "_Walk") -> list[dict[str, Any]]:
        paths: list[str] = []
        for path in _rule_paths(rule):
            if path.startswith("par."):
                continue
            for inner in [path, *self.formula_inputs(path)]:
                if inner not in paths and not inner.startswith("par."):
                    paths.append(inner)
        out = []
        for path in paths:
            value = facts.values.get(path)
            origin = "proposal"
            if path in walk.assumed:
                value, origin = walk.assumed[path], "assumed"
            elif path.startswith("ind."):
                origin = "derived"
            elif path.startswith("zone."):
                origin = "zone"
            elif path in facts.origins:
                origin = facts.origins[path]
            unit = self.unit(path)
            out.append({"path": path, "label": self.label(path), "value": plain(value),
                        "display": format_value(display_choice(path, value, "zh"), unit), "unit": unit, "origin": origin if value is not None else "missing"})
        return out

    def formula_inputs(self, path: str) -> list[str]:
        if not path.startswith("ind."):
            return []
        found: list[str] = []
        for inner in self.pack.indicators[path[4:]].formula.paths:
            for p in [inner, *self.formula_inputs(inner)]:
                if p not in found:
                    found.append(p)
        return found

    def thresholds(self, rule: Rule, facts: FactSet, deciding: list[tuple[Condition, bool]]) -> list[dict[str, Any]]:
        comparisons: dict[str, str] = {}
        for condition, is_case in deciding:
            for leaf in _leaves(condition):
                for side in (leaf.ref, leaf.path):
                    # only a parameter compared directly has a bound; inside a formula it is an input
                    if side is None or leaf.op not in _REQUIREMENT or not side.startswith("par."):
                        continue
                    symbol = (_REQUIREMENT if is_case else _TRIGGER)[leaf.op]
                    if side == leaf.path:  # the parameter is on the left: mirror the comparison
                        symbol = {"≥": "≤", "≤": "≥", ">": "<", "<": ">"}.get(symbol, symbol)
                    comparisons.setdefault(side[4:], symbol)
        names: list[str] = []
        for path in _rule_paths(rule):
            for param in self.params_behind(path):
                if param not in names:
                    names.append(param)
        return [self.threshold(facts.params[name], comparisons.get(name)) for name in names]

    def params_behind(self, path: str) -> list[str]:
        if path.startswith("par."):
            return [path[4:]]
        return [p[4:] for p in self.formula_inputs(path) if p.startswith("par.")]

    def threshold(self, resolved: Resolved, comparison: str | None) -> dict[str, Any]:
        param = self.pack.parameters[resolved.name]
        entry: dict[str, Any] = {
            "parameter": resolved.name,
            "label": param.label,
            "status": resolved.status,
            "value": plain(resolved.value),
            "display": format_value(resolved.value, param.unit),
            "unit": param.unit,
            "comparison": comparison,
            "inclusive": _INCLUSIVE.get(comparison) if comparison else None,
            "decided_by": resolved.decided_by,
        }
        if resolved.row is not None:
            entry.update(_row_json(resolved.row))
        if resolved.overruled is not None:
            entry["not_applied"] = {"value": plain(resolved.overruled.value), **_row_json(resolved.overruled)}
        return entry

    def unit(self, path: str) -> str | None:
        head, _, name = path.partition(".")
        if head == "ind":
            return self.pack.indicators[name].unit
        if head == "par":
            return self.pack.parameters[name].unit
        spec = FACTS.get(path)
        return spec.unit if spec else None

    def label(self, path: str) -> str:
        head, _, name = path.partition(".")
        if head == "ind":
            return self.pack.indicators[name].label["zh"]
        if head == "par":
            return self.pack.parameters[name].label["zh"]
        if path == "zone.region":
            return "园区所在区域"
        return label_for(path)

    # --- text ----------------------------------------------------------------------------------
    def fill(self, template: str, lang: str, facts: FactSet, walk: "_Walk", remedies: dict[str, str]) -> str:
        def value(match: Any) -> str:
            path = match.group(1)
            if path.startswith("remedy."):
                return remedies.get(path[7:], "—")
            found = walk.assumed.get(path, facts.values.get(path))
            return format_value(display_choice(path, found, lang), self.unit(path))
        return PLACEHOLDER.sub(value, template)

    def message(self, rule: Rule, facts: FactSet, status: str, case: Any, reason: str | None,
                missing: tuple[str, ...], walk: "_Walk") -> dict[str, str]:
        if status == "violated":
            template = case.message
        elif status == "satisfied":
            template = rule.satisfied
        elif status == "not_applicable":
            template = rule.not_applicable or {}
        elif reason == "no_threshold":
            return {"zh": "未核查：该园区、行业和日期没有有效的控制值，待园区配置载明来源的本地控制值。",
                    "en": "Not checked: no control value is in force for this zone, industry and date; "
                          "a zone profile must supply one with its source."}
        else:
            names = "、".join(label_for(p) for p in missing) or "—"
            ask = {"zh": f"无法判断：请补充 {names}。", "en": f"Cannot judge: supply {', '.join(missing) or '—'}."}
            if rule.undetermined:
                return {lang: f"{self.fill(text, lang, facts, walk, {})} {ask[lang]}"
                        for lang, text in rule.undetermined.items()}
            return ask
        return {lang: self.fill(text, lang, facts, walk, {}) for lang, text in template.items()}

    def remedy(self, rule: Rule, facts: FactSet, case: Any, walk: "_Walk") -> dict[str, str] | None:
        if case.remedy is None:
            return None
        computed: dict[str, str] = {}
        for remedy in rule.remedy_values:
            exact = remedy.formula.evaluate_exact(facts.values)
            if exact is not None:
                computed[remedy.name] = format_value(quantize(exact, remedy.rounding, remedy.places), remedy.unit)
        return {lang: self.fill(text, lang, facts, walk, computed) for lang, text in case.remedy.items()}


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "source": row.source.as_json(),
        "confidence": row.source.confidence,
        "side": row.side,
        "valid_from": row.valid_from.isoformat() if row.valid_from else None,
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "as_written": format_value(row.original, row.source_unit),
        "note": row.note,
    }


def _leaves(condition: Condition | None) -> list[Leaf]:
    if condition is None:
        return []
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, Not):
        return _leaves(condition.child)
    return [leaf for child in condition.children for leaf in _leaves(child)]


def _rule_paths(rule: Rule) -> list[str]:
    paths: list[str] = []
    conditions = [rule.applies_when, *(c.when for c in rule.cases), *(d.when for d in rule.defaults)]
    for leaf in (leaf for condition in conditions for leaf in _leaves(condition)):
        for path in (leaf.path, leaf.ref):
            if path and path not in paths:
                paths.append(path)
    return paths


class _Walk:
    """Three-valued reading of a rule, used only to name what is unknown and what was assumed."""

    def __init__(self, rule: Rule, facts: FactSet):
        self.rule = rule
        self.values = facts.values
        self.defaults: dict[str, Default] = {d.fact: d for d in rule.defaults}
        self.assumed: dict[str, object] = {}
        for default in rule.defaults:
            if default.fact not in self.values and self.truth(default.when)[0] is True:
                self.assumed[default.fact] = default.value

    def get(self, path: str | None) -> object:
        if path is None:
            return None
        return self.values.get(path, self.assumed.get(path))

    def truth(self, node: Condition) -> tuple[bool | None, list[Leaf]]:
        if isinstance(node, Leaf):
            value = self.leaf(node)
            return value, [node] if value is None else []
        if isinstance(node, Not):
            value, unknown = self.truth(node.child)
            return (None if value is None else not value), unknown
        results = [self.truth(child) for child in node.children]
        decisive = isinstance(node, Any_)  # any: one true decides; all: one false decides
        if any(value is decisive for value, _ in results):
            return decisive, []
        unknown = [leaf for value, leaves in results if value is None for leaf in leaves]
        return (None, unknown) if unknown else (not decisive, [])

    def leaf(self, leaf: Leaf) -> bool | None:
        value = self.get(leaf.path)
        if leaf.op == "exists":
            return (value is not None) == leaf.operand
        if value is None:
            return None
        if leaf.op == "in":
            return value in leaf.operand  # type: ignore[operator]
        if leaf.op == "not_in":
            return value not in leaf.operand  # type: ignore[operator]
        if leaf.op == "contains_any":
            return any(item in value for item in leaf.operand)  # type: ignore[union-attr,operator]
        other = self.get(leaf.ref) if leaf.ref else leaf.operand
        if other is None:
            return None
        return {"eq": value == other, "ne": value != other, "lt": value < other, "le": value <= other,  # type: ignore[operator]
                "gt": value > other, "ge": value >= other}[leaf.op]  # type: ignore[operator]

    def unknown_leaves(self) -> list[Leaf]:
        if self.rule.applies_when is not None:
            value, unknown = self.truth(self.rule.applies_when)
            if value is None:
                return unknown
            if value is False:
                return []
        for case in self.rule.cases:
            value, unknown = self.truth(case.when)
            if value is None:
                return unknown
            if value is True:
                return []
        return []
