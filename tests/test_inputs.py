"""Bad input gets a clear error in the user's language (issue 9): each reproduction is a regression test,
run through the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from zonecheck.engine.contract.industry import industries, industry
from zonecheck.engine.contract.validate import parse

FIXTURE = Path(__file__).parent / "fixtures" / "rules"
MINI = ["--rules", str(FIXTURE), "--pack", "mini"]
GOOD = {
    "reference": "IN-1", "name": "输入测试", "zone": "z1", "submitted_on": "2026-11-02",
    "project": {"kind": "new", "industry_code": "3812"},
    "investment": {"fixed_assets_wan": 40000},
    "land": {"site_area_m2": 100000, "floor_area_m2": 80000, "office_living_area_m2": 5000,
             "in_ecological_red_line": False, "non_production_facilities": []},
}


def cli(*args: str, stdin: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "zonecheck.service.cli.main", *args], input=stdin,
                            capture_output=True, timeout=timeout)
    out = subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode("utf-8", "replace"),
                                      result.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode in (0, 1, 2), out
    return out


def with_(section: str | None, name: str, value: object) -> dict[str, object]:
    data = json.loads(json.dumps(GOOD))
    if section is None:
        data[name] = value
    else:
        data.setdefault(section, {})[name] = value
    return data


def screen_json(tmp_path: Path, data: object, *extra: str, suffix: str = ".json") -> tuple[int, dict]:
    path = tmp_path / f"p{suffix}"
    path.write_text(json.dumps(data, ensure_ascii=False) if suffix == ".json" else yaml.safe_dump(data, allow_unicode=True),
                    encoding="utf-8")
    result = cli("screen", str(path), "--format", "json", *MINI, *extra)
    return result.returncode, json.loads(result.stdout)


def paths(entry: dict) -> set[str]:
    return {p["path"] for p in entry.get("problems", [])}


# --- wrong verdicts ------------------------------------------------------------------------------

def test_the_code_table_is_gbt_4754_2017_complete() -> None:
    levels = [entry.level for entry in industries().values()]
    assert (levels.count("section"), levels.count("division"), levels.count("group"), levels.count("class")) == (20, 97, 473, 1380)
    assert industry("2614").name == "有机化学原料制造" and industry("9614") is None  # type: ignore[union-attr]


def test_full_width_and_unknown_codes_are_problems_not_approvals(tmp_path: Path) -> None:
    code, entry = screen_json(tmp_path, with_("project", "industry_code", "３８１２"))
    assert code == 1 and paths(entry) == {"project.industry_code"}
    problem = entry["problems"][0]
    assert problem["suggestion"] == "3812" and problem["value"] == "３８１２" and "半角" in problem["reason"]
    code, entry = screen_json(tmp_path, with_("project", "industry_code", "9614"))
    assert code == 1 and "GB/T 4754-2017" in entry["problems"][0]["reason"]
    assert entry["problems"][0]["allowed"][0]["name"]  # nearby codes with their Chinese names


def test_the_industry_name_is_in_the_verdict(tmp_path: Path) -> None:
    code, entry = screen_json(tmp_path, GOOD)
    assert code == 0 and entry["industry"] == {"code": "3812", "level": "class", "section": "C", "section_name": "制造业",
                                               "name": "电动机制造"}


@pytest.mark.parametrize("value", [True, "yes", 1.5])
def test_land_grade_is_never_a_boolean(tmp_path: Path, value: object) -> None:
    code, entry = screen_json(tmp_path, with_("land", "land_grade", value))
    assert code == 1 and paths(entry) == {"land.land_grade"}


def test_yaml_yes_for_land_grade_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(GOOD, allow_unicode=True) + "", encoding="utf-8")
    text = path.read_text(encoding="utf-8").replace("land:\n", "land:\n  land_grade: yes\n", 1)
    path.write_text(text, encoding="utf-8")
    result = cli("screen", str(path), "--format", "json", *MINI)
    entry = json.loads(result.stdout)
    assert result.returncode == 1 and paths(entry) == {"land.land_grade"}
    line = text.splitlines().index("  land_grade: yes") + 1
    assert entry["problems"][0]["line"] == line and entry["problems"][0]["column"] == 3
    assert entry["problems"][0]["file"] == str(path)


def test_a_tiny_area_is_refused_before_it_rounds_to_zero(tmp_path: Path) -> None:
    code, entry = screen_json(tmp_path, with_("land", "site_area_m2", 0.0000001))
    assert code == 1 and paths(entry) == {"land.site_area_m2"}
    assert entry["problems"][0]["allowed"]["min"] == "1"


def test_booleans_take_words_not_numbers() -> None:
    from zonecheck.engine.screener import InvalidProposal, Screener

    screener = Screener(FIXTURE / "mini")
    for value in (1, 0, "1", "on", 1.0):
        with pytest.raises(InvalidProposal) as caught:
            screener.screen(with_("land", "in_ecological_red_line", value))
        assert [p.path for p in caught.value.problems] == ["land.in_ecological_red_line"]
        assert caught.value.problems[0].allowed == [{"code": "true", "name": "是"}, {"code": "false", "name": "否"}]
    for value, decision in (("是", "rejected"), ("否", "needs_review"), ("yes", "rejected"), ("No", "needs_review")):
        assert screener.screen(with_("land", "in_ecological_red_line", value)).decision == decision


# --- one bad input never kills the run -----------------------------------------------------------

@pytest.mark.parametrize("date", ["2023-02-30", "2023-13-01"])
def test_impossible_yaml_dates_are_problems(tmp_path: Path, date: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(GOOD, allow_unicode=True).replace("'2026-11-02'", date), encoding="utf-8")
    result = cli("screen", str(path), "--format", "json", *MINI)
    assert result.returncode == 1 and paths(json.loads(result.stdout)) == {"submitted_on"}


def test_huge_amounts_and_deep_nesting_are_problems(tmp_path: Path) -> None:
    data = with_("investment", "fixed_assets_wan", "1e12")
    data["land"]["site_area_m2"] = 1  # type: ignore[index]
    assert paths(screen_json(tmp_path, data)[1]) == {"investment.fixed_assets_wan"}
    deep = tmp_path / "deep.json"
    deep.write_text('{"reference": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    result = cli("screen", str(deep), "--format", "json", *MINI)
    assert result.returncode == 1 and "嵌套过深" in result.stdout


def test_a_bad_byte_in_jsonl_or_csv_spoils_only_its_line(tmp_path: Path) -> None:
    good = json.dumps(GOOD, ensure_ascii=False).encode()
    source = tmp_path / "in.jsonl"
    source.write_bytes(good + b"\n" + good.replace("输入".encode(), b"\xff") + b"\n" + good + b"\n")
    out = tmp_path / "out.jsonl"
    result = cli("batch", str(source), "--out", str(out), *MINI)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert result.returncode == 1 and [r.get("decision") for r in rows] == ["needs_review", None, "needs_review"]


CSV_HEAD = ("reference,name,zone,submitted_on,project.industry_code,land.site_area_m2,land.floor_area_m2,"
            "land.in_ecological_red_line,land.non_production_facilities,land.office_living_area_m2,"
            "investment.fixed_assets_wan,land.grant_method\n")


def test_a_gbk_csv_is_read_as_gb18030_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "excel.CSV"
    source.write_bytes((CSV_HEAD + "C-1,电机厂,z1,2026-11-02,3812,150亩,80000,否,,5000,40000,挂牌\n").encode("gbk"))
    out = tmp_path / "out.jsonl"
    result = cli("batch", str(source), "--out", str(out), *MINI)
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["name"] == "电机厂" and "GB18030" in row["input_note"] and "GB18030" in result.stderr
    assert row["as_written"] == {"land.site_area_m2": "150亩", "land.grant_method": "挂牌", "land.in_ecological_red_line": "否"}


def test_conflicting_csv_headers_are_a_problem(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("reference,land,land.site_area_m2\nA,1,2\n", encoding="utf-8")
    result = cli("batch", str(source), "--out", str(tmp_path / "out.jsonl"), *MINI)
    assert result.returncode == 1 and "表头" in result.stderr


def test_rich_markup_in_a_value_is_printed_as_written(tmp_path: Path) -> None:
    code, entry = screen_json(tmp_path, with_(None, "zone", "[/red]"))
    assert code == 1 and entry["problems"][0]["value"] == "[/red]"
    path = tmp_path / "p.json"
    result = cli("screen", str(path), *MINI)
    assert "[/red]" in result.stderr


# --- data loss -----------------------------------------------------------------------------------

def test_the_output_may_not_be_an_input_a_device_or_a_folder(tmp_path: Path) -> None:
    source = tmp_path / "p.jsonl"
    source.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    before = source.read_bytes()
    for target in (str(source), "/dev/null", str(tmp_path)):
        result = cli("batch", str(source), "--out", target, *MINI)
        assert result.returncode == 2 and "输出" in result.stderr, target
    assert source.read_bytes() == before and Path("/dev/null").is_char_device()
    result = cli("batch", str(source), "--out", "-", *MINI)
    assert result.returncode == 0 and json.loads(result.stdout)["decision"] == "needs_review"


def test_a_write_error_exits_2_and_leaves_the_previous_file(tmp_path: Path) -> None:
    source = tmp_path / "p.jsonl"
    source.write_text((json.dumps(GOOD) + "\n") * 300, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    script = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
              "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000)); "
              "sys.argv = ['zonecheck', *sys.argv[1:]]; from zonecheck.service.cli.main import main; main()")
    result = subprocess.run([sys.executable, "-c", script, "batch", str(source), "--out", str(out), *MINI],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "无法写入" in result.stderr and "原有文件未改动" in result.stderr
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_concurrent_batches_to_one_output_give_one_whole_result(tmp_path: Path) -> None:
    one, two = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    one.write_text((json.dumps({**GOOD, "reference": "A"}) + "\n") * 200, encoding="utf-8")
    two.write_text((json.dumps({**GOOD, "reference": "B"}) + "\n") * 150, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "zonecheck.service.cli.main", "batch"]
    runs = [subprocess.Popen([*command, str(s), "--out", str(out), *MINI], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for s in (one, two)]
    assert [r.wait(timeout=120) for r in runs] == [0, 0]
    references = {json.loads(line)["reference"] for line in out.read_text(encoding="utf-8").splitlines()}
    lines = out.read_text(encoding="utf-8").splitlines()
    assert references in ({"A"}, {"B"}) and len(lines) == (200 if references == {"A"} else 150)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_in_a_folder_is_skipped_with_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.YAML").write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    os.mkfifo(folder / "b.yaml")
    out = tmp_path / "out.jsonl"
    result = cli("batch", str(folder), "--out", str(out), *MINI, timeout=60)
    assert result.returncode == 0 and "b.yaml" in result.stderr and "跳过" in result.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1  # X.YAML read despite its capitals


# --- silent surprises ----------------------------------------------------------------------------

def test_duplicate_keys_are_problems_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(yaml.safe_dump(GOOD, allow_unicode=True) + "name: 又一个\n", encoding="utf-8")
    result = cli("screen", str(path), "--format", "json", *MINI)
    problem = json.loads(result.stdout)["problems"][0]
    assert result.returncode == 1 and problem["path"] == "name" and problem["line"] and "重复" in problem["reason"]
    path = tmp_path / "dup.json"
    path.write_text('{"reference": "a",\n "reference": "b"}', encoding="utf-8")
    problem = json.loads(cli("screen", str(path), "--format", "json", *MINI).stdout)["problems"][0]
    assert problem["path"] == "reference" and problem["line"] == 2


def test_a_bom_is_accepted_in_every_format(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    for name, body in (("p.json", json.dumps(GOOD)), ("p.yaml", yaml.safe_dump(GOOD, allow_unicode=True)),
                       ("p.jsonl", json.dumps(GOOD) + "\n")):
        path = tmp_path / name
        path.write_bytes(bom + body.encode("utf-8"))
        command = "batch" if name.endswith("jsonl") else "screen"
        args = ["--out", "-"] if command == "batch" else ["--format", "json"]
        result = cli(command, str(path), *args, *MINI)
        assert result.returncode == 0 and json.loads(result.stdout)["decision"] == "needs_review", name


def test_yaml_1_2_numbers_no_base_60(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(GOOD, allow_unicode=True).replace("fixed_assets_wan: 40000", "fixed_assets_wan: 1:30"),
                    encoding="utf-8")
    result = cli("screen", str(path), "--format", "json", *MINI)
    assert result.returncode == 1 and paths(json.loads(result.stdout)) == {"investment.fixed_assets_wan"}


def test_multi_document_yaml_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    docs = [yaml.safe_dump({**GOOD, "reference": f"M-{i}"}, allow_unicode=True) for i in range(3)]
    path.write_text("---\n".join(docs), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert cli("batch", str(path), "--out", str(out), *MINI).returncode == 0
    assert [json.loads(line)["reference"] for line in out.read_text().splitlines()] == ["M-0", "M-1", "M-2"]


def test_a_proposal_over_1_mb_is_a_problem(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    source.write_text(json.dumps({**GOOD, "name": "x" * (1 << 20)}) + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = cli("batch", str(source), "--out", str(out), *MINI)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert result.returncode == 1 and [r.get("decision") for r in rows] == [None, "needs_review"]
    assert "1 MB" in rows[0]["problems"][0]["reason"]


def test_standard_input_is_json_lines(tmp_path: Path) -> None:
    result = cli("batch", "-", "--out", "-", *MINI, stdin=(json.dumps(GOOD) + "\n").encode())
    assert result.returncode == 0 and json.loads(result.stdout)["decision"] == "needs_review"
    result = cli("screen", "-", "--format", "json", *MINI, stdin=yaml.safe_dump(GOOD, allow_unicode=True).encode())
    assert result.returncode == 0 and json.loads(result.stdout)["decision"] == "needs_review"


# --- errors a zone officer can act on ------------------------------------------------------------

def test_problems_are_chinese_with_did_you_mean_and_english_on_request(tmp_path: Path) -> None:
    data = with_("investment", "fixed_asets_wan", 100)
    code, entry = screen_json(tmp_path, data, suffix=".yaml")
    (problem,) = entry["problems"]
    assert problem["suggestion"] == "investment.fixed_assets_wan" and problem["reason"] == "没有这个字段"
    assert problem["line"] and problem["column"] and set(problem) == {
        "path", "label", "value", "allowed", "file", "line", "column", "suggestion", "reason"}
    code, entry = screen_json(tmp_path, data, "--lang", "en", suffix=".yaml")
    assert entry["problems"][0]["reason"] == "no such field"


def test_units_and_chinese_labels_are_accepted_and_shown_as_written(tmp_path: Path) -> None:
    data = with_("land", "site_area_m2", "150亩")
    data["land"]["grant_method"] = "挂牌"  # type: ignore[index]
    data["investment"]["fixed_assets_wan"] = {"value": 4, "unit": "亿元"}  # type: ignore[index]
    code, entry = screen_json(tmp_path, data)
    assert code == 0 and entry["as_written"] == {"land.site_area_m2": "150亩", "land.grant_method": "挂牌",
                                                 "investment.fixed_assets_wan": "4 亿元"}
    converted = with_("land", "site_area_m2", 100000)
    converted["land"]["grant_method"] = "listing"  # type: ignore[index]
    assert entry["proposal_digest"] == screen_json(tmp_path, converted)[1]["proposal_digest"]


def test_fields_and_template_commands(tmp_path: Path) -> None:
    listed = json.loads(cli("fields", "--format", "json", *MINI).stdout)
    by_path = {row["path"]: row for row in listed}
    assert by_path["land.grant_method"]["allowed"].startswith("tender 招标")
    assert "亩" in by_path["land.site_area_m2"]["unit"] and by_path["land.site_area_m2"]["rules"]
    blank = cli("template", "--zone", "z1", *MINI).stdout
    assert "zone: z1" in blank and "项目用地面积" in blank
    filled = tmp_path / "t.yaml"
    filled.write_text(blank.replace("reference:", "reference: T-1", 1), encoding="utf-8")
    result = cli("screen", str(filled), "--format", "json", *MINI)
    assert result.returncode == 1 and "name" in paths(json.loads(result.stdout))  # a blank is incomplete, not a crash


def test_help_documents_inputs_units_and_exit_codes() -> None:
    text = cli("--help").stdout
    for words in ("JSON Lines", "亩", "亿元", "退出码", "Exit codes", "GB18030"):
        assert words in text, words


def test_screening_never_raises_for_the_model_limits() -> None:
    data = with_("investment", "fixed_assets_wan", "1e8")
    data["land"].update(site_area_m2=1, floor_area_m2="1e10")  # type: ignore[union-attr]
    data["outputs"] = {"annual_output_wan": "1e8", "annual_tax_wan": "1e8"}
    parsed, problems = parse(data)
    assert parsed is not None and not problems
    from zonecheck.engine.screener import Screener

    Screener(FIXTURE / "mini").screen(data)


def test_the_proposal_schema_has_not_drifted() -> None:
    from zonecheck.engine.contract.schema import proposal_schema

    written = (Path(__file__).parent.parent / "docs" / "proposal.schema.json").read_text(encoding="utf-8")
    assert written == proposal_schema(), "regenerate: python -m zonecheck.engine.contract.schema > docs/proposal.schema.json"


def test_multi_document_yaml_is_read_one_proposal_at_a_time(tmp_path: Path) -> None:
    import time
    import tracemalloc

    from zonecheck.service.app.inputs import iter_items

    path = tmp_path / "many.yaml"
    doc = yaml.safe_dump(GOOD, allow_unicode=True)
    count = (256 << 10) // len(doc.encode())  # 256 kB: tracing makes reading several times slower
    path.write_text("---\n".join([doc] * count), encoding="utf-8")
    tracemalloc.start()
    started = time.perf_counter()
    read = sum(1 for item in iter_items(path) if item.data["reference"] == "IN-1")
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert read == count
    assert peak < 1 << 20, peak  # one document at a time: far below what 256 kB of documents take as data
    assert elapsed < 15  # generous: CI shares its cores


# --- the fast JSON reading is the standard one, or steps aside ------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from zonecheck.service.app import inputs as _inputs  # noqa: E402

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats(allow_nan=False)
    | st.text(alphabet=st.sampled_from('ab:"\\ 是\u00e9'), max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet="ab:\"", max_size=3), inner, max_size=3),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(alphabet='ab:"', max_size=3), _json_values, max_size=4), st.booleans())
def test_fast_json_reads_as_the_standard_reader_or_steps_aside(value: dict, duplicate: bool) -> None:
    import json

    text = json.dumps(value, ensure_ascii=False)
    if duplicate and value:  # the same key written twice: only the standard reader can tell
        key = json.dumps(next(iter(value)), ensure_ascii=False)
        text = "{" + key + ": 0, " + text[1:]
    fast = _inputs._fast_json(text)
    try:
        standard = json.loads(text, object_pairs_hook=_inputs._no_duplicates)
    except _inputs._Duplicate:
        assert fast is None
        return
    assert fast is None or (fast == standard and json.dumps(fast) == json.dumps(standard))


# --- the checker's quick paths read a value as its general checks do ----------------------------

from zonecheck.engine.contract import validate as _validate  # noqa: E402
from zonecheck.engine.contract.proposal import Land  # noqa: E402

_NUMBER_FIELDS = {name: spec for name, spec in _validate.fields_of(Land).items() if spec.kind == "number"}


def _both_ways(model: type, key: str, value: object) -> tuple[object, object]:
    """(what the checker's walk over a model makes of `value`, what the field's general check makes of it),
    each with the problems and the as-written record it left."""
    quick = _validate._Checker()
    walked = quick.model({key: value}, model, "land.")
    general = _validate._Checker()
    spec = _validate.fields_of(model)[key]
    checked = general.value("land." + key, spec, value)
    def seen(checker: _validate._Checker, found: object) -> object:
        return (found, [(p.path, p.reason) for p in checker.problems], checker.as_written)
    return seen(quick, walked.get(key, _validate._REFUSED)), seen(general, checked)


@settings(max_examples=400, deadline=None)
@given(name=st.sampled_from(sorted(_NUMBER_FIELDS)),
       text=st.from_regex(r"\A[0-9]{1,22}(\.[0-9]{0,9})?\Z") | st.sampled_from(["0", "0.00", "0.0000001", "0.0000005",
                                                                             "0.0000004", "00", "0.", "1.0000004"]))
def test_a_number_read_quickly_is_read_as_the_general_check_reads_it(name: str, text: str) -> None:
    quick, general = _both_ways(Land, name, text)
    assert quick == general, (name, text)


def test_dates_and_lists_of_codes_read_quickly_as_the_general_checks_read_them() -> None:
    import datetime as dt

    from zonecheck.engine.contract.proposal import Proposal

    for value in (dt.date(2026, 11, 2), dt.datetime(2026, 11, 2, 9, 30), "2026-11-02"):
        quick = _validate._Checker().model({"submitted_on": value}, Proposal, "")
        assert quick["submitted_on"] == _validate._Checker().value("submitted_on", _validate.fields_of(Proposal)["submitted_on"], value)
    lists = {name: spec for name, spec in _validate.fields_of(Land).items() if spec.kind == "enum_list"}
    assert lists, "the land section has a list of codes"
    for name, spec in lists.items():
        codes = sorted(_validate._enum_words(spec.enum)[0])
        for value in ([], codes[:2], [codes[0], " " + codes[0]], [codes[0], "no such code"], [codes[0], 3], [codes[0], [codes[1]]]):
            quick, general = _validate._Checker(), _validate._Checker()
            walked = quick.model({name: value}, Land, "land.").get(name, _validate._REFUSED)
            checked = general.value("land." + name, spec, value)
            assert (walked, [p.reason for p in quick.problems], quick.as_written) == (
                checked, [p.reason for p in general.problems], general.as_written), (name, value)
