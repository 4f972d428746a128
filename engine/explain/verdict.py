"""The decision and the verdict document (schema in docs/verdict.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from zonecheck.engine.explain.findings import Finding, Tables
from zonecheck.engine.contract.proposal import Proposal, label_for

SCHEMA_VERSION = "1.1"
DECISIONS = {
    "rejected": {"zh": "否决", "en": "rejected"},
    "revise": {"zh": "需修改", "en": "revise"},
    "incomplete": {"zh": "需补充材料", "en": "incomplete"},
    "needs_review": {"zh": "需人工核查", "en": "needs review"},
    "conditional": {"zh": "附条件通过", "en": "conditional"},
    "approved": {"zh": "通过", "en": "approved"},
}


class _Sorted(NamedTuple):
    """The findings as the decision and the summary read them, sorted in one pass."""

    counts: dict[str, int]
    violated: dict[str, list[Finding]]  # by severity
    blocking: list[Finding]  # non-advisory, undetermined for missing facts
    not_checked: list[Finding]  # undetermined for want of a control value
    unchecked_binding: list[Finding]  # the non-advisory ones among them: they hold the decision back


def _sort(findings: list[Finding]) -> _Sorted:
    counts = dict.fromkeys(("violated", "satisfied", "not_applicable", "undetermined"), 0)
    violated: dict[str, list[Finding]] = {"veto": [], "mandatory": [], "condition": [], "advisory": []}
    blocking: list[Finding] = []
    not_checked: list[Finding] = []
    unchecked_binding: list[Finding] = []
    for f in findings:
        counts[f.status] += 1
        if f.status == "violated":
            violated[f.severity].append(f)
        elif f.reason == "missing_facts":
            if f.severity != "advisory":
                blocking.append(f)
        elif f.reason == "no_threshold":
            not_checked.append(f)
            if f.severity != "advisory":
                unchecked_binding.append(f)
    return _Sorted(counts, violated, blocking, not_checked, unchecked_binding)


def _decide(found: _Sorted) -> str:
    for severity, decision in (("veto", "rejected"), ("mandatory", "revise")):
        if found.violated[severity]:
            return decision
    if found.blocking:
        return "incomplete"
    if found.unchecked_binding:  # a binding rule nobody could check: never 通过 nor 附条件通过
        return "needs_review"
    return "conditional" if found.violated["condition"] else "approved"


def decide(findings: list[Finding]) -> str:
    """Decision after every rule has been evaluated (docs/rule-format.md 6.5)."""
    return _decide(_sort(findings))


@dataclass(frozen=True)
class Verdict:
    decision: str
    findings: list[Finding]
    document: dict[str, Any]
    tables: Tables

    def to_json(self, indent: bool = False) -> str:
        """The verdict as JSON text: same proposal, pack and date, same bytes (but `generated_at`)."""
        return self.to_json_bytes(indent).decode()

    def to_json_bytes(self, indent: bool = False) -> bytes:
        """`to_json` as UTF-8 bytes, what files and HTTP responses carry (no decoding step)."""
        if indent:
            return orjson.dumps(self.document, option=orjson.OPT_INDENT_2)
        # the tables are the same for every proposal with the same parameters: serialised once
        return orjson.dumps({**self.document, "thresholds": self.tables.thresholds_json,
                             "sources": self.tables.sources_json})

    @property
    def by_rule(self) -> dict[str, Finding]:
        return {f.rule.id: f for f in self.findings}


def digest(proposal: Proposal) -> str:
    """sha256 of the validated proposal's JSON as the model writes it: fields in schema order, absent
    ones as null, no spaces, UTF-8. Same proposal, same digest, whatever the input's key order."""
    return "sha256:" + hashlib.sha256(proposal.model_dump_json().encode()).hexdigest()


def clause(rule: Any) -> str:
    """The clause a rule rests on, shortly: its first citation's document number and article."""
    first = rule.citations[0]
    if first.seed:
        name = (first.source.number or first.source.document) if first.source else first.seed
        return f"{name} {first.paragraph}"
    source = first.source
    return f"{source.number or source.document} {first.article}".strip()


_SEVERITY_WORDS = (("veto", "否决项", "veto"), ("mandatory", "须修改项", "must fix"),
                   ("condition", "附加条件", "condition"))


