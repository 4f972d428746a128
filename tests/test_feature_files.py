"""Feature files as policy staff meet them: a malformed file fails alone (also in a tag run), every
error is Chinese with file, line and the closest phrases, `zonecheck specs run` exits 0/1/2, one file
runs by its path, the reports never show an undefined step as green, and the coverage bar holds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
QUIET = {**os.environ, "ZONECHECK_SPECS_REPORT": "none"}
CLI = [sys.executable, "-m", "zonecheck.service.cli.main", "specs"]

GOOD = """# language: zh-CN
@试写
功能: 试写

  @LAND-FEE-RELIEF
  场景: 返还出让金被否决
    假如 以示范方案为基础
    并且 项目的出让金减免返还为 返还
    当 进行入区审查
    那么 审查结论应为“否决”
"""
MISTAKES = """# language: zh-CN
功能: 常见的写错

  场景: 写了没有的步骤
    假如 以示范方案为基础
    并且 项目的投资强度是 300
    那么 审查结论应为“通过”

  场景: 规则编号写错
    假如 以示范方案为基础
    那么 规则“ENV-EIA-APROVAL”的结果应为“符合”

  场景: 选项写错
    假如 以示范方案为基础
    并且 项目的供地方式为 挂拍
    那么 审查结论应为“通过”

  场景: 结论写错
    假如 以示范方案为基础
    那么 审查结论应为“驳回”

  场景: 校验失败的值指向设定它的行
    假如 以示范方案为基础
    并且 项目的行业代码为 38A2
    那么 审查结论应为“通过”

  场景: 结论不符时给出实际结论和说明
    假如 以示范方案为基础
    并且 项目的供地方式为 协议出让
    那么 审查结论应为“通过”
