"""Policy staff's acceptance specs: the Chinese Gherkin files under features/, run through the engine.

Step phrases (docs/steps.md lists them for spec writers):

    假如 以示范方案为基础                      the complete, approved proposal in tests/rules/national/_base.yaml
    假如 以示例 approved-motor-plant 为基础     a proposal from examples/
    假如 园区为 longchang-neirong
    假如 筛查日期为 2022-06-01
    假如 申报的 <字段> 为 <值>                  (spaces around 为) 字段: the Chinese label (项目用地面积（平方米）) or the path (land.site_area_m2)
                                              值: 是/否, a coded value's Chinese name (挂牌) or code, a number (40,000)
    假如 申报中没有 <字段>
    当 筛查该申报
    那么 结论为 <否决|需修改|需补充材料|需人工核查|附条件通过|通过>
    那么 规则 <规则编号> 的结果为 <违反|符合|不适用|无法判断>
    那么 规则 <规则编号> 的情形为 <情形>
    那么 规则 <规则编号> 需补充 <字段>
    那么 规则 <规则编号> 的说明包含 <文字>

Each feature file is bound on its own, so one malformed file fails its own test (with the usual
causes spelled out) instead of hiding every other spec.
"""

from __future__ import annotations

import copy
import os
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_bdd import given, parsers, scenarios, then, when

from zonecheck.engine.contract.proposal import FACTS
from zonecheck.engine.screener import Screener
from zonecheck.engine.explain.verdict import DECISIONS, Verdict
from zonecheck.engine.explain.findings import STATUS_LABELS

ROOT = Path(__file__).resolve().parent.parent
FEATURES = Path(os.environ.get("ZONECHECK_FEATURES", ROOT / "features"))
BASE = ROOT / "tests" / "rules" / "national" / "_base.yaml"
LABELS = {spec.label_zh: path for path, spec in FACTS.items()}
COMMON_CAUSES = ("常见原因：首行缺少 `# language: zh-CN`；关键字后用了全角冒号“：”；"
                 "用了“示例:”而不是“例子:”；表格用了全角竖线“｜”。")

for feature in sorted(FEATURES.glob("*.feature")):
    try:
        scenarios(str(feature))
    except Exception as error:  # noqa: BLE001 - reported as this file's own failing test
        message = f"{feature.name} 无法解析：{error}\n{COMMON_CAUSES}"

        def broken(message: str = message) -> None:
            pytest.fail(message, pytrace=False)

        globals()[f"test_feature_file_{feature.stem}_parses"] = broken


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(ROOT / "rules" / "national")


@pytest.fixture
def spec() -> dict[str, Any]:
    return {"proposal": None, "zone": None, "as_of": None}


def field_path(name: str) -> str:
    name = name.strip().strip("「」“”\"")
    if name in FACTS:
        return name
    if name in LABELS:
        return LABELS[name]
    raise AssertionError(f"不认识的字段“{name}”：请用申报字段的中文名称（如 项目用地面积（平方米））或字段路径")


def field_value(path: str, text: str) -> Any:
    text = text.strip().strip("「」“”\"")
    spec = FACTS[path]
    if spec.kind == "boolean":
        if text in ("是", "true", "True"):
            return True
        if text in ("否", "false", "False"):
            return False
        raise AssertionError(f"{path} 取 是 或 否，而不是“{text}”")
    if spec.kind in ("enum", "enum_list"):
        names = {label: code for code, label in spec.choice_labels.items()}
        items = [item.strip() for item in re.split(r"[、,，]", text) if item.strip()]
        codes = [names.get(item, item) for item in items]
        for code in codes:
            if code not in spec.choices:
                raise AssertionError(f"{path} 不能取“{code}”，可取：{'、'.join(spec.choice_labels.values())}")
        return codes if spec.kind == "enum_list" else codes[0]
    if spec.kind in ("number", "integer"):
        number = text.replace(",", "").replace("，", "").replace(" ", "")
        return int(number) if spec.kind == "integer" else number
    return text


