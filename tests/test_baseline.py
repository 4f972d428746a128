"""Findings became data and prose a view: on 3,000 generated proposals (tests/test_differential.py's
generator, recorded before the change) and the six examples, the verdicts are the same in substance,
and the full document is the same apart from the fields 1.1 adds.

The pack and examples screened are frozen copies of those the baseline was recorded with
(`fixtures/baseline/at-6f67633/`), so later policy changes to `rules/` do not blur what this test holds: the
engine and its views. One change of semantics since then is applied explicitly: the decision ladder's
`needs_review` (issue 8), which replaces `approved` or `conditional` when a binding rule had no control value
in force; for those verdicts the substance is compared with the decision the 1.0 ladder gives, and the full
document (whose summary names the new decision) is not compared. The proposal digest is left out of the
full-document comparison: it covers every field of the contract, which has gained fields since (issues 8, 9);
`full_without_digest` was recorded from the views commit, itself checked against the full digests of 6f67633."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import orjson
import pytest
import yaml

import baseline
from zonecheck.engine.contract.proposal import Proposal
from zonecheck.engine.screener import Screener
from zonecheck.service.present import full

ROOT = Path(__file__).resolve().parent.parent


FROZEN = ROOT / "tests" / "fixtures" / "baseline" / "at-6f67633"


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(FROZEN / "rules" / "national")


def _ladder_1_0(document: dict) -> tuple[dict, bool]:
    """The document with the decision the 1.0 ladder gives (no `needs_review`), and whether it differed."""
    if document["decision"] != "needs_review":
        return document, False
    severities = {f["severity"] for f in document["findings"] if f["status"] == "violated"}
    return {**document, "decision": "conditional" if "condition" in severities else "approved"}, True


@pytest.mark.slow
def test_generated_proposals_keep_their_substance(screener: Screener) -> None:
    cases = baseline.load()
    assert len(cases) == 3000
    differ = []
    for case in cases:
        verdict = screener.screen(Proposal.model_validate(case["proposal"]), as_of=dt.date.fromisoformat(case["as_of"]),
                                  timestamp=False)
        document, relabelled = _ladder_1_0(orjson.loads(full.to_json_bytes(verdict)))
        got = (document["decision"], baseline.statuses(document), baseline.digest(baseline.substance(document)))
        if got != (case["decision"], case["statuses"], case["substance"]) or (
                not relabelled and baseline.full_digest(document, with_digest=False) != case["full_without_digest"]):
            differ.append(f"{case['proposal']['reference']} {case['as_of']}: {got} vs "
                          f"{(case['decision'], case['statuses'], case['substance'])}")
    assert not differ, f"{len(differ)} of {len(cases)} differ:\n" + "\n".join(differ[:10])


def test_examples_keep_their_substance_and_full_document(screener: Screener) -> None:
    expected = json.loads((ROOT / "tests" / "fixtures" / "baseline" / "examples.json").read_text(encoding="utf-8"))
    for path in sorted((FROZEN / "examples").glob("*.yaml")):
        verdict = screener.screen(yaml.safe_load(path.read_text(encoding="utf-8")), timestamp=False)
        document, relabelled = _ladder_1_0(orjson.loads(full.to_json_bytes(verdict)))
        assert baseline.digest(baseline.substance(document)) == expected[path.stem]["substance"], path.name
        if not relabelled:
            # recorded before issue 9 changed how a file's values are canonicalised (and so the proposal digest)
            assert baseline.full_digest(document, with_digest=False) == expected[path.stem]["full_without_digest"], path.name
