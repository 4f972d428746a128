"""The database: `ZONECHECK_DATABASE_URL`, else a SQLite file (WAL) in the working folder.

Writers are serialised so the audit chain never forks: on SQLite every write transaction starts with
`BEGIN IMMEDIATE` (the database's one writer lock, taken before anything is read); on PostgreSQL it takes
a transaction-scoped advisory lock first. Reads never wait for either.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

URL_VARIABLE = "ZONECHECK_DATABASE_URL"
DEFAULT_FILE = "zonecheck.db"
WRITE_LOCK = 0x7A6F6E65  # the advisory lock the writers of the audit chain share on PostgreSQL


def database_url() -> str:
    return os.environ.get(URL_VARIABLE) or f"sqlite:///{Path.cwd() / DEFAULT_FILE}"


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's BEGIN below, not the driver's own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # a commit answered 201 survives a power cut
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("zonecheck_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """One engine per process, with a read session and a serialised write transaction."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        self.sqlite = self.url.startswith("sqlite")
        if self.sqlite:
            self.engine = create_engine(self.url, connect_args={"timeout": 30, "check_same_thread": False},
                                        pool_size=8, max_overflow=8)
            _sqlite_events(self.engine)
        else:
            self.engine = create_engine(self.url, pool_size=8, max_overflow=8, pool_pre_ping=True)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(zonecheck_write=True), expire_on_commit=False)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A transaction holding the writers' lock: committed whole on exit, rolled back on error."""
        with self._write() as session, session.begin():
            if not self.sqlite:
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
            yield session

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
