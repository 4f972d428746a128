"""20,000 screenings in one process keep memory flat, and no durable_rules state is left behind."""

from __future__ import annotations

import copy
import datetime as dt
import gc
from pathlib import Path
from typing import Any

import pytest
import yaml

from zonecheck.engine.screener import Screener
from zonecheck.service.present import full

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def distinct(examples: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """The n-th of a stream of distinct proposals: another date, code and site area each time, so the
    cache of parameter sets fills, is cleared and fills again many times over."""
    proposal = copy.deepcopy(examples[n % len(examples)])
    proposal["submitted_on"] = (dt.date(2024, 1, 1) + dt.timedelta(days=n % 900)).isoformat()
    proposal["project"]["industry_code"] = ("3812", "2614", "1311", "3471", "26", "38")[n % 6]
    proposal.setdefault("land", {})["site_area_m2"] = str(20_000 + n)
    return proposal


@pytest.mark.slow
def test_twenty_thousand_screenings_keep_memory_flat() -> None:
    screener = Screener(ROOT / "rules" / "national")
    examples = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for n in range(2_000):  # warm up: the bounded caches of parameter sets and texts reach their size
        full.to_json_bytes(screener.screen(distinct(examples, n)))
    gc.collect()
    before = rss_mb()
    for n in range(2_000, 22_000):
        full.to_json_bytes(screener.screen(distinct(examples, n)))
    gc.collect()
    after = rss_mb()
    print(f"RSS {before:.1f} MB before, {after:.1f} MB after 20,000 screenings")
    assert after - before < 3, f"RSS grew from {before:.1f} MB to {after:.1f} MB"
    # more than 1,024 live states would have raised MemoryError: every state was deleted; and each
    # ruleset kept its one reused state, none discarded after an error
    health = screener.runtime.health()
    assert health["live_states"] == health["rulesets"] and health["discarded_states"] == 0
