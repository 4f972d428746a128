"""API keys over HTTP, for admins (the CLI's `zonecheck keys` does the same on the database)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from zonecheck.service.api.deps import Admin, Current
from zonecheck.service.api.errors import Problem, texts
from zonecheck.service.api.schemas import PROBLEMS, KeyCreated, KeyIn, KeyOut
from zonecheck.service.store import keys
from zonecheck.service.store.audit import utc_text
from zonecheck.service.store.models import ApiKey
from zonecheck.service.store.records import could_be_id

router = APIRouter(prefix="/v1", tags=["keys"])


def key_json(row: ApiKey) -> dict[str, Any]:
    return {"id": row.id, "role": row.role, "zones": None if row.zones == keys.ALL_ZONES else row.zones.split(","),
            "label": row.label, "created_at": utc_text(row.created_at),
            "revoked_at": utc_text(row.revoked_at) if row.revoked_at else None}


@router.get("/keys", response_model=list[KeyOut], responses=PROBLEMS)
def list_keys(current: Current, caller: Admin) -> Any:
    return [key_json(k) for k in keys.listing(current.database)]


@router.post("/keys", status_code=201, response_model=KeyCreated, responses=PROBLEMS)
def create_key(current: Current, caller: Admin, given: KeyIn) -> Any:
    if given.all_zones == (given.zones is not None):
        raise Problem("invalid-request", errors=[{"path": "zones", "label": "园区范围", "reason": texts(
            "须给出 zones 或 all_zones: true（二者择一）", "give zones, or all_zones: true (not both)")}])
    try:
        row, secret = keys.create(current.database, given.role, given.zones, given.label, actor=caller.key_id)
    except ValueError as error:
        raise Problem("invalid-request", errors=[{"path": "zones", "label": "园区范围", "reason": texts(
            "园区编号不得为空，也不得含逗号", str(error))}]) from None
    return {**key_json(row), "key": secret}


@router.delete("/keys/{key_id}", status_code=204, response_class=Response, responses=PROBLEMS)
def revoke_key(current: Current, caller: Admin, key_id: str) -> Response:
    if not (could_be_id(key_id) and keys.revoke(current.database, key_id, actor=caller.key_id)):
        raise Problem("not-found", texts(f"没有有效的密钥 {key_id!r}", f"no live key {key_id!r}"))
    return Response(status_code=204)
