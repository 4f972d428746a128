"""The engine on a small fixture pack: outcomes, exact boundaries, parameters, defaults, decisions."""

from __future__ import annotations

import copy
from dataclasses import replace
import datetime as dt
import json
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from zonecheck.engine.core.compiler import compile_pack
from zonecheck.engine.core.runtime import EngineError, Runtime
from zonecheck.engine.screener import InvalidProposal, Screener
from zonecheck.engine.explain.verdict import decide
from zonecheck.service.present import full

FIXTURE = Path(__file__).parent / "fixtures" / "rules" / "mini"
BEFORE_2023 = dt.date(2020, 6, 1)  # the fixture's national plot-ratio and office values are in force
TODAY = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(FIXTURE)


def proposal(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "reference": "T-1",
        "name": "测试项目",
        "zone": "z1",
        "submitted_on": "2026-11-02",
        "project": {"kind": "new", "industry_code": "3812"},
        "investment": {"total_wan": 50000, "fixed_assets_wan": 40000},
        "land": {"site_area_m2": 100000, "floor_area_m2": 80000, "office_living_area_m2": 5000,
                 "in_ecological_red_line": False, "non_production_facilities": []},
        "environment": {},
    }
    for dotted, value in changes.items():
        node = base
        *parents, last = dotted.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return base


def finding(screener: Screener, data: dict[str, Any], rule_id: str, as_of: dt.date | None = None) -> Any:
    return screener.screen(data, as_of=as_of, timestamp=False).by_rule[rule_id]


def shown(screener: Screener, data: dict[str, Any], rule_id: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """The rule's finding in the full document (what was `finding.body`)."""
    return full.by_rule(screener.screen(data, as_of=as_of, timestamp=False))[rule_id]


# --- the four outcomes and the missing case ------------------------------------------------------

def test_satisfied_violated_missing(screener: Screener) -> None:
    assert finding(screener, proposal(), "T-RED-LINE").status == "satisfied"
    hit = finding(screener, proposal(land__in_ecological_red_line=True), "T-RED-LINE")
    assert (hit.status, hit.case, hit.severity) == ("violated", "inside", "veto")
    gap = finding(screener, proposal(land__in_ecological_red_line=None), "T-RED-LINE")
    assert (gap.status, gap.reason, gap.missing) == ("undetermined", "missing_facts", ("land.in_ecological_red_line",))


def test_not_applicable(screener: Screener) -> None:
    assert finding(screener, proposal(), "T-TWO-HIGH").status == "not_applicable"
    steel = proposal(project__industry_code="3120", environment__provincial_eia_review=False)
    assert finding(screener, steel, "T-TWO-HIGH").status == "violated"


# --- exact boundaries --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("floor_area", "status"),
    [
        ("70000", "satisfied"),  # exactly at the minimum: `lt` makes the bound inclusive
        ("69999.9", "violated"),  # 0.699999
        ("70000.1", "satisfied"),  # 0.700001
        ("69999.94", "violated"),  # 0.6999994 -> 0.699999 (stated rounding: 6 places, half-even)
        ("69999.95", "satisfied"),  # 0.6999995 -> 0.700000
    ],
)
def test_plot_ratio_boundary_is_exact(screener: Screener, floor_area: str, status: str) -> None:
    # 3812 -> 2002 code 39 -> minimum 0.7; site 100,000 m2: exactly 70,000 m2 of floor area passes
    found = finding(screener, proposal(land__floor_area_m2=floor_area), "T-PLOT-RATIO", BEFORE_2023)
    assert found.status == status


def test_upper_bound_is_inclusive(screener: Screener) -> None:
    assert finding(screener, proposal(land__office_living_area_m2=7000), "T-OFFICE", BEFORE_2023).status == "satisfied"
    over = finding(screener, proposal(land__office_living_area_m2="7000.1"), "T-OFFICE", BEFORE_2023)
    assert over.status == "violated"
    assert shown(screener, proposal(land__office_living_area_m2="7000.1"), "T-OFFICE", BEFORE_2023)["thresholds"][0] == {"parameter": "office_share_max", "comparison": "≤", "inclusive": True}


