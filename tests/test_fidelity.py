"""Never 通过 without having checked (issue 8): unlawful proposals that used to pass, and every binding
rule that reads a numeric parameter, screened with that parameter's figures removed."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from zonecheck.service.present import full
from zonecheck.engine.pack.loader import condition_paths
from zonecheck.engine.screener import Screener
from zonecheck.oracle import ReferenceEvaluator

ROOT = Path(__file__).resolve().parent.parent
BASE = yaml.safe_load((ROOT / "tests" / "rules" / "national" / "_base.yaml").read_text(encoding="utf-8"))
SCREENER = Screener(ROOT / "rules" / "national")
REFERENCE = ReferenceEvaluator(ROOT / "rules", "national")
PASSING = {"approved", "conditional"}


def proposal(zone: str = "demo-east", **changes: Any) -> dict[str, Any]:
    """The base proposal with `section__field=value` changes (None removes the fact)."""
    doc = copy.deepcopy(BASE)
    doc["zone"] = zone
    for dotted, value in changes.items():
        section, name = dotted.split("__")
        if value is None:
            doc.setdefault(section, {}).pop(name, None)
        else:
            doc.setdefault(section, {})[name] = value
    return doc


def screened(doc: dict[str, Any], screener: Screener = SCREENER) -> Any:
    verdict = screener.screen(doc, timestamp=False)
    assert REFERENCE.evaluate(doc)["decision"] == verdict.decision or screener is not SCREENER
    return verdict


# --- the four probes of the issue, and more of each kind ----------------------------------------

@pytest.mark.parametrize("grade, price", [(9, 100), (5, 200), (12, 50), (14, 10)])
def test_a_grade_without_a_published_floor_is_never_passed(grade: int, price: int) -> None:
    verdict = screened(proposal(land__land_grade=grade, land__grant_price_yuan_per_m2=price,
                                land__land_cost_yuan_per_m2=price / 2))
    assert verdict.decision == "needs_review"
    floor = verdict.by_rule["LAND-PRICE-FLOOR"]
    assert (floor.status, floor.reason) == ("undetermined", "no_threshold")
    review = [r for r in full.of(verdict)["to_review"] if r["rule_id"] == "LAND-PRICE-FLOOR"]
    assert [r["parameter"] for r in review] == ["price_floor"]
    assert review[0]["source"] == "gtzf-2006-307" and "307号" in review[0]["message"]["zh"]


@pytest.mark.parametrize("code", ["2521", "2522", "0610", "3110", "4411", "3041"])
def test_an_unclassified_project_in_sections_b_c_d_is_incomplete(code: str) -> None:
    verdict = screened(proposal(project__industry_code=code, project__catalogue_category=None,
                                environment__emission_control_conforms=True, land__in_lawful_park_with_plan_eia=True))
    assert verdict.decision == "incomplete"
    assert "project.catalogue_category" in [f["path"] for f in full.of(verdict)["to_supply"]]
    assert verdict.by_rule["IND-ELIMINATED"].missing == ("project.catalogue_category",)


@pytest.mark.parametrize("kind", ["new", "expansion"])
def test_a_restricted_project_may_be_neither_built_nor_expanded(kind: str) -> None:
    verdict = screened(proposal(project__kind=kind, project__catalogue_category="restricted"))
    assert verdict.decision == "rejected"
    assert verdict.by_rule["IND-RESTRICTED"].case == "restricted_new_or_expansion"


def test_a_restricted_relocation_waits_for_its_capacity_replacement() -> None:
    unknown = screened(proposal(project__kind="relocation", project__catalogue_category="restricted"))
    assert unknown.decision == "incomplete"
    assert unknown.by_rule["IND-RESTRICTED"].missing == ("project.capacity_replacement",)


@pytest.mark.parametrize("footprint, office", [(4000, 8000), (1, 39000)])
def test_a_zone_without_2023_indicators_is_never_passed(footprint: int, office: int) -> None:
    """A 2026 project in a zone with no building-coefficient or office-share values (the 2023 edition
    keeps both binding, the pack has none of its figures): 10 % coefficient, 20 % office land."""
    doc = proposal("longchang-neirong", land__land_grade=4, land__building_footprint_m2=footprint,
                   land__office_living_area_m2=office)
    verdict = screened(doc)
    assert verdict.decision not in PASSING
    for rule_id in ("INT-BUILDING-COEFFICIENT", "INT-OFFICE-SHARE"):
        finding = verdict.by_rule[rule_id]
        assert (finding.status, finding.reason) == ("undetermined", "no_threshold")
        assert rule_id in [r["rule_id"] for r in full.of(verdict)["to_review"]]


def test_to_review_names_the_2023_edition_for_intensity() -> None:
    verdict = screened(proposal("longchang-neirong", land__land_grade=4))
    sources = {r["rule_id"]: r["source"] for r in full.of(verdict)["to_review"]}
    assert sources["INT-BUILDING-COEFFICIENT"] == "mnr-2023-control"
    assert all(r["source"] in full.of(verdict)["sources"] for r in full.of(verdict)["to_review"])


def test_an_advisory_rule_without_a_value_changes_nothing() -> None:
    verdict = screened(proposal())
    assert verdict.decision == "approved"
    assert "ENV-WATER-REUSE" in full.of(verdict)["not_checked"] and full.of(verdict)["to_review"] == []


# --- every binding rule that reads a numeric parameter, with that parameter's figures removed -------

# How the base proposal breaks each rule's figures (whatever their value): one proposal per rule
VIOLATIONS: dict[str, dict[str, Any]] = {
    "ENV-ENERGY-REVIEW": {"environment__annual_energy_tce": 900000, "environment__annual_electricity_10k_kwh": 900000,
                          "environment__construction_started": True, "environment__energy_review_status": "not_submitted"},
    "LAND-PRICE-FLOOR": {"land__grant_price_yuan_per_m2": 1, "land__land_cost_yuan_per_m2": 0,
                         "project__provincial_priority_industry": True, "project__primary_agri_processing": False},
    "LAND-UNUSED-PRICE-FLOOR": {"land__grant_price_yuan_per_m2": 1, "land__land_cost_yuan_per_m2": 0,
                                "land__unused_state_land": True, "land__within_urban_construction_land": True},
    "LAND-APPROVAL-AUTHORITY": {"land__farmland_conversion": True, "land__expropriation_area_m2": 9000000,
                                "land__expropriation_arable_area_m2": 4000000, "land__conversion_approved_by": "province",
                                "land__basic_farmland": False, "land__compensation_settled": True},
    "INT-INVESTMENT-INTENSITY": {"investment__fixed_assets_wan": 1},
    "INT-PLOT-RATIO": {"land__floor_area_m2": 4000, "land__office_floor_area_m2": 100},
    "INT-PLOT-RATIO-MAX": {"land__floor_area_m2": 400000},
    "INT-BUILDING-COEFFICIENT": {"land__building_footprint_m2": 1},
    "INT-OFFICE-SHARE": {"land__office_living_area_m2": 39000},
    "INT-OFFICE-FLOOR-SHARE": {"land__office_floor_area_m2": 47000},
    "INT-GREEN-RATIO": {"land__green_area_m2": 39000},
    "INT-OUTPUT-PER-LAND": {"outputs__annual_output_wan": 1},
    "INT-TAX-PER-LAND": {"outputs__annual_tax_wan": 0},
    "INT-RD-RATIO": {"outputs__rd_ratio": 0},
}


def _parameters_read(pack: Any, rule: Any) -> set[str]:
    found: set[str] = set()

    def walk(path: str) -> None:
        if path.startswith("par."):
            found.add(path[4:])
        elif path.startswith("ind."):
            for inner in pack.indicators[path[4:]].formula.paths:
                walk(inner)

    for path in [p for c in rule.cases for p in condition_paths(c.when)] + condition_paths(rule.applies_when):
        walk(path)
    return {p for p in found if pack.parameters[p].unit not in ("boolean", "text")}


BINDING = [(rule.id, name) for rule in SCREENER.pack.rules
           if {rule.severity, *(c.severity for c in rule.cases if c.severity)} & {"veto", "mandatory"}
           for name in sorted(_parameters_read(SCREENER.pack, rule))]


def test_every_binding_numeric_rule_has_a_violating_proposal() -> None:
    assert BINDING and {rule_id for rule_id, _ in BINDING} == set(VIOLATIONS)


@pytest.fixture(scope="module")
def without(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A screener over a copy of the packs with one parameter's national and zone rows removed."""
    made: dict[str, Screener] = {}

    def screener(name: str) -> Screener:
        if name not in made:
            root = tmp_path_factory.mktemp(name) / "rules"
            shutil.copytree(ROOT / "rules", root, ignore=shutil.ignore_patterns("__pycache__"))
            pack_file = root / "national" / "pack.yaml"
            pack = yaml.safe_load(pack_file.read_text(encoding="utf-8"))
            pack["parameters"][name].pop("table", None)
            pack["parameters"][name]["values"] = []
            pack_file.write_text(yaml.safe_dump(pack, allow_unicode=True, sort_keys=False), encoding="utf-8")
            for zone_file in (root / "zones").glob("*.yaml"):
                zone = yaml.safe_load(zone_file.read_text(encoding="utf-8"))
                (zone.get("parameters") or {}).pop(name, None)
                zone_file.write_text(yaml.safe_dump(zone, allow_unicode=True, sort_keys=False), encoding="utf-8")
            made[name] = Screener(root / "national")
        return made[name]

    return screener


@pytest.mark.parametrize("zone", sorted(SCREENER.pack.zones))
@pytest.mark.parametrize("rule_id, parameter", BINDING)
def test_a_binding_rule_without_its_figure_never_passes(without: Any, zone: str, rule_id: str, parameter: str) -> None:
    doc = proposal(zone, land__land_grade=4, **VIOLATIONS[rule_id])
    verdict = without(parameter).screen(doc, timestamp=False)
    assert verdict.decision not in PASSING, (rule_id, parameter, zone)
    finding = verdict.by_rule[rule_id]
    assert finding.status in ("violated", "undetermined"), (rule_id, parameter, zone, finding.status)
