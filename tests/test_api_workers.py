"""`serve --workers 2`: the supervisor deals connections round the workers (each serves its share of the
keep-alive clients), and a worker that dies is started again while the other keeps answering."""

from __future__ import annotations

import collections
import json
import os
import signal
import time
from pathlib import Path

import httpx

from api_support import Server, new_database


def _served(server: Server, prefix: str) -> collections.Counter[int]:
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith('{"ts"')]
    return collections.Counter(line["worker"] for line in lines if line["request_id"].startswith(prefix))


def test_connections_are_dealt_evenly_and_a_dead_worker_is_replaced(tmp_path: Path) -> None:
    server = Server(new_database("sqlite", tmp_path), tmp_path, workers=2).start()
    try:
        key = server.key("auditor")
        clients = [server.client(key) for _ in range(16)]
        try:
            for round_ in range(3):
                for number, client in enumerate(clients):  # one keep-alive connection each, opened in turn
                    answer = client.get("/v1/zones", headers={"X-Request-ID": f"even-{round_}-{number}"})
                    assert answer.status_code == 200
        finally:
            for client in clients:
                client.close()
        time.sleep(0.3)  # the access log line is written once the answer has gone out
        served = _served(server, "even-")
        assert sorted(served.values()) == [24, 24], served  # 8 connections each

        victim = next(iter(served))
        os.kill(victim, signal.SIGKILL)
        workers: set[int] = set()
        deadline = time.monotonic() + 90
        number = 0
        while time.monotonic() < deadline and not (workers - set(served)):
            number += 1
            try:
                with server.client(key) as fresh:
                    answer = fresh.get("/v1/zones", headers={"X-Request-ID": f"after-{number}"})
                    assert answer.status_code == 200
            except httpx.TransportError:
                pass  # handed to the worker as it died: the client tries again
            time.sleep(0.05)
            workers = set(_served(server, "after-"))
        assert victim not in workers and workers - set(served), workers  # the other kept answering; a new one
        assert server.process is not None and server.process.poll() is None
    finally:
        server.stop()
