"""The step vocabulary read directly: phrases, fields, values, units, decisions, suggestions, the
glossary and its copy in docs/specs.md, and the coverage bar computed from the pack."""

from __future__ import annotations

from pathlib import Path

import pytest

from zonecheck.engine.pack.loader import load_pack
from zonecheck.service.specs import coverage, glossary, vocabulary, words
from zonecheck.service.specs.vocabulary import PHRASES, UndefinedStep, find, run_step
from zonecheck.service.specs.words import SpecError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pack():  # noqa: ANN201 - the loaded national pack
    return load_pack(ROOT / "rules" / "national")


@pytest.mark.parametrize("phrase", PHRASES, ids=lambda p: p.pattern.pattern)
def test_every_example_reads_as_its_own_phrase(phrase: vocabulary.Phrase) -> None:
    found = find(vocabulary.example_text(phrase))
    assert found is not None and found[0].run is phrase.run  # an older wording may read as its current form


@pytest.mark.parametrize(("template", "text"), [(t, x) for t, xs in vocabulary.SYNONYMS.items() for x in xs])
def test_every_synonym_the_glossary_lists_is_read_as_its_phrase(template: str, text: str) -> None:
    found = find(text)
    own = next(p for p in PHRASES if p.template == template)
    assert found is not None and found[0].run is own.run


def test_no_example_is_ambiguous() -> None:
    for phrase in PHRASES:
        text = vocabulary.example_text(phrase)
        readers = {p.run for p in PHRASES if p.match(text) is not None}
        assert readers == {phrase.run}, f"“{text}” reads as several phrases"


@pytest.mark.parametrize("text", [
    "项目位于“demo-east”", "项目位于 demo-east", "审查日期为 2020-06-01", "项目的供地方式为“挂牌”",
    "项目的供地方式为 挂牌", "项目的 供地方式 为 挂牌", "项目未填写是否位于生态保护红线内", "项目未填写“供地方式”",
    "审查结论应为“需人工核查”", "审查结论应为 否决", "规则“ENV-EIA-APPROVAL”的结果应为“违反”",
    "规则 ENV-EIA-APPROVAL 的结果应为 符合", "审查说明应包含“需补充”", "整改建议应包含“招拍挂”",
    "需补充的材料应包括“是否位于生态保护红线内”", "一个拟入区项目:", "一个拟入区项目：", "进行入区审查",
    "申报的 出让价格（元/平方米） 为 480", "结论为 否决", "规则 LAND-PRICE-FLOOR 需补充 是否农林牧渔产品初加工",
])
def test_the_phrases_staff_write_are_defined(text: str) -> None:
    assert find(text) is not None


@pytest.mark.parametrize(("name", "path"), [
    ("固定资产投资（万元）", "investment.fixed_assets_wan"), ("固定资产投资", "investment.fixed_assets_wan"),
    ("固定资产投资(万元)", "investment.fixed_assets_wan"), ("investment.fixed_assets_wan", "investment.fixed_assets_wan"),
    ("“供地方式”", "land.grant_method"), ("是否承诺“三同时”", "environment.three_simultaneity_committed"),
    ("行业代码", "project.industry_code"), ("园区", "zone"),
])
def test_a_field_by_label_short_label_or_path(name: str, path: str) -> None:
    assert words.field(name).path == path


@pytest.mark.parametrize(("path", "text", "value"), [
    ("land.site_area_m2", "120,000", "120000"), ("land.site_area_m2", "１２０，０００", "120000"),
    ("land.site_area_m2", "40000平方米", "40000"), ("land.site_area_m2", "40,000 ㎡", "40000"),
    ("investment.fixed_assets_wan", "“18,000 万元”", "18000"), ("land.grant_price_yuan_per_m2", "480 元/平方米", "480"),
    ("environment.water_reuse_rate", "85%", "0.85"), ("environment.water_reuse_rate", "0.85", "0.85"),
    ("land.land_grade", "4", 4), ("land.grant_method", "挂牌", "listing"), ("land.grant_method", "listing", "listing"),
    ("land.new_supply", "是", True), ("land.new_supply", "否", False),
    ("land.non_production_facilities", "宾馆、招待所", ["hotel", "guesthouse"]), ("land.non_production_facilities", "无", []),
])
def test_values_as_staff_write_them(path: str, text: str, value: object) -> None:
    assert words.value(words.field(path), text) == value


def test_identity_fields_are_proposal_fields() -> None:
    from zonecheck.engine.contract.proposal import Proposal

    assert set(words.TOP_FIELDS) <= set(Proposal.model_fields)
    assert set(glossary.KIND_TITLES) == set(vocabulary.KEYWORDS)


def test_a_unit_the_field_does_not_take_is_refused_with_the_right_one() -> None:
    with pytest.raises(SpecError, match="单位应为 平方米，不能写“亩”"):
        words.value(words.field("项目用地面积"), "60 亩")