def test_exact_remedy(screener: Screener) -> None:
    low = finding(screener, proposal(land__floor_area_m2=65000), "T-PLOT-RATIO", BEFORE_2023)
    assert low.status == "violated"
    assert shown(screener, proposal(land__floor_area_m2=65000), "T-PLOT-RATIO", BEFORE_2023)["remedy"]["zh"] == "总建筑面积至少 70,000 m2"
    # zone minimum 250 万元/亩 = 3,750 万元/公顷; 10 ha need 37,500 万元; 20,000 万元 supports 53,333.33 m2
    poor = finding(screener, proposal(investment__fixed_assets_wan=20000), "T-INVEST")
    assert poor.status == "violated"
    assert shown(screener, proposal(investment__fixed_assets_wan=20000), "T-INVEST")["remedy"]["zh"] == "固定资产投资至少 37,500 万元，或用地不超过 53,333.33 m2"


# --- parameters --------------------------------------------------------------------------------

def test_threshold_selected_by_date(screener: Screener) -> None:
    assert finding(screener, proposal(land__floor_area_m2=65000), "T-PLOT-RATIO", BEFORE_2023).status == "violated"
    later = finding(screener, proposal(land__floor_area_m2=65000), "T-PLOT-RATIO", TODAY)
    assert (later.status, later.reason) == ("undetermined", "no_threshold")
    # a binding rule with no value in force is not a pass: it needs review by hand
    assert screener.screen(proposal(land__floor_area_m2=65000), as_of=TODAY).decision == "needs_review"


def test_zone_value_converted_and_stricter_one_governs(screener: Screener) -> None:
    verdict = screener.screen(proposal(investment__fixed_assets_wan=37000))
    found = verdict.by_rule["T-INVEST"]
    threshold = full.of(verdict)["thresholds"][found.thresholds[0]["parameter"]]
    assert found.status == "violated"
    assert (threshold["value"], threshold["decided_by"], threshold["as_written"]) == ("3750", "zone", "250 万元/亩")
    assert threshold["not_applied"]["value"] == "3000"  # the national value is looser here
    assert finding(screener, proposal(investment__fixed_assets_wan=37500), "T-INVEST").status == "satisfied"


def test_before_the_zone_value_national_applies(screener: Screener) -> None:
    verdict = screener.screen(proposal(investment__fixed_assets_wan=31000), as_of=dt.date(2021, 1, 1))
    assert verdict.by_rule["T-INVEST"].status == "satisfied"
    assert full.of(verdict)["thresholds"]["investment_intensity_min"]["decided_by"] == "national"


def test_short_code_mapping_to_several_values_asks_for_a_longer_code(screener: Screener) -> None:
    vague = finding(screener, proposal(project__industry_code="29"), "T-PLOT-RATIO", BEFORE_2023)
    assert (vague.status, vague.reason, vague.missing) == ("undetermined", "missing_facts", ("project.industry_code",))
    assert "hint" in shown(screener, proposal(project__industry_code="29"), "T-PLOT-RATIO", BEFORE_2023)["missing_facts"][0]
    rubber = finding(screener, proposal(project__industry_code="2912", land__floor_area_m2=80000), "T-PLOT-RATIO", BEFORE_2023)
    plastics = finding(screener, proposal(project__industry_code="2922", land__floor_area_m2=80000), "T-PLOT-RATIO", BEFORE_2023)
    assert (rubber.status, plastics.status) == ("satisfied", "violated")  # 0.8 vs 1.0


def test_keyed_flag_with_a_finer_row_is_ambiguous_for_a_short_code(screener: Screener) -> None:
    found = finding(screener, proposal(project__industry_code="25"), "T-TWO-HIGH")
    assert (found.status, found.missing) == ("undetermined", ("project.industry_code",))


