"""RFC 9457 problem details in the request's language; never a 500 for bad input, 503 on database trouble."""

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
    "internal": (500, "服务内部错误", "Internal error"),
}

QUERY_LABELS = {
    "lang": "语言", "format": "格式", "limit": "每页条数", "cursor": "分页游标", "as_of": "筛查日期",
    "zone": "园区", "decision": "结论", "reference": "项目编号", "industry_code": "行业代码",
    "project_code": "全国项目代码", "screened_from": "筛查日期起", "screened_to": "筛查日期止",
    "created_from": "创建时间起", "created_to": "创建时间止", "outcome": "处理结果", "reason": "理由",
    "officer": "经办人", "role": "角色", "zones": "园区范围", "all_zones": "全部园区", "label": "备注",
    "Idempotency-Key": "幂等键", "idempotency-key": "幂等键",
}


class Problem(Exception):
    def __init__(self, kind: str, detail: str | None = None, *, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, status: int | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.status = status or KINDS[kind][0]
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem_bytes(kind: str, langs: tuple[str, ...], *, status: int | None = None, detail: str | None = None,
                  errors: list[dict[str, str]] | None = None, instance: str | None = None,
                  request_id: str | None = None) -> tuple[int, bytes]:
    default_status, zh, en = KINDS[kind]
    code = status or default_status
    body: dict[str, Any] = {"type": f"urn:zonecheck:problem:{kind}", "title": zh if langs[0] == "zh" else en,
                            "status": code}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
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


def _field_errors(error: RequestValidationError) -> list[dict[str, str]]:
    found = []
    for item in error.errors():
        loc = [str(part) for part in item.get("loc", ())]
        where = loc[0] if loc else ""
        path = ".".join(loc[1:]) if where in ("query", "header", "path", "body") else ".".join(loc)
        label = QUERY_LABELS.get(path.split(".")[0], path)
        found.append({"path": path, "label": label, "reason": str(item.get("msg", ""))})
    return found


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, problem: Problem) -> Response:
        return respond(request, problem)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, error: RequestValidationError) -> Response:
        return respond(request, Problem("invalid-request", errors=_field_errors(error)))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, error: StarletteHTTPException) -> Response:
        kind = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}.get(error.status_code, "invalid-request")
        status = 422 if kind == "invalid-request" else error.status_code  # a body that is not JSON, say
        detail = error.detail if isinstance(error.detail, str) and status == 422 else None
        return respond(request, Problem(kind, detail, status=status, headers=dict(error.headers or {})))

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    async def on_database(request: Request, error: Exception) -> Response:
        log.error("database error: %s", error)
        return respond(request, Problem("database-unavailable", headers={"Retry-After": "1"}))

    @app.exception_handler(Exception)
    async def on_bug(request: Request, error: Exception) -> Response:
        log.exception("unexpected error")
        return respond(request, Problem("internal"))

KINDS_BY_STATUS = {str(status): en for status, _, en in KINDS.values()}
