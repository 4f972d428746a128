"""Real `zonecheck serve` processes for the API tests, on SQLite or on a real PostgreSQL server.

PostgreSQL: `ZONECHECK_TEST_POSTGRES_URL` (exported by .ci/run, which starts a throwaway cluster); else a
cluster started here from the PostgreSQL binaries when they are installed; else the PostgreSQL tests skip
(and under CI=true a skip fails the run: tests/conftest.py). Each server gets a database of its own.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
ZONECHECK = [sys.executable, "-m", "zonecheck.service.cli.main"]
POSTGRES_VARIABLE = "ZONECHECK_TEST_POSTGRES_URL"
_cluster: dict[str, str | None] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_cluster() -> str | None:
    """A throwaway PostgreSQL cluster on loopback (as the `postgres` user when root), stopped at exit."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not binaries:
        return None
    bindir = binaries[-1]
    folder = tempfile.mkdtemp(prefix="zonecheck-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = f"{folder}/data"
    try:
        subprocess.run([*as_user, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
                       check=True, capture_output=True, timeout=120)
        subprocess.run([*as_user, f"{bindir}/pg_ctl", "-D", data, "-l", f"{folder}/log", "-w", "-o",
                        f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=on", "start"],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError):
        return None
    atexit.register(lambda: subprocess.run([*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                                           capture_output=True))
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def postgres_admin_url() -> str | None:
    if "url" not in _cluster:
        _cluster["url"] = os.environ.get(POSTGRES_VARIABLE) or _start_cluster()
    return _cluster["url"]


def new_database(kind: str, folder: Path) -> str:
    """A fresh, empty database URL of `kind` (sqlite | postgresql)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'zonecheck.db'}"
    admin = postgres_admin_url()
    if admin is None:
        import pytest

        pytest.skip("no PostgreSQL server (set ZONECHECK_TEST_POSTGRES_URL or install postgresql)")
    import psycopg

    name = "zc_" + uuid.uuid4().hex[:12]
    plain = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name


@dataclass
class Server:
    database_url: str
    folder: Path
    workers: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    command: list[str] = field(default_factory=lambda: list(ZONECHECK))  # how `zonecheck` is run
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZONECHECK_")}
        return {**env, "ZONECHECK_DATABASE_URL": self.database_url, **self.extra_env}

    def start(self) -> "Server":
        self.port = self.port or free_port()  # a restart keeps its port: clients keep their URL
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen([*self.command, "serve", "--port", str(self.port), "--workers",
                                         str(self.workers), *self.args], cwd=self.folder, env=self.env,
                                        stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited {self.process.returncode}: {self.log()[-3000:]}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server not ready in 90 s: " + self.log()[-3000:])

    def log(self) -> str:
        return (self.folder / "server.log").read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        if sig == signal.SIGKILL:  # the workers are in the same session: make sure none outlives it
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process = None

    def restart(self, sig: int = signal.SIGTERM) -> "Server":
        self.stop(sig)
        return self.start()

    def cli(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.command, *args], cwd=self.folder, env=self.env, capture_output=True, text=True,
                              check=check, timeout=120)

    def key(self, role: str, zones: list[str] | None = None) -> str:
        scope = ["--all-zones"] if zones is None else [a for z in zones for a in ("--zone", z)]
        out = self.cli("keys", "create", "--role", role, *scope, check=True)
        return out.stdout.strip().splitlines()[-1]

    def client(self, key: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)
