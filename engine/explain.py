"""Findings: what durable_rules concluded for each rule, with the why.

The status of every finding comes from which durable rules fired. This module only explains it:
the values read, the thresholds with their sources, the facts to supply, the message and remedy.
Everything that depends only on the pack (paths read, bounds, templates, citations) is worked out
once per rule in a `_Plan`; per screening only values are looked up and templates filled.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .compiler import Compiled
from .facts import FactSet
from .loader import PLACEHOLDER
from .model import FACTS, display_choice, label_for
from .pack import Any_, Condition, Default, Leaf, Not, Pack, Row, Rule
from .params import Resolved
from .units import format_value, quantize

STATUS_LABELS = {
    "violated": {"zh": "违反", "en": "violated"},
    "satisfied": {"zh": "符合", "en": "satisfied"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
    "undetermined": {"zh": "无法判断", "en": "cannot judge"},
}
_KINDS = {"n": "not_applicable", "v": "violated", "u": "undetermined", "s": "satisfied"}
_REQUIREMENT = {"lt": "≥", "le": ">", "gt": "≤", "ge": "<", "eq": "≠", "ne": "="}
_TRIGGER = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "eq": "=", "ne": "≠"}
_MIRROR = {"≥": "≤", "≤": "≥", ">": "<", "<": ">"}
_INCLUSIVE = {"≥": True, "≤": True, ">": False, "<": False, "=": True, "≠": False}
NO_THRESHOLD_MESSAGE = {
    "zh": "未核查：该园区、行业和日期没有有效的控制值，待园区配置载明来源的本地控制值。",
    "en": "Not checked: no control value is in force for this zone, industry and date; "
          "a zone profile must supply one with its source.",
}
AMBIGUOUS_CODE_HINT = {"zh": "行业代码过短，对应多个控制值：请提供 3 位或 4 位代码",
                       "en": "the industry code is too short and maps to several control values: give 3 or 4 digits"}


@dataclass(frozen=True)
class Finding:
    rule: Rule
    status: str
    severity: str
    case: str | None
    reason: str | None
    missing: tuple[str, ...]
    body: dict[str, Any]  # the JSON form
    sources: tuple[Any, ...] = ()  # Source objects the body names by id


def plain(value: object) -> object:
    """JSON form of a fact value: exact decimals as text, everything else as is."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, tuple):
        return list(value)
    return value


class _Template:
    """A message template split once into text and placeholders."""

    def __init__(self, text: str):
        parts = PLACEHOLDER.split(text)  # text, path, text, path, ...
        self.parts = tuple(parts)

    def fill(self, lookup: Any) -> str:
        parts = self.parts
        if len(parts) == 1:
            return parts[0]
        out = []
        for index, part in enumerate(parts):
            out.append(lookup(part) if index % 2 else part)
        return "".join(out)


def _templates(text: dict[str, str] | None) -> dict[str, _Template] | None:
    return None if text is None else {lang: _Template(body) for lang, body in text.items()}


def _leaves(condition: Condition | None) -> list[Leaf]:
    if condition is None:
        return []
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, Not):
        return _leaves(condition.child)
    return [leaf for child in condition.children for leaf in _leaves(child)]


class _Plan:
    """What explaining one rule needs that depends only on the pack."""

    def __init__(self, rule: Rule, pack: Pack):
        self.rule = rule
        self.pack = pack
        conditions = [rule.applies_when, *(c.when for c in rule.cases), *(d.when for d in rule.defaults)]
        direct: list[str] = []
        for leaf in (leaf for condition in conditions for leaf in _leaves(condition)):
            for path in (leaf.path, leaf.ref):
                if path and path not in direct:
                    direct.append(path)
        self.value_paths: list[str] = []
        self.params: list[str] = []
        for path in direct:
            for inner in [path, *self.formula_inputs(path)]:
                if inner.startswith("par."):
                    if inner[4:] not in self.params:
                        self.params.append(inner[4:])
                elif inner not in self.value_paths:
                    self.value_paths.append(inner)
        cases = [(c.when, True) for c in rule.cases]
        applies = [(rule.applies_when, False)] if rule.applies_when is not None else []
        self.bounds_any = self.bounds(cases + applies)
        self.bounds_case = [self.bounds([(c.when, True)] + applies) for c in rule.cases]
        self.messages = {
            "satisfied": _templates(rule.satisfied),
            "not_applicable": _templates(rule.not_applicable),
            "undetermined": _templates(rule.undetermined),
        }
        self.case_messages = [_templates(c.message) for c in rule.cases]
        self.case_remedies = [_templates(c.remedy) for c in rule.cases]
        self.citations = [self.citation(c) for c in rule.citations]
        self.citation_sources = tuple(c.source for c in rule.citations if c.source)
        self.has_defaults = bool(rule.defaults)

    def formula_inputs(self, path: str) -> list[str]:
        if not path.startswith("ind."):
            return []
        found: list[str] = []
        for inner in self.pack.indicators[path[4:]].formula.paths:
            for p in [inner, *self.formula_inputs(inner)]:
                if p not in found:
                    found.append(p)
        return found

    @staticmethod
    def bounds(parts: list[tuple[Condition, bool]]) -> dict[str, str]:
        """The bound each directly compared parameter sets: ≥ for a minimum the rule requires, etc."""
        found: dict[str, str] = {}
        for condition, is_case in parts:
            for leaf in _leaves(condition):
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
            return {"seed": citation.seed, "paragraph": citation.paragraph}
        return {"source": citation.source.id, "article": citation.article}


