"""Stored rows as response bodies: the verdict rendered from the stored structured verdict and its pack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from sqlalchemy.exc import SQLAlchemyError

from zonecheck.engine.pack.model import Pack
from zonecheck.service.api import views
from zonecheck.service.api.errors import Problem, texts
from zonecheck.service.store.audit import utc_text
from zonecheck.service.store.models import OfficerDecision, Screening
from zonecheck.service.store.packs import PackUnavailable, Shelf

T = TypeVar("T")
log = logging.getLogger("zonecheck.api")


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
    verdict = rendered(row, shelf, lambda found, pack: views.document_view(found, pack, langs), structured)
    return orjson.dumps({**summary(row), "officer_decisions": [decision(d) for d in decisions],
                         "final_decision": final, "verdict": verdict})


def rendered(row: Screening, shelf: Shelf, render: Callable[[dict[str, Any], Pack], T],
             structured: dict[str, Any] | None = None) -> T:
    """`render(verdict, pack)` of a stored verdict and the pack it names. A pack the packs table lacks
    raises PackUnavailable (a 503 problem of its own); a stored verdict that does not parse or render
    (a damaged row, or one a renderer cannot read) is a 503 problem naming the record, never a 500."""
    try:
        found = structured if structured is not None else orjson.loads(row.verdict)
        return render(found, shelf.pack_for(found))
    except (PackUnavailable, SQLAlchemyError):
        raise
    except Exception as error:
        log.exception("stored verdict of %s cannot be rendered", row.id)
        raise Problem("stored-record-unreadable", texts(
            f"筛查记录 {row.id} 保存的结论无法解析或显示（{type(error).__name__}）；请运行 zonecheck audit verify 检查该记录",
            f"the stored verdict of screening {row.id} does not parse or render ({type(error).__name__}); "
            "run zonecheck audit verify to check the record")) from error