def test_default_applies_only_when_its_condition_holds(screener: Screener) -> None:
    assumed = finding(screener, proposal(), "T-CATALOGUE")
    assert assumed.status == "satisfied"
    assert shown(screener, proposal(), "T-CATALOGUE")["values"]["project.catalogue_category"] == "permitted"
    assert shown(screener, proposal(), "T-CATALOGUE")["assumed"] == ["project.catalogue_category"]
    steel = finding(screener, proposal(project__industry_code="3120"), "T-CATALOGUE")
    assert (steel.status, steel.missing) == ("undetermined", ("project.catalogue_category",))
    stated = finding(screener, proposal(project__industry_code="3120", project__catalogue_category="restricted"), "T-CATALOGUE")
    assert stated.status == "violated"


def test_list_fact(screener: Screener) -> None:
    hotel = finding(screener, proposal(land__non_production_facilities=["hotel"]), "T-NONPROD")
    assert hotel.status == "violated"
    assert finding(screener, proposal(land__non_production_facilities=["training_centre"]), "T-NONPROD").status == "satisfied"
    assert finding(screener, proposal(land__non_production_facilities=None), "T-NONPROD").status == "undetermined"


# --- decisions and the verdict -----------------------------------------------------------------

def test_decision_precedence(screener: Screener) -> None:
    assert screener.screen(proposal(), as_of=BEFORE_2023).decision == "approved"
    assert screener.screen(proposal()).decision == "needs_review"  # T-OFFICE has no value after 2023-06-24
    assert screener.screen(proposal(land__in_ecological_red_line=True, land__floor_area_m2=1)).decision == "rejected"
    assert screener.screen(proposal(land__non_production_facilities=["hotel"], land__in_ecological_red_line=None)).decision == "revise"
    assert screener.screen(proposal(land__in_ecological_red_line=None)).decision == "incomplete"
    steel = proposal(project__industry_code="3120", project__catalogue_category="permitted",
                     environment__provincial_eia_review=False)
    verdict = screener.screen(steel, as_of=dt.date(2022, 6, 1))  # every value it reads is in force
    assert verdict.decision == "conditional"
    assert [c["rule_id"] for c in full.of(verdict)["conditions"]] == ["T-TWO-HIGH"]


def test_no_threshold_on_a_binding_rule_needs_review(screener: Screener) -> None:
    verdict = screener.screen(proposal(land__floor_area_m2=1), as_of=TODAY)
    assert verdict.decision == "needs_review"
    assert full.of(verdict)["decision_label"]["zh"] == "需人工核查"
    assert full.of(verdict)["not_checked"] == ["T-PLOT-RATIO", "T-OFFICE"]
    assert [(r["rule_id"], r["parameter"]) for r in full.of(verdict)["to_review"]] == [
        ("T-PLOT-RATIO", "plot_ratio_min"), ("T-OFFICE", "office_share_max")]
    assert all(r["source"] == "test-national" and r["message"]["zh"] for r in full.of(verdict)["to_review"])
    # a violated condition stays attached while the review is pending
    steel = proposal(project__industry_code="3120", project__catalogue_category="permitted",
                     environment__provincial_eia_review=False)
    held = screener.screen(steel, as_of=TODAY)
    assert held.decision == "needs_review"
    assert [c["rule_id"] for c in full.of(held)["conditions"]] == ["T-TWO-HIGH"]
    # missing facts come first: incomplete
    assert screener.screen(proposal(land__in_ecological_red_line=None), as_of=TODAY).decision == "incomplete"


def test_incomplete_lists_the_facts_to_supply(screener: Screener) -> None:
    verdict = screener.screen(proposal(land__in_ecological_red_line=None, land__non_production_facilities=None))
    assert [f["path"] for f in full.of(verdict)["to_supply"]] == ["land.in_ecological_red_line", "land.non_production_facilities"]


def test_same_input_same_bytes(screener: Screener) -> None:
    first = full.to_json_bytes(screener.screen(proposal(), timestamp=False))
    for _ in range(3):
        assert full.to_json_bytes(screener.screen(copy.deepcopy(proposal()), timestamp=False)) == first
    document = json.loads(first)
    assert document["schema_version"] == "1.1"  # 1.1 adds `to_review`
    assert document["pack"]["hash"].startswith("sha256:") and document["zone"]["hash"].startswith("sha256:")
    assert "generated_at" in full.of(screener.screen(proposal()))


