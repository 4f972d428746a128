"""API keys: random (192 bits), shown once, stored as SHA-256 digests; roles and zones."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

from zonecheck.service.store.audit import append
from zonecheck.service.store.db import Database, DatabaseUnavailable
from zonecheck.service.store.models import ApiKey

ROLES = ("screener", "auditor", "admin")
ALL_ZONES = "*"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key's id, role and zones (None: every zone)."""

    key_id: str
    role: str
    zones: frozenset[str] | None

    def sees(self, zone: str) -> bool:
        return self.zones is None or zone in self.zones


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _principal(row: ApiKey) -> Principal:
    zones = None if row.zones == ALL_ZONES else frozenset(z for z in row.zones.split(",") if z)
    return Principal(row.id, row.role, zones)


def create(database: Database, role: str, zones: list[str] | None, label: str = "", actor: str = "cli") -> tuple[ApiKey, str]:
    """A new key; `zones` None means every zone. Returns the row and the secret (never stored)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if zones is not None and (not zones or any("," in z or not z for z in zones)):
        raise ValueError("zones must be non-empty ids without commas")
    secret = "zc_" + secrets.token_urlsafe(24)
    row = ApiKey(id="key_" + secrets.token_hex(6), digest=digest(secret), role=role,
                 zones=ALL_ZONES if zones is None else ",".join(sorted(set(zones))), label=label)
    with database.writing() as session:
        session.add(row)
        session.flush()
        append(session, "key.created", row.id, actor, {"role": role, "zones": row.zones})
    return row, secret


def listing(database: Database) -> list[ApiKey]:
    with database.reading() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def revoke(database: Database, key_id: str, actor: str = "cli") -> bool:
    with database.writing() as session:
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = dt.datetime.now(dt.timezone.utc)
        append(session, "key.revoked", key_id, actor, {})
    return True


def authenticate(database: Database, secret: str) -> Principal | None:
    """The principal of a live key, or None (unknown or revoked)."""
    with database.reading() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.digest == digest(secret))).first()
        if row is None or row.revoked_at is not None:
            return None
        return _principal(row)


class KeyLookup:
    """Each request's key looked up in the database, one indexed read on the digest, so a revocation by
    any process (another worker, `zonecheck keys revoke`, another host) is refused from the very next
    request. No cache to go stale. The read goes on a connection of its own, from the worker's event
    loop: SQLite read directly (a WAL reader never waits for the writer: tens of microseconds), PostgreSQL
    through an async psycopg connection with a prepared statement (the loop serves others meanwhile).
    A database that cannot be read raises DatabaseUnavailable (503), never a 401."""

    QUERY = "SELECT id, role, zones, revoked_at IS NULL FROM api_keys WHERE digest = {}"

    def __init__(self, database: Database) -> None:
        self.database = database
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: Any = None
        self._opening = asyncio.Lock()

    async def authenticate(self, secret: str) -> Principal | None:
        key = digest(secret)
        try:
            row = self._read_sqlite(key) if self.database.sqlite else await self._read_postgres(key)
        except Exception as error:  # noqa: BLE001 - any driver error: reopen next time, answer 503
            self.close()
            raise DatabaseUnavailable(f"api key lookup: {error}") from error
        if row is None or not row[3]:
            return None
        zones = None if row[2] == ALL_ZONES else frozenset(z for z in row[2].split(",") if z)
        return Principal(row[0], row[1], zones)

    def _read_sqlite(self, key: str) -> Any:
        if self._sqlite is None:
            path = make_url(self.database.url).database
            connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA busy_timeout=30000")
            self._sqlite = connection
        return self._sqlite.execute(self.QUERY.format("?"), (key,)).fetchone()

    async def _read_postgres(self, key: str) -> Any:
        if self._postgres is None or self._postgres.closed:
            async with self._opening:
                if self._postgres is None or self._postgres.closed:
                    import psycopg

                    conninfo = make_url(self.database.url).set(drivername="postgresql").render_as_string(
                        hide_password=False)
                    self._postgres = await psycopg.AsyncConnection.connect(conninfo, autocommit=True,
                                                                           prepare_threshold=0, connect_timeout=10,
                                                                           options="-c statement_timeout=10000")
        cursor = await self._postgres.execute(self.QUERY.format("%s"), (key,))
        return await cursor.fetchone()

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._postgres is not None:
            connection, self._postgres = self._postgres, None
            try:
                connection.pgconn.finish()  # no await needed: drop the socket
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
