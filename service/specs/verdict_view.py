"""The one adapter between the specs and a verdict: decision, per-rule status, texts, missing facts.

Everything the step library asserts is read here, so a change of the verdict's shape (findings as data,
prose rendered as views) is a change to this module only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zonecheck.service.present import full

# the Chinese names of the decisions, including ones the engine may add (needs_review: 需人工核查)
DECISION_NAMES = {
    "rejected": "否决",
    "revise": "需修改",
    "incomplete": "需补充材料",
    "needs_review": "需人工核查",
    "conditional": "附条件通过",
    "approved": "通过",
}
STATUS_NAMES = {"violated": "违反", "satisfied": "符合", "not_applicable": "不适用", "undetermined": "无法判断"}


@dataclass(frozen=True)
class RuleResult:
    """One rule's conclusion as the specs read it."""

    rule_id: str
    status: str
    case: str | None
    message: str
    remedy: str
    missing: tuple[str, ...]

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)


def _zh(text: Any) -> str:
    if isinstance(text, dict):
        return str(text.get("zh") or "")
    return "" if text is None else str(text)


class VerdictView:
    """A verdict read for assertions (Chinese texts)."""

    def __init__(self, verdict: Any):
        document = full.of(verdict, langs=("zh",))
        self.decision: str = document["decision"]
        label = document.get("decision_label")
        self.decision_name: str = _zh(label) or DECISION_NAMES.get(self.decision, self.decision)
        self.summary: str = _zh(document.get("summary"))
        self.rules: dict[str, RuleResult] = {}
        for body in document["findings"]:
            missing = tuple(entry["path"] if isinstance(entry, dict) else str(entry)
                            for entry in body.get("missing_facts") or ())
            self.rules[body["rule_id"]] = RuleResult(body["rule_id"], body["status"], body.get("case"),
                                                     _zh(body.get("message")), _zh(body.get("remedy")), missing)
        self.to_supply: tuple[str, ...] = tuple(entry["path"] for entry in document.get("to_supply") or ())

    def rule(self, rule_id: str) -> RuleResult | None:
        return self.rules.get(rule_id)

    @property
    def messages(self) -> list[str]:
        return [self.summary, *(r.message for r in self.rules.values())]

    @property
    def remedies(self) -> list[str]:
        return [r.remedy for r in self.rules.values() if r.remedy]

    @property
    def missing(self) -> list[str]:
        """The facts to supply: the verdict's list and every finding's missing facts."""
        return list(dict.fromkeys([*self.to_supply, *(p for r in self.rules.values() for p in r.missing)]))

    def outcomes(self) -> dict[str, tuple[str, str | None]]:
        """rule id -> (status, case): what this verdict concluded for every rule."""
        return {rule_id: (r.status, r.case) for rule_id, r in self.rules.items()}
