"""The step vocabulary: every phrase a spec may use, with an example, and what it does.

A phrase has a kind: `fact` (after 假如/假设/并且/而且, before the screening), `action` (after 当) or
`outcome` (after 那么/并且). Values may be written in “” or bare. Phrases are tried in order; the first
whose pattern matches the whole step text is used (tests check that no example matches two phrases).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field as dataclass_field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from zonecheck.service.specs import words
from zonecheck.service.specs.verdict_view import DECISION_NAMES, STATUS_NAMES, RuleResult, VerdictView
from zonecheck.service.specs.words import SpecError, SpecFailure, unquote

KEYWORDS = {"fact": "假如、假设、并且、而且", "action": "当", "outcome": "那么、并且"}
KIND_OF_STEP_TYPE = {"given": "fact", "when": "action", "then": "outcome"}
KIND_NAMES = {"fact": "条件", "action": "动作", "outcome": "结果"}


@dataclass(frozen=True)
class Where:
    """Where a step is written: file, line and the step as written."""

    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}“{self.text}”"


@dataclass
class Spec:
    """One scenario's state: the proposal being built, the screening and what was asserted."""

    screen: Callable[[dict[str, Any], str | None, dt.date | None], Any]
    zones: dict[str, Any]
    examples: list[Path]
    proposal: dict[str, Any] | None = None
    zone: str | None = None
    as_of: dt.date | None = None
    view: VerdictView | None = None
    where: Where | None = None
    set_at: dict[str, Where] = dataclass_field(default_factory=dict)
    table_lines: list[int] = dataclass_field(default_factory=list)  # file lines of the current step's table
    asserted: list[tuple[str, str]] = dataclass_field(default_factory=list)  # passing (rule id, status)
    produced: list[dict[str, tuple[str, str | None]]] = dataclass_field(default_factory=list)

    # --- building the proposal ---------------------------------------------------------------------
    def start(self, proposal: dict[str, Any]) -> None:
        self.proposal, self.view = proposal, None

    def begun(self) -> dict[str, Any]:
        """The proposal being built; a spec names its starting point, none is assumed."""
        if self.proposal is None:
            raise SpecError("还没有申报：先写“假如 一个拟入区项目:”（附字段表）或“假如 以示范方案为基础”")
        return self.proposal

    def put(self, path: str, value: Any) -> None:
        node = self.begun()
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
        self.view = None
        if self.where:
            self.set_at[path] = self.where

    def drop(self, path: str) -> None:
        node: Any = self.begun()
        *parents, last = path.split(".")
        for part in parents:
            node = node.get(part) or {}
        node.pop(last, None)
        self.view = None

    # --- screening ---------------------------------------------------------------------------------
    def screened(self) -> VerdictView:
        if self.view is None:
            proposal = copy.deepcopy(self.begun())
            if self.zone:
                proposal["zone"] = self.zone
            if self.as_of and "submitted_on" not in proposal:
                proposal["submitted_on"] = self.as_of.isoformat()
            try:
                verdict = self.screen(proposal, self.zone, self.as_of)
            except words.InvalidInput as error:
                raise self.invalid(error.problems) from None
            self.view = VerdictView(verdict)
            self.produced.append(self.view.outcomes())
        return self.view

    def invalid(self, problems: list[tuple[str, str, str]]) -> SpecError:
        """The problems of a proposal that failed validation, each at the step that set the value."""
        lines = []
        for path, label, reason in problems:
            set_by = self.set_at.get(path) or next((w for p, w in self.set_at.items() if path.startswith(p)), None)
            where = f"（由第 {set_by.line} 行“{set_by.text}”设定）" if set_by else HINTS.get(path, "")
            lines.append(f"  - {label or path}（{path}）：{_reason_zh(reason)}{where}")
        return SpecError("申报未通过校验，未能审查：\n" + "\n".join(lines))

    def rule(self, rule_id: str) -> RuleResult:
        rule_id = unquote(rule_id)
        view = self.screened()
        found = view.rule(rule_id)
        if found is None:
            near = words.closest(rule_id, list(view.rules))
            raise SpecError(f"规则包中没有规则“{rule_id}”。最接近的：{words.suggest(near)}"
                            "（`zonecheck specs glossary` 列出全部规则编号）")
        return found


