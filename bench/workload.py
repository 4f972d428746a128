"""A varied, reproducible workload: distinct proposals derived from the examples.

Measuring on the six examples alone would flatter anything that remembers past work, so every
proposal here differs: each number of an example is scaled by a random factor, some facts are
dropped, and the zone, industry code and a few coded answers vary. Seeded: same list every run.
"""

from __future__ import annotations

import copy
import itertools
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from zonecheck.engine.pack.model import Pack

CODES = ["1311", "2022", "2431", "2511", "2614", "2912", "3011", "3471", "3612", "3812", "3911", "4320", "38", "26"]
ZONES = ["demo-east", "longchang-neirong", "beihai-tieshan"]
TOGGLES = {  # coded answers that vary between proposals, with the values they take
    ("environment", "eia_status"): ["approved", "approved", "approved", "under_review", "not_submitted"],
    ("environment", "energy_review_status"): ["approved", "approved", "under_review", "not_required"],
    ("environment", "energy_efficiency_level"): ["benchmark", "baseline", "below_baseline"],
    ("land", "grant_method"): ["listing", "listing", "auction", "tender", "agreement"],
    ("land", "fee_relief"): ["none", "none", "none", "none", "subsidy"],
    ("project", "kind"): ["new", "new", "expansion", "renovation"],
}


KEPT = {"land_grade"}  # codes, not amounts: never scaled


def _scale(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    factor = Decimal(rng.randint(50, 150)) / 100
    scaled = Decimal(str(value)) * factor
    if isinstance(value, float) and value <= 1:  # a fraction stays a fraction
        return str(min(scaled, Decimal(1)).quantize(Decimal("0.001")))
    return str(scaled.quantize(Decimal("0.01")))


def iter_proposals(examples: Path, seed: int = 20261121) -> Iterator[dict[str, Any]]:
    """Distinct proposals without end, made one at a time (a long run holds none of them)."""
    rng = random.Random(seed)
    bases = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(examples.glob("*.yaml"))]
    for n in itertools.count():
        proposal = copy.deepcopy(bases[n % len(bases)])
        proposal["reference"] = f"BENCH-{seed}-{n:07d}"
        proposal["zone"] = rng.choice(ZONES)
        proposal["project"]["industry_code"] = rng.choice(CODES)
        for section in ("investment", "land", "environment", "outputs"):
            node = proposal.get(section) or {}
            for name in list(node):
                if rng.random() < 0.05:
                    del node[name]  # a fact left out
                elif name not in KEPT:
                    node[name] = _scale(node[name], rng)
        for (section, name), choices in TOGGLES.items():
            if rng.random() < 0.3:
                proposal.setdefault(section, {})[name] = rng.choice(choices)
        yield proposal


def rss_mb() -> float:
    """This process's resident memory in MB (Linux /proc); the benchmark, the soak and the memory tests
    read it the same way."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def proposals(examples: Path, count: int, seed: int = 20261121) -> list[dict[str, Any]]:
    return list(itertools.islice(iter_proposals(examples, seed), count))


# facts a synthetic rule's guard reads, and the scale of its threshold (every workload proposal exceeds it)
GUARDS = ("land.site_area_m2", "investment.fixed_assets_wan", "land.floor_area_m2", "outputs.annual_output_wan")


REFUSING = 300  # rules of a synthetic pack that, as one plain ruleset (no partitions), overflows the
# core's stack for many facts (error 303): what the runtime's recovery is tested against


def split_by_refusal(compiled: Any, facts: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the facts one plain ruleset of `compiled` refuses, those it answers), found with a runtime of its own."""
    from dataclasses import replace

    from zonecheck.engine.core.runtime import EngineError, Runtime

    trial = Runtime(replace(compiled, partitions=()))
    refused, accepted = [], []
    for fact in facts:
        try:
            trial.fire(fact, checked=True)
            accepted.append(fact)
        except EngineError:
            refused.append(fact)
    return refused, accepted


def synthetic_pack(base: Pack, count: int) -> Pack:
    """A pack of `count` distinct rules: copies of the base pack's rules, copy n guarded by its own
    threshold (`<fact> >= n / 100`, after the base rule's own conditions), so no two copies are alike and
    the copies pile up on the same facts and tests, as a provincial pack over the national facts would. Where the guard holds (always, for the
    workload's proposals), copy n must reach the status of its base rule."""
    import dataclasses
    import hashlib

    from zonecheck.engine.pack.model import All, Leaf

    rules = []
    for n in range(count):
        rule = base.rules[n % len(base.rules)]
        guard = Leaf(path=GUARDS[n % len(GUARDS)], op="ge", operand=Decimal(n) / 100)
        if rule.applies_when is None:
            applies = guard
        elif isinstance(rule.applies_when, All):
            applies = All(children=(*rule.applies_when.children, guard))
        else:
            applies = All(children=(rule.applies_when, guard))
        rules.append(dataclasses.replace(rule, id=f"{rule.id}~{n:04d}", applies_when=applies))
    digest = hashlib.sha256(f"{base.hash}:{count}".encode()).hexdigest()
    return dataclasses.replace(base, id=f"synthetic-{count}", rules=tuple(rules), hash=f"sha256:{digest}")


def base_rule(rule_id: str) -> str:
    """The base pack's rule a synthetic copy was made from."""
    return rule_id.split("~", 1)[0]
