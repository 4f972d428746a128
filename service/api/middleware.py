"""Around every request: a request id, the 1 MB body limit, the insecure-dev warning header, one JSON
line of access log, and the request metrics. Plain ASGI (no per-request task, unlike BaseHTTPMiddleware)."""

from __future__ import annotations

import os
import sys
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

import orjson

from zonecheck.service.api import metrics
from zonecheck.service.api.errors import PROBLEM_TYPE, problem_bytes
from zonecheck.service.api.i18n import languages
from zonecheck.service.api.settings import MAX_BODY

PID = os.getpid()  # the worker process: which one served a request
INSECURE_HEADER = (b"x-zonecheck-insecure-dev", b"no API keys checked: development only, loopback only")


class Gate:
    def __init__(self, app: Any, *, insecure_dev: bool) -> None:
        self.app = app
        self.insecure_dev = insecure_dev

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:100] or uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = [500]

        async def send_marked(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                extra = [(b"x-request-id", request_id.encode("latin-1"))]
                if self.insecure_dev:
                    extra.append(INSECURE_HEADER)
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
                langs = languages(query, headers.get(b"accept-language", b"").decode("latin-1"))
                code, body = problem_bytes("too-large", langs, instance=scope["path"], request_id=request_id)
                await send_marked({"type": "http.response.start", "status": code,
                                   "headers": [(b"content-type", PROBLEM_TYPE.encode()),
                                               (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
                await send_marked({"type": "http.response.body", "body": body})
                return
            await self.app(scope, receive, send_marked)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            metrics.REQUESTS.labels(scope["method"], template, str(status[0])).inc()
            metrics.LATENCY.labels(scope["method"], template).observe(elapsed)
            line = {"ts": time.time(), "request_id": request_id, "method": scope["method"], "path": scope["path"],
                    "route": template, "status": status[0], "ms": round(elapsed * 1000, 2),
                    "key": state.get("key_id"), "client": (scope.get("client") or ("", 0))[0], "worker": PID}
            sys.stderr.buffer.write(orjson.dumps(line) + b"\n")
            sys.stderr.flush()
