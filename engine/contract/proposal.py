"""The proposal contract: what an approval system or zone staff submit for screening.

Units are in the field names (amounts in 万元, areas in m²). Every field carries a Chinese label
(``json_schema_extra={"zh": ...}``) used in messages, reports and specs. Only ``reference``,
``name``, ``zone``, ``submitted_on`` and ``project.industry_code`` are required: an absent fact is
*missing*, never zero, and rules that need it answer "cannot judge".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# Largest magnitude accepted for any number: keeps scaled integers far inside int64 in the engine.
MAX_NUMBER = Decimal("1e12")


def zh(label: str, **extra: Any) -> Any:
    return {"zh": label, **extra}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ProjectKind(str, Enum):
    new = "new"
    expansion = "expansion"
    renovation = "renovation"
    relocation = "relocation"


class CatalogueCategory(str, Enum):
    encouraged = "encouraged"
    permitted = "permitted"
    restricted = "restricted"
    eliminated = "eliminated"


class NegativeListStatus(str, Enum):
    prohibited = "prohibited"
    restricted = "restricted"
    none = "none"


class InvestorOrigin(str, Enum):
    domestic = "domestic"
    foreign = "foreign"
    hmt = "hmt"


class GrantMethod(str, Enum):
    tender = "tender"
    auction = "auction"
    listing = "listing"
    agreement = "agreement"
    lease = "lease"
    allocation = "allocation"


class FeeRelief(str, Enum):
    none = "none"
    reduction = "reduction"
    exemption = "exemption"
    refund = "refund"
    subsidy = "subsidy"


class ApprovalLevel(str, Enum):
    state_council = "state_council"
    province_entrusted = "province_entrusted"  # 试点省份受国务院委托批准（国发〔2020〕4号）
    province = "province"
    city = "city"
    county = "county"
    zone = "zone"


class NonProductionFacility(str, Enum):
    housing = "housing"
    hotel = "hotel"
    guesthouse = "guesthouse"
    expert_apartments = "expert_apartments"
    training_centre = "training_centre"


class EiaCategory(str, Enum):
    report = "report"
    form = "form"
    registration = "registration"
    none = "none"


class EiaStatus(str, Enum):
    approved = "approved"
    under_review = "under_review"
    not_submitted = "not_submitted"
    rejected = "rejected"


class EnergyReviewStatus(str, Enum):
    approved = "approved"
    under_review = "under_review"
    not_submitted = "not_submitted"
    not_required = "not_required"


class FilingStatus(str, Enum):
    approved = "approved"
    filed = "filed"
    pending = "pending"
    none = "none"


class EfficiencyLevel(str, Enum):
    benchmark = "benchmark"
    baseline = "baseline"
    below_baseline = "below_baseline"


# Chinese names of the coded values, for messages and reports (the codes stay in the data)
CHOICE_LABELS: dict[type[Enum], dict[str, str]] = {
    ProjectKind: {"new": "新建", "expansion": "扩建", "renovation": "技术改造", "relocation": "搬迁"},
    CatalogueCategory: {"encouraged": "鼓励类", "permitted": "允许类", "restricted": "限制类", "eliminated": "淘汰类"},
    NegativeListStatus: {"prohibited": "禁止投资领域", "restricted": "限制投资领域", "none": "不在负面清单内"},
    InvestorOrigin: {"domestic": "境内投资者", "foreign": "外国投资者", "hmt": "港澳台投资者"},
    GrantMethod: {"tender": "招标", "auction": "拍卖", "listing": "挂牌", "agreement": "协议出让", "lease": "租赁",
                  "allocation": "划拨"},
    FeeRelief: {"none": "无", "reduction": "减征", "exemption": "免征", "refund": "返还", "subsidy": "补贴"},
    ApprovalLevel: {"state_council": "国务院", "province_entrusted": "受国务院委托的省级人民政府",
                    "province": "省级人民政府", "city": "设区的市级人民政府",
                    "county": "县级人民政府", "zone": "开发区管理机构"},
    NonProductionFacility: {"housing": "成套住宅", "hotel": "宾馆", "guesthouse": "招待所",
                            "expert_apartments": "专家楼", "training_centre": "培训中心"},
    EiaCategory: {"report": "环境影响报告书", "form": "环境影响报告表", "registration": "环境影响登记表", "none": "无需环评"},
    EiaStatus: {"approved": "已批准", "under_review": "审批中", "not_submitted": "未报批", "rejected": "未予批准"},
    EnergyReviewStatus: {"approved": "已通过", "under_review": "审查中", "not_submitted": "未报审", "not_required": "无需审查"},
    FilingStatus: {"approved": "已核准", "filed": "已备案", "pending": "核准或备案办理中", "none": "未办理核准或备案"},
    EfficiencyLevel: {"benchmark": "达到标杆水平", "baseline": "达到基准水平（未达标杆）", "below_baseline": "低于基准水平"},
}


def _number(label: str, *, positive: bool = False, fraction: bool = False) -> Any:
    bounds: dict[str, Any] = {"ge": 0, "le": 1} if fraction else {"ge": 0, "le": MAX_NUMBER}
    if positive:
        bounds = {"gt": 0, "le": MAX_NUMBER}
    return Field(default=None, json_schema_extra=zh(label), allow_inf_nan=False, **bounds)


Number = Decimal | None


class Product(Strict):
    name: str = Field(json_schema_extra=zh("产品名称"), min_length=1)
    annual_capacity: str | None = Field(default=None, json_schema_extra=zh("年产能"))


class Project(Strict):
    kind: ProjectKind | None = Field(default=None, json_schema_extra=zh("项目类型"))
    industry_code: Annotated[str, Field(pattern=r"^[0-9]{2,4}$")] = Field(
        json_schema_extra=zh("行业代码（GB/T 4754-2017）")
    )
    catalogue_category: CatalogueCategory | None = Field(
        default=None, json_schema_extra=zh("产业结构调整指导目录类别")
    )
    catalogue_entry: str | None = Field(default=None, json_schema_extra=zh("指导目录条目"))
    negative_list_status: NegativeListStatus | None = Field(
        default=None, json_schema_extra=zh("外商投资负面清单认定")
    )
    provincial_priority_industry: bool | None = Field(
        default=None, json_schema_extra=zh("是否省级优先发展产业")
    )
    primary_agri_processing: bool | None = Field(
        default=None, json_schema_extra=zh("是否农林牧渔产品初加工")
    )
    products: list[Product] = Field(default_factory=list, json_schema_extra=zh("主要产品"))
    capacity_replacement: bool | None = Field(
        default=None, json_schema_extra=zh("产能置换方案是否已获批准")
    )
    filing_status: FilingStatus | None = Field(default=None, json_schema_extra=zh("项目核准或备案情况"))
    # GB/T 40058-2021: 年份4位-行政区划6位-行业（部门）2位-项目类型2位-流水号5位加校验码1位，共24个字符。
    # 只校验结构；校验码的算法未见于可引用的文本，不校验。Structure only; the check character is not verified.
    national_code: Annotated[str, Field(pattern=r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{5}[0-9A-Z]$")] | None = Field(
        default=None, json_schema_extra=zh("全国投资项目代码（GB/T 40058-2021）")
    )
    hazardous_chemicals: bool | None = Field(default=None, json_schema_extra=zh("是否生产危险化学品"))


class Investor(Strict):
    name: str | None = Field(default=None, json_schema_extra=zh("投资方名称"))
    origin: InvestorOrigin | None = Field(default=None, json_schema_extra=zh("投资方来源"))


class Investment(Strict):
    total_wan: Number = _number("总投资（万元）")
    fixed_assets_wan: Number = _number("固定资产投资（万元）")


class Land(Strict):
    site_area_m2: Number = _number("项目用地面积（平方米）", positive=True)
    new_supply: bool | None = Field(default=None, json_schema_extra=zh("是否新增供地"))
    grant_method: GrantMethod | None = Field(default=None, json_schema_extra=zh("供地方式"))
    grant_price_yuan_per_m2: Number = _number("出让价格（元/平方米）")
    land_cost_yuan_per_m2: Number = _number("土地取得成本、前期开发成本和相关费用之和（元/平方米）")
    unused_state_land: bool | None = Field(default=None, json_schema_extra=zh("是否使用国有未利用地"))
    within_urban_construction_land: bool | None = Field(
        default=None, json_schema_extra=zh("是否位于土地利用总体规划确定的城镇建设用地范围内")
    )
    fee_relief: FeeRelief | None = Field(default=None, json_schema_extra=zh("出让金减免返还"))
    land_grade: int | None = Field(default=None, ge=1, le=15, json_schema_extra=zh("土地等别"))
    farmland_conversion: bool | None = Field(default=None, json_schema_extra=zh("是否涉及农用地转用"))
    basic_farmland: bool | None = Field(default=None, json_schema_extra=zh("是否占用永久基本农田"))
    conversion_approved_by: ApprovalLevel | None = Field(
        default=None, json_schema_extra=zh("农用地转用及征收批准机关")
    )
    within_approved_batch: bool | None = Field(
        default=None, json_schema_extra=zh("是否在已批准的农用地转用范围（批次）内")
    )
    expropriation_area_m2: Number = _number("征收土地面积（平方米）")
    expropriation_arable_area_m2: Number = _number("征收耕地面积（平方米）")
    compensation_settled: bool | None = Field(default=None, json_schema_extra=zh("征地补偿是否落实"))
    conforms_to_master_plan: bool | None = Field(
        default=None, json_schema_extra=zh("是否符合土地利用总体规划")
    )
    conforms_to_regulatory_plan: bool | None = Field(
        default=None, json_schema_extra=zh("是否符合控制性详细规划")
    )
    in_ecological_red_line: bool | None = Field(default=None, json_schema_extra=zh("是否位于生态保护红线内"))
    floor_area_m2: Number = _number("总建筑面积（平方米）", positive=True)
    building_footprint_m2: Number = _number("建筑物构筑物基底占地面积（平方米）")
    office_living_area_m2: Number = _number("行政办公及生活服务设施用地面积（平方米）")
    office_floor_area_m2: Number = _number("行政办公及生活服务设施建筑面积（平方米）")
    green_area_m2: Number = _number("绿地面积（平方米）")
    storage_yard_area_m2: Number = _number("露天堆场、露天操作场地用地面积（平方米）")
    in_chemical_park: bool | None = Field(default=None, json_schema_extra=zh("是否位于经认定的化工园区"))
    in_lawful_park_with_plan_eia: bool | None = Field(
        default=None, json_schema_extra=zh("是否位于依法合规设立并经规划环评的产业园区")
    )
    non_production_facilities: list[NonProductionFacility] | None = Field(
        default=None, json_schema_extra=zh("非生产性配套设施")
    )


class Environment(Strict):
    eia_category: EiaCategory | None = Field(default=None, json_schema_extra=zh("环评类别"))
    eia_status: EiaStatus | None = Field(default=None, json_schema_extra=zh("环评审批状态"))
    construction_started: bool | None = Field(default=None, json_schema_extra=zh("是否已开工建设"))
    meets_discharge_standards: bool | None = Field(default=None, json_schema_extra=zh("是否达标排放"))
    adds_key_pollutants: bool | None = Field(default=None, json_schema_extra=zh("是否新增重点污染物排放"))
    region_over_emission_quota: bool | None = Field(
        default=None, json_schema_extra=zh("所在区域是否超过重点污染物排放总量控制指标")
    )
    provincial_eia_review: bool | None = Field(default=None, json_schema_extra=zh("是否经省级环评审批"))
    emission_control_conforms: bool | None = Field(
        default=None, json_schema_extra=zh("是否符合总量控制和碳达峰要求")
    )
    three_simultaneity_committed: bool | None = Field(
        default=None, json_schema_extra=zh("是否承诺“三同时”")
    )
    annual_energy_tce: Number = _number("年综合能源消费量（吨标准煤）")
    annual_electricity_10k_kwh: Number = _number("年电力消费量（万千瓦时）")
    energy_review_status: EnergyReviewStatus | None = Field(default=None, json_schema_extra=zh("节能审查状态"))
    energy_efficiency_level: EfficiencyLevel | None = Field(default=None, json_schema_extra=zh("能效水平"))
    water_reuse_rate: Number = _number("工业用水重复利用率", fraction=True)
    safety_three_simultaneity_committed: bool | None = Field(
        default=None, json_schema_extra=zh("是否承诺安全设施“三同时”")
    )
    water_saving_three_simultaneity_committed: bool | None = Field(
        default=None, json_schema_extra=zh("是否承诺节水设施“三同时”")
    )
    plan_eia_conforms: bool | None = Field(
        default=None, json_schema_extra=zh("是否符合园区规划环评结论及审查意见和生态环境准入清单")
    )


class Outputs(Strict):
    annual_output_wan: Number = _number("达产年产值（万元）")
    annual_tax_wan: Number = _number("达产年税收（万元）")
    rd_ratio: Number = _number("研发投入占比", fraction=True)


class Proposal(Strict):
    reference: str = Field(min_length=1, json_schema_extra=zh("项目编号"))
    name: str = Field(min_length=1, json_schema_extra=zh("项目名称"))
    zone: str = Field(min_length=1, json_schema_extra=zh("园区"))
    submitted_on: dt.date = Field(json_schema_extra=zh("申报日期"))
    project: Project = Field(json_schema_extra=zh("项目"))
    investor: Investor = Field(default_factory=Investor, json_schema_extra=zh("投资方"))
    investment: Investment = Field(default_factory=Investment, json_schema_extra=zh("投资"))
    land: Land = Field(default_factory=Land, json_schema_extra=zh("用地"))
    environment: Environment = Field(default_factory=Environment, json_schema_extra=zh("环保与能耗"))
    outputs: Outputs = Field(default_factory=Outputs, json_schema_extra=zh("产出"))

    @field_validator("submitted_on", mode="before")
    @classmethod
    def _no_datetime(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        return value


# --- the fact catalogue -------------------------------------------------------------------------

SECTIONS = ("project", "investor", "investment", "land", "environment", "outputs")


class FactSpec(BaseModel):
    """One leaf of the proposal that rules may read."""

    path: str
    label_zh: str
    kind: str  # number | boolean | enum | enum_list | code | text | integer
    unit: str | None = None
    choices: tuple[str, ...] = ()
    choice_labels: dict[str, str] = {}


def _unit_from_name(name: str) -> str | None:
    for suffix, unit in (
        ("_wan", "万元"),
        ("_yuan_per_m2", "元/m2"),
        ("_m2", "m2"),
        ("_tce", "tce"),
        ("_10k_kwh", "万kWh"),
        ("_rate", "fraction"),
        ("_ratio", "fraction"),
    ):
        if name.endswith(suffix):
            return unit
    return None


def fact_catalogue() -> dict[str, FactSpec]:
    """Every proposal fact a rule may name, keyed by its dotted path."""
    import typing

    catalogue: dict[str, FactSpec] = {}
    for section in SECTIONS:
        model = Proposal.model_fields[section].annotation
        for name, field in model.model_fields.items():  # type: ignore[union-attr]
            if name == "products":
                continue
            path = f"{section}.{name}"
            label = (field.json_schema_extra or {}).get("zh", name)  # type: ignore[union-attr]
            args = [a for a in typing.get_args(field.annotation) if a is not type(None)] or [field.annotation]
            base = args[0]
            if typing.get_origin(base) is Annotated:
                base = typing.get_args(base)[0]
            if typing.get_origin(base) is list:
                (item,) = typing.get_args(base)
                catalogue[path] = FactSpec(path=path, label_zh=label, kind="enum_list", choices=tuple(m.value for m in item),
                                           choice_labels=CHOICE_LABELS[item])
            elif isinstance(base, type) and issubclass(base, Enum):
                catalogue[path] = FactSpec(path=path, label_zh=label, kind="enum", choices=tuple(m.value for m in base),
                                           choice_labels=CHOICE_LABELS[base])
            elif base is bool:
                catalogue[path] = FactSpec(path=path, label_zh=label, kind="boolean")
            elif base is Decimal:
                catalogue[path] = FactSpec(path=path, label_zh=label, kind="number", unit=_unit_from_name(name))
            elif base is int:
                catalogue[path] = FactSpec(path=path, label_zh=label, kind="integer")
            elif path == "project.industry_code":
                catalogue[path] = FactSpec(path=path, label_zh=label, kind="code")
            else:
                catalogue[path] = FactSpec(path=path, label_zh=label, kind="text")
    return catalogue


FACTS: dict[str, FactSpec] = fact_catalogue()


class ProposalProblem(BaseModel):
    """One reason a proposal cannot be screened (validate.py fills every field)."""

    path: str
    label_zh: str
    reason: str  # Chinese
    reason_en: str = ""
    value: Any = None  # as given
    allowed: Any = None  # [{code, name}], {min, max, unit}, or a description
    suggestion: str | None = None  # "did you mean"


def label_for(path: str) -> str:
    spec = FACTS.get(path)
    if spec:
        return spec.label_zh
    top = Proposal.model_fields.get(path)
    if top and top.json_schema_extra:
        return str(top.json_schema_extra.get("zh", path))  # type: ignore[union-attr]
    return path


def problems_from(error: ValidationError) -> list[ProposalProblem]:
    """Every validation problem at once, each with its field path and a plain reason."""
    problems = []
    for item in error.errors(include_url=False):
        path = ".".join(str(p) for p in item["loc"])
        problems.append(ProposalProblem(path=path, label_zh=label_for(path), reason=item["msg"]))
    return problems


def display_choice(path: str, value: object, lang: str) -> object:
    """A coded value as people read it: its Chinese name in zh text, the code in en text."""
    spec = FACTS.get(path)
    if spec is None or not spec.choice_labels or lang != "zh":
        return value
    if isinstance(value, (tuple, list)):
        return tuple(spec.choice_labels.get(v, v) for v in value)
    return spec.choice_labels.get(str(value), value)
