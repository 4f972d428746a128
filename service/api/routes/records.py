"""Stored rows as response bodies: the verdict rendered from the stored structured verdict and its pack."""

from __future__ import annotations

from typing import Any

import orjson

from zonecheck.service.api import views
from zonecheck.service.store.audit import utc_text
from zonecheck.service.store.models import OfficerDecision, Screening
from zonecheck.service.store.packs import Shelf


def summary(row: Screening) -> dict[str, Any]:
    return {"id": row.id, "created_at": utc_text(row.created_at), "reference": row.reference, "name": row.name,
            "zone": row.zone, "decision": row.decision, "industry_code": row.industry_code,
            "project_code": row.project_code, "screening_date": row.screening_date.isoformat(),
            "pack": {"id": row.pack_id, "version": row.pack_version, "hash": row.pack_hash},
            "client_key_id": row.client_key_id, "proposal_digest": row.proposal_digest}


def decision(row: OfficerDecision) -> dict[str, Any]:
    return {"id": row.id, "screening_id": row.screening_id, "outcome": row.outcome, "decision": row.decision,
            "reason": row.reason, "officer": row.officer, "client_key_id": row.client_key_id,
            "created_at": utc_text(row.created_at)}


def record(row: Screening, decisions: list[OfficerDecision], langs: tuple[str, ...], shelf: Shelf,
           structured: dict[str, Any] | None = None) -> bytes:
    """`structured`: the verdict already parsed (a fresh screening), else read from the stored bytes."""
    final = decisions[-1].decision if decisions else row.decision
    found = structured if structured is not None else orjson.loads(row.verdict)
    verdict = views.document_view(found, shelf.pack_for(found), langs)
    return orjson.dumps({**summary(row), "officer_decisions": [decision(d) for d in decisions],
                         "final_decision": final, "verdict": verdict})
