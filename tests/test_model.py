"""The proposal contract: required fields, units, enums, every problem at once with its path."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from zonecheck.engine.contract.proposal import FACTS, Proposal, problems_from

MINIMAL = {"reference": "R-1", "name": "项目", "zone": "demo-east", "submitted_on": "2026-11-02",
           "project": {"industry_code": "3812"}}


def test_minimal_proposal_leaves_everything_else_missing() -> None:
    proposal = Proposal.model_validate(MINIMAL)
    assert proposal.land.site_area_m2 is None and proposal.environment.eia_status is None
    assert proposal.project.kind is None


def test_numbers_are_exact_decimals() -> None:
    proposal = Proposal.model_validate({**MINIMAL, "land": {"site_area_m2": 0.1, "floor_area_m2": "12345.67"}})
    assert proposal.land.site_area_m2 == Decimal("0.1")
    assert proposal.land.floor_area_m2 == Decimal("12345.67")


@pytest.mark.parametrize(("field", "value"), [
    ("land.site_area_m2", 0), ("land.site_area_m2", -1), ("land.floor_area_m2", 0), ("investment.total_wan", "1e13"),
    ("environment.water_reuse_rate", 1.2), ("land.grant_method", "gift"), ("land.land_grade", 16),
    ("project.industry_code", "3"), ("project.industry_code", "38121"), ("investment.total_wan", "NaN"),
    ("land.non_production_facilities", ["casino"]), ("land.unknown_field", 1),
])
def test_bad_values_are_refused_with_their_path(field: str, value: object) -> None:
    section, name = field.split(".")
    data = {**MINIMAL, section: {**MINIMAL.get(section, {}), name: value}}  # type: ignore[dict-item]
    with pytest.raises(ValidationError) as caught:
        Proposal.model_validate(data)
    assert [p.path for p in problems_from(caught.value)][0].startswith(field)


def test_every_problem_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        Proposal.model_validate({"zone": "demo-east", "project": {}, "land": {"site_area_m2": -3}})
    problems = problems_from(caught.value)
    assert {p.path for p in problems} == {"reference", "name", "submitted_on", "project.industry_code", "land.site_area_m2"}
    assert all(p.label_zh and p.reason for p in problems)
    assert next(p for p in problems if p.path == "land.site_area_m2").label_zh == "项目用地面积（平方米）"


def test_every_fact_has_a_chinese_label_and_numbers_a_unit() -> None:
    for path, spec in FACTS.items():
        assert spec.label_zh and spec.label_zh != path.split(".")[-1], path
        if spec.kind == "number":
            assert spec.unit, path
