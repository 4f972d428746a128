"""The engine and the independent reference evaluator agree on thousands of generated proposals.

Proposals are aimed where mistakes hide: values exactly at the pack's thresholds and one unit of the
last decimal either side, missing facts, short industry codes that map to several control values, and
screening dates on the first and last day a source is in force.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonecheck.engine.contract.proposal import FACTS, Proposal
from zonecheck.engine.screener import Screener
from zonecheck.oracle import ReferenceEvaluator

ROOT = Path(__file__).resolve().parent.parent
BASE = yaml.safe_load((ROOT / "tests" / "rules" / "national" / "_base.yaml").read_text(encoding="utf-8"))
SCREENER = Screener(ROOT / "rules" / "national")
REFERENCE = ReferenceEvaluator(ROOT / "rules", "national")

CODES = ["13", "1310", "2022", "20", "243", "2431", "25", "2511", "2521", "26", "2614", "29", "291", "2912",
         "292", "2922", "30", "3011", "31", "32", "34", "347", "3471", "3411", "36", "3612", "38", "3812",
         "39", "3911", "40", "43", "4320", "44", "4411", "5411"]


def _dates() -> list[dt.date]:
    edges = {dt.date(2007, 1, 1), dt.date(2008, 1, 31), dt.date(2009, 5, 11), dt.date(2021, 5, 31),
             dt.date(2022, 1, 1), dt.date(2023, 1, 1), dt.date(2023, 6, 1), dt.date(2023, 6, 24),
             dt.date(2023, 6, 25), dt.date(2024, 2, 1), dt.date(2024, 11, 1), dt.date(2025, 1, 1)}
    for zone in SCREENER.pack.zones.values():
        edges |= {row.valid_from for rows in zone.rows.values() for row in rows if row.valid_from}
    edges |= {row.valid_from for p in SCREENER.pack.parameters.values() for row in p.rows if row.valid_from}
    edges |= {row.valid_to for p in SCREENER.pack.parameters.values() for row in p.rows if row.valid_to}
    around = {d + dt.timedelta(days=k) for d in edges for k in (-1, 0, 1)}
    return sorted(around | {dt.date(2026, 11, 2)})


def _figures() -> list[Decimal]:
    """Every threshold the pack and its zones hold, in its parameter's unit."""
    values = {row.value for p in SCREENER.pack.parameters.values() for row in p.rows if isinstance(row.value, Decimal)}
    for zone in SCREENER.pack.zones.values():
        values |= {row.value for rows in zone.rows.values() for row in rows if isinstance(row.value, Decimal)}
    return sorted(values)


DATES = _dates()
FIGURES = _figures()
NUDGES = [Decimal(0), Decimal("0.000001"), Decimal("-0.000001"), Decimal("0.01"), Decimal("-0.01")]
SITE_AREAS = [Decimal(40000), Decimal(100000), Decimal("66666.67"), Decimal(3333), Decimal(350000)]
# what a threshold multiplies to give each fact: site area in m2, 公顷 (万元 per 公顷) or the floor area
AREA_FACTS = {"land.floor_area_m2": 1, "land.building_footprint_m2": 1, "land.office_living_area_m2": 1,
              "land.green_area_m2": 1, "investment.fixed_assets_wan": Decimal("0.0001"),
              "outputs.annual_output_wan": Decimal("0.0001"), "outputs.annual_tax_wan": Decimal("0.0001")}


POSITIVE = {"land.floor_area_m2"}  # facts the contract requires to be > 0
SMALLEST = Decimal("0.000001")


def _set(proposal: dict[str, Any], path: str, value: Any) -> None:
    section, name = path.split(".")
    node = proposal.setdefault(section, {})
    if value is None:
        node.pop(name, None)
    else:
        node[name] = value


