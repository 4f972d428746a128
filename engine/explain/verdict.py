"""The decision and the structured verdict (schema 2.0, docs/verdict.md): only what varies by
screening. Titles, citations, sources and threshold rows are the pack's, named by id and pack hash;
`zonecheck.service.present` renders the full document (1.x), text, Markdown and HTML from it."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from zonecheck.engine.contract.proposal import Proposal
from zonecheck.engine.explain.findings import Finding
from zonecheck.engine.explain.outcome import Decision, Reason, Severity, Status
from zonecheck.engine.pack.model import Pack

SCHEMA_VERSION = "2.0"


class Sorted(NamedTuple):
    """The findings as the decision and the summary read them, sorted in one pass."""

    counts: dict[str, int]
    violated: dict[str, list[Finding]]  # by severity
    blocking: list[Finding]  # non-advisory, undetermined for missing facts
    not_checked: list[Finding]  # undetermined for want of a control value
    unchecked_binding: list[Finding]  # of those, the non-advisory ones: a person must check them


_STATUSES = tuple(Status)
_SEVERITIES = tuple(Severity)
_CODES = tuple(s.value for s in Status)
# members bound once: reading `Status.VIOLATED` off its class costs ~0.2 µs on Python 3.11, and the
# loops below run per finding of every screening
_VIOLATED, _MISSING, _NO_THRESHOLD, _ADVISORY = Status.VIOLATED, Reason.MISSING_FACTS, Reason.NO_THRESHOLD, Severity.ADVISORY
_VETO, _MANDATORY, _CONDITION = Severity.VETO, Severity.MANDATORY, Severity.CONDITION


def sort(findings: list[Finding]) -> Sorted:
    # keyed by the enum members: the findings' own statuses hit at once (codes given as text work too)
    counts = dict.fromkeys(_STATUSES, 0)
    violated: dict[str, list[Finding]] = {s: [] for s in _SEVERITIES}
    blocking: list[Finding] = []
    not_checked: list[Finding] = []
    unchecked_binding: list[Finding] = []
    for f in findings:
        status = f.status
        counts[status] += 1
        if status == _VIOLATED:
            violated[f.severity].append(f)
            continue
        reason = f.reason
        if reason is None:
            continue
        if reason == _MISSING:
            if f.severity != _ADVISORY:
                blocking.append(f)
        elif reason == _NO_THRESHOLD:
            not_checked.append(f)
            if f.severity != _ADVISORY:
                unchecked_binding.append(f)
    return Sorted(dict(zip(_CODES, counts.values())), violated, blocking, not_checked, unchecked_binding)


def _decide(found: Sorted) -> Decision:
    if found.violated[_VETO]:
        return Decision.REJECTED
    if found.violated[_MANDATORY]:
        return Decision.REVISE
    if found.blocking:
        return Decision.INCOMPLETE
    if found.unchecked_binding:  # a binding rule nobody could check: never 通过 nor 附条件通过
        return Decision.NEEDS_REVIEW
    return Decision.CONDITIONAL if found.violated[_CONDITION] else Decision.APPROVED


def decide(findings: list[Finding]) -> Decision:
    """Decision after every rule has been evaluated (docs/rule-format.md 6.5)."""
    return _decide(sort(findings))


def review_source(rule: Any, param: Any) -> str | None:
    """The document to check a parameter against: the pack's `review_source`, else the rule's first
    citation of a source that is not a seed document."""
    if param.review_source:
        return str(param.review_source)
    for citation in rule.citations:
        if citation.source is not None and not citation.seed:
            return str(citation.source.id)
    return None


def to_review(unchecked: list[Finding], pack: Pack, parameters: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """For each binding rule left unchecked for want of a control value, and each parameter it reads that
    has none in force: which rule, which parameter, and the source to check it against. What to check
    (the parameter's `review` text) is the pack's: views add it."""
    items: list[dict[str, Any]] = []
    for f in unchecked:
        for ref in f.thresholds:
            name = ref["parameter"]
            if parameters.get(name, {}).get("status") == "no_value":
                items.append({"rule_id": f.rule.id, "parameter": name,
                              "source": review_source(f.rule, pack.parameters[name])})
    return items


_MOVED = {"document": "zonecheck.service.present.full.of(verdict)",
          "to_json_bytes": "zonecheck.service.present.full.to_json_bytes(verdict)",
          "to_json": "zonecheck.service.present.full.to_json_bytes(verdict).decode()",
          "tables": "the `thresholds` and `sources` of zonecheck.service.present.full.of(verdict)"}


@dataclass(frozen=True)
class Verdict:
    """A screening's result: the decision, the typed findings and the structured document."""

    decision: Decision
    findings: list[Finding]
    structured: dict[str, Any]  # schema 2.0
    pack: Pack

    @property
    def by_rule(self) -> dict[str, Finding]:
        return {f.rule.id: f for f in self.findings}

    def __getattr__(self, name: str) -> Any:
        if name in _MOVED:  # the full document is a view now: say where it went
            raise AttributeError(f"Verdict.{name} moved to {_MOVED[name]} (docs/verdict.md)")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def structured_json(self, indent: bool = False) -> bytes:
        """The structured verdict as UTF-8 JSON: same proposal, pack and date, same bytes (but `generated_at`)."""
        return orjson.dumps(self.structured, option=orjson.OPT_INDENT_2 if indent else 0)


def digest(proposal: Proposal) -> str:
    """sha256 of the validated proposal's JSON as the model writes it: fields in schema order, absent
    ones as null, no spaces, UTF-8. Same proposal, same digest, whatever the input's key order."""
    # the model's own serializer straight to bytes: `model_dump_json()` makes the same bytes into text first
    return "sha256:" + hashlib.sha256(proposal.__pydantic_serializer__.to_json(proposal)).hexdigest()


_clock: tuple[int, str] = (0, "")  # (a second, its text), replaced whole: threads read it safely


def generated_at() -> str:
    """The current UTC time to the second, ISO 8601; made once per second, not once per verdict."""
    global _clock
    second = int(time.time())
    if _clock[0] != second:
        _clock = (second, dt.datetime.fromtimestamp(second, dt.timezone.utc).isoformat(timespec="seconds"))
    return _clock[1]


def build_verdict(
    *,
    proposal: Proposal,
    findings: list[Finding],
    pack: Pack,
    zone: Any,
    screening_date: dt.date,
    engine_version: str,
    parameters: dict[str, dict[str, Any]],
    fact_origins: dict[str, str],
    values: dict[str, object],
    timestamp: bool = True,
    industry: Any = None,
    as_written: dict[str, str] | None = None,
) -> Verdict:
    found = sort(findings)
    decision = _decide(found)
    structured: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "reference": proposal.reference,
        "name": proposal.name,
        "decision": decision,
        "screening_date": screening_date.isoformat(),
        "zone": {"id": zone.id, "hash": zone.hash},
        "pack": {"id": pack.id, "version": pack.version, "hash": pack.hash},
        "engine": {"name": "zonecheck", "version": engine_version, "evaluator": "durable_rules"},
        "proposal_digest": digest(proposal),
        "industry": industry.as_dict() if industry is not None else None,
        "as_written": as_written or {},
        "counts": found.counts,
        "to_supply": list(dict.fromkeys(p for f in found.blocking for p in f.missing)),
        "conditions": [f.rule.id for f in found.violated[_CONDITION]],
        "to_review": to_review(found.unchecked_binding, pack, parameters),
        "not_checked": [f.rule.id for f in found.not_checked],
        "facts_from_zone": fact_origins,
        "parameters": parameters,
        "values": values,
        "findings": [f.structured() for f in findings],
    }
    if timestamp:
        structured["generated_at"] = generated_at()
    return Verdict(decision=decision, findings=findings, structured=structured, pack=pack)
