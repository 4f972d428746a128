"""Views of a verdict: the structured form is small and documented, every view is a pure function of
(structured verdict, pack), and the reports people send read right (order, labels, figures, escaping)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
import yaml
from typer.testing import CliRunner

from zonecheck.engine.pack.loader import load_pack
from zonecheck.engine.screener import Screener
from zonecheck.service.cli.main import app
from zonecheck.service.present import figures, full, render
from zonecheck.service.present.catalogue import DECISIONS, SEVERITIES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(ROOT / "rules" / "national")


def example(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _documented(section: str) -> set[str]:
    text = (DOCS / "verdict.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0].split("\n# ", 1)[0]
    return {part.strip("` ") for line in body.splitlines() if line.startswith("| `")
            for part in line.split("|")[1].split(",")}


# --- the structured form ---------------------------------------------------------------------

def test_structured_verdicts_are_small(screener: Screener) -> None:
    for path in EXAMPLES:
        size = len(screener.screen(example(path)).structured_json())
        assert size < 10_000, f"{path.name}: {size} bytes"


def test_both_shapes_validate_against_their_schemas(screener: Screener) -> None:
    structured = json.loads((DOCS / "verdict-structured.schema.json").read_text(encoding="utf-8"))
    whole = json.loads((DOCS / "verdict-full.schema.json").read_text(encoding="utf-8"))
    for path in EXAMPLES:
        verdict = screener.screen(example(path))
        jsonschema.validate(json.loads(verdict.structured_json()), structured)
        for langs in (("zh", "en"), ("zh",), ("en",)):
            document = json.loads(full.to_json_bytes(verdict, langs))
            jsonschema.validate(document, whole)
            assert all(set(f["message"]) == set(langs) for f in document["findings"]), langs


def test_schemas_docs_and_verdicts_name_the_same_fields(screener: Screener) -> None:
    structured = json.loads((DOCS / "verdict-structured.schema.json").read_text(encoding="utf-8"))["properties"]
    whole = json.loads((DOCS / "verdict-full.schema.json").read_text(encoding="utf-8"))["properties"]
    assert set(whole) - {"source"} == _documented("Top level")
    assert set(whole["findings"]["items"]["properties"]) == _documented("A finding")
    assert set(structured) - {"source"} == _documented("Structured: top level")
    assert set(structured["findings"]["items"]["properties"]) == _documented("Structured: a finding")
    assert set(structured["parameters"]["additionalProperties"]["properties"]) == _documented("Structured: a parameter")
    verdicts = [screener.screen(example(p)).structured for p in EXAMPLES]
    assert {k for v in verdicts for k in v} == set(structured) - {"source"}
    assert {k for v in verdicts for f in v["findings"] for k in f} <= _documented("Structured: a finding")


# --- views are pure functions of (structured verdict, pack) -----------------------------------

def test_a_stored_structured_verdict_renders_the_same_bytes(screener: Screener) -> None:
    again = load_pack(ROOT / "rules" / "national")  # the pack read afresh, as a later process would
    for path in EXAMPLES:
        verdict = screener.screen(example(path))
        stored = orjson.loads(verdict.structured_json())  # what a store or a batch file holds
        assert full.to_json_bytes(verdict) == orjson.dumps(full.document(stored, again)), path.name
        assert orjson.dumps(full.document(stored, again, ("en",))) == full.to_json_bytes(verdict, ("en",))
        for lang in ("zh", "en"):
            assert render.to_text(stored, again, lang) == render.to_text(verdict.structured, verdict.pack, lang)
            assert render.to_markdown(stored, again, lang) == render.to_markdown(verdict.structured, verdict.pack, lang)
        assert render.to_html([(stored, again)], ("zh", "en")) == render.to_html([(verdict.structured, verdict.pack)], ("zh", "en"))


def test_another_pack_is_refused(screener: Screener) -> None:
    stored = orjson.loads(screener.screen(example(EXAMPLES[0])).structured_json())
    stored["pack"]["hash"] = "sha256:" + "0" * 64
    with pytest.raises(full.PackMismatch):
        full.document(stored, screener.pack)


# --- reports people send ---------------------------------------------------------------------

def test_report_leads_with_the_decision_and_what_to_do(screener: Screener) -> None:
    verdict = screener.screen(example(ROOT / "examples" / "revise-precision-parts.yaml"))
    text = render.verdict_text(verdict)
    lines = text.splitlines()
    assert lines[1].startswith("结论: 需修改")
    assert text.index("违反的规定") < text.index("建议项") < text.index("符合的规定")
    assert "【须修改项】" in text and "[mandatory]" not in text
    assert "万元/公顷（186.67 万元/亩）" in text  # the source's unit beside the pack's
    assert "seed" not in text and ".md" not in text and ".txt" not in text  # no seed file names
    assert "《工业项目建设用地控制指标》（国土资发〔2008〕24号）" in text
    problems = render.to_text(verdict.structured, verdict.pack, "zh", "problems")
    assert "ENV-EIA-APPROVAL" in text and "ENV-EIA-APPROVAL" not in problems
    assert "INT-PLOT-RATIO 容积率" in problems


def test_no_report_names_a_seed_file(screener: Screener) -> None:
    seeds = {c.seed for rule in screener.pack.rules for c in rule.citations if c.seed}
    seeds |= {s.file for s in screener.pack.sources.values() if s.file}
    for path in EXAMPLES:
        verdict = screener.screen(example(path))
        for lang in ("zh", "en"):
            views = (render.to_text(verdict.structured, verdict.pack, lang), render.to_markdown(verdict.structured, verdict.pack, lang),
                     render.to_html([(verdict.structured, verdict.pack)], (lang,)))
            for view in views:
                assert ".txt" not in view and "种子文件" not in view and not any(seed in view for seed in seeds), path.name


def test_every_label_a_report_uses_is_in_both_languages() -> None:
    for table in (DECISIONS, SEVERITIES):
        assert all(set(labels) == {"zh", "en"} for labels in table.values())
    assert [SEVERITIES[s]["zh"] for s in SEVERITIES] == ["否决项", "须修改项", "附加条件", "建议项"]
    assert DECISIONS["needs_review"]["zh"] == "需人工核查"


def test_markdown_states_the_decision_once_and_keeps_citations(screener: Screener) -> None:
    verdict = screener.screen(example(ROOT / "examples" / "rejected-particleboard.yaml"))
    markdown = render.to_markdown(verdict.structured, verdict.pack)
    assert markdown.startswith("# ") and markdown.count("结论:") == 1 and "结论：" not in markdown  # no summary repeating it
    violated = [f for f in verdict.findings if f.status == "violated" and f.severity == "veto"]
    assert violated and all(f.rule.id in markdown for f in violated)
    assert "依据" in markdown and "〔" in markdown


@pytest.mark.parametrize(("value", "bound", "unit", "shown"), [
    ("0.069996", "0.07", "fraction", "6.9996%"),   # just under a 7% bound: never shown as 7%
    ("0.070004", "0.07", "fraction", "7.0004%"),
    ("0.083333", "0.07", "fraction", "8.33%"),      # far from the bound: rounded
    ("9000.0009", "9000", "万元/公顷", "9,000.001 万元/公顷"),  # enough digits to stay above it
    ("8999.996", "9000", "万元/公顷", "8,999.996 万元/公顷"),
    ("9000", "9000", "万元/公顷", "9,000 万元/公顷"),  # exactly at it
    ("2800.123", "3750", "万元/公顷", "2,800.12 万元/公顷"),
])
def test_figures_are_rounded_but_never_onto_or_past_their_bound(value: str, bound: str, unit: str, shown: str) -> None:
    assert figures.human(Decimal(value), unit, [Decimal(bound)]) == shown


def test_html_is_self_contained_and_escapes_the_proposal(screener: Screener) -> None:
    proposal = copy.deepcopy(example(ROOT / "examples" / "revise-precision-parts.yaml"))
    proposal["name"] = "<script>alert('x')</script>项目"
    verdict = screener.screen(proposal)
    html = render.to_html([(verdict.structured, verdict.pack)])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Noto Sans CJK SC" in html and "@media print" in html and "<svg" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # nothing fetched
    markdown = render.to_markdown(verdict.structured, verdict.pack)
    assert "<script>" in markdown.splitlines()[0]  # Markdown and text are not HTML: nothing to escape


# --- the command line ------------------------------------------------------------------------

def test_cli_detail_lang_format_and_show(tmp_path: Path) -> None:
    runner = CliRunner()
    path = str(ROOT / "examples" / "conditional-ev-drive.yaml")
    document = json.loads(runner.invoke(app, ["screen", path, "--format", "json"]).stdout)
    assert document["schema_version"].startswith("1.") and set(document["decision_label"]) == {"zh", "en"}
    english = json.loads(runner.invoke(app, ["screen", path, "--format", "json", "--lang", "en"]).stdout)
    assert set(english["summary"]) == {"en"}
    structured = json.loads(runner.invoke(app, ["screen", path, "--format", "json", "--detail", "structured"]).stdout)
    assert structured["schema_version"] == "2.0" and "title" not in structured["findings"][0]
    both = runner.invoke(app, ["screen", path, "--lang", "zh,en"]).stdout
    assert "结论: 附条件通过" in both and "Decision: conditional" in both
    html = runner.invoke(app, ["screen", path, "--format", "html", "--show", "problems"])
    assert html.exit_code == 0 and html.stdout.startswith("<!DOCTYPE html>") and "附条件通过" in html.stdout
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["batch", str(ROOT / "examples"), "--out", str(out)]).exit_code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(list((ROOT / "examples").glob("*.yaml"))) and {line["schema_version"] for line in lines} == {"2.0"}
    assert runner.invoke(app, ["batch", str(ROOT / "examples"), "--out", str(out), "--detail", "full"]).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["schema_version"].startswith("1.")


def test_needs_review_and_to_review_have_their_place(screener: Screener) -> None:
    from zonecheck.engine.explain.verdict import decide

    verdict = screener.screen(example(ROOT / "examples" / "needs_review-grade9-parcel.yaml"), timestamp=False)
    assert verdict.decision == decide(verdict.findings) == "needs_review"
    stored = orjson.loads(verdict.structured_json())
    assert {r["rule_id"] for r in stored["to_review"]} >= {"LAND-PRICE-FLOOR"} and "message" not in stored["to_review"][0]
    jsonschema.validate(stored, json.loads((DOCS / "verdict-structured.schema.json").read_text(encoding="utf-8")))
    document = full.document(stored, screener.pack, ("zh",))
    jsonschema.validate(document, json.loads((DOCS / "verdict-full.schema.json").read_text(encoding="utf-8")))
    first = stored["to_review"][0]
    expected = screener.pack.parameters[first["parameter"]].review["zh"]  # the pack says what to check
    assert document["decision_label"] == {"zh": "需人工核查"} and document["to_review"][0]["message"] == {"zh": expected}
    text = render.to_text(stored, screener.pack)
    assert "结论: 需人工核查" in text and f"== 需人工核查 ({len(stored['to_review'])}) ==" in text and expected in text
    html = render.to_html([(stored, screener.pack)], ("zh",), "problems")
    assert "需人工核查" in html and "<details>" not in html  # --show problems: the rules met are only counted


def test_the_ready_json_path_writes_what_the_data_path_writes(screener: Screener) -> None:
    """`to_json_bytes` writes a finding from the pack's ready pieces, each figure put into its hole; the
    data path fills every message afresh. Over generated proposals, every zone and dates across the
    years rows change, both give the same bytes in every choice of languages."""
    import datetime as dt
    import itertools
    import random
    import sys

    sys.path.insert(0, str(ROOT))
    from bench.workload import iter_proposals

    rng = random.Random(5)
    zones = sorted(screener.pack.zones)
    for item in itertools.islice(iter_proposals(ROOT / "examples", 31), 300):
        for section in ("investment", "land", "environment"):  # some facts missing: undetermined findings
            fields = item.get(section) or {}
            for name in [n for n in fields if rng.random() < 0.1]:
                del fields[name]
        verdict = screener.screen(item, zone=rng.choice(zones),
                                  as_of=dt.date(rng.randint(2008, 2027), rng.randint(1, 12), rng.randint(1, 28)))
        for langs in (("zh", "en"), ("zh",), ("en",)):
            assert full.to_json_bytes(verdict, langs) == orjson.dumps(full.document(verdict.structured, verdict.pack, langs))


def test_a_pack_text_holding_a_marker_character_is_written_whole(screener: Screener) -> None:
    """The ready pieces are cut at private-use marker characters; a pack whose own text holds one is
    written by filling its messages instead, never cut in the wrong place."""
    import dataclasses

    pack = screener.pack
    index, rule = next((i, r) for i, r in enumerate(pack.rules) if r.satisfied and "{" in r.satisfied["zh"])
    marker = "\ue0000\ue001"  # what a marker looks like: the first figure's
    marked = dataclasses.replace(rule, satisfied={lang: marker + text for lang, text in rule.satisfied.items()})
    odd = Screener(dataclasses.replace(pack, rules=(*pack.rules[:index], marked, *pack.rules[index + 1:]),
                                       hash="sha256:" + "e" * 64))
    shown = 0
    for path in EXAMPLES:
        verdict = odd.screen(example(path))
        written = full.to_json_bytes(verdict, ("zh",))
        assert written == orjson.dumps(full.document(verdict.structured, verdict.pack, ("zh",)))
        finding = next(f for f in orjson.loads(written)["findings"] if f["rule_id"] == rule.id)
        if finding["status"] == "satisfied":
            assert finding["message"]["zh"].startswith(marker) and "{" not in finding["message"]["zh"]
            shown += 1
    assert shown
