"""Screenings, officer decisions and idempotency keys: written whole in one transaction with their audit
entry, or not at all."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from zonecheck.service.store.audit import append, append_raw, decision_facts, screening_facts
from zonecheck.service.store.db import Database, Raw
from zonecheck.service.store.models import IdempotencyKey, OfficerDecision, Screening
from zonecheck.service.store.packs import Snapshot, store


class IdempotencyConflict(Exception):
    """The same Idempotency-Key was used with a different body."""


@dataclass(frozen=True)
class NewScreening:
    client_key_id: str
    proposal: bytes  # the body as received
    verdict: bytes  # the structured verdict's bytes (schema 2.0), as the audit chain vouches for them
    structured: dict[str, Any]  # the same, parsed: for the columns
    project_code: str | None = None
    industry_code: str = ""


_INSERT_SCREENING = insert(Screening.__table__)
_INSERT_KEY = insert(IdempotencyKey.__table__)


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(10)


def replay(database: Database, client_key_id: str, key: str, body_digest: str) -> Screening | None:
    """The screening an Idempotency-Key already made (None if unused); IdempotencyConflict if its body differed."""
    with database.reading() as session:
        return _replay(session, client_key_id, key, body_digest)


def _replay(session: Session, client_key_id: str, key: str, body_digest: str) -> Screening | None:
    used = session.get(IdempotencyKey, (client_key_id, key))
    if used is None:
        return None
    if used.body_digest != body_digest:
        raise IdempotencyConflict(key)
    return session.scalars(select(Screening).where(Screening.id == used.screening_id)).one()


def create(database: Database, new: NewScreening, snapshots: list[Snapshot],
           idempotency: tuple[str, str] | None = None) -> tuple[Screening, bool]:
    """Store a screening (and the pack versions it used, if new). Returns (row, created); with an
    Idempotency-Key (key, body digest) already used by this client, the earlier row and False."""
    return database.write(_creating(new, snapshots, idempotency))


async def create_async(database: Database, new: NewScreening, snapshots: list[Snapshot],
                       idempotency: tuple[str, str] | None = None) -> tuple[Screening, bool]:
    """`create`, awaited (the caller's event loop is free until the writer has committed it)."""
    return await database.write_async(_creating(new, snapshots, idempotency))


def _creating(new: NewScreening, snapshots: list[Snapshot],
              idempotency: tuple[str, str] | None) -> Callable[[Session], tuple[Screening, bool]]:
    wanted = {new.structured["pack"]["hash"], new.structured["zone"]["hash"]}
    return _Create(new, [snap for snap in snapshots if snap.hash in wanted], idempotency)


class _Create:
    """One screening to store, by the writer thread: `self(session)` alone, or (the common case: no
    Idempotency-Key to check, no pack version to keep first) `bulk` for a run of them at once, with one
    multi-row insert per table and the run's audit entries chained from one read of the head."""

    def __init__(self, new: NewScreening, snapshots: list[Snapshot], idempotency: tuple[str, str] | None) -> None:
        self.new, self.snapshots, self.idempotency = new, snapshots, idempotency
        if idempotency is None and not snapshots:
            self.bulk = _create_many

    def values(self) -> dict[str, Any]:
        doc, new = self.new.structured, self.new
        return dict(
            id=new_id("scr_"), created_at=dt.datetime.now(dt.timezone.utc), client_key_id=new.client_key_id,
            reference=doc["reference"], name=doc["name"], zone=doc["zone"]["id"], decision=doc["decision"],
            industry_code=new.industry_code, project_code=new.project_code,
            screening_date=dt.date.fromisoformat(doc["screening_date"]), pack_id=doc["pack"]["id"],
            pack_version=doc["pack"]["version"], pack_hash=doc["pack"]["hash"], proposal=new.proposal,
            proposal_digest=doc["proposal_digest"], verdict=new.verdict)

    def __call__(self, session: Session) -> tuple[Any, bool]:
        new, idempotency = self.new, self.idempotency
        if idempotency is not None:
            earlier = _replay(session, new.client_key_id, idempotency[0], idempotency[1])
            if earlier is not None:
                return earlier, False
        for snap in self.snapshots:
            store(session, snap, new.client_key_id)
        values = self.values()
        session.flush()  # the pack rows above first (foreign key)
        # Core inserts, not the ORM's unit of work: the writer thread does this for every screening
        connection = session.connection()
        connection.execute(_INSERT_SCREENING, values)
        row = _row(values)
        if idempotency is not None:
            connection.execute(_INSERT_KEY, {"client_key_id": new.client_key_id, "key": idempotency[0],
                                          "body_digest": idempotency[1], "screening_id": row.id,
                                          "created_at": dt.datetime.now(dt.timezone.utc)})
        append(session, "screening.created", row.id, new.client_key_id, screening_facts(row))
        return row, True


def _create_many(raw: Raw, works: list[_Create]) -> list[tuple[Any, bool]]:
    rows = [_row(work.values()) for work in works]
    raw.insert(Screening.__table__, [vars(row) for row in rows])
    append_raw(raw, [("screening.created", row.id, row.client_key_id, screening_facts(row)) for row in rows])
    return [(row, True) for row in rows]


def _row(values: dict[str, Any]) -> Any:
    """What a response shows of a stored screening: its columns as attributes, like the ORM row, without
    the ORM's instrumentation (never added to a session)."""
    return SimpleNamespace(**values)


def get(database: Database, screening_id: str) -> Screening | None:
    with database.reading() as session:
        return session.scalars(select(Screening).where(Screening.id == screening_id)).first()


@dataclass
class Filters:
    zones: frozenset[str] | None = None  # the caller's scope (None: every zone)
    zone: str | None = None
    decision: str | None = None
    reference: str | None = None
    industry_code: str | None = None
    project_code: str | None = None
    screened_from: dt.date | None = None
    screened_to: dt.date | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    """The seq a cursor names; None for anything encode_cursor could not have given."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        seq = int(text[1:]) if text.startswith("s") and text[1:].isdigit() else None
    except (ValueError, UnicodeDecodeError):
        return None
    return seq if seq is not None and 0 < seq < 2**63 else None


def could_be_id(text: str) -> bool:
    """Whether `text` could name a stored row (not too long, no NUL): else it is not looked up."""
    return len(text) <= 40 and "\x00" not in text


def _filtered(query: Select[Any], f: Filters) -> Select[Any]:
    if f.zones is not None:
        query = query.where(Screening.zone.in_(sorted(f.zones)))
    for column, value in ((Screening.zone, f.zone), (Screening.decision, f.decision),
                          (Screening.reference, f.reference), (Screening.industry_code, f.industry_code),
                          (Screening.project_code, f.project_code)):
        if value is not None:
            query = query.where(column == value)
    if f.screened_from:
        query = query.where(Screening.screening_date >= f.screened_from)
    if f.screened_to:
        query = query.where(Screening.screening_date <= f.screened_to)
    if f.created_from:
        query = query.where(Screening.created_at >= f.created_from)
    if f.created_to:
        query = query.where(Screening.created_at <= f.created_to)
    return query


def page(database: Database, filters: Filters, limit: int, before: int | None) -> tuple[list[Screening], int | None]:
    """Newest first; returns the rows and the seq to continue before (None: the last page)."""
    query = _filtered(select(Screening), filters)
    if before is not None:
        query = query.where(Screening.seq < before)
    query = query.order_by(Screening.seq.desc()).limit(limit + 1)
    with database.reading() as session:
        rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].seq if more and rows else None)


def decisions(database: Database, screening_id: str) -> list[OfficerDecision]:
    with database.reading() as session:
        query = select(OfficerDecision).where(OfficerDecision.screening_id == screening_id)
        return list(session.scalars(query.order_by(OfficerDecision.seq)))


def add_decision(database: Database, screening_id: str, *, outcome: str, decision: str, reason: str,
                 officer: str, client_key_id: str) -> OfficerDecision:
    def work(session: Session) -> OfficerDecision:
        row = OfficerDecision(id=new_id("dec_"), screening_id=screening_id, outcome=outcome, decision=decision,
                              reason=reason, officer=officer, client_key_id=client_key_id,
                              created_at=dt.datetime.now(dt.timezone.utc))
        session.add(row)
        session.flush()
        append(session, "decision.recorded", row.id, client_key_id, decision_facts(row))
        return row

    return database.write(work)
