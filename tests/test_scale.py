"""Packs of 100, 300 and 1,000 distinct rules compile into rulesets the core never refuses."""

from __future__ import annotations

import gc
import itertools
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from zonecheck.engine.core.partition import CORE_STACK, STACK_BUDGET, network_of
from zonecheck.engine.core.runtime import EngineError, Runtime
from zonecheck.engine.screener import Screener

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.workload import GUARDS, base_rule, iter_proposals, synthetic_pack  # noqa: E402
from test_runtime import rss_mb  # noqa: E402


@pytest.fixture(scope="module")
def national() -> Screener:
    return Screener(ROOT / "rules" / "national")


@pytest.mark.slow
@pytest.mark.parametrize("count, screenings", [(100, 60), (300, 30), (1000, 12)])
def test_a_large_pack_screens_with_zero_refusals_and_flat_memory(national: Screener, count: int,
                                                                 screenings: int) -> None:
    screener = Screener(synthetic_pack(national.pack, count))
    assert len(screener.pack.rules) == count
    compiled = screener.compiled
    assert network_of(compiled.definition).stack_bound() > CORE_STACK  # as one plain ruleset: refusals
    assert all(network_of(d).stack_bound() <= STACK_BUDGET for d in compiled.rulesets())  # as the core gets it
    guarded = (p for p in iter_proposals(ROOT / "examples", count)  # every copy's guard fact is given
               if all(p.get(g.split(".")[0], {}).get(g.split(".")[1]) is not None for g in GUARDS))
    proposals = list(itertools.islice(guarded, screenings))
    expected_by_rule = [{f.rule.id: f.status for f in national.screen(p, timestamp=False).findings}
                        for p in proposals]
    for proposal in proposals:  # warm up: the bounded caches of parameter sets and texts fill
        screener.screen(proposal)
    gc.collect()
    before = rss_mb()
    for proposal, expected in zip(proposals * 2, expected_by_rule * 2):
        verdict = screener.screen(proposal, timestamp=False)  # an EngineError here is a refusal
        for found in verdict.findings:  # each copy's guard holds: it concludes as its base rule
            assert found.status == expected[base_rule(found.rule.id)], found.rule.id
    gc.collect()
    assert rss_mb() - before < 3, f"RSS grew from {before:.1f} MB to {rss_mb():.1f} MB"
    health = screener.runtime.health()
    assert health["discarded_states"] == 0 and health["retired_rulesets"] == 0
    if count == 1000:  # the same rules as one ruleset would fill a node's hash set: refused, not hung
        with pytest.raises(EngineError, match="partition"):
            Runtime(replace(screener.compiled, partitions=()))
