"""How spec text names things: fields (Chinese label or path), values (codes or Chinese names, numbers
with thousands separators and the field's unit), decisions and results; and the closest valid names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zonecheck.engine.contract.proposal import FACTS, FactSpec
from zonecheck.service.specs.verdict_view import DECISION_NAMES, STATUS_NAMES

QUOTES = "“”\"「」‘’'『』"
# the spellings of each unit a proposal field is written in (the proposal itself takes plain numbers)
UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "万元": ("万元",),
    "元/m2": ("元/平方米", "元/m2", "元每平方米"),
    "m2": ("平方米", "m2"),
    "tce": ("吨标准煤", "吨标煤", "tce"),
    "万kWh": ("万千瓦时", "万kwh", "万度"),
    "fraction": ("%",),
}
UNIT_NAMES = {"万元": "万元", "元/m2": "元/平方米", "m2": "平方米", "tce": "吨标准煤", "万kWh": "万千瓦时",
              "fraction": "%（或 0 到 1 的小数）"}
# identity fields of the proposal, not facts rules read
TOP_FIELDS = {"reference": "项目编号", "name": "项目名称", "zone": "园区", "submitted_on": "申报日期"}
TRUE_WORDS = ("是", "有", "true", "yes")
FALSE_WORDS = ("否", "无", "没有", "false", "no")
EMPTY_LIST_WORDS = ("无", "（无）", "没有", "空")


class SpecError(Exception):
    """A spec names something that does not exist or writes a value that cannot be read (in Chinese)."""


class InvalidInput(Exception):
    """The proposal a spec built failed validation: (path, label, reason) per problem."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        super().__init__("; ".join(f"{p}: {r}" for p, _, r in problems))
        self.problems = problems


class SpecFailure(AssertionError):
    """An expectation of a spec that the verdict does not meet (in Chinese)."""


def unquote(text: str) -> str:
    return text.strip().strip(QUOTES).strip()


def normal(text: str) -> str:
    """Full-width forms folded (（ -> (, ，-> ,, ㎡ -> m2), spaces dropped, lower case: for comparing names."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def distance(a: str, b: str) -> int:
    """Levenshtein edit distance."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def closest(text: str, candidates: list[str], count: int = 3) -> list[str]:
    """The candidates nearest to `text` by edit distance (ties in the given order)."""
    wanted = normal(text)
    ranked = sorted(range(len(candidates)), key=lambda i: (distance(wanted, normal(candidates[i])), i))
    return [candidates[i] for i in ranked[:count]]


def suggest(candidates: list[str]) -> str:
    return "、".join(f"“{c}”" for c in candidates)


# --- fields ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    path: str
    label: str
    spec: FactSpec | None  # None for the identity fields (编号、名称、园区、申报日期)


def _short(label: str) -> str:
    """A label without its trailing unit in brackets: 固定资产投资（万元） -> 固定资产投资."""
    return re.sub(r"[（(][^（）()]*[)）]$", "", label)


def _field_index() -> tuple[dict[str, Field], list[Field]]:
    fields = [Field(path, label, None) for path, label in TOP_FIELDS.items()]
    fields += [Field(path, spec.label_zh, spec) for path, spec in FACTS.items()]
    index: dict[str, Field] = {}
    shorts: dict[str, list[Field]] = {}
    for field in fields:
        index[normal(field.path)] = field
        index[normal(field.label)] = field
        shorts.setdefault(normal(_short(field.label)), []).append(field)
    for key, found in shorts.items():
        if len(found) == 1:
            index.setdefault(key, found[0])
    return index, fields


FIELD_INDEX, FIELDS = _field_index()


def find_field(name: str) -> Field | None:
    """A field by its label or path, as written or within quotes (a label may itself end in ”)."""
    return FIELD_INDEX.get(normal(name)) or FIELD_INDEX.get(normal(unquote(name)))


def field(name: str) -> Field:
    found = find_field(name)
    if found is None:
        near = closest(unquote(name), [f.label for f in FIELDS] + [f.path for f in FIELDS])
        raise SpecError(f"不认识的字段“{unquote(name)}”。最接近的字段：{suggest(near)}"
                        "（字段可写中文名称或字段路径，完整列表见 `zonecheck specs glossary`）")
    return found


