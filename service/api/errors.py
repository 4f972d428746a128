"""RFC 9457 problem details in the request's language; never a 500 for bad input, 503 on database trouble.

A stored screening that cannot be shown is 503 too, with a type of its own: the pack version its verdict
names is not kept in the packs table (`stored-pack-missing`), or its stored verdict does not parse or
render (`stored-record-unreadable`). The record is not lost (`zonecheck audit verify` checks it); an
operator must restore the pack or the row before it can be shown, so the answer carries no Retry-After.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError, OperationalError, TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from zonecheck.service.api.i18n import languages
from zonecheck.service.api.validation import field_problems
from zonecheck.service.store.db import DatabaseUnavailable
from zonecheck.service.store.packs import PackUnavailable

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("zonecheck.api")

# kind -> (status, title zh, title en)
KINDS: dict[str, tuple[int, str, str]] = {
    "invalid-proposal": (422, "申报材料有误", "The proposal is not valid"),
    "invalid-request": (422, "请求参数有误", "The request is not valid"),
    "unauthenticated": (401, "缺少或无效的 API 密钥", "Missing, unknown or revoked API key"),
    "forbidden": (403, "无权执行此操作", "Not allowed for this key's role or zones"),
    "not-found": (404, "未找到", "Not found"),
    "method-not-allowed": (405, "不支持该请求方法", "Method not allowed"),
    "idempotency-conflict": (409, "幂等键已用于不同的请求", "Idempotency-Key already used with a different request"),
    "too-large": (413, "请求体超过 1 MB", "Request body over 1 MB"),
    "unsupported-media-type": (415, "请求体须为 JSON", "The request body must be JSON"),
    "database-unavailable": (503, "数据库暂不可用，请稍后重试", "Database unavailable; retry later"),
    "not-ready": (503, "服务尚未就绪", "Service not ready"),
    "stored-pack-missing": (503, "该记录所用的规则包版本未保存在数据库中，暂无法显示",
                            "The rule pack version this record names is not kept in the database; it cannot be shown"),
    "stored-record-unreadable": (503, "该记录保存的结论无法读取，暂无法显示",
                                 "This record's stored verdict cannot be read; it cannot be shown"),
    "internal": (500, "服务内部错误", "Internal error"),
}



# every field problem has the keys a bad proposal's fields have (service.app.screening.Problem.as_dict)
FIELD = dict.fromkeys(("path", "label", "value", "allowed", "file", "line", "column", "suggestion", "reason"))
Texts = dict[str, str]  # lang -> text: resolved to the request's language when answered


def texts(zh: str, en: str) -> Texts:
    return {"zh": zh, "en": en}


class Problem(Exception):
    """`detail`, and each error's `reason`, may be one text or one per language (`texts(zh, en)`)."""

    def __init__(self, kind: str, detail: str | Texts | None = None, *, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None, status: int | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.status = status or KINDS[kind][0]
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def _in(lang: str, text: Any) -> Any:
    return text.get(lang, text.get("zh")) if isinstance(text, dict) else text


def problem_bytes(kind: str, langs: tuple[str, ...], *, status: int | None = None, detail: str | Texts | None = None,
                  errors: list[dict[str, Any]] | None = None, instance: str | None = None,
                  request_id: str | None = None) -> tuple[int, bytes]:
    default_status, zh, en = KINDS[kind]
    code = status or default_status
    lang = "en" if langs[0] == "en" else "zh"
    body: dict[str, Any] = {"type": f"urn:zonecheck:problem:{kind}", "title": en if lang == "en" else zh,
                            "status": code}
    if detail:
        body["detail"] = _in(lang, detail)
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = [{**FIELD, **e, "reason": _in(lang, e.get("reason"))} for e in errors]
    if request_id:
        body["request_id"] = request_id
    return code, orjson.dumps(body, default=str)  # a field's value as given, whatever its type


def _langs(request: Request) -> tuple[str, ...]:
    return languages(request.query_params.get("lang"), request.headers.get("accept-language"))


def respond(request: Request, problem: Problem) -> Response:
    status, body = problem_bytes(problem.kind, _langs(request), status=problem.status, detail=problem.detail,
                                 errors=problem.errors, instance=request.url.path,
                                 request_id=request.scope.get("state", {}).get("request_id"))
    return Response(body, status_code=status, media_type=PROBLEM_TYPE, headers=problem.headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, problem: Problem) -> Response:
        return respond(request, problem)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, error: RequestValidationError) -> Response:
        lang = "en" if _langs(request)[0] == "en" else "zh"
        return respond(request, Problem("invalid-request", errors=field_problems(list(error.errors()), lang)))

    @app.exception_handler(PackUnavailable)
    async def on_missing_pack(request: Request, error: PackUnavailable) -> Response:
        log.error("stored pack missing: %s", error)
        return respond(request, Problem("stored-pack-missing", texts(
            f"规则包 {error.pack_hash}（园区配置 {error.zone_hash}）未保存在数据库中或无法重建；请从备份恢复 packs 表，"
            "并运行 zonecheck audit verify",
            f"pack {error.pack_hash} (zone profile {error.zone_hash}) is not kept in the database or cannot be rebuilt; "
            "restore the packs table from a backup and run zonecheck audit verify")))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, error: StarletteHTTPException) -> Response:
        kind = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}.get(error.status_code, "invalid-request")
        status = 422 if kind == "invalid-request" else error.status_code  # a body that is not JSON, say
        detail = error.detail if isinstance(error.detail, str) and status == 422 else None
        return respond(request, Problem(kind, detail, status=status, headers=dict(error.headers or {})))

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    @app.exception_handler(TimeoutError)  # the writer did not answer in time (concurrent.futures')
    @app.exception_handler(DatabaseUnavailable)
    async def on_database(request: Request, error: Exception) -> Response:
        log.error("database error: %s", error)
        return respond(request, Problem("database-unavailable", headers={"Retry-After": "1"}))

    @app.exception_handler(Exception)
    async def on_bug(request: Request, error: Exception) -> Response:
        log.exception("unexpected error")
        return respond(request, Problem("internal"))

KINDS_BY_STATUS = {str(status): en for status, _, en in KINDS.values()}
