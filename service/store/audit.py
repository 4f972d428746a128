"""The append-only audit log: each entry's hash covers the previous entry's hash and its own content,
which holds the SHA-256 of the bytes it vouches for (a screening's proposal and structured verdict, a decision).

`append` must run inside `Database.writing()` (the writers' lock), so the head read here is the head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from zonecheck.service.store.db import Database, Raw
from zonecheck.service.store.models import AuditEntry, OfficerDecision, Screening

GENESIS = "0" * 64


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(content: dict[str, Any]) -> str:
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS).decode()


def link(prev_hash: str, content: str) -> str:
    return sha256(prev_hash.encode() + b"\n" + content.encode())


def head(session: Session) -> AuditEntry | None:
    return session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()


_LOG = AuditEntry.__table__
_HEAD = select(_LOG.c.seq, _LOG.c.hash).order_by(_LOG.c.seq.desc()).limit(1)
_INSERT = insert(_LOG)


def append(session: Session, kind: str, subject: str, actor: str, facts: dict[str, Any]) -> AuditEntry:
    return AuditEntry(**append_many(session, [(kind, subject, actor, facts)])[0])


def append_many(session: Session, entries: list[tuple[str, str, str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Append entries (kind, subject, actor, facts) in order: one read of the head, one multi-row insert.
    Core statements, not the ORM's unit of work."""
    connection = session.connection()
    rows = chain(connection.execute(_HEAD).first(), entries)
    connection.execute(_INSERT, rows)
    return rows


def append_raw(raw: Raw, entries: list[tuple[str, str, str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """`append_many` on the writer's DBAPI cursor (its bulk work: a run of stored screenings)."""
    rows = chain(raw.locked_first(HEAD_SQL), entries)
    raw.insert(_LOG, rows)
    return rows


HEAD_SQL = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"


def chain(last: Any, entries: list[tuple[str, str, str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The rows of `entries` linked after `last` (the head's seq and hash; None for an empty log)."""
    seq = last[0] if last else 0
    prev = last[1] if last else GENESIS
    rows = []
    for kind, subject, actor, facts in entries:
        seq += 1
        content = canonical({"seq": seq, "kind": kind, "subject": subject, "actor": actor,
                             "at": dt.datetime.now(dt.timezone.utc).isoformat(), **facts})
        prev_hash, prev = prev, link(prev, content)
        rows.append({"seq": seq, "kind": kind, "subject": subject, "content": content, "prev_hash": prev_hash,
                     "hash": prev})
    return rows


def screening_facts(row: Screening) -> dict[str, Any]:
    return {"reference": row.reference, "zone": row.zone, "decision": row.decision, "pack_hash": row.pack_hash,
            "proposal_sha256": sha256(row.proposal), "verdict_sha256": sha256(row.verdict)}


def utc_text(moment: dt.datetime) -> str:
    """A stored time as UTC text, the same whether the database kept its zone (PostgreSQL) or not (SQLite)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


def decision_facts(row: OfficerDecision) -> dict[str, Any]:
    body = {"screening_id": row.screening_id, "outcome": row.outcome, "decision": row.decision,
            "reason": row.reason, "officer": row.officer, "created_at": utc_text(row.created_at)}
    return {"screening_id": row.screening_id, "decision_sha256": sha256(canonical(body).encode())}


@dataclass
class Report:
    count: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def head_of(database: Database) -> tuple[int, str]:
    with database.reading() as session:
        last = head(session)
        return (last.seq, last.hash) if last else (0, GENESIS)


def verify(database: Database) -> Report:
    """Walk the chain from the start; name the first bad entry, and any record the chain does not cover."""
    report = Report()
    with database.reading() as session:
        screenings = {r.id: r for r in session.scalars(select(Screening))}
        decisions = {r.id: r for r in session.scalars(select(OfficerDecision))}
        covered: set[str] = set()
        prev = GENESIS
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000):
            where = f"audit entry {entry.seq} ({entry.kind} {entry.subject})"
            problem = _check(entry, prev, report.count + 1, screenings, decisions)
            if problem:
                report.problems.append(f"{where}: {problem}")
                return report
            covered.add(entry.subject)
            prev = entry.hash
            report.count += 1
        report.head = prev
        total = session.scalar(select(func.count()).select_from(AuditEntry))
        if total != report.count:
            report.problems.append(f"audit log holds {total} entries, the chain {report.count}")
        for kind, rows in (("screening", screenings), ("officer decision", decisions)):
            for missing in sorted(set(rows) - covered):
                report.problems.append(f"{kind} {missing}: not in the audit chain")
                break
    return report


def _check(entry: AuditEntry, prev: str, expected_seq: int, screenings: dict[str, Screening],
           decisions: dict[str, OfficerDecision]) -> str | None:
    if entry.seq != expected_seq:
        return f"sequence gap: expected {expected_seq}"
    if entry.prev_hash != prev:
        return "does not link to the previous entry's hash"
    if link(prev, entry.content) != entry.hash:
        return "its hash does not match its content"
    try:
        content = orjson.loads(entry.content)
    except orjson.JSONDecodeError:
        return "its content is not JSON"
    if content.get("seq") != entry.seq or content.get("kind") != entry.kind or content.get("subject") != entry.subject:
        return "its columns differ from its hashed content"
    if entry.kind == "screening.created":
        row = screenings.get(entry.subject)
        if row is None:
            return "the screening it records is missing"
        facts = screening_facts(row)
        for name in ("proposal_sha256", "verdict_sha256", "decision", "zone", "reference", "pack_hash"):
            if facts[name] != content.get(name):
                what = name.removesuffix("_sha256")
                return f"screening {row.id}: stored {what} differs from what the chain recorded"
    elif entry.kind == "decision.recorded":
        decision = decisions.get(entry.subject)
        if decision is None:
            return "the officer decision it records is missing"
        if decision_facts(decision) != {k: content.get(k) for k in ("screening_id", "decision_sha256")}:
            return f"officer decision {decision.id}: stored decision differs from what the chain recorded"
    return None
