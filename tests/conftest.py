"""Register the Gherkin tags of features/ as pytest markers (`-m 环保` selects them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

FEATURES = Path(os.environ.get("ZONECHECK_FEATURES", Path(__file__).resolve().parent.parent / "features"))


def pytest_configure(config: pytest.Config) -> None:
    tags = {tag for path in FEATURES.glob("*.feature")
            for tag in re.findall(r"(?m)^\s*@(\S+)", path.read_text(encoding="utf-8"))}
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{tag}: scenarios tagged @{tag} in features/")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under CI=true a skipped PostgreSQL test fails the run: CI must have started the server."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") == "true" and "postgresql" in item.nodeid:
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped under CI=true: {report.longrepr}"
