"""The tables, as typed SQLAlchemy 2.x ORM models. Proposals are kept as the exact bytes received and
verdicts as the structured verdict's bytes (schema 2.0; every response view is rendered from them and the
pack version they name, kept in `packs`): the audit chain covers their digests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Blob(Base):
    """File contents by their SHA-256 (pack files: stored once, whatever the number of pack versions)."""

    __tablename__ = "blobs"
    digest: Mapped[str] = mapped_column(String(71), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class PackRecord(Base):
    """A rule-pack version that decided at least one stored screening."""

    __tablename__ = "packs"
    hash: Mapped[str] = mapped_column(String(71), primary_key=True)
    pack_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(100))
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PackFile(Base):
    __tablename__ = "pack_files"
    pack_hash: Mapped[str] = mapped_column(ForeignKey("packs.hash"), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), primary_key=True)  # relative to the rules folder
    blob: Mapped[str] = mapped_column(ForeignKey("blobs.digest"))


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the key; the key is never stored
    role: Mapped[str] = mapped_column(String(20))  # screener | auditor | admin
    zones: Mapped[str] = mapped_column(Text)  # "*" for every zone, else zone ids joined by ","
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Screening(Base):
    __tablename__ = "screenings"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    client_key_id: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text)
    zone: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(20))
    industry_code: Mapped[str] = mapped_column(String(10))
    project_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    screening_date: Mapped[dt.date] = mapped_column(Date)
    pack_id: Mapped[str] = mapped_column(String(100))
    pack_version: Mapped[str] = mapped_column(String(100))
    pack_hash: Mapped[str] = mapped_column(ForeignKey("packs.hash"))
    proposal: Mapped[bytes] = mapped_column(LargeBinary)  # the body as received
    proposal_digest: Mapped[str] = mapped_column(String(71))  # the engine's digest of the validated proposal
    verdict: Mapped[bytes] = mapped_column(LargeBinary)  # the structured verdict's bytes (schema 2.0)

    __table_args__ = (
        Index("ix_screenings_zone_seq", "zone", "seq"),
        Index("ix_screenings_reference", "reference"),
        Index("ix_screenings_decision", "decision"),
    )


class OfficerDecision(Base):
    """An officer's final decision on a screening; later ones are appended, none is overwritten."""

    __tablename__ = "officer_decisions"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # accept | override
    decision: Mapped[str] = mapped_column(String(20))  # the final decision
    reason: Mapped[str] = mapped_column(Text)
    officer: Mapped[str] = mapped_column(String(200))
    client_key_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    client_key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    body_digest: Mapped[str] = mapped_column(String(71))
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """One link of the append-only chain: `hash` = SHA-256 of the previous hash and this entry's content.
    `seq` is assigned as head + 1 under the writers' lock, and is the primary key: a fork cannot commit."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(80))
    content: Mapped[str] = mapped_column(Text)  # canonical JSON: what the hash covers
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