def test_unknown_names_get_the_closest_valid_ones() -> None:
    with pytest.raises(SpecError, match="不认识的字段“供地方法”。最接近的字段：“供地方式”"):
        words.field("供地方法")
    with pytest.raises(SpecError, match="“供地方式”不能取“挂拍”。最接近的：“挂牌”"):
        words.value(words.field("供地方式"), "挂拍")
    with pytest.raises(SpecError, match="不认识的审查结论“附条件同意”。最接近的：“附条件通过”"):
        words.decision("附条件同意")
    with pytest.raises(SpecError, match="不认识的规则结果“不符合”。最接近的：“符合”"):
        words.status("不符合")


def test_every_decision_name_maps_to_its_code() -> None:
    assert [words.decision(n) for n in ("否决", "需修改", "需补充材料", "需人工核查", "附条件通过", "通过")] == [
        "rejected", "revise", "incomplete", "needs_review", "conditional", "approved"]
    assert [words.status(n) for n in ("违反", "符合", "不适用", "无法判断")] == [
        "violated", "satisfied", "not_applicable", "undetermined"]


def _spec(pack) -> vocabulary.Spec:  # noqa: ANN001
    return vocabulary.Spec(screen=lambda *a: None, zones=pack.zones, examples=[])


def test_an_undefined_step_names_the_closest_phrases(pack) -> None:  # noqa: ANN001
    with pytest.raises(UndefinedStep) as raised:
        run_step(_spec(pack), "then", "审查的结论应该是“否决”", None)
    message = str(raised.value)
    assert message.startswith("没有这样的步骤：“审查的结论应该是“否决””。最接近的现有步骤：")
    assert "那么 审查结论应为“否决”" in message.splitlines()[1]


def test_a_phrase_after_the_wrong_keyword_says_where_it_belongs(pack) -> None:  # noqa: ANN001
    with pytest.raises(SpecError, match="是结果步骤，应写在“那么、并且”之后"):
        run_step(_spec(pack), "given", "审查结论应为“否决”", None)


def test_a_proposal_table_is_the_whole_proposal(pack) -> None:  # noqa: ANN001
    spec = _spec(pack)
    run_step(spec, "given", "一个拟入区项目:", [["字段", "值"], ["园区", "示范东区经开区（虚构）"], ["行业代码", "3812"],
                                                ["项目用地面积", "40,000 平方米"], ["供地方式", ""]])
    assert spec.proposal == {"reference": "SPEC-0001", "name": "验收规格中的拟入区项目", "zone": "demo-east",
                             "project": {"industry_code": "3812"}, "land": {"site_area_m2": "40000"}}
    with pytest.raises(SpecError, match="表头应为 \\| 字段 \\| 值 \\|"):
        run_step(spec, "given", "一个拟入区项目:", [["名称", "取值"]])


def test_the_glossary_lists_phrases_fields_rules_and_zones(pack) -> None:  # noqa: ANN001
    text = glossary.markdown(pack)
    for phrase in PHRASES:
        assert phrase.template in text
    for synonyms in vocabulary.SYNONYMS.values():
        assert all(synonym in text for synonym in synonyms)
    for field in words.FIELDS:
        assert f"| {field.path} | {field.label} |" in text
    for rule in pack.rules:
        assert f"| {rule.id} |" in text and all(case.id in text for case in rule.cases)
    for zone in pack.zones:
        assert f"| {zone} |" in text
    assert "挂牌（listing）" in text and "需人工核查" in text
    assert "== 步骤 ==" in glossary.text(pack)


def test_docs_carry_the_current_glossary(pack) -> None:  # noqa: ANN001
    document = (ROOT / "docs" / "specs.md").read_text(encoding="utf-8")
    assert glossary.START in document and glossary.END in document
    assert glossary.with_glossary(document, pack) == document, (
        "docs/specs.md is out of date: python -m zonecheck.service.specs.glossary docs/specs.md")


def test_the_coverage_bar_comes_from_the_pack(pack) -> None:  # noqa: ANN001
    barred = {r.id for r in pack.rules if r.severity in ("veto", "mandatory")}
    table = coverage.measure(pack, [])
    assert {row.rule_id for row in table if row.gaps} == barred  # nothing asserted: every barred rule lacks both
    assert len(coverage.gaps(table)) == len(barred)


def test_a_spec_names_its_starting_point(pack) -> None:  # noqa: ANN001
    with pytest.raises(SpecError, match="还没有申报：先写“假如 一个拟入区项目:”"):
        run_step(_spec(pack), "given", "项目的供地方式为 挂牌", None)


def test_a_value_that_fails_validation_is_reported_at_the_line_that_set_it(pack) -> None:  # noqa: ANN001
    spec = _spec(pack)
    spec.where = vocabulary.Where("x.feature", 7, "并且 项目的项目用地面积为 0")
    spec.start(vocabulary.base_proposal())
    spec.put("land.site_area_m2", "0")
    error = spec.invalid([("land.site_area_m2", "项目用地面积（平方米）", "Input should be greater than 0"),
                          ("submitted_on", "申报日期", "Field required")])
    assert "项目用地面积（平方米）（land.site_area_m2）：应大于 0（由第 7 行“并且 项目的项目用地面积为 0”设定）" in str(error)
    assert "申报日期（submitted_on）：必填，未填写（在表中写“申报日期”" in str(error)
