"""What is in force: rules (with the figures in force on a date, for a zone), packs, zones, schemas."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from fastapi import APIRouter
from sqlalchemy import func, select

from zonecheck.engine.contract.proposal import Proposal
from zonecheck.engine.contract.units import format_value
from zonecheck.engine.pack.model import Pack, Row, Rule
from zonecheck.service.api import views
from zonecheck.service.api.deps import Caller, Current
from zonecheck.service.api.errors import Problem, texts
from zonecheck.service.api.schemas import PROBLEMS, PackInfo, RuleDetail, RuleList, ZoneInfo
from zonecheck.service.store.audit import utc_text
from zonecheck.service.store.models import PackFile, PackRecord

router = APIRouter(prefix="/v1", tags=["catalogue"])


def _figure(row: Row) -> dict[str, Any]:
    return {"value": str(row.value), "unit": row.unit, "as_written": format_value(row.original, row.source_unit),
            "valid_from": row.valid_from.isoformat() if row.valid_from else None,
            "valid_to": row.valid_to.isoformat() if row.valid_to else None, "side": row.side,
            "source": row.source.id, "confidence": row.source.confidence}


def _rule(pack: Pack, rule: Rule, day: dt.date, zone: str | None) -> dict[str, Any]:
    parameters = []
    for param in views.rule_parameters(pack, rule):
        rows = list(param.rows) + (list(pack.zones[zone].rows.get(param.name, ())) if zone else [])
        parameters.append({"name": param.name, "label": param.label, "unit": param.unit,
                           "in_force": [_figure(r) for r in rows if r.in_force(day)]})
    return {"id": rule.id, "title": rule.title, "domain": rule.domain, "severity": rule.severity,
            "citations": [c.as_json() for c in rule.citations], "parameters": parameters}


def _zone(pack: Pack, zone: str | None) -> str | None:
    if zone is not None and zone not in pack.zones:
        known = ", ".join(sorted(pack.zones))
        raise Problem("invalid-request", errors=[{"path": "zone", "label": "园区", "value": zone, "allowed": sorted(pack.zones),
                                                  "reason": texts(f"没有园区配置 {zone!r}（可用：{known}）",
                                                                  f"no zone profile {zone!r} (known: {known})")}])
    return zone


@router.get("/rules", response_model=RuleList, responses=PROBLEMS)
def rules(current: Current, caller: Caller, as_of: Optional[dt.date] = None, zone: Optional[str] = None) -> Any:
    pack = current.screener.pack
    day = as_of or dt.date.today()
    chosen = _zone(pack, zone)
    return {"pack": {"id": pack.id, "version": pack.version, "hash": pack.hash}, "as_of": day.isoformat(),
            "zone": chosen, "rules": [_rule(pack, r, day, chosen) for r in pack.rules]}


@router.get("/rules/{rule_id}", response_model=RuleDetail, responses=PROBLEMS)
def rule(current: Current, caller: Caller, rule_id: str, as_of: Optional[dt.date] = None,
         zone: Optional[str] = None) -> Any:
    pack = current.screener.pack
    found = next((r for r in pack.rules if r.id == rule_id), None)
    if found is None:
        raise Problem("not-found", texts(f"没有规则 {rule_id!r}", f"no rule {rule_id!r}"))
    detail = _rule(pack, found, as_of or dt.date.today(), _zone(pack, zone))
    return {**detail, "cases": [c.id for c in found.cases], "text": views.rule_text(pack, found)}


@router.get("/packs", response_model=list[PackInfo], responses=PROBLEMS)
def packs(current: Current, caller: Caller) -> Any:
    pack = current.screener.pack
    with current.database.reading() as session:
        counts = dict(session.execute(select(PackFile.pack_hash, func.count()).group_by(PackFile.pack_hash)).all())
        stored = list(session.scalars(select(PackRecord).where(~PackRecord.pack_id.startswith("zone:"))
                                      .order_by(PackRecord.stored_at)))
    found = [{"id": p.pack_id, "version": p.version, "hash": p.hash, "current": p.hash == pack.hash,
              "stored_at": utc_text(p.stored_at), "files": counts.get(p.hash, 0)} for p in stored]
    if not any(p["current"] for p in found):
        found.append({"id": pack.id, "version": pack.version, "hash": pack.hash, "current": True,
                      "stored_at": None, "files": 0})
    return found


@router.get("/zones", response_model=list[ZoneInfo], responses=PROBLEMS)
def zones(current: Current, caller: Caller) -> Any:
    return [{"id": z.id, "name": z.name, "region": z.region, "fictional": z.fictional, "hash": z.hash}
            for z in current.screener.pack.zones.values()]


@router.get("/schemas/proposal", response_model=dict[str, Any], responses=PROBLEMS)
def proposal_schema(caller: Caller) -> Any:
    return Proposal.model_json_schema()


@router.get("/schemas/verdict", response_model=dict[str, Any], responses=PROBLEMS)
def verdict_schema(caller: Caller, detail: Literal["full", "structured"] = "full") -> Any:
    """The published JSON Schema: of the full document responses carry, or (`detail=structured`) of the
    structured verdict the store keeps."""
    return views.verdict_schema(detail)
