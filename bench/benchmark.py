"""Screening speed and memory, each figure beside baselines measured in the same run, on one core.

    .venv/bin/python bench/benchmark.py [--seconds 3] [--out bench/results.md]

- zonecheck: a full explained verdict (validation, facts, durable_rules, findings, JSON text).
- reference: the pure-Python reference evaluator (oracle/) on the same proposals: the speed floor.
- zen-engine: GoRules' engine with its trace on, over one expression node holding one check per
  rule of the pack (the peer to beat); skipped when `zen-engine` is not installed (`pip install -e '.[bench]'`).
  zen gets the proposal with numbers as JSON numbers and absent numbers as 0 (its arithmetic fails on
  null): a speed comparison over the same proposal shape, not a second opinion on the verdict.
- memory: RSS before and after 20,000 evaluations in this process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.model import FACTS, Proposal  # noqa: E402
from engine.screen import Screener  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(name: str, call: Callable[[Any], Any], inputs: list[Any], seconds: float) -> dict[str, Any]:
    for item in inputs * 20:  # warm up
        call(item)
    latencies: list[int] = []
    deadline = time.perf_counter() + seconds
    index = 0
    gc.collect()
    while time.perf_counter() < deadline:
        item = inputs[index % len(inputs)]
        start = time.perf_counter_ns()
        call(item)
        latencies.append(time.perf_counter_ns() - start)
        index += 1
    latencies.sort()
    total_s = sum(latencies) / 1e9
    return {
        "name": name,
        "evaluations": len(latencies),
        "per_second": len(latencies) / total_s,
        "p50_us": latencies[len(latencies) // 2] / 1000,
        "p99_us": latencies[int(len(latencies) * 0.99)] / 1000,
        "mean_us": statistics.fmean(latencies) / 1000,
    }


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
    return lambda proposal: decision.evaluate(proposal, {"trace": True})


def with_numbers(value: Any) -> Any:
    """The proposal as an approval system would post it to zen: numbers as JSON numbers."""
    if isinstance(value, Proposal):
        value = value.model_dump()
        for path, spec in FACTS.items():  # zen errors on null in arithmetic: give it zeros
            section, name = path.split(".")
            if value[section].get(name) is None and spec.kind in ("number", "enum_list"):
                value[section][name] = 0 if spec.kind == "number" else []
    if isinstance(value, dict):
        return {k: with_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_numbers(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, Enum)):
        return value.isoformat() if isinstance(value, dt.date) else value.value
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per implementation")
    parser.add_argument("--memory-evaluations", type=int, default=20_000)
    parser.add_argument("--examples", type=Path, default=ROOT / "examples")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    screener = Screener()
    raw = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(args.examples.glob("*.yaml"))]
    proposals = [Proposal.model_validate(r) for r in raw]
    as_json = [p.model_dump(mode="json") for p in proposals]

    from oracle import ReferenceEvaluator

    reference = ReferenceEvaluator(ROOT / "rules", "national")

    def decision_only(data: Any) -> str:
        """zonecheck up to the decision: validation, facts, durable_rules, statuses; no explanation."""
        from engine.compiler import durable_fact
        from engine.screen import validate

        model = validate(data)
        facts = screener.facts.build(model, screener.pack.zones[model.zone], model.submitted_on)
        fired = screener.runtime.fire(durable_fact(screener.compiled, facts.values), checked=True)
        return str(screener.explainer.statuses(fired))

    results = [
        measure("zonecheck (durable_rules, full explained verdict as JSON)",
                lambda r: screener.screen(r).to_json(), raw, args.seconds),
        measure("zonecheck up to the statuses (durable_rules, no explanation)", decision_only, raw, args.seconds),
        measure("reference evaluator (pure Python, decision + statuses)", reference.evaluate, as_json, args.seconds),
    ]
    zen = zen_decision(screener)
    if zen is not None:
        numeric = [with_numbers(p) for p in proposals]
        results.append(measure("zen-engine 2.x, trace on (one expression node)", zen, numeric, args.seconds))

    before = rss_mb()
    for n in range(args.memory_evaluations):
        screener.screen(raw[n % len(raw)]).to_json()
    gc.collect()
    after = rss_mb()

    base = results[0]["per_second"]
    lines = [
        f"# zonecheck benchmark ({time.strftime('%Y-%m-%d')}, {platform.python_implementation()} "
        f"{platform.python_version()}, one core of {os.cpu_count()})",
        "",
        f"Pack `{screener.pack.id}` {screener.pack.version}: {len(screener.pack.rules)} rules; "
        f"{len(raw)} example proposals in rotation; {args.seconds:g} s per implementation.",
        "",
        "| implementation | evaluations/s | p50 µs | p99 µs | zonecheck ÷ this |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(f"| {r['name']} | {r['per_second']:,.0f} | {r['p50_us']:.0f} | {r['p99_us']:.0f} | "
                     f"{base / r['per_second']:.2f} |")
    lines += ["", f"Memory: RSS {before:.1f} MB before and {after:.1f} MB after {args.memory_evaluations:,} "
                  f"further screenings ({after - before:+.1f} MB)."]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
