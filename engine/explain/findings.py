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

import orjson

from zonecheck.engine.core.compiler import Compiled
from zonecheck.engine.core.facts import FactSet
from zonecheck.engine.pack.loader import PLACEHOLDER
from zonecheck.engine.contract.proposal import FACTS, display_choice, label_for
from zonecheck.engine.pack.model import Any_, Condition, Leaf, Not, Pack, Row, Rule, leaves
from zonecheck.engine.core.params import Resolved
from zonecheck.engine.contract.units import format_value, quantize

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


@dataclass(slots=True)
class Finding:
    """One rule's conclusion."""

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


class _Template:
    """A message template split once into text and placeholders."""

    def __init__(self, text: str):
        parts = PLACEHOLDER.split(text)  # text, path, text, path, ...
        self.first = parts[0]
        self.pairs = tuple(zip(parts[1::2], parts[2::2]))  # (placeholder, text after it)

    def fill(self, lookup: Any) -> str:
        text = self.first
        for path, after in self.pairs:
            text += lookup(path) + after
        return text


def _templates(text: dict[str, str] | None) -> dict[str, _Template] | None:
    return None if text is None else {lang: _Template(body) for lang, body in text.items()}


class _Plan:
    """What explaining one rule needs that depends only on the pack."""

    def __init__(self, rule: Rule, pack: Pack):
        self.rule = rule
        self.pack = pack
        conditions = [rule.applies_when, *(c.when for c in rule.cases), *(d.when for d in rule.defaults)]
        direct: list[str] = []
        for leaf in (leaf for condition in conditions for leaf in leaves(condition)):
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
        self.refs_any = self.refs(self.bounds(cases + applies))
        self.refs_case = [self.refs(self.bounds([(c.when, True)] + applies)) for c in rule.cases]
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

    def refs(self, bounds: dict[str, str]) -> list[dict[str, Any]]:
        """What a finding says of each threshold it reads; the values are in the verdict's table."""
        return [{"parameter": name, "comparison": bounds.get(name),
                 "inclusive": _INCLUSIVE.get(bounds[name]) if name in bounds else None} for name in self.params]

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


_UNSET = object()


class Explainer:
    def __init__(self, pack: Pack, compiled: Compiled):
        self.pack = pack
        self.coded = frozenset(path for path, spec in FACTS.items() if spec.choice_labels)  # read per language
        self.plans = [_Plan(rule, pack) for rule in pack.rules]
        self.units: dict[str, str | None] = {}
        self.citation_sources = {src.id: src for plan in self.plans for src in plan.citation_sources}
        self._source_json: dict[str, dict[str, Any]] = {}
        self.param_names = list(dict.fromkeys(name for plan in self.plans for name in plan.params))
        self.silent = [(compiled.silent[index], None) for index in range(len(pack.rules))]
        self.outcomes = {name: (o.rule_index, (_KINDS[o.kind], o.case_index)) for name, o in compiled.outcomes.items()}

    # --- status from what fired ----------------------------------------------------------------
    def statuses(self, fired: set[str]) -> list[tuple[str, int | None]]:
        """(status, case index) per rule: what fired, or the rule's silent outcome."""
        result: list[tuple[str, int | None]] = list(self.silent)
        concluded: dict[int, tuple[str, int | None]] = {}
        for name in fired:
            found = self.outcomes.get(name)
            if found is None:
                continue  # the always-rule
            index, outcome = found
            if concluded.setdefault(index, outcome) != outcome:
                raise RuntimeError(f"{self.pack.rules[index].id}: durable_rules concluded "
                                   f"{sorted(map(str, (concluded[index], outcome)))} at once")
            result[index] = outcome
        return result

    def findings(self, facts: FactSet, fired: set[str]) -> list[Finding]:
        screening = _Screening(self, facts)
        return [self.finding(plan, screening, status, case)
                for plan, (status, case) in zip(self.plans, self.statuses(fired))]

    # --- one finding ---------------------------------------------------------------------------
    def finding(self, plan: _Plan, screening: _Screening, status: str, case_index: int | None) -> Finding:
        rule, facts = plan.rule, screening.facts
        walk = _Walk(rule, facts) if plan.has_defaults or status == "undetermined" else None
        assumed = walk.assumed if walk else {}
        case = rule.cases[case_index] if case_index is not None else None
        reason, missing = None, ()
        if status == "undetermined":
            reason, missing = self.why_undetermined(walk.unknownleaves(), facts)  # type: ignore[union-attr]
        lookups = screening.lookups(assumed)
        if status == "violated":
            message = _fill(plan.case_messages[case_index], lookups)  # type: ignore[index]
        elif status == "undetermined":
            message = self.undetermined_message(plan, reason, missing, lookups)
        else:
            message = _fill(plan.messages[status], lookups)
        remedy = None
        if case_index is not None and plan.case_remedies[case_index]:
            remedy = _fill(plan.case_remedies[case_index], screening.lookups(assumed, self.remedy_values(rule, facts)))
        read = screening.plain
        if assumed:
            reads = {path: plain(assumed[path]) if path in assumed else read(path) for path in plan.value_paths}
        else:
            reads = {path: read(path) for path in plan.value_paths}
        body = {
            "rule_id": rule.id,
            "title": rule.title,
            "domain": rule.domain,
            "severity": case.severity if case else rule.severity,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "case": case.id if case else None,
            "reason": reason,
            "missing_facts": [self.missing_entry(path, facts) for path in missing],
            "message": message,
            "remedy": remedy,
            "values": reads,
            "assumed": sorted(assumed) if assumed else [],
            "thresholds": plan.refs_case[case_index] if case_index is not None else plan.refs_any,
            "citations": plan.citations,
        }
        return Finding(rule, status, body["severity"], body["case"], reason, missing, body)

    def tables(self, facts: FactSet) -> Tables:
        """The verdict's threshold and source tables: made once per set of parameters in force."""
        parameters = facts.parameters
        if parameters.tables is None:
            parameters.tables = Tables(self.thresholds(facts), self.sources(facts))
        return parameters.tables  # type: ignore[return-value]

    def sources(self, facts: FactSet) -> dict[str, dict[str, Any]]:
        """Every source a verdict names: the rules' citations and the threshold rows in use."""
        used = dict(self.citation_sources)
        for resolved in facts.params.values():
            for row in (resolved.row, resolved.overruled):
                if row is not None:
                    used[row.source.id] = row.source
        out = {}
        for source_id in sorted(used):
            entry = self._source_json.get(source_id)
            if entry is None:
                entry = self._source_json[source_id] = used[source_id].as_json()
            out[source_id] = entry
        return out

    def undetermined_message(self, plan: _Plan, reason: str | None, missing: tuple[str, ...], lookups: Any) -> dict[str, str]:
        if reason == "no_threshold":
            return NO_THRESHOLD_MESSAGE
        names = "、".join(label_for(p) for p in missing) or "—"
        ask = {"zh": f"无法判断：请补充 {names}。", "en": f"Cannot judge: supply {', '.join(missing) or '—'}."}
        lead = plan.messages["undetermined"]
        if lead:
            intro = _fill(lead, lookups)
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
    def thresholds(self, facts: FactSet) -> dict[str, dict[str, Any]]:
        """The verdict's table of parameters: value in force, source, dates, which side decided."""
        return {name: self.threshold_entry(facts.params[name]) for name in self.param_names}

    def threshold_entry(self, resolved: Resolved) -> dict[str, Any]:
        param = self.pack.parameters[resolved.name]
        entry: dict[str, Any] = {
            "label": param.label,
            "status": resolved.status,
            "value": plain(resolved.value),
            "display": format_value(resolved.value, param.unit),
            "unit": param.unit,
            "decided_by": resolved.decided_by,
        }
        if resolved.row is not None:
            entry.update(_row_json(resolved.row))
        if resolved.overruled is not None:
            entry["not_applied"] = {"value": plain(resolved.overruled.value), **_row_json(resolved.overruled)}
        return entry

    def unit(self, path: str) -> str | None:
        found = self.units.get(path, _UNSET)
        if found is not _UNSET:
            return found  # type: ignore[return-value]
        head, _, name = path.partition(".")
        if head == "ind":
            unit = self.pack.indicators[name].unit
        elif head == "par":
            unit = self.pack.parameters[name].unit
        else:
            spec = FACTS.get(path)
            unit = spec.unit if spec else None
        self.units[path] = unit
        return unit