def test_invalid_proposal_reports_every_problem_and_evaluates_nothing(screener: Screener) -> None:
    bad = proposal(project__industry_code="38A", land__site_area_m2=-5, environment__eia_status="waiting")
    del bad["name"]
    with pytest.raises(InvalidProposal) as caught:
        screener.screen(bad)
    paths = {p.path for p in caught.value.problems}
    assert paths == {"name", "project.industry_code", "land.site_area_m2", "environment.eia_status"}


def test_a_figure_too_large_to_compare_exactly_is_an_invalid_proposal(screener: Screener) -> None:
    # issue 9: the inputs that made ind.investment_intensity overflow are now refused by the proposal check,
    # before any arithmetic; the engine's own guard stays for figures that reach it another way
    with pytest.raises(InvalidProposal, match=r"(?=.*land\.site_area_m2)(?=.*investment\.fixed_assets_wan)"):
        screener.screen(proposal(land__site_area_m2="0.000001", investment__fixed_assets_wan="900000000000"))
    from zonecheck.engine.core.compiler import durable_fact

    with pytest.raises(OverflowError, match="ind.investment_intensity"):
        durable_fact(screener.compiled, {"ind.investment_intensity": Decimal("9e18")})


def test_unknown_zone_is_an_invalid_proposal(screener: Screener) -> None:
    with pytest.raises(InvalidProposal, match="no zone profile 'mars'"):
        screener.screen(proposal(zone="mars"))


# --- every verdict comes from durable_rules ----------------------------------------------------

def test_a_ruleset_whose_outcome_rules_never_fire_changes_the_verdict(screener: Screener) -> None:
    compiled = compile_pack(screener.pack)
    never = {name: ({"all": [{"m": {"type": "never"}}]} if name != "always" else rule)
             for name, rule in compiled.definition.items()}
    broken = Screener(screener.pack, runtime=Runtime(replace(compiled, name=compiled.name + "-never", definition=never)))
    for data in (proposal(land__in_ecological_red_line=True), proposal(land__in_ecological_red_line=None),
                 proposal(land__non_production_facilities=["hotel"])):
        real, swapped = screener.screen(data), broken.screen(data)
        assert real.decision != "approved"
        assert swapped.decision != real.decision
        assert not any(f.status in ("violated", "undetermined", "not_applicable") for f in swapped.findings
                       if f.rule.id != "T-PLOT-RATIO")


def test_a_ruleset_that_never_fires_at_all_is_refused(screener: Screener) -> None:
    compiled = compile_pack(screener.pack)
    silent = {name: {"all": [{"m": {"type": "never"}}]} for name in compiled.definition}
    broken = Screener(screener.pack, runtime=Runtime(replace(compiled, name=compiled.name + "-silent", definition=silent)))
    with pytest.raises(EngineError):
        broken.screen(proposal())


# --- robustness --------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    {"type": "screening", "ind": {"plot_ratio": 0.5}},
    {"type": "screening", "ind": {"plot_ratio": float("nan")}},
    {"type": "screening", "land": {"site_area_m2": 2**70}},
    {"type": "screening", "land": [1, 2]},
    {"type": "screening", "land": {"site_area_m2": Decimal("1.5")}},
    {"type": "screening", 5: "x"},
])
def test_malformed_facts_are_refused_and_the_engine_survives(screener: Screener, bad: dict[Any, Any]) -> None:
    with pytest.raises(EngineError):
        screener.runtime.fire(bad)
    assert screener.screen(proposal(), as_of=BEFORE_2023).decision == "approved"


def test_concurrent_callers_get_the_same_answers(screener: Screener) -> None:
    cases = [proposal(land__floor_area_m2=60000 + 1000 * i, investment__fixed_assets_wan=30000 + 1000 * i,
                      land__in_ecological_red_line=(i % 7 == 0)) for i in range(20)]
    expected = [full.to_json_bytes(screener.screen(c, as_of=BEFORE_2023, timestamp=False)) for c in cases]
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for n in range(150):
                index = (n + offset) % len(cases)
                got = full.to_json_bytes(screener.screen(cases[index], as_of=BEFORE_2023, timestamp=False))
                assert got == expected[index]
                if n % 25 == 0:
                    with pytest.raises(EngineError):
                        screener.runtime.fire({"type": "screening", "bad": 1.5})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]


