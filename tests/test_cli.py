"""The `zonecheck` command: screen, batch, rules; exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from zonecheck.service.cli.main import app

FIXTURE = Path(__file__).parent / "fixtures" / "rules"
MINI = ["--rules", str(FIXTURE), "--pack", "mini"]
runner = CliRunner()

# 2022-06-01: every fixture value is in force (the national office ceiling lapses after 2023-06-24,
# and a binding rule left unchecked for want of a value makes the decision needs_review)
GOOD = {
    "reference": "CLI-1", "name": "命令行测试", "zone": "z1", "submitted_on": "2022-06-01",
    "project": {"kind": "new", "industry_code": "3812"},
    "investment": {"fixed_assets_wan": 40000},
    "land": {"site_area_m2": 100000, "floor_area_m2": 80000, "office_living_area_m2": 5000,
             "in_ecological_red_line": False, "non_production_facilities": []},
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    veto = tmp_path / "veto.json"
    veto.write_text(json.dumps({**GOOD, "reference": "CLI-2", "land": {**GOOD["land"], "in_ecological_red_line": True}}),
                    encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("reference: CLI-3\nzone: z1\nproject: {industry_code: '3'}\n", encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("reference: [unclosed\n", encoding="utf-8")
    return {"good": good, "veto": veto, "bad": bad, "broken": broken}


def run(*args: str) -> object:
    return runner.invoke(app, [*args], catch_exceptions=False)


def test_screen_one_file_as_json_gives_one_object(files: dict[str, Path]) -> None:
    result = run("screen", str(files["good"]), "--format", "json", *MINI)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    document = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert document["decision"] == "approved" and document["source"].endswith("good.yaml")


def test_screen_several_files_as_json_gives_an_array(files: dict[str, Path]) -> None:
    result = run("screen", str(files["good"]), str(files["veto"]), "--format", "json", *MINI)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert [d["decision"] for d in json.loads(result.stdout)] == ["approved", "rejected"]  # type: ignore[attr-defined]


def test_screen_text_in_both_languages(files: dict[str, Path]) -> None:
    zh = run("screen", str(files["veto"]), *MINI)
    assert "结论: 否决" in zh.stdout and "✗ T-RED-LINE" in zh.stdout  # type: ignore[attr-defined]
    en = run("screen", str(files["veto"]), "--lang", "en", *MINI)
    assert "Decision: rejected" in en.stdout  # type: ignore[attr-defined]
    markdown = run("screen", str(files["veto"]), "--format", "markdown", *MINI)
    assert markdown.stdout.startswith("# CLI-2")  # type: ignore[attr-defined]


def test_an_invalid_file_is_reported_and_the_others_screened(files: dict[str, Path]) -> None:
    result = run("screen", str(files["good"]), str(files["bad"]), str(files["broken"]), "--format", "json", *MINI)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    good, bad, broken = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert good["decision"] == "approved"
    assert {p["path"] for p in bad["problems"]} == {"name", "submitted_on", "project.industry_code"}
    assert "不是有效的 YAML" in broken["problems"][0]["reason"]  # problems are in Chinese by default (issue 9)
    assert "无效" in result.stderr  # type: ignore[attr-defined]
    english = run("screen", str(files["broken"]), "--format", "json", "--lang", "en", *MINI)
    assert "not valid YAML" in json.loads(english.stdout)["problems"][0]["reason"]  # type: ignore[attr-defined]
    assert "invalid" in english.stderr  # type: ignore[attr-defined]


def test_as_of_and_zone_options(files: dict[str, Path]) -> None:
    result = run("screen", str(files["good"]), "--as-of", "2020-06-01", "--format", "json", *MINI)
    assert json.loads(result.stdout)["screening_date"] == "2020-06-01"  # type: ignore[attr-defined]
    unknown = run("screen", str(files["good"]), "--zone", "mars", "--format", "json", *MINI)
    assert unknown.exit_code == 1  # type: ignore[attr-defined]


def test_usage_and_pack_errors_exit_2(files: dict[str, Path], tmp_path: Path) -> None:
    assert run("screen", str(files["good"]), "--format", "pdf", *MINI).exit_code == 2  # type: ignore[attr-defined]
    assert run("screen", str(files["good"]), "--rules", str(tmp_path), "--pack", "none").exit_code == 2  # type: ignore[attr-defined]


def test_batch_over_a_folder_jsonl_and_csv(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    result = run("batch", str(files["good"].parent), "--out", str(out), *MINI)
    assert result.exit_code == 1  # type: ignore[attr-defined]  (bad.yaml and broken.yaml)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4 and sum(1 for line in lines if line.get("valid") is False) == 2
    assert "approved" in result.stderr and "invalid" in result.stderr  # type: ignore[attr-defined]

    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n{not json}\n", encoding="utf-8")
    result = run("batch", str(jsonl), "--out", str(out), *MINI)
    assert [json.loads(x).get("decision") for x in out.read_text().splitlines()] == ["approved", None]

    csv_file = tmp_path / "in.csv"
    csv_file.write_text(
        "reference,name,zone,submitted_on,project.industry_code,land.site_area_m2,land.floor_area_m2,"
        "land.in_ecological_red_line,land.non_production_facilities,land.office_living_area_m2,investment.fixed_assets_wan\n"
        "C-1,甲,z1,2022-06-01,3812,100000,80000,否,,5000,40000\n"
        "C-2,乙,z1,2022-06-01,3812,100000,80000,是,hotel;housing,5000,40000\n"
        "C-3,丙,z1,2022-06-01,38X,100000,80000,否,,5000,40000\n",
        encoding="utf-8")
    result = run("batch", str(csv_file), "--out", str(out), *MINI)
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r.get("decision") for r in rows] == ["incomplete", "rejected", None]  # C-1 lacks the list of facilities
    assert rows[2]["problems"][0]["path"] == "project.industry_code"
    assert not (tmp_path / "results.jsonl.partial").exists()


def test_rules_list_show_lint_table() -> None:
    assert "T-PLOT-RATIO" in run("rules", "list", *MINI).stdout  # type: ignore[attr-defined]
    shown = run("rules", "show", "T-INVEST", *MINI).stdout  # type: ignore[attr-defined]
    assert "investment_intensity_min" in shown and "250 万元/亩" in shown
    assert run("rules", "show", "NOPE", *MINI).exit_code == 2  # type: ignore[attr-defined]
    lint = run("rules", "lint", *MINI)
    assert lint.exit_code == 0 and lint.stdout.startswith("ok: mini")  # type: ignore[attr-defined]
    assert run("rules", "table", *MINI).stdout.startswith("# Rules of pack `mini`")  # type: ignore[attr-defined]


def test_lint_reports_a_broken_pack_with_file_and_line(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(FIXTURE, tmp_path / "rules")
    path = tmp_path / "rules" / "mini" / "rules" / "main.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("severity: veto", "severity: fatal", 1), encoding="utf-8")
    result = run("rules", "lint", "--rules", str(tmp_path / "rules"), "--pack", "mini")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "mini/rules/main.yaml:1" in result.stderr  # type: ignore[attr-defined]
