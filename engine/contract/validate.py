"""Reading a proposal as people write it: every field checked before the model and the engine see it.

Generic over the model: a field's kind comes from its type (numbers, 是/否, coded values, lists of them,
integers, dates, the industry code), so a field added to proposal.py is checked the same way. What comes
out is a validated Proposal with every number converted, rounded and inside its documented range (so
nothing downstream can overflow), or every problem at once, each with its path, Chinese label, the value
as given, what is allowed, a "did you mean" and the reason in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache, cached_property
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError

from zonecheck.engine.contract import industry as gbt
from zonecheck.engine.contract.proposal import CHOICE_LABELS, Proposal, ProposalProblem, _unit_from_name
from zonecheck.engine.contract.units import (MAX_BY_UNIT, MAX_EXPONENT, MAX_OTHER, MIN_POSITIVE_AREA, QUANTUM,
                                             UNIT_ALIASES, UnitError, convert, quantize)

TRUE_WORDS = ("true", "yes", "是")
FALSE_WORDS = ("false", "no", "否")
BOOLEAN_ALLOWED = [{"code": "true", "name": "是"}, {"code": "false", "name": "否"}]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
NUMBER = re.compile(r"^\s*([+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*(\S*)\s*$", re.ASCII)
MAX_SHOWN = 200  # characters of a value echoed in a problem


@dataclass(frozen=True)
class Field:
    """What a model field accepts, read from its type."""

    name: str
    kind: str  # model | model_list | number | boolean | enum | enum_list | integer | code | date | text
    label: str
    model: type[BaseModel] | None = None
    enum: type[Enum] | None = None
    unit: str | None = None
    low: Decimal | None = None
    low_inclusive: bool = True
    high: Decimal | None = None

    @cached_property
    def floor(self) -> tuple[Decimal | None, bool]:
        """(lowest value accepted, whether it is itself accepted): an area above 0 is at least the minimum area."""
        if self.unit == "m2" and self.low is not None and not self.low_inclusive:
            return MIN_POSITIVE_AREA, True
        return self.low, self.low_inclusive

    def admits(self, rounded: Decimal) -> bool:
        low, inclusive = self.floor  # worked out once per field: this runs for every number of every proposal
        above = low is None or rounded > low or (inclusive and rounded == low)
        return above and (self.high is None or rounded <= self.high)


@dataclass
class Parsed:
    proposal: Proposal
    as_written: dict[str, str] = field(default_factory=dict)  # path -> the value as written, when converted
    quantized: bool = False  # every number read here, so held at 6 places (a model built in code may not be)


def _base(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, getattr(__import__("types"), "UnionType")) and args:
        annotation = args[0]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


@cache
def fields_of(model: type[BaseModel]) -> dict[str, Field]:
    found = {}
    for name, info in model.model_fields.items():
        base = _base(info.annotation)
        label = str((info.json_schema_extra or {}).get("zh", name))  # type: ignore[union-attr]
        low = high = None
        low_inclusive = True
        for meta in info.metadata:
            if isinstance(meta, annotated_types.Ge):
                low = Decimal(str(meta.ge))
            elif isinstance(meta, annotated_types.Gt):
                low, low_inclusive = Decimal(str(meta.gt)), False
            elif isinstance(meta, annotated_types.Le):
                high = Decimal(str(meta.le))
        item = typing.get_args(base)[0] if typing.get_origin(base) is list else None
        if item is not None and isinstance(item, type) and issubclass(item, BaseModel):
            found[name] = Field(name, "model_list", label, model=item)
        elif item is not None and isinstance(item, type) and issubclass(item, Enum):
            found[name] = Field(name, "enum_list", label, enum=item)
        elif isinstance(base, type) and issubclass(base, BaseModel):
            found[name] = Field(name, "model", label, model=base)
        elif isinstance(base, type) and issubclass(base, Enum):
            found[name] = Field(name, "enum", label, enum=base)
        elif base is bool:
            found[name] = Field(name, "boolean", label)
        elif base is Decimal:
            unit = _unit_from_name(name)
            cap = MAX_BY_UNIT.get(unit or "", MAX_OTHER)
            found[name] = Field(name, "number", label, unit=unit, low=low, low_inclusive=low_inclusive,
                                high=min(high, cap) if high is not None else cap)
        elif base is int:
            found[name] = Field(name, "integer", label, low=low, high=high)
        elif base is dt.date:
            found[name] = Field(name, "date", label)
        elif name == "industry_code":
            found[name] = Field(name, "code", label)
        else:
            found[name] = Field(name, "text", label)
    return found


def field_at(path: str) -> Field | None:
    """The field a dotted path names (list indexes skipped), None if the model has no such field."""
    model: type[BaseModel] | None = Proposal
    spec = None
    for part in path.split("."):
        if part.isdigit() and spec is not None and spec.kind == "model_list":
            continue
        if model is None:
            return None
        spec = fields_of(model).get(part)
        if spec is None:
            return None
        model = spec.model
    return spec


def shown(value: Any) -> Any:
    """A value as given, safe to echo: scalars as they are, long text and structures shortened."""
    if value is None or isinstance(value, (bool, int)):
        if not isinstance(value, int) or abs(value) < 10**15:
            return value
        return f"{'-' if value < 0 else ''}~1e{int(abs(value).bit_length() * 0.30103)}"  # str() of a huge int raises
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, (Decimal, dt.date)):
        return str(value)
    text = value if isinstance(value, str) else _compact(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def _compact(value: Any) -> str:
    try:
        return repr(value)[: MAX_SHOWN + 1]
    except RecursionError:
        return "…"


@cache
def _enum_words(enum: type[Enum]) -> tuple[frozenset[str], dict[str, str]]:
    """(the codes, Chinese name -> code) of a coded field."""
    return frozenset(m.value for m in enum), {name: code for code, name in CHOICE_LABELS.get(enum, {}).items()}


def _choices(enum: type[Enum]) -> list[dict[str, str]]:
    labels = CHOICE_LABELS.get(enum, {})
    return [{"code": m.value, "name": labels.get(m.value, m.value)} for m in enum]


def _did_you_mean(word: str, candidates: dict[str, str]) -> str | None:
    """The candidate (key of `candidates`, which maps spellings to what they stand for) closest to word."""
    if word in candidates:
        return candidates[word]
    folded = {k.lower(): v for k, v in candidates.items()}
    if word.lower() in folded:
        return folded[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


class _Checker:
    def __init__(self) -> None:
        self.problems: list[ProposalProblem] = []
        self.as_written: dict[str, str] = {}
        self.refused: set[str] = set()

    def problem(self, path: str, spec: Field | None, value: Any, zh: str, en: str, *, allowed: Any = None,
                suggestion: str | None = None) -> None:
        self.refused.add(path)
        label = spec.label if spec else path
        self.problems.append(ProposalProblem(path=path, label_zh=label, reason=zh, reason_en=en, value=shown(value),
                                             allowed=allowed, suggestion=suggestion))

    # --- walking the model ---------------------------------------------------------------------

    def model(self, data: dict[str, Any], model: type[BaseModel], prefix: str) -> dict[str, Any]:
        specs = fields_of(model)
        clean: dict[str, Any] = {}
        for key, value in data.items():
            spec = specs.get(key)  # a key that is not text names no field
            if spec is None:
                clean[key] = value  # the model reports it, with a "did you mean"
                continue
            if value is None:
                continue  # absent, never zero
            kind = spec.kind
            # the common, already clean forms first: every number, yes/no and code of a proposal passes here
            if kind == "text" or (kind == "boolean" and type(value) is bool):
                clean[key] = value
                continue
            if kind == "enum" and type(value) is str and value in _enum_words(spec.enum)[0]:  # type: ignore[arg-type]
                clean[key] = value
                continue
            if kind == "enum_list" and type(value) is list and all(type(v) is str for v in value) and (
                    _enum_words(spec.enum)[0].issuperset(value)):  # type: ignore[arg-type]
                clean[key] = list(value)  # every item a code as it is: what `enum_list` makes of them
                continue
            if kind == "number" and (amount := _plain_digits(value)) is not None:
                rounded = quantize(amount)
                if (rounded or not amount) and spec.admits(rounded):  # not a non-zero that rounds to 0
                    clean[key] = rounded
                    continue
            if kind == "date" and type(value) is dt.date:  # as YAML reads a date
                clean[key] = value
                continue
            checked = self.value(prefix + key, spec, value)
            if checked is not _REFUSED:
                clean[key] = checked
        return clean

    def value(self, path: str, spec: Field, value: Any) -> Any:
        kind = spec.kind
        if kind == "model":
            return self.model(value, spec.model, path + ".") if isinstance(value, dict) else value  # type: ignore[arg-type]
        if kind == "model_list":
            if not isinstance(value, list):
                return value
            return [self.model(item, spec.model, f"{path}.{i}.") if isinstance(item, dict) else item  # type: ignore[arg-type]
                    for i, item in enumerate(value)]
        return getattr(self, kind)(path, spec, value)

    # --- one value per kind (each returns the clean value or _REFUSED) ---------------------------

    def text(self, path: str, spec: Field, value: Any) -> Any:
        return value

    def date(self, path: str, spec: Field, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and DATE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.problem(path, spec, value, "不是存在的日期（如 2月30日、13月）", "no such date (e.g. 30 February, month 13)",
                             allowed="YYYY-MM-DD")
                return _REFUSED
        self.problem(path, spec, value, "日期应写作 YYYY-MM-DD（如 2026-11-02）", "a date is written YYYY-MM-DD (e.g. 2026-11-02)",
                     allowed="YYYY-MM-DD")
        return _REFUSED

    def boolean(self, path: str, spec: Field, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE_WORDS or word in FALSE_WORDS:
                if word not in ("true", "false"):
                    self.as_written[path] = value.strip()
                return word in TRUE_WORDS
        self.problem(path, spec, value, "应填 是 或 否（true/false、yes/no）；数字不能代表是否",
                     "must be true or false (是/否, yes/no); a number is not a yes or no", allowed=BOOLEAN_ALLOWED)
        return _REFUSED

    def enum(self, path: str, spec: Field, value: Any) -> Any:
        assert spec.enum is not None
        if isinstance(value, str):
            word = value.strip()
            codes, by_label = _enum_words(spec.enum)
            if word in codes:
                return word
            if word in by_label:
                self.as_written[path] = word
                return by_label[word]
            spellings = {**{c: c for c in codes}, **by_label}
            guess = _did_you_mean(word, spellings)
        else:
            guess = None
        self.problem(path, spec, value, "不是允许的取值", "not one of the allowed values", allowed=_choices(spec.enum),
                     suggestion=guess)
        return _REFUSED

    def enum_list(self, path: str, spec: Field, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in re.split(r"[;|、,，；]", value) if part.strip()]
        if not isinstance(value, list):
            assert spec.enum is not None
            self.problem(path, spec, value, "应为取值列表（可为空）", "must be a list of values (may be empty)",
                         allowed=_choices(spec.enum))
            return _REFUSED
        item_spec = Field(spec.name, "enum", spec.label, enum=spec.enum)
        items = [self.enum(f"{path}.{i}", item_spec, item) for i, item in enumerate(value)]
        written = [self.as_written.pop(f"{path}.{i}", None) for i in range(len(value))]
        if any(written):
            self.as_written[path] = "、".join(w or str(v) for w, v in zip(written, value))
        return _REFUSED if any(i is _REFUSED for i in items) else items

    def integer(self, path: str, spec: Field, value: Any) -> Any:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 19:
            number = int(value.strip())
        if number is None:
            self.problem(path, spec, value, "应为整数", "must be a whole number",
                         allowed={"min": _plain(spec.low), "max": _plain(spec.high)})
            return _REFUSED
        if (spec.low is not None and number < spec.low) or (spec.high is not None and number > spec.high):
            self.problem(path, spec, value, f"超出范围（{spec.low}–{spec.high}）", f"out of range ({spec.low}-{spec.high})",
                         allowed={"min": _plain(spec.low), "max": _plain(spec.high)})
            return _REFUSED
        return number

    def code(self, path: str, spec: Field, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**6:
            value = str(value)
        allowed = "GB/T 4754-2017 的 2–4 位数字代码（大类、中类、小类）"
        if not isinstance(value, str):
            self.problem(path, spec, value, "行业代码应为 2–4 位数字", "an industry code is 2 to 4 digits", allowed=allowed)
            return _REFUSED
        code = value.strip()
        if not (code.isascii() and code.isdigit()):
            import unicodedata

            folded = unicodedata.normalize("NFKC", code)
            named = gbt.by_name(code)
            if named is not None:  # written as its Chinese name
                self.as_written[path] = code
                return named.code
            hint = folded if folded.isascii() and folded.isdigit() else None
            self.problem(path, spec, value, "行业代码只能由半角数字 0–9 组成（不能用全角数字或其他字符）",
                         "an industry code is ASCII digits 0-9 only (no full-width digits or other characters)",
                         allowed=allowed, suggestion=hint)
            return _REFUSED
        if not 2 <= len(code) <= 4:
            self.problem(path, spec, value, "行业代码应为 2–4 位数字", "an industry code is 2 to 4 digits", allowed=allowed)
            return _REFUSED
        if gbt.industry(code) is None:
            near = gbt.near_codes(code)
            self.problem(path, spec, value, "GB/T 4754-2017 中没有这个行业代码", "GB/T 4754-2017 has no such industry code",
                         allowed=[{"code": i.code, "name": i.name} for i in near] or allowed,
                         suggestion=near[0].code if near else None)
            return _REFUSED
        return code

    def number(self, path: str, spec: Field, value: Any) -> Any:
        written, amount, unit = self._amount(path, spec, value)
        if amount is None:
            return _REFUSED
        target = spec.unit or ""
        if unit is not None and unit != target:
            if unit == "%" and target == "fraction":
                amount, unit = amount / 100, target
            else:
                try:
                    amount = convert(amount, unit, target)
                except UnitError:
                    self.problem(path, spec, value, f"单位“{unit}”不能换算为“{target}”", f"unit {unit!r} cannot be converted to {target!r}",
                                 allowed=self._units(spec))
                    return _REFUSED
        if written is not None:
            self.as_written[path] = written
        return self._in_range(path, spec, value, quantize(amount), amount)

    def _amount(self, path: str, spec: Field, value: Any) -> tuple[str | None, Decimal | None, str | None]:
        """(as written if a unit was given, the amount, the unit given)."""
        unit: str | None = None
        written: str | None = None
        if isinstance(value, dict):
            if set(value) != {"value", "unit"}:
                self.problem(path, spec, value, "带单位的数值写作 {value: 数值, unit: 单位}", "a value with a unit is {value: ..., unit: ...}",
                             allowed=self._units(spec))
                return None, None, None
            raw_unit = str(value["unit"]).strip()
            unit = UNIT_ALIASES.get(raw_unit, UNIT_ALIASES.get(raw_unit.lower()))
            if unit is None:
                self.problem(path, spec, value, f"不认识的单位“{raw_unit}”", f"unknown unit {raw_unit!r}", allowed=self._units(spec))
                return None, None, None
            written = f"{value['value']} {raw_unit}"
            value = value["value"]
        amount = _plain_digits(value)
        if amount is not None:  # the common case
            return written, amount, unit
        if isinstance(value, bool):
            self.problem(path, spec, value, "应为数字（是/否不是数字）", "must be a number (true/false is not)", allowed=self._range(spec))
            return None, None, None
        if type(value) is int and abs(value) < 10**MAX_EXPONENT:  # the common case, exact as it is
            return written, Decimal(value), unit
        if isinstance(value, int) and abs(value) >= 10**MAX_EXPONENT:
            self.problem(path, spec, value, "数值过大", "number too large", allowed=self._range(spec))
            return None, None, None
        if isinstance(value, float):
            value = repr(value)
        elif isinstance(value, (int, Decimal)):
            value = str(value)
        if not isinstance(value, str):
            self.problem(path, spec, value, "应为数字", "must be a number", allowed=self._range(spec))
            return None, None, None
        match = NUMBER.match(value)
        if match is None:
            self.problem(path, spec, value, "不是数字（请用半角数字，如 12345.6）", "not a number (use ASCII digits, e.g. 12345.6)",
                         allowed=self._range(spec))
            return None, None, None
        digits, suffix = match.groups()
        if suffix:
            if unit is not None:
                self.problem(path, spec, value, "单位写了两次", "the unit is given twice", allowed=self._units(spec))
                return None, None, None
            unit = UNIT_ALIASES.get(suffix, UNIT_ALIASES.get(suffix.lower()))
            if unit is None:
                self.problem(path, spec, value, f"不认识的单位“{suffix}”", f"unknown unit {suffix!r}", allowed=self._units(spec))
                return None, None, None
            written = value.strip()
        try:
            amount = Decimal(digits.replace(",", ""))
        except InvalidOperation:
            self.problem(path, spec, value, "不是数字", "not a number", allowed=self._range(spec))
            return None, None, None
        if amount and amount.adjusted() > MAX_EXPONENT:
            self.problem(path, spec, value, "数值过大", "number too large", allowed=self._range(spec))
            return None, None, None
        return written, amount, unit

    def _in_range(self, path: str, spec: Field, value: Any, rounded: Decimal, exact: Decimal) -> Any:
        if spec.unit == "m2" and spec.low is not None and not spec.low_inclusive and rounded < MIN_POSITIVE_AREA:
            self.problem(path, spec, value, f"面积应不小于 {MIN_POSITIVE_AREA} 平方米", f"an area must be at least {MIN_POSITIVE_AREA} m2",
                         allowed=self._range(spec))
            return _REFUSED
        if exact != 0 and rounded == 0:
            self.problem(path, spec, value, f"数值小于 {QUANTUM}，按 6 位小数取整后为 0", f"below {QUANTUM}: rounds to 0 at 6 decimals",
                         allowed=self._range(spec))
            return _REFUSED
        if not spec.admits(rounded):
            self.problem(path, spec, value, f"超出允许范围（{self._range_text(spec)}）",
                         f"out of range ({self._range_text(spec).replace('，', ', ')})", allowed=self._range(spec))
            return _REFUSED
        return rounded

    @staticmethod
    def _range(spec: Field) -> dict[str, Any]:
        low = MIN_POSITIVE_AREA if spec.unit == "m2" and not spec.low_inclusive else spec.low
        return {"min": _plain(low), "min_inclusive": spec.low_inclusive or spec.unit == "m2", "max": _plain(spec.high),
                "unit": spec.unit}

    @staticmethod
    def _range_text(spec: Field) -> str:
        low = MIN_POSITIVE_AREA if spec.unit == "m2" and not spec.low_inclusive else spec.low
        left = "≥" if spec.low_inclusive or spec.unit == "m2" else ">"
        return f"{left} {_plain(low)}，≤ {_plain(spec.high)} {spec.unit or ''}".strip()

    @staticmethod
    def _units(spec: Field) -> list[str]:
        return {"m2": ["m2", "亩", "公顷"], "万元": ["万元", "元", "亿元"], "fraction": ["0..1", "%"]}.get(
            spec.unit or "", [spec.unit or ""])


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


_REFUSED = object()


def _plain_digits(value: Any) -> Decimal | None:
    """A number written as plain ASCII digits (no sign, unit or exponent), exact as written and not too
    large; None for anything else, which the general checks read (and report)."""
    if type(value) is str and value.isascii() and value.replace(".", "", 1).isdigit():
        amount = Decimal(value)
        if not amount or amount.adjusted() <= MAX_EXPONENT:
            return amount
    return None


# --- model errors, in the user's language ----------------------------------------------------------

_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("必填项缺失", "required field missing"),
    "extra_forbidden": ("没有这个字段", "no such field"),
    "string_too_short": ("不能为空", "must not be empty"),
    "string_type": ("应为文本", "must be text"),
    "model_type": ("应为一组字段（键: 值）", "must be a mapping of fields"),
    "model_attributes_type": ("应为一组字段（键: 值）", "must be a mapping of fields"),
    "dict_type": ("应为一组字段（键: 值）", "must be a mapping of fields"),
    "list_type": ("应为列表", "must be a list"),
    "string_pattern_mismatch": ("格式不对", "wrong format"),
}


def _field_names(loc: tuple[Any, ...]) -> dict[str, str]:
    """Spellings a misspelt key at `loc` may stand for: sibling field names and their Chinese labels."""
    model: type[BaseModel] | None = Proposal
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        spec = fields_of(model).get(str(part))
        model = spec.model if spec else None
    if model is None:
        return {}
    specs = fields_of(model)
    return {**{name: name for name in specs}, **{s.label: s.name for s in specs.values()}}


def problems_from_model(error: ValidationError, refused: set[str] = frozenset()) -> list[ProposalProblem]:  # type: ignore[assignment]
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        path = ".".join(str(p) for p in loc)
        if any(path == r or path.startswith(r + ".") for r in refused):
            continue
        spec = field_at(path)
        zh, en = _MESSAGES.get(item["type"], ("取值无效", item["msg"]))
        suggestion = None
        if item["type"] == "extra_forbidden":
            guess = _did_you_mean(str(loc[-1]), _field_names(loc))
            suggestion = ".".join([*(str(p) for p in loc[:-1]), guess]) if guess else None
        value = None if item["type"] == "missing" else shown(item.get("input"))
        label = spec.label if spec else _top_label(path)
        problems.append(ProposalProblem(path=path, label_zh=label, reason=zh, reason_en=en, value=value,
                                        suggestion=suggestion))
    return problems


def _top_label(path: str) -> str:
    spec = fields_of(Proposal).get(path)
    return spec.label if spec else path


def parse(data: Any) -> tuple[Parsed | None, list[ProposalProblem]]:
    """A proposal as people write it -> (the validated proposal, []) or (None, every problem)."""
    if isinstance(data, Proposal):
        return Parsed(data), []
    if not isinstance(data, dict):
        return None, [ProposalProblem(path="", label_zh="申报材料", reason="申报材料应为一组字段（键: 值）",
                                      reason_en="a proposal is a mapping of fields", value=shown(data))]
    checker = _Checker()
    try:
        clean = checker.model(data, Proposal, "")
        proposal = Proposal.model_validate(clean)
    except ValidationError as error:
        return None, checker.problems + problems_from_model(error, checker.refused)
    except RecursionError:
        return None, [ProposalProblem(path="", label_zh="申报材料", reason="嵌套过深", reason_en="nested too deeply")]
    except (ValueError, OverflowError) as error:  # a value no check foresaw (e.g. an integer of 5,000 digits)
        return None, checker.problems + [ProposalProblem(path="", label_zh="申报材料", reason="有无法读取的值",
                                                         reason_en=f"unreadable value: {str(error)[:120]}")]
    if checker.problems:
        return None, checker.problems
    return Parsed(proposal, checker.as_written, quantized=True), []
