"""POST/GET /v1/screenings, the report, officer decisions, and POST /v1/evaluations (a dry run)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Annotated, Any, Literal, Optional

import orjson
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from zonecheck.service.api import metrics, views
from zonecheck.service.api.deps import Current, Langs, Post, Reader, Screener_
from zonecheck.service.api.errors import Problem, texts
from zonecheck.service.api.routes.records import decision as decision_json
from zonecheck.service.api.routes.records import record, rendered, summary
from zonecheck.service.api.schemas import (Decision, Evaluation, OfficerDecisionIn, OfficerDecisionOut, PROBLEMS,
                                           ScreeningPage, ScreeningRecord)
from zonecheck.service.api.validation import LABELS, Code, nul_paths
from zonecheck.service.app.fields import field_rows
from zonecheck.service.app.screening import screen
from zonecheck.service.store import records
from zonecheck.service.store.keys import Principal
from zonecheck.service.store.records import Filters, IdempotencyConflict, NewScreening

router = APIRouter(prefix="/v1", tags=["screenings"])
JSON = "application/json"
PROPOSAL_BODY = {"requestBody": {"required": True, "content": {JSON: {"schema": {"$ref": "#/components/schemas/Proposal"}}}}}
MAX_REFERENCE = 200  # the screenings table's reference column
ZoneQuery = Annotated[Optional[Code], Query(description="zone profile (default: the proposal's zone)")]
AsOfQuery = Annotated[Optional[dt.date], Query(description="screening date (default: submitted_on)")]


def _json(payload: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(payload, status_code=status, media_type=JSON, headers=headers)


def _parse(body: bytes, langs: tuple[str, ...]) -> Any:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        reason = f"not valid JSON: {error}" if langs[0] == "en" else f"不是有效的 JSON：{error}"
        raise Problem("invalid-proposal", errors=[{"path": "", "label": "申报材料", "reason": reason}]) from None
    bad = nul_paths(data)  # no field may hold one (PostgreSQL refuses it in text)
    if bad:
        labels = _labels()
        raise Problem("invalid-proposal", errors=[
            {"path": path, "label": labels.get(".".join("0" if p.isdigit() else p for p in path.split(".")), path),
             "reason": texts("不得包含 NUL 字符（\\u0000）", "must not contain a NUL character (\\u0000)")}
            for path in bad])
    return data


@functools.cache
def _labels() -> dict[str, str]:
    return {row["path"]: row["label"] for row in field_rows()}


def _check_zone(caller: Principal, data: Any, zone: str | None) -> None:
    target = zone or (data.get("zone") if isinstance(data, dict) else None)
    if isinstance(target, str) and not caller.sees(target):
        raise Problem("forbidden", texts(f"此密钥不能筛查园区 {target!r} 的项目", f"this key may not screen for zone {target!r}"))


def _screen(current: Current, data: Any, zone: str | None, as_of: dt.date | None, langs: tuple[str, ...]) -> Any:
    outcome = screen(current.screener, data, zone=zone, as_of=as_of)
    if outcome.verdict is None:  # every bad field, its reason in the request's language
        raise Problem("invalid-proposal", errors=[p.as_dict(langs[0]) for p in outcome.problems])
    reference = outcome.verdict.structured["reference"]
    if len(reference) > MAX_REFERENCE:
        raise Problem("invalid-proposal", errors=[{
            "path": "reference", "label": "项目编号", "value": reference,
            "reason": texts(f"最长 {MAX_REFERENCE} 个字符", f"at most {MAX_REFERENCE} characters")}])
    return outcome.verdict


@router.post("/screenings", status_code=201, openapi_extra=PROPOSAL_BODY, summary="Screen and store a proposal",
             responses={201: {"model": ScreeningRecord}, 200: {"model": ScreeningRecord, "description": "a replay"},
                        409: {"description": "Idempotency-Key used with another body"}, **PROBLEMS})
async def create_screening(post: Post, zone: ZoneQuery = None, as_of: AsOfQuery = None,
                           project_code: Annotated[Optional[Code], Query(description="全国投资项目代码")] = None,
                           idempotency_key: Annotated[Optional[str], Header(max_length=200)] = None) -> Response:
    """On the worker's event loop, not a thread each: screening and rendering hold the GIL whatever
    thread runs them (the engine is serialised per worker anyway), so a thread per request only added
    GIL hand-offs. The commit is awaited, so requests waiting for theirs hold no thread."""
    current, caller, langs, body = post.current, post.caller, post.langs, post.body
    data = _parse(body, langs)
    _check_zone(caller, data, zone)
    scoped = None
    if idempotency_key:
        request_digest = hashlib.sha256(body + b"\0" + orjson.dumps([zone, as_of, project_code])).hexdigest()
        scoped = (idempotency_key, request_digest)
        try:
            earlier = await run_in_threadpool(records.replay, current.database, caller.key_id, *scoped)
        except IdempotencyConflict:
            raise Problem("idempotency-conflict") from None
        if earlier is not None:
            earlier_decisions = await run_in_threadpool(records.decisions, current.database, earlier.id)
            shown = await run_in_threadpool(record, earlier, earlier_decisions, langs, current.shelf)
            return _json(shown, headers={"Location": f"/v1/screenings/{earlier.id}", "Idempotent-Replay": "true"})
    verdict = _screen(current, data, zone, as_of, langs)
    structured = verdict.structured
    new = NewScreening(client_key_id=caller.key_id, proposal=body, verdict=views.stored_verdict(verdict),
                       structured=structured, project_code=project_code,
                       industry_code=str(data["project"]["industry_code"]))
    try:
        pending = [snap for snap in current.snapshots if snap.hash not in current.stored]
        row, created = await records.create_async(current.database, new, pending, scoped)
    except IdempotencyConflict:
        raise Problem("idempotency-conflict") from None
    if created:
        current.stored.update((row.pack_hash, structured["zone"]["hash"]))
        metrics.SCREENINGS.labels(row.decision).inc()
    headers = {"Location": f"/v1/screenings/{row.id}"}
    if not created:
        headers["Idempotent-Replay"] = "true"
    if created:
        return _json(record(row, [], langs, current.shelf, structured), 201, headers)
    # a replay (the same key raced in meanwhile) renders the earlier row's stored verdict
    decisions = await run_in_threadpool(records.decisions, current.database, row.id)
    return _json(await run_in_threadpool(record, row, decisions, langs, current.shelf), 200, headers)


@router.post("/evaluations", openapi_extra=PROPOSAL_BODY, summary="Screen a proposal without storing anything",
             responses={200: {"model": Evaluation}, **PROBLEMS})
async def evaluate(post: Post, zone: ZoneQuery = None, as_of: AsOfQuery = None) -> Response:
    """On the event loop, as `create_screening` (nothing to wait for: no thread to hop to)."""
    current, caller, langs, body = post.current, post.caller, post.langs, post.body
    data = _parse(body, langs)
    _check_zone(caller, data, zone)
    verdict = _screen(current, data, zone, as_of, langs)
    shown = views.document_view(verdict.structured, verdict.pack, langs)
    return _json(orjson.dumps({"stored": False, "verdict": shown}))


def _visible(current: Current, caller: Principal, screening_id: str) -> Any:
    row = records.get(current.database, screening_id) if records.could_be_id(screening_id) else None
    if row is None or not caller.sees(row.zone):  # another zone's record: as if absent
        raise Problem("not-found", texts(f"没有筛查记录 {screening_id!r}", f"no screening {screening_id!r}"))
    return row


@router.get("/screenings/{screening_id}", responses={200: {"model": ScreeningRecord}, **PROBLEMS})
def get_screening(current: Current, caller: Reader, screening_id: str, langs: Langs) -> Response:
    row = _visible(current, caller, screening_id)
    return _json(record(row, records.decisions(current.database, row.id), langs, current.shelf))


@router.get("/screenings", responses={200: {"model": ScreeningPage}, **PROBLEMS})
def list_screenings(
    current: Current, caller: Reader, request: Request,
    zone: Optional[Code] = None, decision: Optional[Decision] = None, reference: Optional[Code] = None,
    industry_code: Optional[Code] = None, project_code: Optional[Code] = None,
    screened_from: Optional[dt.date] = None, screened_to: Optional[dt.date] = None,
    created_from: Optional[dt.datetime] = None, created_to: Optional[dt.datetime] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: Optional[Code] = None,
) -> Response:
    before = None
    if cursor:
        before = records.decode_cursor(cursor)
        if before is None:
            raise Problem("invalid-request", errors=[{"path": "cursor", "label": "分页游标", "value": cursor, "reason": texts(
                "不是本接口给出的分页游标（next_cursor）", "not a cursor this API gave (next_cursor)")}])
    wrong = [(name, low, high) for name, low, high in (("screened_to", screened_from, screened_to),
                                                       ("created_to", _utc(created_from), _utc(created_to)))
             if low is not None and high is not None and high < low]
    if wrong:
        raise Problem("invalid-request", errors=[{
            "path": name, "label": LABELS[name], "value": str(high),
            "reason": texts(f"早于起始值 {name.replace('_to', '_from')}（{low}）",
                            f"before the start {name.replace('_to', '_from')} ({low})")} for name, low, high in wrong])
    filters = Filters(zones=caller.zones, zone=zone, decision=decision, reference=reference,
                      industry_code=industry_code, project_code=project_code, screened_from=screened_from,
                      screened_to=screened_to, created_from=_utc(created_from), created_to=_utc(created_to))
    rows, more = records.page(current.database, filters, limit, before)
    return _json(orjson.dumps({"items": [summary(r) for r in rows],
                               "next_cursor": records.encode_cursor(more) if more else None}))


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {media.split(";")[0]: {"schema": {"type": "string"}} for media in views.REPORT_MEDIA.values()},
          "description": "the verdict for people"}, **PROBLEMS}


@router.get("/screenings/{screening_id}/report", response_class=Response, responses=REPORT_RESPONSES)
def report(current: Current, caller: Reader, screening_id: str, langs: Langs,
           format: Literal["html", "markdown", "text"] = "html", lang: Optional[Literal["zh", "en"]] = None) -> Response:
    row = _visible(current, caller, screening_id)
    chosen = lang or langs[0]
    body = rendered(row, current.shelf, lambda structured, pack: views.report(
        structured, pack, format, chosen, insecure_dev=current.settings.insecure_dev))
    return Response(body, media_type=views.REPORT_MEDIA[format], headers={"Content-Language": chosen})


@router.post("/screenings/{screening_id}/decision", status_code=201,
             responses={201: {"model": OfficerDecisionOut}, **PROBLEMS})
def record_decision(current: Current, caller: Screener_, screening_id: str, given: OfficerDecisionIn) -> Response:
    row = _visible(current, caller, screening_id)
    final = given.decision or row.decision
    if given.outcome == "override" and given.decision is None:
        raise Problem("invalid-request", errors=[{"path": "decision", "label": "最终结论", "reason": texts(
            "改判（override）须给出最终结论", "an override names the final decision")}])
    if given.outcome == "accept" and final != row.decision:
        raise Problem("invalid-request", errors=[{"path": "decision", "label": "最终结论", "value": final, "reason": texts(
            f"采纳（accept）即沿用引擎的结论 {row.decision!r}", f"accepting keeps the engine's decision {row.decision!r}")}])
    stored = records.add_decision(current.database, row.id, outcome=given.outcome, decision=final,
                                  reason=given.reason, officer=given.officer, client_key_id=caller.key_id)
    metrics.OFFICER_DECISIONS.labels(given.outcome).inc()
    return _json(orjson.dumps(decision_json(stored)), 201, {"Location": f"/v1/screenings/{row.id}"})
