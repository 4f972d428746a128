"""The database: `ZONECHECK_DATABASE_URL`, else a SQLite file (WAL) in the working folder.

Writers are serialised so the audit chain never forks: on SQLite every write transaction starts with
`BEGIN IMMEDIATE` (the database's one writer lock, taken before anything is read); on PostgreSQL it takes
a transaction-scoped advisory lock before it reads the chain's head (the writer's bulk work inserts its
screenings first, in the same round trip: see `Raw`). Reads never wait for either.
"""

from __future__ import annotations

import asyncio
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


def _groups(works: list[Callable[[Session], Any]]) -> list[list[Callable[[Session], Any]]]:
    """Consecutive pieces with the same `bulk` function together; every other piece alone."""
    found: list[list[Callable[[Session], Any]]] = []
    for work in works:
        bulk = getattr(work, "bulk", None)
        if bulk is not None and found and getattr(found[-1][0], "bulk", None) is bulk:
            found[-1].append(work)
        else:
            found.append([work])
    return found


class Raw:
    """A write transaction's DBAPI cursor, for the writer's bulk work: multi-row inserts with each
    column's SQLAlchemy bind processing, without SQLAlchemy's cost per statement (which was more than
    the inserts' own: about 0.5 ms of CPU per transaction, on a path every stored screening takes).

    `lock`, when given, takes the writers' lock: `locked_first` calls it just before its read, so the
    work before that read is done without holding the lock (on PostgreSQL, in pipeline mode, that work,
    the lock and the read go to the server in one round trip)."""

    _statements: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[tuple[str, Any]]]] = {}

    def __init__(self, cursor: Any, dialect: Any, lock: Callable[[Any], None] | None = None) -> None:
        self.cursor, self.dialect, self._lock = cursor, dialect, lock

    def insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        columns = tuple(rows[0])
        key = (self.dialect.name, table.name, columns)
        found = self._statements.get(key)
        if found is None:
            marks = [(f":{c}" if self.dialect.name == "sqlite" else f"%({c})s") for c in columns]
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(marks)})"
            processors = [(c, table.c[c].type.dialect_impl(self.dialect).bind_processor(self.dialect)) for c in columns]
            found = self._statements[key] = (sql, processors)
        sql, processors = found
        self.cursor.executemany(sql, [{c: (p(row[c]) if p else row[c]) for c, p in processors} for row in rows])

    def hold_lock(self) -> None:
        """Take the writers' lock now, if this transaction does not hold it yet."""
        if self._lock is not None:
            self._lock(self.cursor)
            self._lock = None

    def locked_first(self, sql: str) -> Any:
        """The first row of `sql`, read holding the writers' lock (the chain's head). On PostgreSQL a
        statement of its own after the one taking the lock: under READ COMMITTED each statement reads
        from a snapshot taken when it starts, so only a statement that starts once the lock is granted
        sees the other writers' last commit."""
        self.hold_lock()
        cursor = self.cursor.connection.cursor()
        cursor.execute(sql)
        return cursor.fetchone()


class DatabaseUnavailable(Exception):
    """The database could not be read or written (outside SQLAlchemy's own errors): a 503."""


