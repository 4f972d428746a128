"""schemathesis against the app's own OpenAPI document: every operation, with a key, a bounded number of
generated requests each; no server error, no undocumented status, content type or response shape."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from api_support import Server, new_database

ST = Path(sys.executable).with_name("st")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def run(server: Server, key: str, *selection: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ST), "run", f"{server.url}/openapi.json",
                           "-H", f"Authorization: Bearer {key}",
                           "--max-examples", "8", "--seed", "20261201",
                           "--phases", "examples,fuzzing",
                           "--checks", CHECKS, "--generation-database", "none", "--no-color",
                           "--workers", "1",  # its coverage generator tripped over itself with 2 threads
                           "--request-timeout", "30", *selection],
                          cwd=server.folder, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_or_schema_violation(tmp_path: Path) -> None:
    server = Server(new_database("sqlite", tmp_path), tmp_path).start()
    try:
        screener = run(server, server.key("screener"), "--exclude-path-regex", "^/v1/keys")
        assert screener.returncode == 0, screener.stdout[-6000:]
        admin = run(server, server.key("admin"), "--include-path-regex", "^/v1/keys")
        assert admin.returncode == 0, admin.stdout[-6000:]
        assert "No issues found" in screener.stdout or " passed" in screener.stdout
    finally:
        server.stop()
    assert " 500 " not in server.log()
