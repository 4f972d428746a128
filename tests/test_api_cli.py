"""The service's commands: a lean install still screens and `serve` names the extra; keys are shown once
and stored as digests; `--insecure-dev` is loopback only and says so on every answer."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import orjson
import yaml

from api_support import ROOT, ZONECHECK, Server, new_database

SERVICE_LIBRARIES = ("fastapi", "sqlalchemy", "uvicorn", "alembic", "psycopg", "prometheus_client", "starlette")
LEAN = ("import sys\n"
        f"for name in {SERVICE_LIBRARIES!r}: sys.modules[name] = None  # as if not installed\n"
        "from zonecheck.service.cli.main import main\n"
        "sys.argv = ['zonecheck', *sys.argv[1:]]\n"
        "try:\n    main()\nfinally:\n"
        "    loaded = [m for m in sys.modules if m.startswith('zonecheck.service.') and "
        "m.split('.')[2] in ('api', 'store')]\n"
        "    print('service modules loaded:', loaded, file=sys.stderr)\n")


def lean(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LEAN, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_a_lean_install_screens_and_serve_names_the_extra(tmp_path: Path) -> None:
    screened = lean("screen", str(ROOT / "examples" / "approved-motor-plant.yaml"), cwd=tmp_path)
    assert screened.returncode == 0, screened.stderr
    assert "service modules loaded: []" in screened.stderr
    for command in (["serve"], ["db", "upgrade"], ["keys", "list"], ["audit", "verify"]):
        refused = lean(*command, cwd=tmp_path)
        assert refused.returncode == 2, (command, refused.stderr)
        assert "pip install 'zonecheck[service]'" in " ".join(refused.stderr.split()), refused.stderr


def test_keys_are_shown_once_and_stored_as_digests(tmp_path: Path) -> None:
    env_server = Server(new_database("sqlite", tmp_path), tmp_path)
    assert env_server.cli("db", "upgrade").returncode == 0  # and again by `keys create` below: idempotent
    made = env_server.cli("keys", "create", "--role", "auditor", "--zone", "demo-east", "--zone", "beihai-tieshan")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("zc_") and len(secret) >= 3 + 22  # at least 128 random bits
    listed = env_server.cli("keys", "list").stdout
    assert secret not in listed and "auditor\tbeihai-tieshan,demo-east" in listed
    with sqlite3.connect(tmp_path / "zonecheck.db") as db:
        rows = db.execute("SELECT digest FROM api_keys").fetchall()
    assert len(rows) == 1 and len(rows[0][0]) == 64 and secret not in rows[0][0]
    assert env_server.cli("keys", "create", "--role", "auditor").returncode == 2  # neither --zone nor --all-zones
    assert env_server.cli("keys", "create", "--role", "boss", "--all-zones").returncode == 2
    assert env_server.cli("keys", "revoke", "key_nonesuch").returncode == 1
    assert env_server.cli("audit", "verify").returncode == 0


def test_insecure_dev_is_loopback_only_and_says_so(tmp_path: Path) -> None:
    refused = subprocess.run([*ZONECHECK, "serve", "--insecure-dev", "--host", "0.0.0.0"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "loopback" in refused.stderr
    server = Server(new_database("sqlite", tmp_path), tmp_path, args=["--insecure-dev"]).start()
    try:
        with httpx.Client(base_url=server.url) as http:
            body = orjson.dumps(yaml.safe_load((ROOT / "examples" / "approved-motor-plant.yaml").read_text("utf-8")))
            made = http.post("/v1/screenings", content=body)
            answers = [made, http.get("/healthz"), http.get("/v1/nowhere"), http.get("/openapi.json"),
                       http.get(f"/v1/screenings/{made.json()['id']}/report")]
            assert made.status_code == 201
            for answer in answers:
                assert "development only" in answer.headers["x-zonecheck-insecure-dev"], answer.url
            assert "insecure-dev" in answers[-1].text
            assert "INSECURE DEV" in answers[3].json()["info"]["title"]
    finally:
        server.stop()