@st.composite
def proposals(draw: st.DrawFn) -> tuple[dict[str, Any], dt.date]:
    proposal = copy.deepcopy(BASE)
    proposal["zone"] = draw(st.sampled_from(sorted(SCREENER.pack.zones)))
    proposal["project"]["industry_code"] = draw(st.sampled_from(CODES))
    site = draw(st.sampled_from(SITE_AREAS))
    _set(proposal, "land.site_area_m2", str(site))
    for path, per in AREA_FACTS.items():
        choice = draw(st.integers(0, 4))
        if choice == 0:
            _set(proposal, path, None)
        elif choice <= 3:  # aimed at a threshold
            figure = draw(st.sampled_from(FIGURES))
            value = figure * site * Decimal(per) + draw(st.sampled_from(NUDGES))
            # a zero figure (e.g. "no R&D requirement") must not make a positive-only fact zero
            floor = SMALLEST if path in POSITIVE else Decimal(0)
            _set(proposal, path, str(max(value, floor)))
    for path in ("land.grant_price_yuan_per_m2", "environment.annual_energy_tce", "environment.annual_electricity_10k_kwh",
                 "environment.water_reuse_rate", "outputs.rd_ratio", "land.expropriation_area_m2",
                 "land.expropriation_arable_area_m2"):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            _set(proposal, path, None)
        elif choice == 1:
            figure = draw(st.sampled_from(FIGURES)) * draw(st.sampled_from([1, Decimal("0.7"), 10000]))
            value = figure + draw(st.sampled_from(NUDGES))
            if FACTS[path].unit == "fraction":
                value = min(max(value, Decimal(0)), Decimal(1))
            _set(proposal, path, str(max(value, Decimal(0))))
    for path, spec in FACTS.items():
        if spec.kind in ("boolean", "enum") and draw(st.integers(0, 5)) == 0:
            options: list[Any] = [True, False, None] if spec.kind == "boolean" else [*spec.choices, None]
            _set(proposal, path, draw(st.sampled_from(options)))
        elif spec.kind == "enum_list" and draw(st.integers(0, 5)) == 0:
            _set(proposal, path, draw(st.one_of(st.none(), st.lists(st.sampled_from(spec.choices), max_size=2, unique=True))))
    if draw(st.booleans()):
        _set(proposal, "land.land_grade", draw(st.one_of(st.none(), st.integers(1, 15))))
    return proposal, draw(st.sampled_from(DATES))


def compare(proposal: dict[str, Any], day: dt.date) -> None:
    model = Proposal.model_validate(proposal)
    verdict = SCREENER.screen(model, as_of=day, timestamp=False)
    expected = REFERENCE.evaluate(model.model_dump(mode="json"), day)
    for finding in verdict.findings:
        oracle = expected["findings"][finding.rule.id]
        assert (finding.status, finding.case, finding.reason, list(finding.missing)) == (
            oracle["status"], oracle["case"], oracle["reason"], oracle["missing_facts"]), (
            f"{finding.rule.id} on {day}: engine {finding.status}/{finding.case}/{finding.reason}/{finding.missing} "
            f"vs reference {oracle}")
    assert verdict.decision == expected["decision"]


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(proposals())
def test_engine_agrees_with_the_reference_evaluator(case: tuple[dict[str, Any], dt.date]) -> None:
    compare(*case)


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_agree(path: Path) -> None:
    proposal = yaml.safe_load(path.read_text(encoding="utf-8"))
    compare(proposal, Proposal.model_validate(proposal).submitted_on)


@pytest.mark.parametrize("changes", [
    {"land.land_grade": 9, "land.grant_price_yuan_per_m2": "100", "land.land_cost_yuan_per_m2": "50"},
    {"zone": "longchang-neirong", "land.land_grade": 4},
    {"zone": "beihai-tieshan", "land.land_grade": 4},
    {"land.unused_state_land": True, "land.within_urban_construction_land": False, "land.grant_price_yuan_per_m2": "100",
     "land.land_cost_yuan_per_m2": "50"},
], ids=["grade-9", "longchang", "beihai-non-chemical", "unused-land"])
def test_needs_review_agrees(changes: dict[str, Any]) -> None:
    """The decision the reference must reach as well: a binding rule with no figure is needs_review."""
    proposal = copy.deepcopy(BASE)
    for path, value in changes.items():
        if path == "zone":
            proposal["zone"] = value
        else:
            _set(proposal, path, value)
    compare(proposal, dt.date(2026, 11, 2))
    assert SCREENER.screen(proposal, timestamp=False).decision == "needs_review"
