"""Docs generated from the pack stay in step with it, and the README's commands stay true."""

from __future__ import annotations

from pathlib import Path

from zonecheck.engine.pack.loader import load_pack
from zonecheck.service.present.rulebook import rule_table

ROOT = Path(__file__).resolve().parent.parent


def test_rule_table_matches_the_pack() -> None:
    generated = rule_table(load_pack(ROOT / "rules" / "national"))
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == generated, (
        "docs/rules.md is stale: run `zonecheck rules table > docs/rules.md`")


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.strip() for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) >= 2, "the README opens with the set-up-and-run and the test commands"
    test_command = commands[1].replace("pip install -e", "pip install -q -e")
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _documented(section: str) -> set[str]:
    """Field names in the first column of a table under a heading of docs/verdict.md."""
    text = (ROOT / "docs" / "verdict.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in body.splitlines():
        if line.startswith("| `"):
            names |= {part.strip("` ") for part in line.split("|")[1].split(",")}
    return names


def test_verdict_fields_are_documented() -> None:
    import yaml

    from zonecheck.engine.screener import Screener

    screener = Screener(ROOT / "rules" / "national")
    from zonecheck.service.present import full

    documents = [full.of(screener.screen(yaml.safe_load(p.read_text(encoding="utf-8"))))
                 for p in sorted((ROOT / "examples").glob("*.yaml"))]
    assert {k for d in documents for k in d} == _documented("Top level")
    assert {k for d in documents for f in d["findings"] for k in f} == _documented("A finding")
    assert {k for d in documents for t in d["thresholds"].values() for k in t} <= _documented("A threshold (top-level `thresholds`)")


def test_spec_guide_lists_every_step_phrase() -> None:
    from zonecheck.service.specs.vocabulary import PHRASES

    guide = (ROOT / "docs" / "specs.md").read_text(encoding="utf-8")
    phrases = {(p.template, p.example) for p in PHRASES}  # the step library lives in zonecheck.service.specs
    assert len(phrases) >= 10
    for template, example in phrases:
        assert template in guide, f"docs/specs.md does not show the step phrase {template!r}"
        assert example.splitlines()[0] in guide, f"docs/specs.md does not show the example {example!r}"
