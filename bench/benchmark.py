"""Screening speed and memory, each figure beside baselines measured in the same run, on one core.

    .venv/bin/python bench/benchmark.py [--seconds 3] [--out bench/results.md]

Every implementation screens the same sequence of distinct proposals (bench/workload.py), each seen
once: nothing is flattered by remembering an earlier screening.

- zonecheck structured: the structured verdict (validation, facts, durable_rules, findings, JSON bytes).
- zonecheck full: the same plus the full document's prose, in one language and in two.
- zonecheck up to the statuses: validation, facts and durable_rules, no explanation.
- reference: the pure-Python reference evaluator (oracle/) on the same proposals: the speed floor.
- zen-engine: GoRules' engine with its trace on, over one expression node holding one check per
  rule of the pack (the peer to beat); skipped when `zen-engine` is not installed (`pip install -e '.[bench]'`).
  zen gets the proposal with numbers as JSON numbers, absent numbers as 0 and an absent site area as 1
  (its arithmetic fails on null and on division by zero): a speed comparison over the same proposal
  shape, not a second opinion on the verdict.
- durable_rules alone: the durable facts built beforehand, only the core's assert/act/retract.
- zen-engine's `evaluate_batch` (batches of 100, trace on), beside its single calls; and its single call
  with its input's preparation (pydantic validation, numbers converted) timed too, for context: the
  target is set against the single call on a prepared proposal.
- a rule-count sweep: synthetic packs of distinct rules (bench/workload.py), µs per rule for
  durable_rules alone and for a full verdict, and how many rulesets each pack was partitioned into.
- batch throughput: `service.batch.run_batch` over distinct proposals in a JSONL file with 1 and 2
  worker processes (this part uses every core; the rest runs on one).
- memory: RSS before and after 20,000 evaluations in this process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workload import iter_proposals, rss_mb  # noqa: E402
from zonecheck.engine.contract.proposal import FACTS, Proposal  # noqa: E402
from zonecheck.engine.screener import Screener  # noqa: E402
from zonecheck.service.present import full  # noqa: E402



STRUCTURED = "zonecheck structured verdict (schema 2.0) as JSON bytes: the lean path batch and storage use"
FULL_ONE = "zonecheck full explained verdict as JSON, prose in one language (zh)"
FULL_BOTH = "zonecheck full explained verdict as JSON, prose in zh and en (the CLI's default)"
DURABLE = "durable_rules alone (assert, act, retract; facts built beforehand)"
ZEN = "zen-engine 2.x, trace on (one expression node)"
ZEN_PREPARED = "zen-engine 2.x, trace on, its input's preparation timed too (pydantic validation, numbers as JSON numbers)"


class Timed:
    """One implementation under measurement: its call, its own sequence of fresh inputs, and what its
    slots of the interleaved rounds took (`size` > 1: a batch call of that many inputs)."""

    def __init__(self, name: str, call: Callable[[Any], Any], inputs: Iterator[Any],
                 prepare: Callable[[Any], Any] = lambda item: item, size: int = 1) -> None:
        self.name, self.call, self.inputs, self.prepare, self.size = name, call, inputs, prepare, size
        self.latencies: list[float] = []  # ns per input (a batch call: its mean)
        self.rounds: list[tuple[int, int]] = []  # (inputs done, ns spent) per round

    def _next(self) -> Any:
        if self.size == 1:
            return self.prepare(next(self.inputs))
        return [self.prepare(next(self.inputs)) for _ in range(self.size)]

    def warm(self, calls: int) -> None:
        for _ in range(max(1, calls // self.size)):
            self.call(self._next())

    def slot(self, budget_ns: int) -> None:
        """Call on fresh inputs until `budget_ns` of calls have run; preparing inputs is not timed."""
        spent = done = 0
        clock, call, size = time.perf_counter_ns, self.call, self.size
        while spent < budget_ns:
            item = self._next()
            start = clock()
            call(item)
            took = clock() - start
            spent += took
            done += size
            self.latencies.append(took / size)
        self.rounds.append((done, spent))

    def per_second(self, rounds: slice = slice(None)) -> float:
        picked = self.rounds[rounds]
        return sum(n for n, _ in picked) / (sum(t for _, t in picked) / 1e9)

    def result(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        return {"name": self.name, "evaluations": sum(n for n, _ in self.rounds), "per_second": self.per_second(),
                "p50_us": ordered[len(ordered) // 2] / 1000, "p99_us": ordered[int(len(ordered) * 0.99)] / 1000,
                "mean_us": statistics.fmean(ordered) / 1000, "timed": self}


def interleave(timed: list[Timed], seconds: float, rounds: int) -> list[dict[str, Any]]:
    """Every implementation in turn, `rounds` times, `seconds / rounds` each time, the order rotated
    every round: on a machine whose speed drifts, each implementation sees the same drift, so a
    ratio between two of them holds for the run as a whole and for each round (see `ratio`)."""
    for t in timed:
        t.warm(300)
    budget = int(seconds / rounds * 1e9)
    for r in range(rounds):
        for t in timed[r % len(timed):] + timed[:r % len(timed)]:
            gc.collect()
            t.slot(budget)
    return [t.result() for t in timed]


def ratio(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, float, float, float]:
    """a's throughput over b's: over the whole run, then the median, lowest and highest of the rounds."""
    ta, tb = a["timed"], b["timed"]
    each = sorted(ta.per_second(slice(r, r + 1)) / tb.per_second(slice(r, r + 1)) for r in range(len(ta.rounds)))
    return a["per_second"] / b["per_second"], statistics.median(each), each[0], each[-1]


def stages(screener: Screener, inputs: Iterator[Any], count: int) -> dict[str, float]:
    """Mean µs per stage of a full verdict, over `count` fresh proposals (engine/screener.py's steps)."""
    from zonecheck.engine import __version__
    from zonecheck.engine.core.compiler import durable_fact
    from zonecheck.engine.screener import validate
    from zonecheck.engine.explain.verdict import build_verdict

    spent = dict.fromkeys(("validation", "facts", "durable fact", "durable_rules", "explanation", "verdict",
                           "JSON"), 0)
    clock = time.perf_counter_ns
    for item in itertools.islice(inputs, count):
        t0 = clock()
        model = validate(item)
        t1 = clock()
        zone = screener.pack.zones[model.zone]
        facts = screener.facts.build(model, zone, model.submitted_on)
        t2 = clock()
        fact = durable_fact(screener.compiled, facts.values)
        t3 = clock()
        fired = screener.runtime.fire(fact, checked=True)
        t4 = clock()
        findings = screener.explainer.findings(facts, fired)
        t5 = clock()
        verdict = build_verdict(proposal=model, findings=findings, pack=screener.pack, zone=zone,
                                screening_date=model.submitted_on, engine_version=__version__,
                                parameters=screener.explainer.parameters(facts), fact_origins=facts.origins, values=screener.explainer.values(facts))
        t6 = clock()
        full.to_json_bytes(verdict)
        t7 = clock()
        for stage, took in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t7 - t6)):
            spent[stage] += took
    return {stage: total / count / 1000 for stage, total in spent.items()}


