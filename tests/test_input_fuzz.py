"""Hostile input, generated: every field fed the classic bad values gives a valid verdict or listed problems,
never an exception; proposal files and CSV rows through the CLI never print a traceback or exit other than
0, 1 or 2; `batch` killed at random points leaves the output absent, previous, or whole (issue 9)."""

from __future__ import annotations

import copy
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonecheck.engine.contract.validate import fields_of
from zonecheck.engine.contract.proposal import Proposal
from zonecheck.engine.screener import InvalidProposal, Screener
from zonecheck.service.present import full

FIXTURE = Path(__file__).parent / "fixtures" / "rules"
MINI = ["--rules", str(FIXTURE), "--pack", "mini"]
GOOD = {
    "reference": "FZ-1", "name": "模糊测试", "zone": "z1", "submitted_on": "2026-11-02",
    "project": {"kind": "new", "industry_code": "3812"},
    "investment": {"fixed_assets_wan": 40000},
    "land": {"site_area_m2": 100000, "floor_area_m2": 80000, "office_living_area_m2": 5000,
             "in_ecological_red_line": False, "non_production_facilities": []},
}
CLASSIC_VALUES = ([None, True, False, 0, 1, -1, 0.0000001, 1e308, float("inf"), float("nan"), "", " ", "0", "1",
                     "-0", "1e12", "1e999999", "NaN", "Infinity", "１２", "٣", "1:30", "0x1F", "0o17", "yes", "no", "是",
                     "否", "on", "2023-02-30", "2026-13-01", "[/red]", "\x00", "\u202e", "50亩", "50公顷", "1.5亿元",
                     "50 furlongs", "9" * 5000, "挂牌", [], {}, [[[]]], {"value": 1}, {"value": "x", "unit": "亩"},
                     {"value": 1e30, "unit": "亿元"}, ["casino"], ["宾馆"], "3812", "9614", "２６１４", 10**5000, -10**20, 2**63])
CLASSIC = st.one_of(st.sampled_from(CLASSIC_VALUES), st.integers(), st.floats(), st.text(max_size=20),
                    st.decimals(allow_nan=True).map(str))


def _leaf_paths(model=Proposal, prefix: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    for name, spec in fields_of(model).items():
        if spec.kind == "model":
            found += _leaf_paths(spec.model, f"{prefix}{name}.")
        elif spec.kind != "model_list":
            found.append(f"{prefix}{name}")
    return found


LEAVES = _leaf_paths()
screener = Screener(FIXTURE / "mini")


def _set(data: dict, path: str, value: object) -> dict:
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return data


def test_every_field_gets_every_classic_bad_value() -> None:
    """Deterministic: each field, each classic value, alone (the property test below mixes them)."""
    for path in LEAVES:
        for value in CLASSIC_VALUES:
            try:
                full.to_json_bytes(screener.screen(_set(GOOD, path, value), timestamp=False))
            except InvalidProposal as error:
                assert error.problems and all(p.reason and p.reason_en for p in error.problems), (path, value)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(LEAVES), CLASSIC), min_size=1, max_size=4))
def test_every_field_with_classic_bad_values_gives_a_verdict_or_problems(changes: list[tuple[str, object]]) -> None:
    data: dict = GOOD
    for path, value in changes:
        data = _set(data, path, value)
    try:
        verdict = screener.screen(data, timestamp=False)
    except InvalidProposal as error:
        assert error.problems and all(p.reason and p.reason_en for p in error.problems)
        return
    assert verdict.decision in ("approved", "conditional", "needs_review", "incomplete", "revise", "rejected")
    full.to_json_bytes(verdict)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(LEAVES), CLASSIC), min_size=1, max_size=4))
def test_what_the_input_check_accepts_is_held_at_six_places(changes: list[tuple[str, object]]) -> None:
    """The facts trust a proposal read by contract/validate.py to hold its numbers at 6 places already
    (`Parsed.quantized`): whatever values it accepted, rounding them again changes nothing."""
    from zonecheck.engine.contract.validate import parse
    from zonecheck.engine.core.facts import proposal_values

    data: dict = GOOD
    for path, value in changes:
        data = _set(data, path, value)
    parsed, _ = parse(data)
    if parsed is not None:
        assert parsed.quantized
        trusted, rounded = proposal_values(parsed.proposal, quantized=True), proposal_values(parsed.proposal)
        assert trusted == rounded and {p: str(v) for p, v in trusted.items()} == {p: str(v) for p, v in rounded.items()}


