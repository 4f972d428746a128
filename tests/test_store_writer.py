"""The writer thread: a batch of screenings is written in bulk (one multi-row insert per table, the audit
entries chained from one read of the head); a piece that fails fails alone, the others are stored; two
processes' writers (two Database objects here) never fork the chain. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from api_support import ROOT, new_database
from zonecheck.service.app.screening import Registry, screen
from zonecheck.service.store import audit, records
from zonecheck.service.store.db import Database
from zonecheck.service.store.migrate import upgrade
from zonecheck.service.store.packs import snapshot

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def screenings() -> list[records.NewScreening]:
    screener = Registry().get()
    found = []
    for number in range(24):
        data = yaml.safe_load(EXAMPLES[number % len(EXAMPLES)].read_text(encoding="utf-8"))
        data["reference"] = f"W-{number:03d}"
        verdict = screen(screener, data).verdict
        assert verdict is not None
        found.append(records.NewScreening("key_test", orjson.dumps(data), verdict.structured_json(), verdict.structured,
                                          None, str(data["project"]["industry_code"])))
    return found


def _database(kind: str, folder: Path, first: records.NewScreening) -> Database:
    url = new_database(kind, folder)
    upgrade(url)
    database = Database(url)
    records.create(database, first, snapshot(Registry().get().pack))  # the pack rows, the generic way
    return database


def _batch(database: Database, works: list[Any]) -> list[Future[Any]]:
    """`works` committed as one batch of the writer (what it gathers from its queue)."""
    futures: list[Future[Any]] = [Future() for _ in works]
    for future in futures:
        future.set_running_or_notify_cancel()
    database._commit(list(zip(works, futures)))
    return futures


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_bulk_batch_stores_what_the_generic_path_stores(kind: str, tmp_path: Path,
                                                          screenings: list[records.NewScreening]) -> None:
    database = _database(kind, tmp_path, screenings[0])
    try:
        works = [records._creating(new, [], None) for new in screenings[1:9]]
        assert all(getattr(work, "bulk", None) for work in works)
        rows = [future.result()[0] for future in _batch(database, works)]
        generic = records.create(database, screenings[9], [], ("idem", "digest"))[0]  # an Idempotency-Key: alone
        for shown in [*rows, generic]:
            stored = records.get(database, shown.id)
            assert stored is not None and stored.verdict == shown.verdict and stored.proposal == shown.proposal
            assert audit.utc_text(stored.created_at) == audit.utc_text(shown.created_at)
            assert stored.screening_date == shown.screening_date and stored.reference == shown.reference
        assert type(records.get(database, rows[0].id).created_at) is type(records.get(database, generic.id).created_at)
        report = audit.verify(database)
        assert report.ok and report.count == 1 + 2 + 9, report.problems  # pack and zone entries, 10 screenings
    finally:
        database.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_failing_piece_fails_alone(kind: str, tmp_path: Path, screenings: list[records.NewScreening]) -> None:
    database = _database(kind, tmp_path, screenings[0])
    try:
        clash = records._creating(screenings[1], [], None)
        original = clash.values
        clash.values = lambda: {**original(), "id": "scr_same"}  # type: ignore[method-assign]
        again = records._creating(screenings[2], [], None)
        again.values = lambda: {**original(), "id": "scr_same"}  # type: ignore[method-assign]

        def broken(session: Any) -> None:
            raise ValueError("this piece is broken")

        works = [records._creating(screenings[3], [], None), clash, broken, records._creating(screenings[4], [], None),
                 again]
        futures = _batch(database, works)
        assert futures[0].result()[1] and futures[1].result()[1] and futures[3].result()[1]
        with pytest.raises(ValueError):
            futures[2].result()
        with pytest.raises(Exception):  # the same id twice: the second one is refused, the first kept
            futures[4].result()
        for future in (futures[0], futures[1], futures[3]):
            assert records.get(database, future.result()[0].id) is not None
        report = audit.verify(database)
        assert report.ok and report.count == 3 + 3, report.problems
    finally:
        database.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_two_processes_writers_never_fork_the_chain(kind: str, tmp_path: Path,
                                                    screenings: list[records.NewScreening]) -> None:
    first = _database(kind, tmp_path, screenings[0])
    second = Database(first.url)  # another worker's engine, lock and writer thread
    stored: list[str] = []
    lock = threading.Lock()

    def client(database: Database, share: list[records.NewScreening]) -> None:
        for new in share:
            row, created = records.create(database, new, [])
            with lock:
                stored.append(row.id)

    try:
        rest = screenings[1:]
        threads = [threading.Thread(target=client, args=(db, rest[i::4])) for i, db in enumerate([first, second] * 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(stored)) == len(rest)
        report = audit.verify(first)
        assert report.ok and report.count == 3 + len(rest), report.problems
    finally:
        first.dispose()
        second.dispose()


def test_the_writers_kept_connection_broken_between_batches(tmp_path: Path,
                                                            screenings: list[records.NewScreening]) -> None:
    """The writer keeps its connection from one batch to the next: if the server drops it meanwhile, the
    next batch is still stored (each piece again on a fresh connection), and the one after it too."""
    database = _database("postgresql", tmp_path, screenings[0])
    try:
        works = [records._creating(new, [], None) for new in screenings[1:3]]
        assert all(future.result()[1] for future in _batch(database, works))
        assert database._held is not None
        import psycopg

        backend = database._held.dbapi_connection.info.backend_pid
        with psycopg.connect(database.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        for share in (screenings[3:6], screenings[6:8]):
            futures = _batch(database, [records._creating(new, [], None) for new in share])
            assert all(future.result()[1] for future in futures)
        report = audit.verify(database)
        assert report.ok and report.count == 3 + 7, report.problems
    finally:
        database.dispose()