def _node(proposal: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    section, name = path.split(".")
    return proposal.setdefault(section, {}), name


@given("以示范方案为基础")
def base_proposal(spec: dict[str, Any]) -> None:
    spec["proposal"] = yaml.safe_load(BASE.read_text(encoding="utf-8"))


@given(parsers.re(r"以示例\s*(?P<name>[\w-]+)\s*为基础"))
def example_proposal(spec: dict[str, Any], name: str) -> None:
    spec["proposal"] = yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text(encoding="utf-8"))


@given(parsers.re(r"园区为\s*(?P<zone>[\w-]+)"))
def zone_is(spec: dict[str, Any], zone: str) -> None:
    spec["zone"] = zone


@given(parsers.re(r"筛查日期为\s*(?P<day>\d{4}-\d{2}-\d{2})"))
def screening_date(spec: dict[str, Any], day: str) -> None:
    spec["as_of"] = dt.date.fromisoformat(day)


@given(parsers.re(r"申报的\s*(?P<name>.+?)\s+为\s+(?P<value>.+)"))
def set_fact(spec: dict[str, Any], name: str, value: str) -> None:
    path = field_path(name)
    node, key = _node(spec["proposal"], path)
    node[key] = field_value(path, value)


@given(parsers.re(r"申报中没有\s*(?P<name>.+)"))
def unset_fact(spec: dict[str, Any], name: str) -> None:
    node, key = _node(spec["proposal"], field_path(name))
    node.pop(key, None)


@when("筛查该申报", target_fixture="verdict")
def screen(screener: Screener, spec: dict[str, Any]) -> Verdict:
    assert spec["proposal"] is not None, "先写“假如 以示范方案为基础”或“假如 以示例 … 为基础”"
    return screener.screen(copy.deepcopy(spec["proposal"]), zone=spec["zone"], as_of=spec["as_of"])


def _code(table: dict[str, dict[str, str]], text: str, what: str) -> str:
    text = text.strip()
    for code, labels in table.items():
        if text in (code, labels["zh"]):
            return code
    raise AssertionError(f"不认识的{what}“{text}”，可取：{'、'.join(l['zh'] for l in table.values())}")


def _finding(verdict: Verdict, rule_id: str) -> Any:
    assert rule_id in verdict.by_rule, f"规则包中没有规则 {rule_id}"
    return verdict.by_rule[rule_id]


@then(parsers.re(r"结论为\s*(?P<decision>\S+)"))
def decision_is(verdict: Verdict, decision: str) -> None:
    expected = _code(DECISIONS, decision, "结论")
    assert verdict.decision == expected, f"结论为 {DECISIONS[verdict.decision]['zh']}：{verdict.document['summary']['zh']}"


@then(parsers.re(r"规则\s*(?P<rule_id>[A-Z0-9-]+)\s*的结果为\s*(?P<status>\S+)"))
def status_is(verdict: Verdict, rule_id: str, status: str) -> None:
    found = _finding(verdict, rule_id)
    expected = _code(STATUS_LABELS, status, "结果")
    assert found.status == expected, f"{rule_id} 的结果为 {STATUS_LABELS[found.status]['zh']}：{found.body['message']['zh']}"


@then(parsers.re(r"规则\s*(?P<rule_id>[A-Z0-9-]+)\s*的情形为\s*(?P<case>\S+)"))
def case_is(verdict: Verdict, rule_id: str, case: str) -> None:
    assert _finding(verdict, rule_id).case == case


@then(parsers.re(r"规则\s*(?P<rule_id>[A-Z0-9-]+)\s*需补充\s*(?P<name>.+)"))
def asks_for(verdict: Verdict, rule_id: str, name: str) -> None:
    found = _finding(verdict, rule_id)
    assert field_path(name) in found.missing, f"{rule_id}：{found.body['message']['zh']}"


@then(parsers.re(r"规则\s*(?P<rule_id>[A-Z0-9-]+)\s*的说明包含\s*(?P<text>.+)"))
def explains(verdict: Verdict, rule_id: str, text: str) -> None:
    found = _finding(verdict, rule_id)
    said = found.body["message"]["zh"] + (found.body["remedy"] or {}).get("zh", "")
    assert text.strip().strip("「」“”\"") in said, f"{rule_id} 的说明是：{said}"
