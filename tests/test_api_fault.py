"""Crash safety: under a bounded load the server is killed with SIGKILL and restarted; every screening
answered 201 is there and intact, and the audit chain verifies. SQLite and PostgreSQL."""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import orjson
import pytest
import yaml

from api_support import ROOT, Server, new_database

BASE = yaml.safe_load((ROOT / "examples" / "conditional-ev-drive.yaml").read_text(encoding="utf-8"))
CLIENTS, LIMIT = 8, 300  # bounded: at most LIMIT requests, the kill comes after KILL_AFTER answers
KILL_AFTER = 40


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_sigkill_under_load_loses_no_answered_screening(kind: str, tmp_path: Any) -> None:
    server = Server(new_database(kind, tmp_path), tmp_path, workers=2).start()
    key = server.key("screener")
    answered: dict[str, bytes] = {}
    lock = threading.Lock()
    killed = threading.Event()
    counter = iter(range(LIMIT))

    def client() -> None:
        with server.client(key) as http:
            for number in counter:
                if killed.is_set():
                    return
                body = orjson.dumps({**BASE, "reference": f"FAULT-{number:04d}"})
                try:
                    answer = http.post("/v1/screenings", content=body)
                except httpx.HTTPError:
                    continue  # killed mid-request: no answer, no promise
                if answer.status_code == 201:
                    record = answer.json()
                    with lock:
                        answered[record["id"]] = orjson.dumps(record["verdict"])
                        if len(answered) >= KILL_AFTER and not killed.is_set():
                            killed.set()
                            server.stop(signal.SIGKILL)

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            for future in [pool.submit(client) for _ in range(CLIENTS)]:
                future.result()
        assert killed.is_set() and len(answered) >= KILL_AFTER
        server.start()
        with server.client(key) as http:
            for screening_id, verdict in answered.items():
                again = http.get(f"/v1/screenings/{screening_id}")
                assert again.status_code == 200, screening_id
                assert orjson.dumps(again.json()["verdict"]) == verdict, screening_id
        audit = server.cli("audit", "verify")
        assert audit.returncode == 0, audit.stderr
    finally:
        server.stop()


def test_postgresql_database_trouble_is_503_never_500(tmp_path: Any) -> None:
    url = new_database("postgresql", tmp_path)
    server = Server(url, tmp_path).start()
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    try:
        key = server.key("screener")
        with psycopg.connect(admin, autocommit=True) as connection:  # the database goes away under the server
            connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        with server.client(key) as http:
            body = orjson.dumps({**BASE, "reference": "DOWN-1"})
            for answer in (http.post("/v1/screenings", content=body), http.get("/v1/screenings"), http.get("/readyz")):
                assert answer.status_code == 503, answer.text
                assert answer.headers["content-type"] == "application/problem+json"
            assert http.get("/healthz").status_code == 200
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        with server.client(key) as http:
            assert http.post("/v1/screenings", content=body).status_code == 201
    finally:
        server.stop()