def _reason_zh(reason: str) -> str:
    """The validator's usual reasons in Chinese (others as given)."""
    if reason == "Field required":
        return "必填，未填写"
    pattern = re.match(r"String should match pattern '(.*)'", reason)
    if pattern:
        return f"格式不符（应符合 {pattern.group(1)}）"
    number = re.match(r"Input should be (greater than|less than or equal to|greater than or equal to) (\S+)", reason)
    if number:
        words_zh = {"greater than": "大于", "less than or equal to": "不大于", "greater than or equal to": "不小于"}
        return f"应{words_zh[number.group(1)]} {number.group(2)}"
    return reason


HINTS = {"zone": "（在表中写“园区”，或写“假如 项目位于“demo-east””）",
         "submitted_on": "（在表中写“申报日期”，或写“假如 审查日期为 2026-11-02”）",
         "project.industry_code": "（在表中写“行业代码”）"}


class UndefinedStep(SpecError):
    """No phrase of the vocabulary reads this step."""


def base_proposal() -> dict[str, Any]:
    """The complete, approved demo proposal every legacy scenario starts from (shipped in the package)."""
    text = resources.files("zonecheck.service.specs").joinpath("base.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


# --- the phrases ----------------------------------------------------------------------------------

Handler = Callable[[Spec, dict[str, str], list[list[str]] | None], None]


@dataclass(frozen=True)
class Phrase:
    kind: str
    template: str  # as the glossary shows it
    example: str
    meaning: str
    pattern: re.Pattern[str]
    run: Handler
    table: bool = False  # followed by a | 字段 | 值 | table
    legacy: bool = False  # kept for the specs written before this vocabulary

    def match(self, text: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(text)
        return None if found is None else {k: v for k, v in found.groupdict().items() if v is not None}


PHRASES: list[Phrase] = []


def phrase(kind: str, template: str, example: str, meaning: str, *patterns: str, table: bool = False,
           legacy: bool = False) -> Callable[[Handler], Handler]:
    def register(run: Handler) -> Handler:
        for pattern in patterns:
            PHRASES.append(Phrase(kind, template, example, meaning, re.compile(pattern), run, table, legacy))
        return run
    return register


V = r"\s*(?P<{}>.+?)\s*"  # a value, quoted or bare


def v(name: str) -> str:
    return V.format(name)


# facts -------------------------------------------------------------------------------------------

@phrase("fact", "一个拟入区项目:", "假如 一个拟入区项目:\n  | 字段 | 值 |\n  | 园区 | demo-east |",
        "用表格写出整份申报（表头 | 字段 | 值 |）；表中没有的字段视为未填写", r"一个拟入区项目\s*[:：]?", table=True)
def a_proposal(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    if not table:
        raise SpecError("“一个拟入区项目:”下一行起要跟一个表格，表头为 | 字段 | 值 |")
    header = [words.normal(cell) for cell in table[0]]
    if header[:2] != ["字段", "值"]:
        raise SpecError(f"表头应为 | 字段 | 值 |，而不是 | {' | '.join(table[0])} |")
    spec.start({"reference": "SPEC-0001", "name": "验收规格中的拟入区项目"})
    lines = spec.table_lines
    for number, row in enumerate(table[1:], 1):
        if len(row) < 2 or not row[0].strip():
            continue
        line = lines[number] if number < len(lines) else None
        if spec.where and line:
            spec.where = Where(spec.where.file, line, f"| {row[0]} | {row[1]} |")
        try:
            found = words.field(row[0])
            if unquote(row[1]) == "":
                continue  # an empty cell: the field is absent
            spec.put(found.path, words.value(found, row[1], spec.zones))
        except SpecError as error:
            at = f"第 {line} 行" if line else f"第 {number} 行数据"
            raise SpecError(f"表格{at}“| {row[0]} | {row[1]} |”：{error}") from None


@phrase("fact", "以示范方案为基础", "假如 以示范方案为基础",
        "从一份完整、可通过的示范申报开始（demo-east 园区，2026-11-02，行业 3812，目录类别为允许类）", r"以示范方案为基础")
def demo_proposal(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    spec.start(base_proposal())


@phrase("fact", "以示例 {示例名} 为基础", "假如 以示例 approved-motor-plant 为基础",
        "从 examples/ 中的某份申报开始", r"以示例\s*(?P<name>[\w-]+)\s*为基础")
def example_proposal(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    for folder in spec.examples:
        path = folder / f"{args['name']}.yaml"
        if path.is_file():
            spec.start(yaml.safe_load(path.read_text(encoding="utf-8")))
            return
    known = sorted({p.stem for folder in spec.examples if folder.is_dir() for p in folder.glob("*.yaml")})
    raise SpecError(f"找不到示例“{args['name']}”。最接近的：{words.suggest(words.closest(args['name'], known))}")


@phrase("fact", "项目位于“{园区}”", "假如 项目位于“demo-east”", "换用一个园区档案（园区编号或中文名称）",
        r"项目位于" + v("zone"))
@phrase("fact", "园区为 {园区}", "假如 园区为 longchang-neirong", "同上", r"园区为" + v("zone"), legacy=True)
def zone_is(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    spec.zone = words.zone_id(args["zone"], spec.zones)
    spec.view = None


@phrase("fact", "审查日期为 {YYYY-MM-DD}", "假如 审查日期为 2020-06-01", "按该日期有效的规则和控制值审查",
        r"审查日期为" + v("day"))
@phrase("fact", "筛查日期为 {YYYY-MM-DD}", "假如 筛查日期为 2020-06-01", "同上", r"筛查日期为" + v("day"), legacy=True)
def screening_date(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    day = words.normal(unquote(args["day"]))
    try:
        spec.as_of = dt.date.fromisoformat(day)
    except ValueError:
        raise SpecError(f"审查日期要写成 YYYY-MM-DD（如 2026-11-02），而不是“{args['day']}”") from None
    spec.view = None


@phrase("fact", "项目未填写{字段}", "并且 项目未填写是否位于生态保护红线内", "去掉一个申报字段（视为未填写）",
        r"项目(?:未填写|未提供|没有填写)" + v("name"), r"项目的" + v("name") + r"(?:未填写|未提供)")
@phrase("fact", "申报中没有 {字段}", "假如 申报中没有 是否位于生态保护红线内", "同上",
        r"申报中没有" + v("name"), legacy=True)
def unset_fact(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    spec.drop(words.field(args["name"]).path)


def _split_at_wei(text: str) -> tuple[words.Field, str]:
    """`<字段>为<值>`: the split at a 为 whose left side names a field (labels may not be unique on 为)."""
    positions = [i for i, ch in enumerate(text) if ch == "为"]
    for i in positions:
        found = words.find_field(text[:i])
        if found is not None:
            return found, text[i + 1:]
    if not positions:
        raise UndefinedStep("")  # not this phrase: reported with the closest phrases
    words.field(text[:positions[0]])  # raises with the closest fields
    raise SpecError(f"写成“项目的{{字段}}为 {{值}}”，而不是“{text}”")


@phrase("fact", "项目的{字段}为 {值}", "并且 项目的固定资产投资（万元）为 18,000",
        "设定一个申报字段（字段写中文名称或路径；“为”前可有可无空格；数字可带千位逗号和单位）",
        r"项目的\s*(?P<rest>.+)")
@phrase("fact", "申报的 {字段} 为 {值}", "假如 申报的 项目用地面积（平方米） 为 40,000", "同上",
        r"申报的\s*(?P<rest>.+)", legacy=True)
def set_fact(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    found, text = _split_at_wei(args["rest"])
    spec.put(found.path, words.value(found, text, spec.zones))


# actions ------------------------------------------------------------------------------------------

@phrase("action", "进行入区审查", "当 进行入区审查", "按规则包审查该申报", r"进行入区审查", r"进行审查")
@phrase("action", "筛查该申报", "当 筛查该申报", "同上", r"筛查该申报", legacy=True)
def screen(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    spec.view = None
    spec.screened()


# outcomes -----------------------------------------------------------------------------------------

def _said(view: VerdictView, rule: Any = None, limit: int = 300) -> str:
    said = rule.message if rule else view.summary
    return f"审查说明：{said if len(said) <= limit else said[:limit] + '…'}"


@phrase("outcome", "审查结论应为“{结论}”", "那么 审查结论应为“否决”",
        "结论：" + "、".join(DECISION_NAMES.values()), r"审查结论(?:应|应当)?为" + v("decision"))
@phrase("outcome", "结论为 {结论}", "那么 结论为 否决", "同上", r"结论为" + v("decision"), legacy=True)
def decision_is(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    expected = words.decision(args["decision"])
    view = spec.screened()
    if view.decision != expected:
        raise SpecFailure(f"期望审查结论为“{DECISION_NAMES[expected]}”，实际为“{view.decision_name}”。\n{_said(view)}")


@phrase("outcome", "规则 {规则编号} 的结果为 {结果}", "那么 规则 ENV-EIA-APPROVAL 的结果为 违反", "同“规则…的结果应为…”",
        r"规则\s+(?P<rule>[A-Z0-9-]+)\s+的结果为" + v("status"), legacy=True)
@phrase("outcome", "规则“{规则编号}”的结果应为“{结果}”", "并且 规则“ENV-EIA-APPROVAL”的结果应为“违反”",
        "结果：" + "、".join(STATUS_NAMES.values()),
        r"规则" + v("rule") + r"的结果(?:应|应当)?为" + v("status"))
def status_is(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    expected = words.status(args["status"])
    found = spec.rule(args["rule"])
    if found.status != expected:
        raise SpecFailure(f"期望规则 {found.rule_id} 的结果为“{STATUS_NAMES[expected]}”，实际为“{found.status_name}”。\n"
                          f"{_said(spec.screened(), found)}")
    spec.asserted.append((found.rule_id, expected))


@phrase("outcome", "规则 {规则编号} 的情形为 {情形}", "并且 规则 ENV-EIA-APPROVAL 的情形为 started_without_approval",
        "同“规则…的情形应为…”", r"规则\s+(?P<rule>[A-Z0-9-]+)\s+的情形为" + v("case"), legacy=True)
@phrase("outcome", "规则“{规则编号}”的情形应为“{情形}”", "并且 规则“ENV-EIA-APPROVAL”的情形应为“started_without_approval”",
        "违反的具体情形（见词汇表中各规则的情形）", r"规则" + v("rule") + r"的情形(?:应|应当)?为" + v("case"))
def case_is(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    found = spec.rule(args["rule"])
    expected = unquote(args["case"])
    if found.case != expected:
        raise SpecFailure(f"期望规则 {found.rule_id} 的情形为“{expected}”，实际为“{found.case or '（无：' + found.status_name + '）'}”。\n"
                          f"{_said(spec.screened(), found)}")


@phrase("outcome", "规则 {规则编号} 需补充 {字段}", "并且 规则 ENV-RED-LINE 需补充 是否位于生态保护红线内",
        "同“规则…需补充…”", r"规则\s+(?P<rule>[A-Z0-9-]+)\s+需补充" + v("name"), legacy=True)
@phrase("outcome", "规则“{规则编号}”需补充“{字段}”", "并且 规则“ENV-RED-LINE”需补充“是否位于生态保护红线内”",
        "该规则因缺少这一字段而无法判断", r"规则" + v("rule") + r"需补充(?:的材料应包括)?" + v("name"))
def rule_asks_for(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    found = spec.rule(args["rule"])
    wanted = words.field(args["name"])
    if wanted.path not in found.missing:
        asked = "、".join(words.label_of(p) for p in found.missing) or "（无）"
        raise SpecFailure(f"期望规则 {found.rule_id} 需补充“{wanted.label}”，实际需补充：{asked}。\n"
                          f"{_said(spec.screened(), found)}")


@phrase("outcome", "规则 {规则编号} 的说明包含 {文字}", "并且 规则 INT-INVESTMENT-INTENSITY 的说明包含 15,000 万元",
        "同“规则…的说明应包含…”", r"规则\s+(?P<rule>[A-Z0-9-]+)\s+的说明包含" + v("text"), legacy=True)
@phrase("outcome", "规则“{规则编号}”的说明应包含“{文字}”", "并且 规则“INT-INVESTMENT-INTENSITY”的说明应包含“15,000 万元”",
        "该规则的说明或整改建议中有这段文字", r"规则" + v("rule") + r"的说明(?:应|应当)?包含" + v("text"))
def rule_explains(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    found = spec.rule(args["rule"])
    text = unquote(args["text"])
    if text not in found.message + found.remedy:
        raise SpecFailure(f"期望规则 {found.rule_id} 的说明包含“{text}”。\n{_said(spec.screened(), found)}"
                          + (f"\n整改建议：{found.remedy}" if found.remedy else ""))


@phrase("outcome", "审查说明应包含“{文字}”", "并且 审查说明应包含“需补充”", "审查摘要或任一规则的说明中有这段文字",
        r"审查说明(?:应|应当)?包含" + v("text"))
def summary_says(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    text = unquote(args["text"])
    view = spec.screened()
    if not any(text in said for said in view.messages):
        raise SpecFailure(f"期望审查说明包含“{text}”，未找到。\n{_said(view)}")


@phrase("outcome", "整改建议应包含“{文字}”", "并且 整改建议应包含“招标拍卖挂牌”", "任一规则的整改建议中有这段文字",
        r"整改建议(?:应|应当)?包含" + v("text"))
def remedy_says(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    text = unquote(args["text"])
    view = spec.screened()
    if not any(text in said for said in view.remedies):
        given = "\n".join(f"  - {r}" for r in view.remedies) or "  （无整改建议）"
        raise SpecFailure(f"期望整改建议包含“{text}”，未找到。整改建议：\n{given}")


@phrase("outcome", "需补充的材料应包括“{字段}”", "并且 需补充的材料应包括“是否位于生态保护红线内”",
        "审查要求补充的材料（任一规则缺少的字段）中有该字段", r"需补充的材料(?:应|应当)?包括" + v("name"))
def asks_for(spec: Spec, args: dict[str, str], table: list[list[str]] | None) -> None:
    wanted = words.field(args["name"])
    view = spec.screened()
    if wanted.path not in view.missing:
        asked = "、".join(words.label_of(p) for p in view.missing) or "（无）"
        raise SpecFailure(f"期望需补充的材料包括“{wanted.label}”，实际需补充：{asked}。\n{_said(view)}")


# other natural wordings each phrase accepts (the glossary lists them; a test checks each is read)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "一个拟入区项目:": ("一个拟入区项目：", "一个拟入区项目"),
    "项目未填写{字段}": ("项目未提供是否位于生态保护红线内", "项目没有填写是否位于生态保护红线内",
                      "项目的是否位于生态保护红线内未填写"),
    "进行入区审查": ("进行审查",),
    "审查结论应为“{结论}”": ("审查结论应当为“否决”", "审查结论为“否决”"),
    "规则“{规则编号}”的结果应为“{结果}”": ("规则“ENV-EIA-APPROVAL”的结果应当为“违反”", "规则“ENV-EIA-APPROVAL”的结果为“违反”"),
    "规则“{规则编号}”的情形应为“{情形}”": ("规则“ENV-EIA-APPROVAL”的情形为“started_without_approval”",),
    "规则“{规则编号}”需补充“{字段}”": ("规则“ENV-RED-LINE”需补充的材料应包括“是否位于生态保护红线内”",),
    "规则“{规则编号}”的说明应包含“{文字}”": ("规则“INT-INVESTMENT-INTENSITY”的说明包含“15,000 万元”",),
    "审查说明应包含“{文字}”": ("审查说明应当包含“需补充”", "审查说明包含“需补充”"),
    "整改建议应包含“{文字}”": ("整改建议应当包含“招标拍卖挂牌”", "整改建议包含“招标拍卖挂牌”"),
    "需补充的材料应包括“{字段}”": ("需补充的材料应当包括“是否位于生态保护红线内”", "需补充的材料包括“是否位于生态保护红线内”"),
}


# --- dispatch -------------------------------------------------------------------------------------

def _clean(text: str) -> str:
    return re.sub(r"\s+#.*$", "", text).strip()


def find(text: str) -> tuple[Phrase, dict[str, str]] | None:
    text = _clean(text)
    for candidate in PHRASES:
        args = candidate.match(text)
        if args is not None:
            return candidate, args
    return None


def example_text(phrase: Phrase) -> str:
    """The example's step text, without its keyword and table."""
    first = phrase.example.split("\n", 1)[0]
    return first.split(" ", 1)[1] if " " in first else first


def closest_phrases(text: str, count: int = 3) -> list[Phrase]:
    text = _clean(text)
    current = [p for p in PHRASES if not p.legacy]
    ranked = sorted(current, key=lambda p: min(words.distance(text, example_text(p)),
                                               words.distance(text, p.template)))
    chosen: list[Phrase] = []
    for candidate in ranked:
        if candidate.template not in {c.template for c in chosen}:
            chosen.append(candidate)
        if len(chosen) == count:
            break
    return chosen


def run_step(spec: Spec, step_type: str, text: str, table: list[list[str]] | None) -> None:
    """Run one step: the phrase it matches, of the kind its keyword allows."""
    found = find(text)
    if found is None:
        raise _undefined(text)
    chosen, args = found
    try:
        _run_phrase(spec, chosen, args, step_type, text, table)
    except UndefinedStep as error:
        if str(error):
            raise
        raise _undefined(text) from None


def _undefined(text: str) -> UndefinedStep:
    near = "\n".join(f"  {p.example.splitlines()[0]}    （{p.template}）" for p in closest_phrases(text))
    return UndefinedStep(f"没有这样的步骤：“{_clean(text)}”。最接近的现有步骤：\n{near}\n"
                         "（全部步骤见 `zonecheck specs glossary` 或 docs/specs.md）")


def _run_phrase(spec: Spec, chosen: Phrase, args: dict[str, str], step_type: str, text: str,
                table: list[list[str]] | None) -> None:
    kind = KIND_OF_STEP_TYPE.get(step_type, chosen.kind)
    if chosen.kind != kind:
        raise SpecError(f"“{_clean(text)}”是{KIND_NAMES[chosen.kind]}步骤，应写在“{KEYWORDS[chosen.kind]}”之后，"
                        f"而这里接在{KIND_NAMES[kind]}步骤（{KEYWORDS[kind]}）的位置")
    if chosen.table and table is None:
        raise SpecError(f"“{_clean(text)}”下一行起要跟一个表格，表头为 | 字段 | 值 |")
    chosen.run(spec, args, table)