"""
FULL_WIDTH_COLON = "# language: zh-CN\n功能：全角冒号\n  场景：x\n    假如 以示范方案为基础\n"
NO_LANGUAGE = "功能: 缺少语言行\n  场景: x\n    假如 以示范方案为基础\n"
FIRST_STEP_AND = "# language: zh-CN\n功能: 首步\n  场景: x\n    并且 以示范方案为基础\n    那么 审查结论应为“通过”\n"
NO_OUTCOME = "# language: zh-CN\n功能: 无结果\n  场景: 只有条件\n    假如 以示范方案为基础\n"
EXAMPLES_WORD = ("# language: zh-CN\n功能: 示例\n  场景大纲: x\n    假如 以示范方案为基础\n"
                 "    那么 审查结论应为“<结论>”\n\n    示例:\n      ｜ 结论 ｜\n      ｜ 通过 ｜\n")


def _write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.feature").write_text(text, encoding="utf-8")
    return folder


def test_a_broken_feature_file_fails_alone(tmp_path: Path) -> None:
    shutil.copy(ROOT / "features" / "供地.feature", tmp_path / "供地.feature")
    (tmp_path / "坏的.feature").write_text("功能：缺少语言行且用了全角冒号\n  场景：x\n    假如 y\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "test_features.py")],
        cwd=ROOT, env={**QUIET, "ZONECHECK_FEATURES": str(tmp_path)}, capture_output=True, text=True, timeout=300,
    )
    assert "1 failed" in result.stdout and " passed" in result.stdout, result.stdout[-2000:]
    assert "坏的.feature 无法解析" in result.stdout and "# language: zh-CN" in result.stdout


def test_a_tag_run_over_a_broken_file_still_reports_it(tmp_path: Path) -> None:
    shutil.copy(ROOT / "features" / "供地.feature", tmp_path / "供地.feature")
    (tmp_path / "坏的.feature").write_text("# language: zh-CN\n@供地\n功能：全角冒号\n  场景: x\n    假如 y\n",
                                         encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "供地",
         str(ROOT / "tests" / "test_features.py")],
        cwd=ROOT, env={**QUIET, "ZONECHECK_FEATURES": str(tmp_path)}, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout and " passed" in result.stdout, result.stdout[-2000:]
    assert "坏的.feature 无法解析" in result.stdout and "第 3 行：“功能：”用了全角冒号，应写“功能:”" in result.stdout


def test_specs_run_explains_every_mistake_in_chinese(tmp_path: Path) -> None:
    folder = _write(tmp_path / "features", 写错=MISTAKES, 全角冒号=FULL_WIDTH_COLON, 无语言行=NO_LANGUAGE,
                    示例=EXAMPLES_WORD, 首步=FIRST_STEP_AND, 无结果=NO_OUTCOME, 好的=GOOD)
    reports = tmp_path / "reports"
    result = subprocess.run([*CLI, "run", str(folder), "--report", str(reports)], cwd=tmp_path, env=QUIET,
                            capture_output=True, text=True, timeout=300)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "Traceback" not in out + result.stderr and "StepDefinitionNotFoundError" not in out
    # an undefined phrase: file, line, the step as written and the closest phrase
    assert "写错.feature:6" in out and "步骤未定义：并且 项目的投资强度是 300" in out
    assert "最接近的现有步骤" in out and "（项目的{字段}为 {值}）" in out
    assert "规则包中没有规则“ENV-EIA-APROVAL”。最接近的：“ENV-EIA-APPROVAL”" in out  # unknown rule id
    assert "“供地方式”不能取“挂拍”。最接近的：“挂牌”" in out  # unknown coded value
    assert "不认识的审查结论“驳回”" in out
    assert "由第 24 行“并且 项目的行业代码为 38A2”设定" in out  # a bad value, at the line that set it
    assert "期望审查结论为“通过”，实际为“否决”" in out and "LAND-GRANT-METHOD" in out
    assert "第 2 行：“功能：”用了全角冒号，应写“功能:”" in out  # full-width colon
    assert "首行应为 `# language: zh-CN`" in out  # missing language line
    assert "应写“例子:”而不是“示例:”" in out and "全角竖线" in out
    assert "第 4 行：场景或背景的第一步须以“假如”“当”或“那么”开头，不能以“并且”开头" in out
    assert "无结果.feature:3 场景“只有条件”没有“那么”步骤，什么也没有检验" in out
    assert "✓ 好的.feature：返还出让金被否决：通过" in out
    assert "共 7 个场景：通过 1，失败 5，含未定义步骤 1；无法运行的文件或场景 5 个" in out

    # the reports: an undefined step is `undefined`, never green
    features = json.loads((reports / "cucumber.json").read_text(encoding="utf-8"))
    scenarios = {e["name"]: e for f in features for e in f["elements"]}
    undefined = scenarios["写了没有的步骤"]
    assert [s["result"]["status"] for s in undefined["steps"]] == ["passed", "undefined", "skipped"]
    assert all(s["result"]["status"] == "passed" for s in scenarios["返还出让金被否决"]["steps"])
    page = (reports / "specs.html").read_text(encoding="utf-8")
    assert "<td class='undefined'>未定义步骤</td>" in page and "规则覆盖" in page
    assert "http" not in page.replace("<!doctype html>", "")  # self-contained


def test_specs_run_exits_0_when_every_scenario_passes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zonecheck.service.cli.main import app

    folder = _write(tmp_path, 好的=GOOD)
    ok = CliRunner().invoke(app, ["specs", "run", str(folder / "好的.feature"), "--tag", "LAND-FEE-RELIEF",
                                  "--report", str(tmp_path / "r")])
    assert ok.exit_code == 0, ok.output
    assert "共 1 个场景：通过 1" in ok.output and (tmp_path / "r" / "cucumber.json").is_file()


def test_specs_run_exits_2_on_a_usage_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zonecheck.service.cli.main import app

    folder = _write(tmp_path, 好的=GOOD)
    missing = CliRunner().invoke(app, ["specs", "run", str(folder / "没有.feature")])
    assert missing.exit_code == 2 and "找不到文件" in missing.output
    tag = CliRunner().invoke(app, ["specs", "run", str(folder), "--tag", "LAND-FEE-RELEIF"])
    assert tag.exit_code == 2, tag.output
    assert "没有场景带标签“LAND-FEE-RELEIF”。最接近的标签：“LAND-FEE-RELIEF”" in tag.output
    (folder / "乱码.feature").write_bytes(b"\xff\xfe\x00bad")
    unreadable = CliRunner().invoke(app, ["specs", "run", str(folder / "乱码.feature")])
    assert unreadable.exit_code == 2 and "无法读取" in unreadable.output


def test_one_feature_file_runs_by_its_path() -> None:
    result = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "features/供地.feature"],
                            cwd=ROOT, env=QUIET, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    ran = [line for line in result.stdout.splitlines() if " PASSED" in line]
    assert ran and all(line.startswith("features/供地.feature::") for line in ran), result.stdout[-2000:]


def test_every_veto_and_mandatory_rule_has_a_passing_violated_and_satisfied_scenario(tmp_path: Path) -> None:
    result = subprocess.run([*CLI, "coverage", "--report", str(tmp_path)], cwd=ROOT, env=QUIET,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "未达标" not in result.stdout and "个场景或文件未通过" not in result.stdout
    coverage = json.loads((tmp_path / "coverage.json").read_text(encoding="utf-8"))
    assert coverage["gaps"] == []
    barred = [r for r in coverage["rules"] if r["severity"] in ("veto", "mandatory")]
    # a veto whose every violation reads a figure the pack does not ship cannot be violated yet: its failing
    # proposal comes out 无法判断 (需人工核查), which a passing scenario must show instead
    assert barred and all(r["asserted"].get("violated") or (r["figureless"] and r["asserted"].get("undetermined"))
                          for r in barred)
    assert [r["rule_id"] for r in barred if r["figureless"]] == ["LAND-UNUSED-PRICE-FLOOR"]