def _advisory_lock(cursor: Any) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))


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
    queued meanwhile in one transaction (see `_commit`): one disk flush for a batch, where a
    transaction per request would wait for one flush each, one after another, behind the writers' lock.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        self.sqlite = self.url.startswith("sqlite")
        self._queue: queue.SimpleQueue[tuple[Callable[[Session], Any], Future[Any]]] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._start = threading.Lock()
        self._local_lock = threading.Lock()
        self._holding = threading.Lock()  # the writer's kept connection, one batch at a time
        self._held: Any = None
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

    @contextmanager
    def raw_writing(self) -> Iterator[Raw]:
        """`writing()`, on the DBAPI connection itself: for a batch of bulk work only. On PostgreSQL in
        pipeline mode, the writers' lock taken by the work's first `locked_first` (or before the commit).

        The connection is kept from one batch to the next (no checkout from the pool, and on PostgreSQL
        no pre-ping round trip, per batch); after an error it goes back to the pool (or is discarded if
        broken) and the next batch checks out a fresh one."""
        with self._file_lock(), self._holding:
            connection, self._held = self._held or self.engine.raw_connection(), None  # the PRAGMAs applied
            try:
                if self.sqlite:
                    cursor = connection.cursor()
                    cursor.execute("BEGIN IMMEDIATE")
                    yield Raw(cursor, self.engine.dialect)
                    connection.commit()
                else:
                    dbapi = connection.dbapi_connection
                    with dbapi.pipeline():  # statements are sent together, at each read and at the commit
                        raw = Raw(dbapi.cursor(), self.engine.dialect, _advisory_lock)
                        yield raw
                        raw.hold_lock()  # every write transaction holds it, whatever the work read
                        dbapi.commit()
            except BaseException:
                try:
                    connection.rollback()
                except Exception:  # noqa: BLE001 - a broken connection: the pool discards it; the first error stands
                    connection.invalidate()
                connection.close()  # back to the pool
                raise
            self._held = connection

    def write(self, work: Callable[[Session], T], timeout: float = 60) -> T:
        """Run `work(session)` in a write transaction shared with the work queued beside it; its result
        once committed, or its exception (then nothing of it was written; the others are unaffected)."""
        return self.submit(work).result(timeout)

    async def write_async(self, work: Callable[[Session], T], timeout: float = 60) -> T:
        """`write`, awaited: the event loop serves other requests until the batch holding it commits."""
        return await asyncio.wait_for(asyncio.wrap_future(self.submit(work)), timeout)

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        """Queue `work` for the writer thread; the future is set once its batch has committed."""
        if self._writer is None:
            with self._start:
                if self._writer is None:
                    self._writer = threading.Thread(target=self._write_loop, name="zonecheck-writer", daemon=True)
                    self._writer.start()
        future: Future[T] = Future()
        self._queue.put((work, future))
        return future

    def _write_loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            # work whose caller gave up (timed out) before it started is dropped, never half-answered
            batch = [(work, future) for work, future in batch if future.set_running_or_notify_cancel()]
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[tuple[Callable[[Session], Any], Future[Any]]]) -> None:
        """The whole batch in one transaction, with no savepoint per piece: work that offers a `bulk`
        form (a screening: two inserts and an audit entry) is done for all its neighbours at once. If
        anything fails, nothing of the batch was written, and each piece is done again in a
        transaction of its own, so only the piece at fault fails."""
        try:
            groups = _groups([work for work, _ in batch])
            results: list[Any] = []
            bulk = getattr(groups[0][0], "bulk", None)
            if len(groups) == 1 and bulk is not None:  # the common case: screenings only
                with self.raw_writing() as raw:
                    results = bulk(raw, groups[0])
            else:
                with self.writing() as session:
                    for group in groups:
                        bulk = getattr(group[0], "bulk", None)
                        if bulk is None:
                            results.append(group[0](session))
                        else:  # on the session's own connection, in its transaction
                            cursor = session.connection().connection.dbapi_connection.cursor()
                            results += bulk(Raw(cursor, self.engine.dialect), group)
        except Exception:  # noqa: BLE001 - retried one by one below, each with its own outcome
            for work, future in batch:
                try:
                    with self.writing() as session:
                        result = work(session)
                except BaseException as error:  # this piece failed: nothing of it was written
                    future.set_exception(error)
                else:
                    future.set_result(result)
            return
        except BaseException as error:
            for _, future in batch:
                future.set_exception(error)
            raise
        for (_, future), result in zip(batch, results):
            future.set_result(result)

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        with self._holding:
            if self._held is not None:
                self._held.close()
                self._held = None
        self.engine.dispose()
