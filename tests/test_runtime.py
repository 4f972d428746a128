"""The runtime: one reused state per ruleset, partitions under the core's stack, no leak on refusal."""

from __future__ import annotations

import gc
import itertools
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from zonecheck.engine.core.compiler import ALWAYS, durable_fact
from zonecheck.engine.core.partition import CORE_STACK, STACK_BUDGET, network_of
from zonecheck.engine.core.runtime import EngineError, Runtime
from zonecheck.engine.screener import Screener, validate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.workload import REFUSING, iter_proposals, rss_mb, synthetic_pack  # noqa: E402
from bench.workload import split_by_refusal as workload_split  # noqa: E402



@pytest.fixture(scope="module")
def national() -> Screener:
    return Screener(ROOT / "rules" / "national")


def facts_for(screener: Screener, count: int, seed: int = 7) -> list[dict[str, object]]:
    out = []
    for item in itertools.islice(iter_proposals(ROOT / "examples", seed), count):
        model = validate(item)
        facts = screener.facts.build(model, screener.pack.zones[model.zone], model.submitted_on)
        out.append(durable_fact(screener.compiled, facts.values))
    return out


def split_by_refusal(compiled: object, facts: list[dict[str, object]]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """bench/workload.py's split, and the plain ruleset must refuse many facts for the tests to mean anything."""
    refused, accepted = workload_split(compiled, facts)
    assert len(refused) >= len(facts) // 5, "the plain ruleset should refuse many facts"
    return refused, accepted


def test_partitions_cover_every_rule_once_under_the_stack_budget(national: Screener) -> None:
    compiled = national.compiled
    names = [name for part in compiled.partitions for name in part]
    assert sorted(names) == sorted(n for n in compiled.definition if n != ALWAYS)
    assert len(compiled.rulesets()) == len(compiled.partitions)
    for definition in compiled.rulesets():  # what the core gets: each rule in its lane
        network = network_of(definition)
        assert network.core_accepts() and network.stack_bound() <= STACK_BUDGET < CORE_STACK


def test_lanes_keep_the_national_pack_in_one_ruleset(national: Screener) -> None:
    """Without lanes the first tests of all its rules hang under the type node and overflow the stack's
    budget; in lanes the whole pack is one ruleset (one parse of the fact, one state)."""
    compiled = national.compiled
    assert network_of(compiled.definition).stack_bound() > STACK_BUDGET
    assert len(compiled.partitions) == 1 and len(set(compiled.lanes.values())) > 1
    assert network_of(compiled.rulesets()[0]).stack_bound() <= STACK_BUDGET


def test_one_state_per_ruleset_is_reused_and_answers_do_not_leak_between_facts(national: Screener) -> None:
    runtime = Runtime(national.compiled)
    facts = facts_for(national, 300)
    first = [runtime.fire(f, checked=True) for f in facts]
    again = [runtime.fire(f, checked=True) for f in reversed(facts)][::-1]
    assert first == again  # a retracted fact leaves nothing behind for the next one
    single = Runtime(replace(national.compiled, partitions=()))  # the same rules in one ruleset
    assert [single.fire(f, checked=True) for f in facts] == first
    health = runtime.health()
    assert health["live_states"] == health["rulesets"] == len(national.compiled.partitions)
    assert health["discarded_states"] == 0


@pytest.mark.slow
def test_refusals_of_an_unpartitioned_pack_leak_nothing_and_leave_the_process_healthy(national: Screener) -> None:
    """10,000 refusals: far more than the core's 1,024 live states, so a leaked state per refusal would end
    in MemoryError; each leaked state would also hold about 12 MB. bench/soak.py runs 100,000 screenings."""
    partitioned = Screener(synthetic_pack(national.pack, REFUSING))
    compiled = partitioned.compiled
    assert network_of(compiled.definition).stack_bound() > CORE_STACK  # one ruleset: refusals expected
    unpartitioned = Runtime(replace(compiled, partitions=()))
    refused_first, accepted_first = split_by_refusal(compiled, facts_for(partitioned, 120))
    facts = refused_first[:24] + accepted_first[:1]  # mostly refused, and some answered: both must stay right
    expected = [partitioned.runtime.fire(f, checked=True) for f in facts]
    baseline = [national.screen(p, timestamp=False).structured_json()
                for p in itertools.islice(iter_proposals(ROOT / "examples", 9), 20)]
    refused = 0
    before = 0.0
    for n in range(10_000):
        if n == 200:
            gc.collect()
            before = rss_mb()
        try:
            got = unpartitioned.fire(facts[n % len(facts)], checked=True)
            assert got == expected[n % len(facts)]
        except EngineError as error:
            assert "303" in str(error)
            refused += 1
    gc.collect()
    after = rss_mb()
    assert refused >= 9_500
    assert unpartitioned.health()["discarded_states"] == refused
    assert unpartitioned.health()["retired_rulesets"] == 0
    assert after - before < 10, f"RSS grew from {before:.1f} MB to {after:.1f} MB"
    # the process is healthy: the partitioned pack refuses nothing and answers as before
    assert [partitioned.runtime.fire(f, checked=True) for f in facts] == expected
    assert partitioned.runtime.health()["discarded_states"] == 0
    assert [national.screen(p, timestamp=False).structured_json()
            for p in itertools.islice(iter_proposals(ROOT / "examples", 9), 20)] == baseline


def test_threads_share_the_lock_while_one_ruleset_refuses(national: Screener) -> None:
    synthetic = Screener(synthetic_pack(national.pack, REFUSING))
    refusing = Runtime(replace(synthetic.compiled, partitions=()))
    refusing_facts = split_by_refusal(synthetic.compiled, facts_for(synthetic, 60))[0][:5]
    assert len(refusing_facts) == 5
    proposals = list(itertools.islice(iter_proposals(ROOT / "examples", 11), 12))
    expected = [national.screen(p, timestamp=False).structured_json() for p in proposals]
    errors: list[BaseException] = []

    def screen(offset: int) -> None:
        try:
            for n in range(60):
                k = (n + offset) % len(proposals)
                assert national.screen(proposals[k], timestamp=False).structured_json() == expected[k]
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def refuse() -> None:
        for n in range(40):
            try:
                refusing.fire(refusing_facts[n % 5], checked=True)
            except EngineError:
                pass

    threads = [threading.Thread(target=screen, args=(k,)) for k in range(3)] + [threading.Thread(target=refuse)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]