def zen_decision(screener: Screener) -> Callable[[Any], Any] | None:
    """One zen expression per rule of the pack, over the same proposal JSON, trace on."""
    try:
        import zen  # type: ignore[import-not-found]
    except ImportError:
        return None
    checks = [
        ("eia", "environment.eia_status == 'approved' or environment.eia_category == 'registration'"),
        ("eia_started", "not (environment.construction_started == true and environment.eia_status != 'approved')"),
        ("three", "environment.three_simultaneity_committed == true"),
        ("discharge", "environment.meets_discharge_standards == true"),
        ("red_line", "land.in_ecological_red_line == false"),
        ("quota", "not (environment.adds_key_pollutants == true and environment.region_over_emission_quota == true)"),
        ("two_high", "environment.provincial_eia_review == true or project.industry_code != '2511'"),
        ("energy_applies", "environment.annual_energy_tce >= 1000 or environment.annual_electricity_10k_kwh >= 500"),
        ("energy", "environment.energy_review_status == 'approved' or environment.annual_energy_tce < 1000"),
        ("water", "environment.water_reuse_rate >= 0.5"),
        ("fee", "land.fee_relief == 'none'"),
        ("method", "land.grant_method in ['tender', 'auction', 'listing']"),
        ("price", "land.grant_price_yuan_per_m2 >= 480"),
        ("price_exception", "land.grant_price_yuan_per_m2 >= 480 * 0.7"),
        ("authority", "land.conversion_approved_by in ['state_council', 'province']"),
        ("basic", "land.basic_farmland == false or land.conversion_approved_by == 'state_council'"),
        ("arable", "land.expropriation_arable_area_m2 <= 350000"),
        ("master", "land.conforms_to_master_plan == true"),
        ("regulatory", "land.conforms_to_regulatory_plan == true"),
        ("compensation", "land.compensation_settled == true or land.expropriation_area_m2 == 0"),
        ("non_production", "len(land.non_production_facilities) == 0"),
        ("eliminated", "project.catalogue_category != 'eliminated'"),
        ("restricted", "project.catalogue_category != 'restricted' or project.kind != 'new'"),
        ("benchmark", "environment.energy_efficiency_level == 'benchmark'"),
        ("negative", "investor.origin == 'domestic' or project.negative_list_status != 'prohibited'"),
        ("investment", "investment.fixed_assets_wan / land.site_area_m2 * 10000 >= 2250"),
        ("plot", "land.floor_area_m2 / land.site_area_m2 >= 1.0"),
        ("coefficient", "land.building_footprint_m2 / land.site_area_m2 >= 0.3"),
        ("office", "land.office_living_area_m2 / land.site_area_m2 <= 0.07"),
        ("green", "land.green_area_m2 / land.site_area_m2 <= 0.2"),
        ("output", "outputs.annual_output_wan / land.site_area_m2 * 10000 >= 5250"),
        ("tax", "outputs.annual_tax_wan / land.site_area_m2 * 10000 >= 120"),
    ]
    content = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "proposal", "position": {"x": 0, "y": 0}},
            {"id": "checks", "type": "expressionNode", "name": "checks", "position": {"x": 0, "y": 0},
             "content": {"expressions": [{"id": key, "key": key, "value": value} for key, value in checks]}},
            {"id": "out", "type": "outputNode", "name": "verdict", "position": {"x": 0, "y": 0}},
        ],
        "edges": [{"id": "a", "sourceId": "in", "targetId": "checks", "type": "edge"},
                  {"id": "b", "sourceId": "checks", "targetId": "out", "type": "edge"}],
    }
    decision = zen.ZenEngine().create_decision(json.dumps(content))
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"checks": content}}})

    def single(proposal: Any) -> Any:
        return decision.evaluate(proposal, {"trace": True})

    def batch(proposals: list[Any]) -> Any:
        return engine.evaluate_batch([{"key": "checks", "context": p} for p in proposals], {"trace": True})

    single.batch = batch  # type: ignore[attr-defined]
    return single


