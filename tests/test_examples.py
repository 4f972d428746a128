"""The examples: one proposal per decision, each explanation naming the clause it rests on."""

from __future__ import annotations

from pathlib import Path

import yaml

from zonecheck.engine.screener import Screener
from zonecheck.service.present import full
from zonecheck.service.present.catalogue import clause

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
            assert clause(finding.rule) in full.of(verdict)["summary"]["zh"], (path.name, finding.rule.id)
            assert finding.citations, finding.rule.id
    assert set(decisions) == {"approved", "conditional", "needs_review", "incomplete", "revise", "rejected"}


def test_verdicts_are_byte_identical_across_processes() -> None:
    """No set or hash order leaks into the JSON: two processes with different hash seeds agree."""
    import os
    import subprocess
    import sys

    script = ("import sys, yaml, pathlib; from zonecheck.engine.screener import Screener; "
              "from zonecheck.service.present import full; s = Screener(); "
              "[sys.stdout.write(full.to_json_bytes(s.screen(yaml.safe_load(p.read_text(encoding='utf-8')), timestamp=False)).decode() + '\\n') "
              "for p in sorted(pathlib.Path('examples').glob('*.yaml'))]")
    outputs = [subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == 7


def test_json_with_kept_table_text_is_the_document_serialised() -> None:
    """The full view's JSON bytes are those of its document serialised afresh, with or without a timestamp."""
    import json

    import orjson

    screener = Screener(ROOT / "rules" / "national")
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        for timestamp in (False, True):
            verdict = screener.screen(yaml.safe_load(path.read_text(encoding="utf-8")), timestamp=timestamp)
            assert full.to_json_bytes(verdict) == orjson.dumps(full.of(verdict)), path.name
            assert json.loads(full.to_json_bytes(verdict)) == json.loads(full.to_json_bytes(verdict, indent=True))
