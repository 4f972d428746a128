"""The database: `ZONECHECK_DATABASE_URL`, else a SQLite file (WAL) in the working folder.

Writers are serialised so the audit chain never forks: on SQLite every write transaction starts with
`BEGIN IMMEDIATE` (the database's one writer lock, taken before anything is read); on PostgreSQL it takes
a transaction-scoped advisory lock first. Reads never wait for either.
"""

from __future__ import annotations

import fcntl
import os
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

URL_VARIABLE = "ZONECHECK_DATABASE_URL"
DEFAULT_FILE = "zonecheck.db"
WRITE_LOCK = 0x7A6F6E65  # the advisory lock the writers of the audit chain share on PostgreSQL
MAX_BATCH = 64
T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database could not be read or written (outside SQLAlchemy's own errors): a 503."""


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
    """One engine per process, with a read session and a serialised write transaction.

    `write(work)` hands the work to this process's writer thread, which commits every piece of work
    queued meanwhile in one transaction (each in its own savepoint): one disk flush for a batch, where a
    transaction per request would wait for one flush each, one after another, behind the writers' lock.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        self.sqlite = self.url.startswith("sqlite")
        self._queue: queue.SimpleQueue[tuple[Callable[[Session], Any], Future[Any]]] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._start = threading.Lock()
        self._local_lock = threading.Lock()
        self._lock_file: int | None = None
        if self.sqlite and self.url.count("/") >= 3 and ":memory:" not in self.url:
            # a lock file beside the database: a waiting writer wakes as soon as the other lets go
            # (SQLite's own busy handler sleeps in steps of up to 100 ms)
            self._lock_path: str | None = self.url.split(":///", 1)[1] + ".lock"
        else:
            self._lock_path = None
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
    def _file_lock(self) -> Iterator[None]:
        if self._lock_path is None:
            yield
            return
        with self._local_lock:
            if self._lock_file is None:
                self._lock_file = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A transaction holding the writers' lock: committed whole on exit, rolled back on error."""
        with self._file_lock(), self._write() as session, session.begin():
            if not self.sqlite:
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
            yield session

    def write(self, work: Callable[[Session], T], timeout: float = 60) -> T:
        """Run `work(session)` in a write transaction shared with the work queued beside it; its result
        once committed, or its exception (then nothing of it was written; the others are unaffected)."""
        if self._writer is None:
            with self._start:
                if self._writer is None:
                    self._writer = threading.Thread(target=self._write_loop, name="zonecheck-writer", daemon=True)
                    self._writer.start()
        future: Future[T] = Future()
        self._queue.put((work, future))
        return future.result(timeout)

    def _write_loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            done: list[tuple[Future[Any], Any, BaseException | None]] = []
            try:
                with self.writing() as session:
                    for work, future in batch:
                        try:
                            with session.begin_nested():
                                done.append((future, work(session), None))
                        except Exception as error:  # this piece only: its savepoint is rolled back
                            done.append((future, None, error))
            except BaseException as error:  # the commit failed: none of the batch was written
                for _, future in batch:
                    future.set_exception(error)
                continue
            for future, result, error in done:
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(result)

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
