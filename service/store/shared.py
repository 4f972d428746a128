"""One writer for every worker of `serve --workers N`: the supervisor runs it (`serve_writes`) and the
workers send it their screenings over a Unix socket (`SharedWriter`), so a batch's commit holds every
worker's screenings of the moment.

Why: each commit waits for the disk flush (about 4 ms here) while holding the writers' lock; with a
writer per worker the two flushes take turns behind that lock and every screening waits for the other
worker's. With one writer, one flush serves both.

A screening travels as its column values (its id fixed in the worker), pickled with only the date and
time classes allowed back. If the shared writer cannot be reached, or goes away with screenings in
flight, the worker writes them itself, the same values: one already committed is refused by its id,
never stored twice, and answered as database trouble.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import pickle
import socket
import struct
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from zonecheck.service.store.db import SHARED_WRITER_VARIABLE, Database, DatabaseUnavailable

__all__ = ["SHARED_WRITER_VARIABLE", "SharedWriter", "serve_writes"]

_HEAD = struct.Struct("!IQ")  # frame length (after this head), request number
_OK, _FAILED = b"+", b"-"
_ALLOWED = {("datetime", "datetime"), ("datetime", "date"), ("datetime", "timezone"), ("datetime", "timedelta")}


class _Values(pickle.Unpickler):
    """Unpickles column values only: builtins and the date and time classes, nothing callable."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"not a column value: {module}.{name}")


def _frame(number: int, payload: bytes) -> bytes:
    return _HEAD.pack(len(payload), number) + payload


def _read_frame(stream: io.BufferedReader) -> tuple[int, bytes] | None:
    head = stream.read(_HEAD.size)
    if len(head) < _HEAD.size:
        return None
    length, number = _HEAD.unpack(head)
    payload = stream.read(length)
    return None if len(payload) < length else (number, payload)


def serve_writes(path: str, url: str, received: Callable[[dict[str, Any]], Any]) -> Callable[[], None]:
    """Listen on `path`; commit what arrives with one `Database` (its group commit batches every
    worker's screenings). `received(values)` makes the writer's work of a screening's values. Returns
    a function that stops listening (call it once the workers have gone)."""
    database = Database(url, shared=False)
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(path)
    listening.listen(64)
    stopping = threading.Event()

    def serve_one(connection: socket.socket) -> None:
        sending = threading.Lock()

        def answer(number: int, future: Future[Any]) -> None:
            error = future.exception()
            payload = _OK if error is None else _FAILED + str(error)[:2000].encode("utf-8", "replace")
            try:
                with sending:
                    connection.sendall(_frame(number, payload))
            except OSError:
                pass  # the worker has gone; what committed stays committed

        with connection, connection.makefile("rb") as stream:
            while (frame := _read_frame(stream)) is not None:
                number, payload = frame
                try:
                    work = received(_Values(io.BytesIO(payload)).load())
                except Exception as error:  # noqa: BLE001 - a bad frame fails alone
                    failed: Future[Any] = Future()
                    failed.set_exception(error)
                    answer(number, failed)
                    continue
                database.submit(work).add_done_callback(lambda future, number=number: answer(number, future))

    def accept() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listening.accept()
            except OSError:
                return
            threading.Thread(target=serve_one, args=(connection,), name="zonecheck-shared-writer", daemon=True).start()

    threading.Thread(target=accept, name="zonecheck-shared-accept", daemon=True).start()

    def stop() -> None:
        stopping.set()
        listening.close()
        try:
            os.unlink(path)
        except OSError:
            pass
        database.dispose()

    return stop


class _Link:
    """A connection to the shared writer and the screenings sent on it, not yet answered."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.pending: dict[int, tuple[Any, Future[Any], Callable[[Any], Future[Any]]]] = {}


class SharedWriter:
    """A worker's end: `submit(work, fallback)` sends `work.ship()` (its column values) to the shared
    writer; the future is set once that writer has committed it (to `work.landed()`). `fallback(work)`
    (the worker's own writer) takes the work when the shared writer cannot be reached or goes away
    before answering."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._link: _Link | None = None
        self._numbers = itertools.count(1)

    def submit(self, work: Any, fallback: Callable[[Any], Future[Any]]) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()  # never cancelled once sent: answered only after its commit
        payload = pickle.dumps(work.ship(), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            link = self._connect()
            if link is not None:
                number = next(self._numbers)
                link.pending[number] = (work, future, fallback)
                try:
                    link.connection.sendall(_frame(number, payload))
                except OSError:
                    self._lost(link)  # this one too goes to the fallback
                return future
        _chain(fallback(work), future)
        return future

    def _connect(self) -> _Link | None:
        if self._link is None:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                connection.connect(self.path)
            except OSError:
                connection.close()
                return None
            self._link = _Link(connection)
            threading.Thread(target=self._read, args=(self._link,), name="zonecheck-shared-reply", daemon=True).start()
        return self._link

    def _read(self, link: _Link) -> None:
        try:
            with link.connection.makefile("rb") as stream:
                while (frame := _read_frame(stream)) is not None:
                    number, payload = frame
                    with self._lock:
                        found = link.pending.pop(number, None)
                    if found is None:
                        continue
                    work, future, _ = found
                    if payload[:1] == _OK:
                        future.set_result(work.landed())
                    else:
                        future.set_exception(DatabaseUnavailable(payload[1:].decode("utf-8", "replace")))
        except (OSError, ValueError):
            pass
        with self._lock:
            self._lost(link)

    def _lost(self, link: _Link) -> None:
        """The shared writer has gone (called holding `self._lock`): what it had not answered, to the fallback."""
        if self._link is link:
            self._link = None
        try:
            link.connection.shutdown(socket.SHUT_RDWR)  # wakes the reply thread reading it
            link.connection.close()
        except OSError:
            pass
        pending, link.pending = link.pending, {}
        for work, future, fallback in pending.values():
            _chain(fallback(work), future)


def _chain(source: Future[Any], target: Future[Any]) -> None:
    def copy(done: Future[Any]) -> None:
        error = done.exception()
        if error is None:
            target.set_result(done.result())
        else:
            target.set_exception(error)

    source.add_done_callback(copy)
