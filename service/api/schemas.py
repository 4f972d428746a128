"""Request and response bodies as the OpenAPI document describes them."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from zonecheck.service.api.validation import Text

Decision = Literal["approved", "conditional", "incomplete", "needs_review", "revise", "rejected"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PackRef(BaseModel):
    id: str
    version: str
    hash: str


class OfficerDecisionIn(Strict):
    outcome: Literal["accept", "override"] = Field(description="accept the engine's decision, or override it")
    decision: Optional[Decision] = Field(None, description="the final decision (required to override)")
    reason: Text = Field(min_length=1, max_length=4000)
    officer: Text = Field(min_length=1, max_length=200, description="the officer's name")


class OfficerDecisionOut(BaseModel):
    id: str
    screening_id: str
    outcome: Literal["accept", "override"]
    decision: Decision
    reason: str
    officer: str
    client_key_id: str
    created_at: str


class ScreeningSummary(BaseModel):
    id: str
    created_at: str
    reference: str
    name: str
    zone: str
    decision: Decision
    industry_code: str
    project_code: Optional[str]
    screening_date: str
    pack: PackRef
    client_key_id: str
    proposal_digest: str


class ScreeningRecord(ScreeningSummary):
    officer_decisions: list[OfficerDecisionOut]
    final_decision: Decision
    verdict: dict[str, Any]


class ScreeningPage(BaseModel):
    items: list[ScreeningSummary]
    next_cursor: Optional[str]


class Evaluation(BaseModel):
    stored: Literal[False]
    verdict: dict[str, Any]


class FieldProblem(BaseModel):
    """One bad field: where, its Chinese label, why (in the request's language), and what would do."""

    path: str
    label: str
    reason: str
    value: Any = None
    allowed: Any = None
    suggestion: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None


class ProblemDetails(BaseModel):
    type: str
    title: str
    status: int
    detail: Optional[str] = None
    instance: Optional[str] = None
    errors: Optional[list[FieldProblem]] = None
    request_id: Optional[str] = None


class Figure(BaseModel):
    value: str
    unit: str
    as_written: str
    valid_from: Optional[str]
    valid_to: Optional[str]
    side: str
    source: str
    confidence: str


class ParameterInForce(BaseModel):
    name: str
    label: dict[str, str]
    unit: str
    in_force: list[Figure]


class RuleInfo(BaseModel):
    id: str
    title: dict[str, str]
    domain: str
    severity: str
    citations: list[dict[str, Any]]
    parameters: list[ParameterInForce]


class RuleDetail(RuleInfo):
    cases: list[str]
    text: str


class RuleList(BaseModel):
    pack: PackRef
    as_of: str
    zone: Optional[str]
    rules: list[RuleInfo]


class PackInfo(BaseModel):
    id: str
    version: str
    hash: str
    current: bool
    stored_at: Optional[str]
    files: int


class ZoneInfo(BaseModel):
    id: str
    name: dict[str, str]
    region: str
    fictional: bool
    hash: str


class KeyIn(Strict):
    role: Literal["screener", "auditor", "admin"]
    zones: Optional[list[Text]] = Field(None, min_length=1, description="zone ids; omit with all_zones")
    all_zones: bool = False
    label: Text = Field("", max_length=200)


class KeyOut(BaseModel):
    id: str
    role: str
    zones: Optional[list[str]]
    label: str
    created_at: str
    revoked_at: Optional[str]


class KeyCreated(KeyOut):
    key: str = Field(description="the key itself, shown this once")


PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": ProblemDetails, "content": {"application/problem+json": {}}, "description": text}
    for code, text in ((401, "no live API key"), (403, "wrong role or zone"), (404, "not found"),
                       (422, "invalid input: every bad field"), (503, "database unavailable"))
}
