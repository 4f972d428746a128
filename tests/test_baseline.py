"""Findings became data and prose a view: on 3,000 generated proposals (tests/test_differential.py's
generator, recorded before the change) and the six examples, the verdicts are the same in substance,
and the full document is the same apart from the fields 1.1 adds."""

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


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(ROOT / "rules" / "national")


@pytest.mark.slow
def test_generated_proposals_keep_their_substance(screener: Screener) -> None:
    cases = baseline.load()
    assert len(cases) == 3000
    differ = []
    for case in cases:
        verdict = screener.screen(Proposal.model_validate(case["proposal"]), as_of=dt.date.fromisoformat(case["as_of"]),
                                  timestamp=False)
        document = orjson.loads(full.to_json_bytes(verdict))
        got = (document["decision"], baseline.statuses(document), baseline.digest(baseline.substance(document)))
        if got != (case["decision"], case["statuses"], case["substance"]) or baseline.full_digest(document) != case["full"]:
            differ.append(f"{case['proposal']['reference']} {case['as_of']}: {got} vs "
                          f"{(case['decision'], case['statuses'], case['substance'])}")
    assert not differ, f"{len(differ)} of {len(cases)} differ:\n" + "\n".join(differ[:10])


def test_examples_keep_their_substance_and_full_document(screener: Screener) -> None:
    expected = json.loads((ROOT / "tests" / "fixtures" / "baseline" / "examples.json").read_text(encoding="utf-8"))
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        verdict = screener.screen(yaml.safe_load(path.read_text(encoding="utf-8")), timestamp=False)
        document = orjson.loads(full.to_json_bytes(verdict))
        assert baseline.digest(baseline.substance(document)) == expected[path.stem]["substance"], path.name
        # recorded before issue 9 changed how a file's values are canonicalised (and so the proposal digest)
        assert baseline.full_digest(document, with_digest=False) == expected[path.stem]["full_without_digest"], path.name
