"""The shared writer of `serve --workers N` (service/store/shared.py): the workers' screenings committed
by one writer, the chain intact; a writer that cannot be reached or goes away with screenings in flight
leaves them to the worker's own writer, stored once; a frame that is not a screening's values is refused."""

from __future__ import annotations

import pickle
import socket
import tempfile
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from api_support import ROOT, new_database
from zonecheck.service.app.screening import Registry, screen
from zonecheck.service.store import audit, records, shared
from zonecheck.service.store.db import SHARED_WRITER_VARIABLE, Database, DatabaseUnavailable
from zonecheck.service.store.migrate import upgrade
from zonecheck.service.store.packs import snapshot


@pytest.fixture(scope="module")
def screenings() -> list[records.NewScreening]:
    screener = Registry().get()
    data = yaml.safe_load((ROOT / "examples" / "conditional-ev-drive.yaml").read_text(encoding="utf-8"))
    found = []
    for number in range(21):
        data = {**data, "reference": f"S-{number:03d}"}
        verdict = screen(screener, data).verdict
        assert verdict is not None
        found.append(records.NewScreening("key_test", orjson.dumps(data), verdict.structured_json(), verdict.structured,
                                          None, str(data["project"]["industry_code"])))
    return found


@pytest.fixture
def socket_path() -> Any:
    with tempfile.TemporaryDirectory(prefix="zc-") as folder:  # short: a Unix socket's path has 108 bytes
        yield str(Path(folder) / "writer")


def _prepared(kind: str, folder: Path, first: records.NewScreening) -> str:
    url = new_database(kind, folder)
    upgrade(url)
    database = Database(url, shared=False)
    records.create(database, first, snapshot(Registry().get().pack))  # the pack rows
    database.dispose()
    return url


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_two_workers_screenings_committed_by_one_writer(kind: str, tmp_path: Path, socket_path: str,
                                                        screenings: list[records.NewScreening],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    url = _prepared(kind, tmp_path, screenings[0])
    stop = shared.serve_writes(socket_path, url, records.received)
    monkeypatch.setenv(SHARED_WRITER_VARIABLE, socket_path)
    workers = [Database(url), Database(url)]
    stored: list[Any] = []
    try:
        assert all(isinstance(worker._shared, shared.SharedWriter) for worker in workers)
        rest = screenings[1:]

        def client(database: Database, share: list[records.NewScreening]) -> None:
            for new in share:
                stored.append(records.create(database, new, [])[0])

        threads = [threading.Thread(target=client, args=(db, rest[i::4])) for i, db in enumerate(workers * 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(worker._writer is None for worker in workers)  # the workers' own writers never started
        assert len({row.id for row in stored}) == len(rest)
        for row in stored:
            kept = records.get(workers[0], row.id)
            assert kept is not None and kept.verdict == row.verdict and kept.decision == row.decision
        report = audit.verify(workers[0])
        assert report.ok and report.count == 3 + len(rest), report.problems
    finally:
        stop()
        for worker in workers:
            worker.dispose()


def test_no_shared_writer_the_worker_writes_itself(tmp_path: Path, socket_path: str,
                                                   screenings: list[records.NewScreening],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    url = _prepared("sqlite", tmp_path, screenings[0])
    monkeypatch.setenv(SHARED_WRITER_VARIABLE, socket_path)  # nothing listens there
    database = Database(url)
    try:
        row, created = records.create(database, screenings[1], [])
        assert created and records.get(database, row.id) is not None
        assert audit.verify(database).ok
    finally:
        database.dispose()


def test_a_writer_gone_before_answering_leaves_its_screenings_to_the_worker(
        tmp_path: Path, socket_path: str, screenings: list[records.NewScreening],
        monkeypatch: pytest.MonkeyPatch) -> None:
    url = _prepared("sqlite", tmp_path, screenings[0])
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(socket_path)
    listening.listen()

    def vanish() -> None:  # reads a screening's frame, answers nothing, goes away
        connection, _ = listening.accept()
        connection.recv(64)
        connection.close()

    thread = threading.Thread(target=vanish)
    thread.start()
    monkeypatch.setenv(SHARED_WRITER_VARIABLE, socket_path)
    database = Database(url)
    try:
        row, created = records.create(database, screenings[1], [])
        thread.join()
        assert created and records.get(database, row.id) is not None
        report = audit.verify(database)
        assert report.ok and report.count == 3 + 1, report.problems
    finally:
        listening.close()
        database.dispose()


def test_a_screening_written_twice_is_stored_once(tmp_path: Path, socket_path: str,
                                                  screenings: list[records.NewScreening]) -> None:
    """A worker whose shared writer went away after committing writes it again: refused by its id."""
    url = _prepared("sqlite", tmp_path, screenings[0])
    stop = shared.serve_writes(socket_path, url, records.received)
    database = Database(url, shared=False)
    try:
        work = records._creating(screenings[1], [], None)
        row, _ = database.write(work)  # committed; its answer, say, lost
        writer = shared.SharedWriter(socket_path)
        with pytest.raises(DatabaseUnavailable):
            writer.submit(work, database.submit).result(30)
        assert records.get(database, row.id) is not None
        report = audit.verify(database)
        assert report.ok and report.count == 3 + 1, report.problems
    finally:
        stop()
        database.dispose()


def test_a_frame_that_is_not_a_screenings_values_is_refused(tmp_path: Path, socket_path: str,
                                                           screenings: list[records.NewScreening]) -> None:
    url = _prepared("sqlite", tmp_path, screenings[0])
    stop = shared.serve_writes(socket_path, url, records.received)

    class Sneaky:
        def ship(self) -> Any:
            return {"values": pickle.loads}  # a callable: never unpickled by the writer

        def landed(self) -> Any:
            raise AssertionError("never stored")

    try:
        for work in (Sneaky(), type("Odd", (Sneaky,), {"ship": lambda self: {"id": "scr_x"}})()):
            with pytest.raises(DatabaseUnavailable):
                shared.SharedWriter(socket_path).submit(work, lambda _: pytest.fail("no fallback")).result(30)
    finally:
        stop()