def _summary(decision: str, violated: dict[str, list[Finding]], blocking: list[Finding], missing: list[str],
             checked: int, not_checked: list[str], review: list[dict[str, Any]] | None = None) -> dict[str, str]:
    zh = [f"结论：{DECISIONS[decision]['zh']}。"]
    en = [f"Decision: {DECISIONS[decision]['en']}."]
    for severity, zh_word, en_word in _SEVERITY_WORDS:
        hits = [(f.rule, clause(f.rule)) for f in violated[severity]]
        if hits:
            zh.append(f"{zh_word}：" + "；".join(f"{r.id} {r.title['zh']}（{c}）" for r, c in hits) + "。")
            en.append(f"{en_word}: " + "; ".join(f"{r.id} {r.title['en']} ({c})" for r, c in hits) + ".")
    if missing:
        where = [f"{f.rule.id} {clause(f.rule)}" for f in blocking]
        zh.append("需补充：" + "、".join(label_for(p) for p in missing) + "（" + "；".join(where) + "）。")
        en.append("To supply: " + ", ".join(missing) + " (" + "; ".join(where) + ").")
    if decision == "needs_review" and review:
        zh.append("需人工核查：" + "；".join(f"{r['rule_id']} {r['message']['zh']}" for r in review) + "。")
        en.append("To check by hand: " + "; ".join(f"{r['rule_id']} {r['message']['en']}" for r in review) + ".")
    if decision == "approved":
        zh.append(f"{checked} 条规则符合或不适用，逐条依据见各项结论。")
        en.append(f"{checked} rules satisfied or not applicable; each finding cites its clause.")
    if not_checked:
        zh.append(f"未核查（无有效控制值）：{'、'.join(not_checked)}。")
        en.append(f"Not checked (no control value in force): {', '.join(not_checked)}.")
    return {"zh": "".join(zh), "en": " ".join(en)}


_REVIEW_FALLBACK = {
    "zh": "核对{source}中参数“{label}”的现行控制值，并据此人工判断本项目是否符合 {rule}。",
    "en": "Check the control value in force of \"{label}\" in {source} and judge by hand whether the project meets {rule}.",
}


def _review_source(rule: Any, param: Any) -> str | None:
    """The document to check a parameter against: the pack's `review_source`, else the rule's clause."""
    if param.review_source:
        return str(param.review_source)
    for citation in rule.citations:
        if citation.source is not None and not citation.seed:
            return str(citation.source.id)
    return None


def to_review(unchecked: list[Finding], pack: Any, tables: Tables) -> list[dict[str, Any]]:
    """For each binding rule left unchecked for want of a control value, and each parameter it reads
    that has none in force: what the officer must check by hand, and against which document."""
    items: list[dict[str, Any]] = []
    for f in unchecked:
        for ref in f.body["thresholds"]:
            name = ref["parameter"]
            if tables.thresholds.get(name, {}).get("status") != "no_value":
                continue
            param = pack.parameters[name]
            source = _review_source(f.rule, param)
            message = param.review or {
                lang: text.format(source=source or "—", label=param.label[lang], rule=f.rule.id)
                for lang, text in _REVIEW_FALLBACK.items()}
            items.append({"rule_id": f.rule.id, "parameter": name, "source": source, "message": message})
    return items


def build_verdict(
    *,
    proposal: Proposal,
    findings: list[Finding],
    pack: Any,
    zone: Any,
    screening_date: dt.date,
    engine_version: str,
    tables: Tables,
    fact_origins: dict[str, str],
    timestamp: bool = True,
) -> Verdict:
    found = _sort(findings)
    decision = _decide(found)
    counts, violated, blocking = found.counts, found.violated, found.blocking
    not_checked = [f.rule.id for f in found.not_checked]
    missing = list(dict.fromkeys(p for f in blocking for p in f.missing))
    checked = counts["satisfied"] + counts["not_applicable"]
    review = to_review(found.unchecked_binding, pack, tables)
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "reference": proposal.reference,
        "name": proposal.name,
        "decision": decision,
        "decision_label": DECISIONS[decision],
        "summary": _summary(decision, violated, blocking, missing, checked, not_checked, review),
        "screening_date": screening_date.isoformat(),
        "zone": {"id": zone.id, "name": zone.name, "hash": zone.hash, "fictional": zone.fictional},
        "pack": {"id": pack.id, "version": pack.version, "hash": pack.hash},
        "engine": {"name": "zonecheck", "version": engine_version, "evaluator": "durable_rules"},
        "proposal_digest": digest(proposal),
        "to_supply": [{"path": p, "label": label_for(p)} for p in missing],
        "conditions": [{"rule_id": f.rule.id, "case": f.case, "message": f.body["message"], "remedy": f.body["remedy"]}
                       for f in violated["condition"]],
        "to_review": review,
        "not_checked": not_checked,
        "counts": counts,
        "facts_from_zone": fact_origins,
        "findings": [f.body for f in findings],
        "thresholds": tables.thresholds,
        "sources": tables.sources,
    }
    if timestamp:
        document["generated_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return Verdict(decision=decision, findings=findings, document=document, tables=tables)