class Tables:
    """A verdict's `thresholds` and `sources`, with their JSON text: the same for every proposal with
    the same parameters in force, so serialised once. Shared between verdicts: never modify."""

    __slots__ = ("sources", "sources_json", "thresholds", "thresholds_json")

    def __init__(self, thresholds: dict[str, dict[str, Any]], sources: dict[str, dict[str, Any]]):
        self.thresholds = thresholds
        self.sources = sources
        self.thresholds_json = orjson.Fragment(orjson.dumps(thresholds))
        self.sources_json = orjson.Fragment(orjson.dumps(sources))


def _fill(templates: dict[str, _Template] | None, lookups: dict[str, Any]) -> dict[str, str]:
    if not templates:
        return {}
    return {lang: template.fill(lookups[lang]) for lang, template in templates.items()}


class _Screening:
    """Per-screening memory: each value is turned into text once, whichever rules and languages show
    it (only coded values read differently in zh and en)."""

    def __init__(self, explainer: Explainer, facts: FactSet):
        self.explainer = explainer
        self.facts = facts
        self._text: dict[str, dict[str, str]] = {"zh": {}, "en": {}}
        self._lookups = {lang: self._lookup(lang, {}, {}) for lang in ("zh", "en")}
        self._plain: dict[str, object] = {}

    def plain(self, path: str) -> object:
        """A value's JSON form, made once per screening (many rules read the site area)."""
        found = self._plain.get(path, _UNSET)
        if found is _UNSET:
            found = self._plain[path] = plain(self.facts.values.get(path))
        return found

    def _lookup(self, lang: str, assumed: dict[str, object], remedies: dict[str, str]) -> Any:
        memo, other = self._text[lang], self._text["en" if lang == "zh" else "zh"]
        values, unit, coded = self.facts.values, self.explainer.unit, self.explainer.coded

        def lookup(path: str) -> str:
            if assumed and path in assumed:
                return format_value(display_choice(path, assumed[path], lang), unit(path))
            found = memo.get(path)
            if found is None:
                if path.startswith("remedy."):
                    return remedies.get(path[7:], "—")
                if path in coded:
                    found = memo[path] = format_value(display_choice(path, values.get(path), lang), unit(path))
                else:
                    found = memo[path] = other[path] = format_value(values.get(path), unit(path))
            return found
        return lookup

    def lookups(self, assumed: dict[str, object], remedies: dict[str, str] | None = None) -> dict[str, Any]:
        if not assumed and not remedies:
            return self._lookups
        return {lang: self._lookup(lang, assumed, remedies or {}) for lang in ("zh", "en")}


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

    def unknownleaves(self) -> list[Leaf]:
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
