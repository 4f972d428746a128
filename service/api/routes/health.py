"""Liveness, readiness and metrics: no key needed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from zonecheck.service.api import metrics
from zonecheck.service.api.errors import Problem
from zonecheck.service.api.schemas import PROBLEMS

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: PROBLEMS[503]})
def readyz(request: Request) -> dict[str, Any]:
    current = getattr(request.app.state, "zonecheck", None)
    if current is None:
        raise Problem("not-ready", "the rule pack is not compiled yet")
    try:
        current.database.ping()
    except Exception:  # any database failure means: not ready
        raise Problem("not-ready", "the database is not reachable") from None
    pack = current.screener.pack
    return {"status": "ready", "pack": {"id": pack.id, "version": pack.version, "hash": pack.hash}}


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
def prometheus() -> Response:
    body, media = metrics.exposition()
    return Response(body, media_type=media)