def with_numbers(value: Any) -> Any:
    """The proposal as an approval system would post it to zen: numbers as JSON numbers."""
    if isinstance(value, Proposal):
        value = value.model_dump()
        for path, spec in FACTS.items():  # zen errors on null in arithmetic: give it zeros
            section, name = path.split(".")
            if value[section].get(name) is None and spec.kind in ("number", "enum_list"):
                value[section][name] = 0 if spec.kind == "number" else []
        if not value["land"]["site_area_m2"]:
            value["land"]["site_area_m2"] = 1  # ... and on a division by zero
    if isinstance(value, dict):
        return {k: with_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_numbers(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, Enum)):
        return value.isoformat() if isinstance(value, dt.date) else value.value
    return value


def durable_facts(screener: Screener, inputs: Iterator[Any], count: int) -> list[dict[str, Any]]:
    from zonecheck.engine.core.compiler import durable_fact
    from zonecheck.engine.screener import validate

    out = []
    for item in itertools.islice(inputs, count):
        model = validate(item)
        facts = screener.facts.build(model, screener.pack.zones[model.zone], model.submitted_on)
        out.append(durable_fact(screener.compiled, facts.values))
    return out


def sweep(base: Screener, examples: Path, counts: list[int], facts_per_pack: int) -> list[dict[str, Any]]:
    """µs per rule against the pack's size: durable_rules alone and the full verdict."""
    from bench.workload import synthetic_pack

    rows = []
    for count in counts:
        screener = base if count == len(base.pack.rules) else Screener(synthetic_pack(base.pack, count))
        facts = durable_facts(screener, iter_proposals(examples, 40 + count), facts_per_pack)
        proposals = list(itertools.islice(iter_proposals(examples, 80 + count), max(20, facts_per_pack // 10)))
        for fact in facts[:20]:
            screener.runtime.fire(fact, checked=True)
        start = time.perf_counter_ns()
        for fact in facts:
            screener.runtime.fire(fact, checked=True)
        core_us = (time.perf_counter_ns() - start) / len(facts) / 1000
        start = time.perf_counter_ns()
        for proposal in proposals:
            full.to_json_bytes(screener.screen(proposal))
        full_us = (time.perf_counter_ns() - start) / len(proposals) / 1000
        rows.append({"rules": count, "durable": len(screener.compiled.definition),
                     "rulesets": len(screener.compiled.partitions) or 1,
                     "lanes": sum(len({screener.compiled.lanes.get(n) for n in part}) for part in screener.compiled.partitions),
                     "core_us": core_us,
                     "full_us": full_us, "refusals": screener.runtime.health()["discarded_states"]})
    return rows


def batch_throughput(examples: Path, count: int, workers: list[int]) -> list[dict[str, Any]]:
    """`run_batch` over `count` distinct proposals read from a JSONL file, output to a file."""
    import tempfile

    from zonecheck.service.app.inputs import iter_items
    from zonecheck.service.batch import pool

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "proposals.jsonl"
        with source.open("w", encoding="utf-8") as handle:
            for proposal in itertools.islice(iter_proposals(examples, 4242), count):
                handle.write(json.dumps(proposal, ensure_ascii=False, default=str) + "\n")
        outputs = {}
        for n in workers:
            out = Path(folder) / f"out-{n}.jsonl"
            start, cpu = time.perf_counter(), os.times()
            with out.open("wb") as handle:
                pool.run_batch(iter_items(source), handle, workers=n, shard_dir=Path(folder))
            took, spent = time.perf_counter() - start, os.times()
            outputs[n] = out
            cpu_s = sum(getattr(spent, f) - getattr(cpu, f) for f in ("user", "system", "children_user", "children_system"))
            rows.append({"workers": n, "seconds": took, "per_second": count / took, "cpu_s": cpu_s,
                         "bytes_per_verdict": out.stat().st_size / count, "load": os.getloadavg()[0]})
        rows.append(independent_pair(source, count, Path(folder)))
        import re

        stamp = re.compile(rb',"generated_at":"[^"]*"')
        first = stamp.sub(b"", outputs[workers[0]].read_bytes())
        for row in rows:
            if "pair" not in row:
                row["identical"] = stamp.sub(b"", outputs[row["workers"]].read_bytes()) == first
    return rows


def _half(source: str, part: int, out: str) -> None:
    """One of two independent batch runs (one worker each) over half the lines of `source`."""
    from zonecheck.service.app.inputs import iter_items
    from zonecheck.service.batch import pool

    lines = Path(source).read_bytes().splitlines(keepends=True)
    half = Path(out).with_suffix(".in.jsonl")
    half.write_bytes(b"".join(lines[part::2]))
    with open(out, "wb") as handle:
        pool.run_batch(iter_items(half), handle, workers=1)


def independent_pair(source: Path, count: int, folder: Path) -> dict[str, Any]:
    """The machine's own ceiling for two workers: two separate one-worker runs, each over half the
    proposals, at the same time (no pool, nothing shared). What the pool reaches is read against this."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    runs = [context.Process(target=_half, args=(str(source), part, str(folder / f"pair-{part}.jsonl"))) for part in (0, 1)]
    start, cpu = time.perf_counter(), os.times()
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    took, spent = time.perf_counter() - start, os.times()
    cpu_s = sum(getattr(spent, f) - getattr(cpu, f) for f in ("children_user", "children_system"))
    return {"workers": 2, "pair": True, "seconds": took, "per_second": count / took, "cpu_s": cpu_s,
            "bytes_per_verdict": sum((folder / f"pair-{p}.jsonl").stat().st_size for p in (0, 1)) / count,
            "load": os.getloadavg()[0], "identical": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per implementation, over all rounds")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds the seconds are split into")
    parser.add_argument("--memory-evaluations", type=int, default=20_000)
    parser.add_argument("--examples", type=Path, default=ROOT / "examples")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    parser.add_argument("--sweep", type=int, nargs="*", default=[31, 100, 300, 1000], help="pack sizes")
    parser.add_argument("--sweep-facts", type=int, default=400, help="facts per pack in the sweep")
    parser.add_argument("--batch", type=int, default=20_000, help="proposals for the batch run (0: skip)")
    args = parser.parse_args()
    all_cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    screener = Screener()

    def fresh(seed: int = 1) -> Iterator[dict[str, Any]]:
        """The same sequence of distinct proposals for every implementation."""
        return iter_proposals(args.examples, seed)

    from zonecheck.oracle import ReferenceEvaluator

    reference = ReferenceEvaluator(ROOT / "rules", "national")

    def decision_only(data: Any) -> list[tuple[str, int | None]]:
        """zonecheck up to the statuses: validation, facts, durable_rules; no explanation."""
        from zonecheck.engine.core.compiler import durable_fact
        from zonecheck.engine.screener import validate

        model = validate(data)
        facts = screener.facts.build(model, screener.pack.zones[model.zone], model.submitted_on)
        fired = screener.runtime.fire(durable_fact(screener.compiled, facts.values), checked=True)
        return screener.explainer.statuses(fired)

    def as_json(data: Any) -> Any:
        return Proposal.model_validate(data).model_dump(mode="json")

    def to_fact(item: Any) -> dict[str, Any]:
        return durable_facts(screener, iter([item]), 1)[0]

    timed = [
        Timed(STRUCTURED, lambda r: screener.screen(r).structured_json(), fresh()),
        Timed(FULL_ONE, lambda r: full.to_json_bytes(screener.screen(r), ("zh",)), fresh()),
        Timed(FULL_BOTH, lambda r: full.to_json_bytes(screener.screen(r)), fresh()),
        Timed("zonecheck up to the statuses (durable_rules, no explanation)", decision_only, fresh()),
        Timed(DURABLE, lambda f: screener.runtime.fire(f, checked=True), fresh(), prepare=to_fact),
        Timed("reference evaluator (pure Python, decision + statuses)", lambda r: reference.evaluate(r),
              fresh(), prepare=as_json),
    ]
    zen = zen_decision(screener)
    if zen is not None:
        zen_input = lambda r: with_numbers(Proposal.model_validate(r))  # noqa: E731
        timed.append(Timed(ZEN, zen, fresh(), prepare=zen_input))
        timed.append(Timed(ZEN_PREPARED, lambda r: zen(zen_input(r)), fresh()))
        timed.append(Timed("zen-engine 2.x, trace on, `evaluate_batch` of 100", zen.batch,  # type: ignore[attr-defined]
                           fresh(), prepare=zen_input, size=100))
    results = interleave(timed, args.seconds, args.rounds)
    breakdown = stages(screener, fresh(2), 3_000)

    memory_inputs = fresh(3)
    for item in itertools.islice(memory_inputs, 2_000):  # caches of parameter sets fill once
        full.to_json_bytes(screener.screen(item))
    gc.collect()
    before = rss_mb()
    for item in itertools.islice(memory_inputs, args.memory_evaluations):
        full.to_json_bytes(screener.screen(item))
    gc.collect()
    after = rss_mb()

    swept = sweep(screener, args.examples, args.sweep, args.sweep_facts)
    if all_cores:
        os.sched_setaffinity(0, all_cores)  # batch: every core
    batches = batch_throughput(args.examples, args.batch, [1, 2]) if args.batch else []

    base = results[0]["per_second"]
    lines = [
        f"# zonecheck benchmark ({time.strftime('%Y-%m-%d')}, {platform.python_implementation()} "
        f"{platform.python_version()}, one core of {os.cpu_count()})",
        "",
        f"Pack `{screener.pack.id}` {screener.pack.version}: {len(screener.pack.rules)} rules. Distinct proposals "
        f"derived from the {len(list(args.examples.glob('*.yaml')))} examples (bench/workload.py), each screened "
        f"once; {args.seconds:g} s of calls per implementation, in {args.rounds} interleaved rounds (every "
        f"implementation in turn, the order rotated each round), so that the machine's drift falls on all alike.",
        "",
        "| implementation | evaluations/s | p50 µs | p99 µs | structured verdict ÷ this |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(f"| {r['name']} | {r['per_second']:,.0f} | {r['p50_us']:.0f} | {r['p99_us']:.0f} | "
                     f"{base / r['per_second']:.2f} |")
    zen_single = next((r for r in results if r["name"] == ZEN), None)
    if zen_single:
        named = {r["name"]: r for r in results}
        lines += ["", f"Against zen-engine with trace (single calls), same run: the whole run's ratio, then the median "
                      f"and range of the {args.rounds} rounds' own ratios (each round times every implementation in turn):", "",
                  "| | ÷ zen-engine | median of rounds | rounds' range | p99 ms |", "| --- | ---: | ---: | --- | ---: |"]
        for label, name in (("structured verdict", STRUCTURED), ("full verdict, prose in one language", FULL_ONE),
                            ("full verdict, prose in two languages", FULL_BOTH), ("durable_rules alone", DURABLE)):
            whole, median, low, high = ratio(named[name], zen_single)
            lines.append(f"| {label} | {whole:.2f}x | {median:.2f}x | {low:.2f}–{high:.2f}x | {named[name]['p99_us'] / 1000:.2f} |")
        if ZEN_PREPARED in named:  # context, not the target: zen's single call above gets a prepared proposal
            whole, median, low, high = ratio(named[STRUCTURED], named[ZEN_PREPARED])
            lines += ["", f"For context (not the target): zen-engine's single call above gets a proposal already validated "
                          f"and converted, outside its timing, where ours validates the raw input inside it. Timing zen's "
                          f"preparation too, the structured verdict runs at {whole:.2f}x (median {median:.2f}x, "
                          f"{low:.2f}–{high:.2f}x)."]
    lines += ["", "Rule-count sweep (synthetic packs of distinct rules, bench/workload.py; one core):", "",
              "| rules | durable rules | rulesets (lanes) | durable_rules µs | µs per rule | full verdict µs | µs per rule | refusals |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r['rules']} | {r['durable']} | {r['rulesets']} ({r['lanes']}) | {r['core_us']:.0f} | {r['core_us'] / r['rules']:.2f} | "
              f"{r['full_us']:.0f} | {r['full_us'] / r['rules']:.1f} | {r['refusals']} |" for r in swept]
    if batches:
        lines += ["", f"Batch (`service.batch.run_batch`, {args.batch:,} distinct proposals from a JSONL file to a file, "
                      f"{os.cpu_count()} cores):", "",
                  "| workers | seconds | verdicts/s | ÷ 1 worker | CPU s (all processes) | on idle cores: workers × CPU(1) ÷ CPU(N) "
                  "| load average | bytes per verdict | identical to 1 worker (but `generated_at`) |",
                  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        lines += [f"| {'2 separate runs, half each (the ceiling)' if b.get('pair') else b['workers']} | {b['seconds']:.1f} | {b['per_second']:,.0f} | "
                  f"{b['per_second'] / batches[0]['per_second']:.2f} | {b['cpu_s']:.1f} | "
                  f"{b['workers'] * batches[0]['cpu_s'] / b['cpu_s']:.2f} | {b['load']:.1f} | {b['bytes_per_verdict']:,.0f} | "
                  f"{'—' if b['identical'] is None else 'yes' if b['identical'] else 'NO'} |" for b in batches]
        pair = next((b for b in batches if b.get("pair")), None)
        pooled = next((b for b in batches if b["workers"] == 2 and not b.get("pair")), None)
        if pair and pooled:
            lines += ["", f"Two separate one-worker runs at once (each over half the proposals, nothing shared) reach "
                          f"{pair['per_second'] / batches[0]['per_second']:.2f}x one worker: what these two cores give two "
                          f"independent processes today. The 2-worker pool reaches {pooled['per_second'] / pair['per_second']:.2f} of that."]
        lines += ["", "The last but two columns: what N workers would gain on otherwise idle cores, from the CPU time "
                      "each run needed (wall-clock ratios on this shared machine depend on what else runs)."]
    total = sum(breakdown.values())
    lines += ["", "Where a full verdict's time goes (mean over 3,000 fresh proposals):", "",
              "| stage | µs | share |", "| --- | ---: | ---: |"]
    lines += [f"| {stage} | {took:.0f} | {took / total:.0%} |" for stage, took in breakdown.items()]
    lines += [f"| total | {total:.0f} | |"]
    lines += ["", f"Memory: RSS {before:.1f} MB before and {after:.1f} MB after {args.memory_evaluations:,} "
                  f"further screenings of distinct proposals ({after - before:+.1f} MB)."]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
