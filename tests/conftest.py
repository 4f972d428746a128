"""Shared test set-up. The Gherkin tags of feature files are registered as pytest markers by the specs
plugin (`zonecheck.service.specs.plugin`, loaded by pyproject's addopts) as each file is bound, so
`-m 环保` selects them under `--strict-markers`."""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under CI=true a skipped PostgreSQL test fails the run: CI must have started the server."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") == "true" and "postgresql" in item.nodeid:
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped under CI=true: {report.longrepr}"
