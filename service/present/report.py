"""What a report says, in what order: the data the text, Markdown and HTML templates lay out.

A report leads with the decision and what to do (violations, facts to supply, checks for a person,
conditions), then advisories and what was not checked, then the rules met (folded, or hidden with
`show="problems"`). Figures are rounded for people (figures.py); citations come from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from zonecheck.engine.contract.proposal import FACTS, display_choice, label_for
from zonecheck.engine.contract.units import NUMERIC_UNITS, format_value
from zonecheck.engine.explain.outcome import Reason, Severity, Status
from zonecheck.engine.explain.plan import RulePlan
from zonecheck.engine.pack.model import Pack
from zonecheck.service.present import catalogue, figures
from zonecheck.service.present.full import Screening, typed, unit_of

_MARKS = {Status.VIOLATED: "✗", Status.SATISFIED: "✓", Status.NOT_APPLICABLE: "–", Status.UNDETERMINED: "?"}
_ORDER = [Severity.VETO, Severity.MANDATORY, Severity.CONDITION, Severity.ADVISORY]


@dataclass
class Bar:
    """An indicator against its threshold, for a small inline chart."""

    label: str
    value: str
    threshold: str
    comparison: str
    value_ratio: float
    threshold_ratio: float
    ok: bool


@dataclass
class Item:
    rule_id: str
    title: str
    mark: str
    status: str
    status_label: str
    severity: str
    severity_label: str
    message: str
    remedy: str | None
    thresholds: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Report:
    lang: str
    words: dict[str, str]
    reference: str
    name: str
    decision: str
    decision_label: str
    zone: str
    industry: str  # code and its GB/T 4754-2017 name
    fictional: bool
    date: str
    pack: str
    digest: str
    violations: list[Item]
    to_supply: list[dict[str, Any]]
    incomplete: list[Item]
    to_review: list[dict[str, Any]]
    conditions: list[Item]
    advisories: list[Item]
    not_checked: list[Item]
    met: list[Item]
    not_applicable: list[Item]
    show_met: bool


class _Reader:
    """Lookups that round for people and show the source's unit beside the pack's."""

    def __init__(self, s: Screening, plan: RulePlan, finding: dict[str, Any]):
        self.s, self.plan, self.finding = s, plan, finding

    def bounds(self, path: str) -> list[Decimal]:
        return [v for p in self.plan.compared.get(path, ()) if isinstance(v := self.s.par_values.get(f"par.{p}"), Decimal)]

    def source_unit(self, path: str) -> str | None:
        for name in self.plan.compared.get(path, ()):
            entry = self.s.parameters.get(name, {})
            if "row" in entry:
                return self.s.row(name, entry["row"]).source_unit
        return None

    def for_lang(self, lang: str) -> Callable[[str], str]:
        exact = self.s.exact(self.finding)(lang)

        def lookup(path: str) -> str:
            head, _, name = path.partition(".")
            if head == "par":
                entry = self.s.parameters.get(name, {})
                text = exact(path)
                if "row" in entry:
                    row = self.s.row(name, entry["row"])
                    also = figures.beside(self.s.par_values.get(path), self.s.pack.parameters[name].unit, row.source_unit)
                    if also:
                        text += f"（{also}）" if lang == "zh" else f" ({also})"
                return text
            if head != "ind":
                return exact(path)  # the applicant's own figures, as given
            value = typed(self.s.pack, path, self.finding["values"].get(path))
            unit = unit_of(self.s.pack, path)
            text = figures.human(value, unit, self.bounds(path))
            also = figures.beside(value, unit, self.source_unit(path), self.bounds(path))
            if also:
                text += f"（{also}）" if lang == "zh" else f" ({also})"
            return text
        return lookup


def _threshold_line(s: Screening, ref: dict[str, Any], lang: str) -> str | None:
    name = ref["parameter"]
    entry, param = s.parameters[name], s.pack.parameters[name]
    if param.unit not in NUMERIC_UNITS:
        return None
    label = param.label[lang]
    if entry["status"] != "ok":
        return f"{label}: —"
    row = s.row(name, entry["row"])
    value = s.par_values[f"par.{name}"]
    text = f"{label} {ref.get('comparison') or ''} {format_value(value, param.unit)}".replace("  ", " ")
    written = format_value(row.original, row.source_unit)
    if written != format_value(value, param.unit):
        text += f"（{catalogue.WORDS[lang]['as_written']} {written}）" if lang == "zh" else f" ({written} as written)"
    source = catalogue.source_name(row.source, lang)
    if row.source.reference and not row.source.file:  # a seed document's reference names its file: never shown
        source += f" {row.source.reference}"
    text += ("；" if lang == "zh" else "; ") + f"{catalogue.WORDS[lang]['source']}: {source}"
    if row.source.confidence == "secondary":
        text += f" [{catalogue.CONFIDENCE['secondary'][lang]}]"
    if "not_applied" in entry:
        other = s.row(name, entry["not_applied"])
        text += ("；" if lang == "zh" else "; ") + (f"{catalogue.WORDS[lang]['not_applied']}: "
                                                   f"{format_value(other.original, other.source_unit)}")
    return text


def _bars(s: Screening, reader: _Reader, finding: dict[str, Any], lang: str) -> list[Bar]:
    bars = []
    for path, names in reader.plan.compared.items():
        if not path.startswith("ind."):
            continue
        value = typed(s.pack, path, finding["values"].get(path))
        for name in names:
            bound = s.par_values.get(f"par.{name}")
            if not isinstance(value, Decimal) or not isinstance(bound, Decimal) or bound <= 0:
                continue
            refs = {r["parameter"]: r for r in reader.plan.thresholds(s.case_index(reader.plan, finding))}
            comparison = (refs.get(name) or {}).get("comparison") or ""
            top = max(value, bound) * Decimal("1.25")
            unit = unit_of(s.pack, path)
            bars.append(Bar(s.pack.indicators[path[4:]].label[lang], figures.human(value, unit, [bound]),
                            format_value(bound, s.pack.parameters[name].unit), comparison,
                            float(value / top), float(bound / top), finding["status"] != Status.VIOLATED))
    return bars


def _item(s: Screening, plan: RulePlan, finding: dict[str, Any], lang: str) -> Item:
    reader = _Reader(s, plan, finding)
    message, remedy = s.message(plan, finding, (lang,), reader.for_lang)
    status, severity = finding["status"], s.severity(plan, finding)
    problem = status == Status.VIOLATED or status == Status.UNDETERMINED
    lines = []
    if problem:
        lines = [line for ref in plan.thresholds(s.case_index(plan, finding)) if (line := _threshold_line(s, ref, lang))]
    return Item(plan.rule.id, plan.rule.title[lang], _MARKS[status], status, catalogue.STATUS_LABELS[status][lang],
                severity, catalogue.SEVERITIES[severity][lang], message.get(lang, ""), (remedy or {}).get(lang),
                lines, [catalogue.cite(c, lang) for c in plan.rule.citations], _bars(s, reader, finding, lang))


def _industry(structured: dict[str, Any]) -> str:
    entry = structured.get("industry")
    return f"{entry['code']} {entry['name']}" if entry else ""


def build(structured: dict[str, Any], pack: Pack, lang: str = "zh", show: str = "satisfied") -> Report:
    s = Screening(structured, pack)
    items = [(f, _item(s, plan, f, lang)) for plan, f in s.findings]
    violated = sorted((i for f, i in items if i.status == Status.VIOLATED), key=lambda i: _ORDER.index(i.severity))
    incomplete = [i for f, i in items if f.get("reason") == Reason.MISSING_FACTS]
    needs = {p: [i.rule_id for f, i in items if p in f.get("missing_facts", ())] for p in structured["to_supply"]}
    to_supply = [{"path": p, "label": label_for(p) if lang == "zh" else p, "rules": rules,
                  "hint": catalogue.AMBIGUOUS_CODE_HINT[lang] if p == "project.industry_code" else None}
                 for p, rules in needs.items()]
    review = [{**r, "message": catalogue.review_message(pack, r)[lang],
               "source": catalogue.source_name(pack.sources[r["source"]], lang) if r.get("source") in pack.sources else None}
              for r in structured.get("to_review", [])]  # the source by title and 文号, never its id
    zone = pack.zones[structured["zone"]["id"]]
    return Report(
        lang=lang, words=catalogue.WORDS[lang], reference=structured["reference"], name=structured["name"],
        decision=structured["decision"], decision_label=catalogue.DECISIONS[structured["decision"]][lang],
        zone=zone.name[lang], industry=_industry(structured), fictional=zone.fictional and not any(w in zone.name[lang] for w in ("虚构", "fictional")), date=structured["screening_date"],
        pack=f"{pack.id} {pack.version}", digest=structured["proposal_digest"],
        violations=[i for i in violated if i.severity in (Severity.VETO, Severity.MANDATORY)],
        to_supply=to_supply, incomplete=incomplete, to_review=review,
        conditions=[i for i in violated if i.severity == Severity.CONDITION],
        advisories=[i for i in violated if i.severity == Severity.ADVISORY],
        not_checked=[i for f, i in items if f.get("reason") == Reason.NO_THRESHOLD],
        met=[i for f, i in items if i.status == Status.SATISFIED],
        not_applicable=[i for f, i in items if i.status == Status.NOT_APPLICABLE],
        show_met=show != "problems",
    )


__all__ = ["Report", "build", "display_choice", "FACTS"]
