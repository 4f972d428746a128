"""20,000 screenings in one process keep memory flat, and no durable_rules state is left behind."""

from __future__ import annotations

import gc
from pathlib import Path

import yaml

from engine.screen import Screener

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_twenty_thousand_screenings_keep_memory_flat() -> None:
    screener = Screener(ROOT / "rules" / "national")
    proposals = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for n in range(2_000):  # warm up: caches of parameter values and texts fill once
        screener.screen(proposals[n % len(proposals)]).to_json()
    gc.collect()
    before = rss_mb()
    for n in range(20_000):
        screener.screen(proposals[n % len(proposals)]).to_json()
    gc.collect()
    after = rss_mb()
    print(f"RSS {before:.1f} MB before, {after:.1f} MB after 20,000 screenings")
    assert after - before < 3, f"RSS grew from {before:.1f} MB to {after:.1f} MB"
    # more than 1,024 live states would have raised MemoryError: every state was deleted
