"""Hand-written cases for every rule of the national pack, run through the real engine.

Each `tests/rules/<pack>/<RULE-ID>.yaml` lists cases that start from `_base.yaml` (a complete,
approved proposal), change only what they are about, and state what the rule must conclude:

    rule: INT-PLOT-RATIO
    cases:
      - name: 恰好等于下限                 # unique within the file
        kind: boundary                    # satisfied | violated | boundary | not_applicable | missing | no_threshold | other
        set: {land.floor_area_m2: 28000}  # dotted paths; `unset: [paths]` removes facts
        as_of: 2022-06-01                 # optional screening date (default: the base's submitted_on)
        zone: longchang-neirong           # optional zone profile
        expect: {status: satisfied}       # status, and optionally case, severity, reason, missing, message_contains

A file may say `cannot_be_missing: <why>` for a rule that reads only required facts, and
`cannot_be_violated: <why>` for a rule every case of which reads a figure the pack does not ship yet
(checked: the exemption lapses as soon as a figure is added).
The reference evaluator must agree with the engine on every case. Coverage: every rule has at least
a satisfied, a violated and a missing case, a not_applicable case if it has `applies_when`, and a
boundary case if it compares against a numeric threshold.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from zonecheck.engine.screener import Screener
from zonecheck.oracle import ReferenceEvaluator
from zonecheck.service.present import full

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = Path(__file__).parent / "rules" / "national"
EXEMPT_FROM_MISSING: dict[str, str] = {}  # rule id -> why no fact it reads can be missing
# rule id -> why it cannot be violated yet: every case reads a figure the pack does not ship (checked below)
EXEMPT_FROM_VIOLATED: dict[str, str] = {}
KINDS = {"satisfied", "violated", "boundary", "not_applicable", "missing", "no_threshold", "other"}


def load_cases() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert spec["rule"] == path.stem, f"{path.name} must be named after its rule"
        if spec.get("cannot_be_missing"):
            EXEMPT_FROM_MISSING[spec["rule"]] = spec["cannot_be_missing"]
        if spec.get("cannot_be_violated"):
            EXEMPT_FROM_VIOLATED[spec["rule"]] = spec["cannot_be_violated"]
        names = [c["name"] for c in spec["cases"]]
        assert len(names) == len(set(names)), f"{path.name}: case names must be unique"
        for case in spec["cases"]:
            assert case["kind"] in KINDS, f"{path.name}: {case['name']}: unknown kind {case['kind']}"
            found.append((spec["rule"], case["name"], case))
    return found


CASES = load_cases()
BASE = yaml.safe_load((CASES_DIR / "_base.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(ROOT / "rules" / "national")


@pytest.fixture(scope="module")
def reference() -> ReferenceEvaluator:
    return ReferenceEvaluator(ROOT / "rules", "national")


def build(case: dict[str, Any]) -> dict[str, Any]:
    proposal = copy.deepcopy(BASE)
    for dotted, value in (case.get("set") or {}).items():
        node = proposal
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    for dotted in case.get("unset") or ():
        node = proposal
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.get(part, {})
        node.pop(last, None)
    if case.get("zone"):
        proposal["zone"] = case["zone"]
    return proposal


def as_of(case: dict[str, Any]) -> dt.date | None:
    value = case.get("as_of")
    return dt.date.fromisoformat(str(value)) if value else None


@pytest.mark.parametrize(("rule_id", "name", "case"), CASES, ids=[f"{r}:{n}" for r, n, _ in CASES])
def test_rule_case(screener: Screener, reference: ReferenceEvaluator, rule_id: str, name: str, case: dict[str, Any]) -> None:
    proposal = build(case)
    verdict = screener.screen(proposal, as_of=as_of(case), timestamp=False)
    finding = verdict.by_rule[rule_id]
    body = full.by_rule(verdict)[rule_id]  # the finding in words (what was `finding.body`)
    expect = case["expect"]
    got = {"status": finding.status, "case": finding.case, "severity": finding.severity,
           "reason": finding.reason, "missing": list(finding.missing)}
    for key in ("status", "case", "severity", "reason", "missing"):
        if key in expect:
            assert got[key] == expect[key], f"{rule_id} / {name}: {key} {got[key]!r} != {expect[key]!r}: {body['message']['zh']}"
    if "message_contains" in expect:
        assert expect["message_contains"] in body["message"]["zh"] + (body["remedy"] or {}).get("zh", "")
    oracle = reference.evaluate(verdict_input(screener, proposal), as_of(case))["findings"][rule_id]
    assert (oracle["status"], oracle["case"], oracle["reason"], oracle["missing_facts"]) == (
        finding.status, finding.case, finding.reason, list(finding.missing)), f"reference evaluator disagrees on {rule_id} / {name}"


def verdict_input(screener: Screener, proposal: dict[str, Any]) -> dict[str, Any]:
    from zonecheck.engine.contract.proposal import Proposal

    return Proposal.model_validate(proposal).model_dump(mode="json")


def test_every_rule_has_its_cases(screener: Screener) -> None:
    from zonecheck.engine.pack.loader import condition_paths

    kinds: dict[str, set[str]] = {}
    for rule_id, _, case in CASES:
        kinds.setdefault(rule_id, set()).add(case["kind"])
    gaps = []
    for rule in screener.pack.rules:
        needed = {"satisfied", "violated", "missing"} if rule.cases else {"satisfied", "missing"}
        if rule.applies_when is not None:
            needed.add("not_applicable")
        paths = [p for c in rule.cases for p in condition_paths(c.when)] + condition_paths(rule.applies_when)
        numeric = [p for p in paths if p.startswith("ind.") or
                   (p.startswith("par.") and screener.pack.parameters[p[4:]].unit not in ("boolean", "text"))]
        if numeric:
            needed.add("boundary")
        if rule.id in EXEMPT_FROM_MISSING:
            needed.discard("missing")
        if rule.id in EXEMPT_FROM_VIOLATED:
            # only while every case reads a parameter with no figure anywhere (national or zone)
            def unshipped(path: str) -> bool:
                if path.startswith("ind."):
                    return any(unshipped(p) for p in screener.pack.indicators[path[4:]].formula.paths)
                if not path.startswith("par."):
                    return False
                name = path[4:]
                return not screener.pack.parameters[name].rows and not any(
                    zone.rows.get(name) for zone in screener.pack.zones.values())
            assert all(any(unshipped(p) for p in condition_paths(c.when)) for c in rule.cases), rule.id
            needed.discard("violated")
        lacking = needed - kinds.get(rule.id, set())
        if lacking:
            gaps.append(f"{rule.id}: {', '.join(sorted(lacking))}")
    assert not gaps, "rules lacking cases:\n" + "\n".join(gaps)
