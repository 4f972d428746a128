"""The FastAPI application: `create_app()` is the factory each uvicorn worker calls. Each worker compiles
the pack once (one engine per process, serialised inside it) and opens its own database pool."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from zonecheck.engine import __version__
from zonecheck.engine.contract.proposal import Proposal
from zonecheck.service.api import errors
from zonecheck.service.api.deps import State
from zonecheck.service.api.middleware import Gate
from zonecheck.service.api.routes import catalogue, health, keys, screenings
from zonecheck.service.api.settings import Settings
from zonecheck.service.app.screening import Registry
from zonecheck.service.store.db import Database
from zonecheck.service.store.packs import snapshot

SWITCH_INTERVAL = 0.0005  # seconds
PROBLEM_CODES = ("401", "403", "404", "405", "409", "413", "415", "422", "503")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_environment()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The writer thread holds the writers' lock (shared with the other workers) across several
        # statements, and after each it waits for the GIL, which the event loop holds while it screens:
        # up to the switch interval (5 ms by default) each time. 0.5 ms keeps the lock short.
        sys.setswitchinterval(SWITCH_INTERVAL)
        screener = Registry().get(settings.rules, settings.pack)
        database = Database(settings.database_url)
        app.state.zonecheck = State(settings, database, screener, snapshot(screener.pack))
        yield
        app.state.zonecheck.keys.close()
        database.dispose()

    title = "zonecheck" + (" (INSECURE DEV: no API keys)" if settings.insecure_dev else "")
    app = FastAPI(title=title, version=__version__, lifespan=lifespan,
                  description="Screening of investment proposals for national ETDZs: every verdict stored and audited.")
    errors.install(app)
    for module in (screenings, catalogue, keys, health):
        app.include_router(module.router)
    app.add_middleware(Gate, insecure_dev=settings.insecure_dev)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the proposal's schema and problem details on every error status."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    proposal = Proposal.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(proposal.pop("$defs", {}))
    components["Proposal"] = proposal
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}
    for path, operations in document["paths"].items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            codes = PROBLEM_CODES if path.startswith("/v1") else ("404", "405", "413", "422", "503")
            for code in codes:
                entry = responses.setdefault(code, {"description": errors.KINDS_BY_STATUS.get(code, "problem")})
                entry["content"] = problem
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    if "securitySchemes" not in document["components"]:
        document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    for path, operations in document["paths"].items():
        if path.startswith("/v1"):
            for operation in operations.values():
                operation["security"] = [{"bearer": []}]
    app.openapi_schema = document
    return document
