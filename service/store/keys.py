"""API keys: random (192 bits), shown once, stored as SHA-256 digests; roles and zones."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select

from zonecheck.service.store.audit import append
from zonecheck.service.store.db import Database
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


class KeyCache:
    """Live keys looked up in the last `ttl` seconds, so a request costs no database read for its key.
    A revocation, by any process, is refused within `ttl`; an unknown key is never cached (a new key
    works at once)."""

    def __init__(self, database: Database, ttl: float = 1.0) -> None:
        self.database = database
        self.ttl = ttl
        self._live: dict[str, tuple[Principal, float]] = {}

    def cached(self, secret: str) -> Principal | None:
        found = self._live.get(digest(secret))
        return found[0] if found is not None and found[1] > time.monotonic() else None

    def authenticate(self, secret: str) -> Principal | None:
        found = authenticate(self.database, secret)
        key = digest(secret)
        if found is None:
            self._live.pop(key, None)
        else:
            if len(self._live) >= 10_000:
                self._live.clear()
            self._live[key] = (found, time.monotonic() + self.ttl)
        return found

    def forget(self, key_id: str) -> None:
        """A key this process revoked: refused at once here."""
        for key, (principal, _) in list(self._live.items()):
            if principal.key_id == key_id:
                self._live.pop(key, None)
