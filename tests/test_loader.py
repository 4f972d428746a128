"""The loader rejects a malformed pack with file, line and reason: one test per error kind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zonecheck.engine.pack.loader import PackError, load_pack

FIXTURE = Path(__file__).parent / "fixtures" / "rules"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "rules")
    return tmp_path / "rules"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture lacks {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def expect_error(rules: Path, file: str, line: int, reason: str) -> PackError:
    with pytest.raises(PackError) as caught:
        load_pack(rules / "mini")
    error = caught.value
    assert error.where.endswith(f"{file}:{line}"), error
    assert reason in error.reason, error
    return error


def test_the_fixture_loads() -> None:
    pack = load_pack(FIXTURE / "mini")
    assert [r.id for r in pack.rules][:2] == ["T-RED-LINE", "T-PLOT-RATIO"]
    assert set(pack.zones) == {"z1"}


def test_yaml_syntax_error(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "  title: {zh: 容积率, en: plot ratio}", "  title: {zh: 容积率, en: plot ratio")
    line = line_of(path, "title: {zh: 容积率")
    error = expect_error(rules, "rules/main.yaml", line + 1, "YAML syntax")
    assert error.where.startswith("rules/mini/") or "mini/rules/main.yaml" in error.where


def test_unknown_fact_path(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "fact: land.in_ecological_red_line", "fact: land.in_red_line")
    expect_error(rules, "rules/main.yaml", line_of(path, "land.in_red_line"), "unknown fact path 'land.in_red_line'")


def test_duplicate_rule_id(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "- id: T-INVEST", "- id: T-PLOT-RATIO")
    lines = [n for n, text in enumerate(path.read_text().splitlines(), 1) if "id: T-PLOT-RATIO" in text]
    expect_error(rules, "rules/main.yaml", lines[1], "duplicate rule id T-PLOT-RATIO")


def test_missing_citation(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "  citations: [{source: test-national, article: 第三条}]\n", "")
    expect_error(rules, "rules/main.yaml", line_of(path, "- id: T-INVEST"), "missing citation")


def test_unknown_source(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "{source: test-national, article: 第三条}", "{source: nowhere, article: 第三条}")
    expect_error(rules, "rules/main.yaml", line_of(path, "source: nowhere"), "unknown source id 'nowhere'")


def test_bad_date_range_in_table(rules: Path) -> None:
    path = rules / "mini" / "tables" / "plot_ratio_min.csv"
    edit(path, "29,0.8,ratio,2008-01-31,2023-06-24", "29,0.8,ratio,2024-01-31,2023-06-24")
    expect_error(rules, "tables/plot_ratio_min.csv", line_of(path, "29,0.8"), "bad date range")


def test_bad_date_in_inline_values(rules: Path) -> None:
    path = rules / "mini" / "pack.yaml"
    edit(path, "valid_from: 2008-01-31, valid_to: 2023-06-24", "valid_from: 2008-13-31, valid_to: 2023-06-24")
    expect_error(rules, "pack.yaml", line_of(path, "2008-13-31"), "bad date range")


def test_threshold_of_the_wrong_unit_in_a_row(rules: Path) -> None:
    path = rules / "mini" / "zones" / "z1.yaml" if False else rules / "zones" / "z1.yaml"
    edit(path, "value: 250, unit: 万元/亩", "value: 250, unit: m2")
    expect_error(rules, "zones/z1.yaml", line_of(path, "unit: m2"), "threshold of the wrong unit")


def test_threshold_of_the_wrong_unit_in_a_comparison(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "lt: {ref: par.plot_ratio_min}", "lt: {ref: par.investment_intensity_min}")
    expect_error(rules, "rules/main.yaml", line_of(path, "ref: par.investment_intensity_min"),
                 "threshold of the wrong unit")


def test_unknown_key(rules: Path) -> None:
    path = rules / "mini" / "pack.yaml"
    edit(path, "keys: [industry_code_2002]", "keys: [industry_code_1994]")
    expect_error(rules, "pack.yaml", line_of(path, "plot_ratio_min:"), "unknown key 'industry_code_1994'")


def test_unknown_parameter_in_zone(rules: Path) -> None:
    path = rules / "zones" / "z1.yaml"
    edit(path, "  investment_intensity_min:", "  investment_density_min:")
    expect_error(rules, "zones/z1.yaml", 1, "unknown parameter 'investment_density_min'")


def test_numeric_literal_in_condition(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "lt: {ref: par.plot_ratio_min}", "lt: 0.8")
    expect_error(rules, "rules/main.yaml", line_of(path, "lt: 0.8"), "belongs in a parameter")


def test_bad_operator(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "land.in_ecological_red_line, eq: true", "land.in_ecological_red_line, equals: true")
    expect_error(rules, "rules/main.yaml", line_of(path, "equals: true"), "bad operator")


def test_literal_not_valid_for_fact(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "in: [restricted, eliminated]", "in: [restricted, banned]")
    expect_error(rules, "rules/main.yaml", line_of(path, "banned"), "'banned' is not a value of project.catalogue_category")


def test_unknown_template_placeholder(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "总建筑面积至少 {remedy.floor_needed}", "总建筑面积至少 {remedy.floor_wanted}")
    expect_error(rules, "rules/main.yaml", line_of(path, "- id: T-PLOT-RATIO"), "unknown template placeholder")


def test_default_on_a_numeric_parameter(rules: Path) -> None:
    path = rules / "mini" / "pack.yaml"
    edit(path, "    stricter: lower\n    values:", "    stricter: lower\n    default: {value: 0.07, source: test-national}\n    values:")
    expect_error(rules, "pack.yaml", line_of(path, "office_share_max:"), "cannot have a default")


def test_numeric_parameter_needs_a_direction(rules: Path) -> None:
    path = rules / "mini" / "pack.yaml"
    edit(path, "    stricter: lower\n", "")
    expect_error(rules, "pack.yaml", line_of(path, "office_share_max:"), "stricter")


def test_duplicate_yaml_key(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "  domain: land\n", "  domain: land\n  domain: land\n")
    lines = [n for n, text in enumerate(path.read_text().splitlines(), 1) if text == "  domain: land"]
    expect_error(rules, "rules/main.yaml", lines[1], "duplicate key 'domain'")


def test_missing_table_column(rules: Path) -> None:
    path = rules / "mini" / "tables" / "plot_ratio_min.csv"
    edit(path, "industry_code_2002,value", "industry,value")
    expect_error(rules, "tables/plot_ratio_min.csv", 1, "lacks column(s) industry_code_2002")


def test_overlapping_rows_for_the_same_keys(rules: Path) -> None:
    path = rules / "mini" / "tables" / "plot_ratio_min.csv"
    path.write_text(path.read_text(encoding="utf-8") + "39,0.9,ratio,2020-01-01,,test-national\n", encoding="utf-8")
    expect_error(rules, "tables/plot_ratio_min.csv", line_of(path, "39,0.9"), "overlaps")


def test_unquoted_industry_code_in_a_zone_row(rules: Path) -> None:
    path = rules / "zones" / "z1.yaml"
    edit(path, 'keys: {industry_code: "*"}', "keys: {industry_code: 0610}")
    expect_error(rules, "zones/z1.yaml", line_of(path, "0610"), "quote the code")


def test_stray_key_in_a_text_map(rules: Path) -> None:
    path = rules / "mini" / "rules" / "main.yaml"
    edit(path, "satisfied: {zh: 不在红线内, en: outside}", "satisfied: {zh: 不在红线内, 已核实, en: outside}")
    expect_error(rules, "rules/main.yaml", line_of(path, "已核实"), "takes only zh and en")


# --- the loaded pack is unchanged -----------------------------------------------------------------
# A canonical dump of the loaded pack (rules, parameters, rows with their file:line, sources, zones,
# hashes), recorded from the hand-written loader the YAML-marks/pydantic loader replaced. Re-record only
# when a pack's files changed on purpose: ZONECHECK_RECORD_DUMPS=1 python -m pytest tests/test_loader.py

import dataclasses  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
from decimal import Decimal  # noqa: E402

from zonecheck.engine.pack.formula import Formula  # noqa: E402
from zonecheck.engine.pack.model import Source  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DUMPS = Path(__file__).parent / "fixtures" / "pack_dumps"
DUMPED = {"national": ROOT / "rules" / "national", "mini": FIXTURE / "mini"}


def canonical(value: object, by_id: bool = False) -> object:
    """JSON of a loaded pack; a source inside a row or citation is named by id (sources are dumped whole
    in the pack and each zone); fields left at None or {} are omitted, so optional fields added later
    leave the dump of a pack that does not use them unchanged."""
    if isinstance(value, Formula):
        return {"formula": value.text, "paths": list(value.paths)}
    if isinstance(value, Source) and by_id:
        return value.id
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, object] = {"_type": type(value).__name__}
        for item in dataclasses.fields(value):
            field_value = getattr(value, item.name)
            if item.name != "root" and field_value is not None and field_value != {}:
                out[item.name] = canonical(field_value, by_id or type(value).__name__ in ("Row", "Citation"))
        return out
    if isinstance(value, dict):
        return {str(k): canonical(v, by_id) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v, by_id) for v in value]
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("name", sorted(DUMPED))
def test_the_loaded_pack_is_the_one_recorded(name: str) -> None:
    dump = canonical(load_pack(DUMPED[name]))
    path = DUMPS / f"{name}.json"
    if os.environ.get("ZONECHECK_RECORD_DUMPS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(dump, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    recorded = json.loads(path.read_text(encoding="utf-8"))
    hashes = lambda d: [d["hash"], *(z["hash"] for z in d.get("zones", {}).values())]  # noqa: E731
    assert hashes(dump) == hashes(recorded), (
        f"the files of pack {name} changed since {path.name} was recorded: if on purpose, re-record it "
        "(ZONECHECK_RECORD_DUMPS=1 python -m pytest tests/test_loader.py -k recorded) and review the diff")
    assert dump == recorded
