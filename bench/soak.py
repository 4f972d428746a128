"""Soak: 100,000 screenings in one process, 10,000 of them refused by the core or raising, RSS flat.

    .venv/bin/python bench/soak.py [--screenings 100000] [--refusals 5000] [--raising 5000]

Valid screenings go through the national pack (partitioned, as compiled). Every tenth call instead
either asserts a fact into an unpartitioned 300-rule ruleset, which the core refuses (error 303), or
fires a malformed fact, or screens an invalid proposal. RSS is printed every 10,000 calls, and at the
end the verdicts of a fixed sample must be byte-identical to those before the soak. Takes a few
minutes: a benchmark script, not a default test (tests/test_runtime.py runs 1,200 refusals).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workload import REFUSING, iter_proposals, rss_mb, split_by_refusal, synthetic_pack  # noqa: E402
from zonecheck.engine.core.compiler import durable_fact  # noqa: E402
from zonecheck.engine.core.runtime import EngineError, Runtime  # noqa: E402
from zonecheck.engine.screener import InvalidProposal, Screener, validate  # noqa: E402



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screenings", type=int, default=100_000)
    parser.add_argument("--refusals", type=int, default=5_000)
    parser.add_argument("--raising", type=int, default=5_000)
    args = parser.parse_args()
    national = Screener()
    synthetic = Screener(synthetic_pack(national.pack, REFUSING))
    refusing = Runtime(replace(synthetic.compiled, partitions=()))
    candidates = []
    for item in itertools.islice(iter_proposals(ROOT / "examples", 3), 150):
        model = validate(item)
        facts = synthetic.facts.build(model, synthetic.pack.zones[model.zone], model.submitted_on)
        candidates.append(durable_fact(synthetic.compiled, facts.values))
    refused_facts = split_by_refusal(synthetic.compiled, candidates)[0]  # the facts the plain ruleset refuses
    sample = list(itertools.islice(iter_proposals(ROOT / "examples", 99), 50))
    before_bytes = [national.screen(p, timestamp=False).structured_json() for p in sample]
    stream = iter_proposals(ROOT / "examples", 1)
    for item in itertools.islice(stream, 2_000):  # the bounded caches fill
        national.screen(item).structured_json()
    for fact in refused_facts[:20]:  # the refusing ruleset's first state, made and freed once
        try:
            refusing.fire(fact, checked=True)
        except EngineError:
            pass
    gc.collect()
    start_rss, started = rss_mb(), time.perf_counter()
    print(f"start: RSS {start_rss:.1f} MB", flush=True)
    every = args.screenings // (args.refusals + args.raising) if args.refusals + args.raising else 0
    counts = {"verdicts": 0, "refused (303)": 0, "raising": 0, "accepted by the unpartitioned ruleset": 0}
    special = 0
    for n in range(args.screenings):
        if every and n % every == every - 1 and special < args.refusals + args.raising:
            special += 1
            refusals_left = counts["refused (303)"] + counts["accepted by the unpartitioned ruleset"] < args.refusals
            if refusals_left and (special % 2 or counts["raising"] >= args.raising):
                try:
                    refusing.fire(refused_facts[n % len(refused_facts)], checked=True)
                    counts["accepted by the unpartitioned ruleset"] += 1
                except EngineError:
                    counts["refused (303)"] += 1
            else:
                try:
                    if n % 4 < 2:
                        national.runtime.fire({"type": "screening", "f0": 1.5})
                    else:
                        national.screen({"reference": "X", "zone": "mars"})
                except (EngineError, InvalidProposal):
                    counts["raising"] += 1
        else:
            national.screen(next(stream)).structured_json()
            counts["verdicts"] += 1
        if (n + 1) % 10_000 == 0:
            gc.collect()
            print(f"{n + 1:>7,}: RSS {rss_mb():.1f} MB, {time.perf_counter() - started:.0f} s, {counts}", flush=True)
    gc.collect()
    end_rss = rss_mb()
    same = [national.screen(p, timestamp=False).structured_json() for p in sample] == before_bytes
    print(f"end: RSS {start_rss:.1f} -> {end_rss:.1f} MB ({end_rss - start_rss:+.1f} MB); {counts}; "
          f"unpartitioned ruleset {refusing.health()}; national {national.runtime.health()}; "
          f"sample verdicts unchanged: {same}")
    if not same or end_rss - start_rss > 5:
        sys.exit(1)


if __name__ == "__main__":
    main()