# --- values ---------------------------------------------------------------------------------------

def number_text(field: Field, text: str) -> str:
    """A number as written (120,000 / １２０，０００ / 40000平方米 / 85%) -> its plain decimal text."""
    unit = field.spec.unit if field.spec else None
    folded = normal(text).replace(",", "")
    match = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)(.*)", folded)
    if not match:
        raise SpecError(f"“{field.label}”要填数字（可带千位逗号{'和单位 ' + UNIT_NAMES[unit] if unit else ''}），"
                        f"而不是“{text}”")
    digits, written_unit = match.groups()
    if not written_unit:
        return digits
    if unit and written_unit in UNIT_SPELLINGS.get(unit, ()):
        if unit == "fraction":
            return str(Decimal(digits) / 100)
        return digits
    if field.spec and field.spec.kind == "integer" and written_unit in ("等", "级"):
        return digits
    expected = f"单位应为 {UNIT_NAMES[unit]}" if unit else "不带单位"
    raise SpecError(f"“{field.label}”{expected}，不能写“{written_unit}”（申报表按该单位填写，不换算）")


def _choice(field: Field, text: str) -> str:
    spec = field.spec
    assert spec is not None
    by_name = {normal(name): code for code, name in spec.choice_labels.items()}
    key = normal(text)
    if text in spec.choices:
        return text
    if key in by_name:
        return by_name[key]
    names = [f"{name}（{code}）" for code, name in spec.choice_labels.items()]
    near = closest(text, list(spec.choice_labels.values()) + list(spec.choices))
    raise SpecError(f"“{field.label}”不能取“{text}”。最接近的：{suggest(near)}；可取：{'、'.join(names)}")


def zone_id(text: str, zones: dict[str, Any]) -> str:
    """A zone by its id or its Chinese name."""
    text = unquote(text)
    if text in zones:
        return text
    for zone in zones.values():
        if normal(str(zone.name.get("zh", ""))) == normal(text):
            return zone.id
    candidates = list(zones) + [str(z.name.get("zh", "")) for z in zones.values()]
    raise SpecError(f"不认识的园区“{text}”。最接近的：{suggest(closest(text, candidates))}")


def value(field: Field, text: str, zones: dict[str, Any] | None = None) -> Any:
    """The proposal value a spec writes for a field."""
    text = unquote(text)
    spec = field.spec
    if spec is None:
        if field.path == "zone" and zones is not None:
            return zone_id(text, zones)
        return text
    if spec.kind == "boolean":
        if normal(text) in TRUE_WORDS:
            return True
        if normal(text) in FALSE_WORDS:
            return False
        raise SpecError(f"“{field.label}”取“是”或“否”，而不是“{text}”")
    if spec.kind == "enum":
        return _choice(field, text)
    if spec.kind == "enum_list":
        if text in EMPTY_LIST_WORDS:
            return []
        return [_choice(field, item.strip()) for item in re.split(r"[、,，;；]", text) if item.strip()]
    if spec.kind in ("number", "integer"):
        digits = number_text(field, text)
        if spec.kind == "integer":
            try:
                return int(Decimal(digits))
            except (InvalidOperation, ValueError):
                raise SpecError(f"“{field.label}”要填整数，而不是“{text}”") from None
        return digits
    return text


# --- decisions and results ------------------------------------------------------------------------

def _coded(text: str, names: dict[str, str], what: str) -> str:
    text = unquote(text)
    for code, name in names.items():
        if text in (code, name):
            return code
    near = closest(text, list(names.values()))
    raise SpecError(f"不认识的{what}“{text}”。最接近的：{suggest(near)}；可取：{'、'.join(names.values())}")


def decision(text: str) -> str:
    return _coded(text, DECISION_NAMES, "审查结论")


def status(text: str) -> str:
    return _coded(text, STATUS_NAMES, "规则结果")


def label_of(path: str) -> str:
    found = FIELD_INDEX.get(normal(path))
    return found.label if found else path