def test_decide_ignores_advisory_and_reviews_unchecked_binding_rules() -> None:
    class F:  # a stand-in finding
        def __init__(self, status: str, severity: str, reason: str | None = None):
            self.status, self.severity, self.reason = status, severity, reason

    assert decide([F("violated", "advisory"), F("undetermined", "advisory", "missing_facts")]) == "approved"  # type: ignore[list-item]
    assert decide([F("undetermined", "mandatory", "no_threshold")]) == "needs_review"  # type: ignore[list-item]
    assert decide([F("undetermined", "condition", "no_threshold"), F("violated", "condition")]) == "needs_review"  # type: ignore[list-item]
    assert decide([F("undetermined", "advisory", "no_threshold"), F("violated", "condition")]) == "conditional"  # type: ignore[list-item]
    assert decide([F("undetermined", "veto", "no_threshold"), F("violated", "mandatory")]) == "revise"  # type: ignore[list-item]
    assert decide([F("undetermined", "mandatory", "missing_facts"), F("violated", "condition")]) == "incomplete"  # type: ignore[list-item]


def test_what_is_missing_is_named_alike_with_or_without_the_walk() -> None:
    """Undetermined findings of flat conditions name what is missing without the three-valued walk
    (engine/explain/plan.py `flat_leaves`); over many proposals of the national pack, with parts left
    out at random, they name exactly what the walk names."""
    import itertools
    import random
    import sys

    from zonecheck.engine.core.compiler import durable_fact
    from zonecheck.engine.explain.findings import _Walk
    from zonecheck.engine.screener import validate

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from bench.workload import iter_proposals

    national = Screener(root / "rules" / "national")
    rng = random.Random(17)
    flat = 0
    for item in itertools.islice(iter_proposals(root / "examples", 23), 400):
        for section in ("investment", "land", "environment", "outputs", "investor"):
            fields = item.get(section) or {}
            for name in [n for n in fields if rng.random() < 0.3]:
                del fields[name]
        model = validate(item)
        facts = national.facts.build(model, national.pack.zones[model.zone], model.submitted_on)
        fired = national.runtime.fire(durable_fact(national.compiled, facts.values), checked=True)
        unknown = dict(national.explainer.unknown_at[n] for n in fired if n in national.explainer.unknown_at)
        for index, (plan, found) in enumerate(zip(national.explainer.plan.rules, national.explainer.findings(facts, fired))):
            if found.reason is None or plan.has_defaults:
                continue
            walked = national.explainer.why_undetermined(_Walk(plan.rule, facts).unknownleaves(), facts)
            assert (found.reason, found.missing) == walked, plan.rule.id
            flat += index in unknown and plan.unknown_leaves[unknown[index]] is not None
    assert flat > 1000  # the path without the walk was taken, and named what the walk names


def test_two_outcomes_of_one_rule_at_once_are_an_engine_fault(screener: Screener) -> None:
    """durable_rules must conclude one outcome per rule; two different ones are never explained away."""
    from zonecheck.engine.core.compiler import ALWAYS

    explainer, outcomes = screener.explainer, screener.compiled.outcomes
    by_rule: dict[int, list[str]] = {}
    for name, outcome in outcomes.items():
        by_rule.setdefault(outcome.rule_index, []).append(name)
    index, names = next((i, n) for i, n in by_rule.items() if {outcomes[x].kind for x in n} >= {"n", "v"})
    facts = screener.facts.build(screener_model(), screener.pack.zones["z1"], TODAY)
    pair = {next(x for x in names if outcomes[x].kind == "n"), next(x for x in names if outcomes[x].kind == "v")}
    with pytest.raises(RuntimeError, match="at once"):
        explainer.findings(facts, {ALWAYS, *pair})
    alone = explainer.findings(facts, {ALWAYS, *sorted(pair)[:1]})
    assert alone[index].status.value in ("not_applicable", "violated")


def screener_model() -> Any:
    from zonecheck.engine.screener import validate

    return validate(proposal())
