"""Dependencies of the routes: the worker's state, who is calling, the request's languages, the raw body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from zonecheck.engine.screener import Screener
from zonecheck.service.api.errors import Problem, texts
from zonecheck.service.api.i18n import languages as pick_languages
from zonecheck.service.api.settings import MAX_BODY, Settings
from zonecheck.service.store.db import Database
from zonecheck.service.store.keys import KeyLookup, Principal
from zonecheck.service.store.packs import Shelf, Snapshot

DEV = Principal("insecure-dev", "dev", None)  # `serve --insecure-dev`: every role, every zone


@dataclass
class State:
    settings: Settings
    database: Database
    screener: Screener
    snapshots: list[Snapshot] = field(default_factory=list)
    shelf: Shelf = field(init=False)  # the pack each stored verdict names, for rendering it
    keys: KeyLookup = field(init=False)  # each request's key, read from the database
    stored: set[str] = field(default_factory=set)  # snapshot hashes known to be in the database


    def __post_init__(self) -> None:
        self.shelf = Shelf(self.database, self.screener.pack)
        self.keys = KeyLookup(self.database)


# The cheap dependencies are `async`: FastAPI runs a sync one in the thread pool, a thread hop each.
async def state(request: Request) -> State:
    return request.app.state.zonecheck


async def languages(request: Request) -> tuple[str, ...]:
    return pick_languages(request.query_params.get("lang"), request.headers.get("accept-language"))


async def principal(request: Request, current: Annotated[State, Depends(state)]) -> Principal:
    """The caller's key: 401 without a live one (no key, unknown, revoked)."""
    return await _principal(request, current)


async def _principal(request: Request, current: State) -> Principal:
    if current.settings.insecure_dev:
        found: Principal | None = DEV
    else:
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        secret = secret.strip()
        found = None
        if scheme.lower() == "bearer" and secret:
            found = await current.keys.authenticate(secret)
    if found is None:
        raise Problem("unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="zonecheck"'})
    request.state.key_id = found.key_id
    return found


def _allowed(caller: Principal, allowed: tuple[str, ...]) -> Principal:
    if caller.role != "dev" and caller.role not in allowed:
        raise Problem("forbidden", texts(f"角色 {caller.role!r} 不能执行此操作（须为 {' 或 '.join(allowed)}）",
                                         f"role {caller.role!r} may not do this (needs {' or '.join(allowed)})"))
    return caller


def role(*allowed: str):  # type: ignore[no-untyped-def]
    """A dependency: the caller, if its role is one of `allowed` (else 403)."""

    async def check(caller: Annotated[Principal, Depends(principal)]) -> Principal:
        return _allowed(caller, allowed)

    return check


@dataclass(frozen=True)
class Posting:
    """A screener's POST of a proposal: the worker's state, the caller, the request's languages, the body."""

    current: State
    caller: Principal
    langs: tuple[str, ...]
    body: bytes


async def posting(request: Request) -> Posting:
    """`Current`, `Screener_`, `Langs` and `Body` in one dependency: the routes every proposal goes through
    resolve one node instead of six (FastAPI's dependency solving was a tenth of a request's time)."""
    current: State = request.app.state.zonecheck
    caller = _allowed(await _principal(request, current), ("screener",))
    langs = pick_languages(request.query_params.get("lang"), request.headers.get("accept-language"))
    return Posting(current, caller, langs, await raw_body(request))


async def raw_body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise Problem("too-large")
    return body


Current = Annotated[State, Depends(state)]
Langs = Annotated[tuple[str, ...], Depends(languages)]
Body = Annotated[bytes, Depends(raw_body)]
Caller = Annotated[Principal, Depends(principal)]
Screener_ = Annotated[Principal, Depends(role("screener"))]
Reader = Annotated[Principal, Depends(role("screener", "auditor"))]
Admin = Annotated[Principal, Depends(role("admin"))]
Post = Annotated[Posting, Depends(posting)]
