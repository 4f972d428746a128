"""The examples: one proposal per decision, each explanation naming the clause it rests on."""

from __future__ import annotations

from pathlib import Path

import yaml

from zonecheck.engine.screener import Screener
from zonecheck.engine.explain.verdict import clause

ROOT = Path(__file__).resolve().parent.parent


def test_one_example_per_decision_each_naming_its_clauses() -> None:
    screener = Screener(ROOT / "rules" / "national")
    decisions = {}
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        verdict = screener.screen(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert path.stem.startswith(verdict.decision), f"{path.name} is named for another decision than {verdict.decision}"
        decisions[verdict.decision] = path.name
        deciding = [f for f in verdict.findings if f.status == "violated" and f.severity != "advisory"
                    or f.status == "undetermined" and f.reason == "missing_facts" and f.severity != "advisory"]
        for finding in deciding:
            assert clause(finding.rule) in verdict.document["summary"]["zh"], (path.name, finding.rule.id)
            assert finding.body["citations"], finding.rule.id
    assert set(decisions) == {"approved", "conditional", "needs_review", "incomplete", "revise", "rejected"}


def test_verdicts_are_byte_identical_across_processes() -> None:
    """No set or hash order leaks into the JSON: two processes with different hash seeds agree."""
    import os
    import subprocess
    import sys

    script = ("import sys, yaml, pathlib; from zonecheck.engine.screener import Screener; s = Screener(); "
              "[sys.stdout.write(s.screen(yaml.safe_load(p.read_text(encoding='utf-8')), timestamp=False).to_json() + '\\n') "
              "for p in sorted(pathlib.Path('examples').glob('*.yaml'))]")
    outputs = [subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == 7


def test_json_with_kept_table_text_is_the_document_serialised() -> None:
    """`to_json_bytes` reuses the threshold and source tables' JSON text; the bytes must be those of the
    whole document serialised afresh."""
    import json

    import orjson

    screener = Screener(ROOT / "rules" / "national")
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        for timestamp in (False, True):
            verdict = screener.screen(yaml.safe_load(path.read_text(encoding="utf-8")), timestamp=timestamp)
            assert verdict.to_json_bytes() == orjson.dumps(verdict.document), path.name
            assert json.loads(verdict.to_json()) == json.loads(verdict.to_json(indent=True))