TEXT = st.one_of(st.text(max_size=80), st.sampled_from([
    "reference: [unclosed", "a: &a [*a]", "{" * 3000, "- - -", "---\n---\n", "\ufeff{}", "key: !!python/object:os.system x",
    "a: 1\na: 2", "x: 2023-02-30", "!!binary AAAA", "? [a, b]\n: c", "\t\t", "\x00\x01"]))


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "zonecheck.service.cli.main", *args], capture_output=True,
                            timeout=timeout)
    out = subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode("utf-8", "replace"),
                                      result.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in out.stderr and out.returncode in (0, 1, 2), out
    return out


@pytest.mark.slow
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(docs=st.lists(TEXT, min_size=15, max_size=15), rows=st.lists(st.lists(TEXT, min_size=6, max_size=6),
                                                                    min_size=10, max_size=10),
       binary=st.binary(max_size=300))
def test_the_cli_never_prints_a_traceback(tmp_path_factory: pytest.TempPathFactory, docs: list[str],
                                          rows: list[list[str]], binary: bytes) -> None:
    """One CLI run per format over many generated documents (each run starts a process: kept few)."""
    folder = tmp_path_factory.mktemp("fuzz")
    for index, text in enumerate(docs):
        (folder / f"{index}.{'yaml' if index % 2 else 'json'}").write_text(text, encoding="utf-8", errors="replace")
    (folder / "raw.yaml").write_bytes(binary)
    header = "reference,name,zone,submitted_on,project.industry_code,land.site_area_m2\n"
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    (folder / "rows.csv").write_text(header + buffer.getvalue(), encoding="utf-8", errors="replace")
    (folder / "rows.jsonl").write_text("\n".join(json.dumps(_set(GOOD, "name", r[0])) for r in rows) + "\n"
                                       + "\n".join(docs).replace("\n", " "), encoding="utf-8", errors="replace")
    out = folder.parent / f"{folder.name}.out.jsonl"
    _cli("batch", str(folder), "--out", str(out), *MINI)
    _cli("batch", str(folder / "rows.csv"), "--out", str(out), *MINI)
    _cli("batch", str(folder / "rows.jsonl"), "--out", str(out), *MINI)
    _cli("screen", *[str(p) for p in sorted(folder.iterdir())[:8]], "--format", "json", *MINI)


@pytest.mark.slow
def test_batch_killed_at_random_points_leaves_the_output_whole_or_previous(tmp_path: Path) -> None:
    source = tmp_path / "many.jsonl"
    line = json.dumps(GOOD, ensure_ascii=False)
    source.write_text((line + "\n") * 20_000, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    command = [sys.executable, "-m", "zonecheck.service.cli.main", "batch", str(source), "--out", str(out), *MINI]
    chance = random.Random(9)
    for kill in (signal.SIGKILL, signal.SIGINT, signal.SIGTERM, signal.SIGINT):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(chance.uniform(1.0, 4.0))  # start-up and pack compiling take about a second
        process.send_signal(kill)
        _, stderr = process.communicate(timeout=120)
        assert b"Traceback" not in stderr
        text = out.read_text(encoding="utf-8")
        assert text == "previous\n" or len(text.splitlines()) == 20_000
        if kill != signal.SIGKILL:
            assert process.returncode in (130, 143, -kill, 0), process.returncode
            assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
        for stale in tmp_path.glob(".out.jsonl.*.tmp"):  # left by SIGKILL, which nothing can catch
            stale.unlink()
    assert subprocess.run(command, capture_output=True, timeout=300).returncode == 0
    rows = out.read_text(encoding="utf-8").splitlines()
    # the mini pack has no plot-ratio or office-share figure in force on that date: a person checks them
    assert len(rows) == 20_000 and json.loads(rows[-1])["decision"] == "needs_review"
    assert os.path.getsize(out) > 0