class Explainer:
    def __init__(self, pack: Pack, compiled: Compiled):
        self.pack = pack
        self.compiled = compiled
        self.plans = [_Plan(rule, pack) for rule in pack.rules]
        self.units: dict[str, str | None] = {}
        self._thresholds: dict[int, tuple[Resolved, dict[str | None, dict[str, Any]]]] = {}

    # --- status from what fired ----------------------------------------------------------------
    def statuses(self, fired: set[str]) -> list[tuple[str, int | None]]:
        found: dict[int, set[tuple[str, int | None]]] = {}
        outcomes = self.compiled.outcomes
        for name in fired:
            outcome = outcomes.get(name)
            if outcome is not None:
                found.setdefault(outcome.rule_index, set()).add((outcome.kind, outcome.case_index))
        result: list[tuple[str, int | None]] = []
        for index, rule in enumerate(self.pack.rules):
            concluded = found.get(index)
            if not concluded:
                result.append((self.compiled.silent[index], None))
                continue
            if len(concluded) > 1:
                raise RuntimeError(f"{rule.id}: durable_rules concluded {sorted(map(str, concluded))} at once")
            kind, case = next(iter(concluded))
            result.append((_KINDS[kind], case))
        return result

    def findings(self, facts: FactSet, fired: set[str]) -> list[Finding]:
        values: dict[str, dict[str, Any]] = {}  # one entry per path, shared by the rules reading it
        return [self.finding(plan, facts, status, case, values)
                for plan, (status, case) in zip(self.plans, self.statuses(fired))]

    # --- one finding ---------------------------------------------------------------------------
    def finding(self, plan: _Plan, facts: FactSet, status: str, case_index: int | None,
                shared: dict[str, dict[str, Any]]) -> Finding:
        rule = plan.rule
        walk = _Walk(rule, facts) if plan.has_defaults or status == "undetermined" else None
        assumed = walk.assumed if walk else {}
        case = rule.cases[case_index] if case_index is not None else None
        severity = case.severity if case else rule.severity
        reason, missing = None, ()
        if status == "undetermined":
            reason, missing = self.why_undetermined(walk.unknown_leaves(), facts)  # type: ignore[union-attr]
        bounds = plan.bounds_case[case_index] if case_index is not None else plan.bounds_any
        thresholds = [self.threshold(facts.params[name], bounds.get(name)) for name in plan.params]

        def lookup_for(lang: str, remedies: dict[str, str]) -> Any:
            def lookup(path: str) -> str:
                if path.startswith("remedy."):
                    return remedies.get(path[7:], "—")
                found = assumed[path] if path in assumed else facts.values.get(path)
                return format_value(display_choice(path, found, lang), self.unit(path))
            return lookup

        if status == "violated":
            message = self.fill(plan.case_messages[case_index], {}, lookup_for)  # type: ignore[index]
        elif status == "undetermined":
            message = self.undetermined_message(plan, reason, missing, lookup_for)
        else:
            message = self.fill(plan.messages[status] or {}, {}, lookup_for)
        remedy = None
        if case_index is not None and plan.case_remedies[case_index]:
            remedy = self.fill(plan.case_remedies[case_index], self.remedy_values(rule, facts), lookup_for)  # type: ignore[arg-type]
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
            "values": [self.value(path, facts, assumed, shared) for path in plan.value_paths],
            "thresholds": thresholds,
            "citations": plan.citations,
        }
        row_sources = tuple(r.source for name in plan.params for r in self._rows(facts.params[name]))
        return Finding(rule, status, severity, body["case"], reason, missing, body,
                       plan.citation_sources + row_sources)

    @staticmethod
    def _rows(resolved: Resolved) -> list[Row]:
        return [row for row in (resolved.row, resolved.overruled) if row is not None]

    @staticmethod
    def fill(templates: dict[str, _Template] | None, remedies: dict[str, str], lookup_for: Any) -> dict[str, str]:
        if not templates:
            return {}
        return {lang: template.fill(lookup_for(lang, remedies)) for lang, template in templates.items()}

    def undetermined_message(self, plan: _Plan, reason: str | None, missing: tuple[str, ...], lookup_for: Any) -> dict[str, str]:
        if reason == "no_threshold":
            return NO_THRESHOLD_MESSAGE
        names = "、".join(label_for(p) for p in missing) or "—"
        ask = {"zh": f"无法判断：请补充 {names}。", "en": f"Cannot judge: supply {', '.join(missing) or '—'}."}
        lead = plan.messages["undetermined"]
        if lead:
            intro = self.fill(lead, {}, lookup_for)
            return {lang: f"{intro[lang]} {ask[lang]}" for lang in ask}
        return ask

    def remedy_values(self, rule: Rule, facts: FactSet) -> dict[str, str]:
        computed: dict[str, str] = {}
        for remedy in rule.remedy_values:
            exact = remedy.formula.evaluate_exact(facts.values)
            if exact is not None:
                computed[remedy.name] = format_value(quantize(exact, remedy.rounding, remedy.places), remedy.unit)
        return computed

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
            return found or [path]  # every input present: a division by zero
        if head == "par":
            resolved = facts.params[name]
            if resolved.status == "no_value":
                return [path]
            return list(resolved.missing)
        return [path]

    @staticmethod
    def missing_entry(path: str, facts: FactSet) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": path, "label": label_for(path)}
        if path == "project.industry_code" and path in facts.values:
            entry["hint"] = AMBIGUOUS_CODE_HINT
        return entry

    # --- values and thresholds -----------------------------------------------------------------
    def value(self, path: str, facts: FactSet, assumed: dict[str, object], shared: dict[str, dict[str, Any]]) -> dict[str, Any]:
        if path in assumed:
            return {"path": path, "value": plain(assumed[path]), "unit": self.unit(path), "origin": "assumed"}
        entry = shared.get(path)
        if entry is None:
            value = facts.values.get(path)
            if value is None:
                origin = "missing"
            elif path in facts.origins:
                origin = facts.origins[path]
            else:
                origin = {"ind": "derived", "zone": "zone"}.get(path.partition(".")[0], "proposal")
            entry = shared[path] = {"path": path, "value": plain(value), "unit": self.unit(path), "origin": origin}
        return entry

    def threshold(self, resolved: Resolved, comparison: str | None) -> dict[str, Any]:
        """The JSON of a threshold: built once per resolution (resolutions are cached) and bound."""
        cached = self._thresholds.get(id(resolved))
        if cached is None or cached[0] is not resolved:
            cached = self._thresholds[id(resolved)] = (resolved, {})
        entry = cached[1].get(comparison)
        if entry is None:
            entry = cached[1][comparison] = self.threshold_entry(resolved, comparison)
        return entry

    def threshold_entry(self, resolved: Resolved, comparison: str | None) -> dict[str, Any]:
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
        if path not in self.units:
            head, _, name = path.partition(".")
            if head == "ind":
                unit = self.pack.indicators[name].unit
            elif head == "par":
                unit = self.pack.parameters[name].unit
            else:
                spec = FACTS.get(path)
                unit = spec.unit if spec else None
            self.units[path] = unit
        return self.units[path]


def _row_json(row: Row) -> dict[str, Any]:
    return {
        "source": row.source.id,
        "confidence": row.source.confidence,
        "side": row.side,
        "valid_from": row.valid_from.isoformat() if row.valid_from else None,
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "as_written": format_value(row.original, row.source_unit),
        "note": row.note,
    }


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
        if leaf.op == "eq":
            return value == other
        if leaf.op == "ne":
            return value != other
        return {"lt": value < other, "le": value <= other, "gt": value > other, "ge": value >= other}[leaf.op]  # type: ignore[operator]

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
