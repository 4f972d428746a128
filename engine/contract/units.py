"""Units, exact conversion and the stated rounding.

Every number is a Decimal held at 6 decimal places (half-even). Conversion factors are Fractions so
that 1 公顷 = 15 亩 is exact; a converted value is rounded once, at the end.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from fractions import Fraction

PLACES = 6
QUANTUM = Decimal(1).scaleb(-PLACES)
SCALE = 10**PLACES  # durable_rules compares integers exactly: numbers travel as value * SCALE
CONTEXT = Context(prec=28)

# unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, Fraction]] = {
    "fraction": ("fraction", Fraction(1)),
    "ratio": ("ratio", Fraction(1)),
    "元": ("money", Fraction(1)),
    "万元": ("money", Fraction(10000)),
    "亿元": ("money", Fraction(100000000)),
    "m2": ("area", Fraction(1)),
    "亩": ("area", Fraction(2000, 3)),
    "公顷": ("area", Fraction(10000)),
    "元/m2": ("money/area", Fraction(1)),
    "万元/m2": ("money/area", Fraction(10000)),
    "万元/公顷": ("money/area", Fraction(1)),
    "万元/亩": ("money/area", Fraction(15)),
    "tce": ("energy", Fraction(1)),
    "万kWh": ("electricity", Fraction(1)),
    "boolean": ("boolean", Fraction(1)),
    "text": ("text", Fraction(1)),
}
NUMERIC_UNITS = frozenset(u for u, (dim, _) in UNITS.items() if dim not in ("boolean", "text"))
# What people write for a unit (zone documents use 亩, 公顷 and 亿元), folded to the unit's name
UNIT_ALIASES: dict[str, str] = {
    "m2": "m2", "m²": "m2", "㎡": "m2", "平方米": "m2", "平米": "m2", "亩": "亩", "公顷": "公顷", "ha": "公顷",
    "元": "元", "万元": "万元", "亿元": "亿元", "%": "%",
}

# Largest value accepted per unit, checked before any arithmetic (README, "Units"). With the smallest
# positive area (MIN_POSITIVE_AREA) every derived indicator (万元 per hectare, ratios) stays exact within
# the 28-digit context and its scaled integer within int64 (9.2e18 = 9.2e12 at 6 decimals):
# 1e8 万元 / (1 m² / 10000) = 1e12 万元/公顷.
MAX_BY_UNIT: dict[str, Decimal] = {
    "万元": Decimal("1e8"),  # 1 万亿元, more than any single project
    "m2": Decimal("1e10"),  # 10,000 km², more than any development zone
    "元/m2": Decimal("1e7"),
    "tce": Decimal("1e9"),
    "万kWh": Decimal("1e9"),
    "fraction": Decimal(1),
}
MAX_OTHER = Decimal("1e12")  # any other number
MIN_POSITIVE_AREA = Decimal(1)  # 1 m²: a positive area (site, floor area) below it is a typing error
# A number written with a larger exponent is refused before it becomes a Decimal operand
MAX_EXPONENT = 15

ROUNDING = {"half_even": ROUND_HALF_EVEN, "up": ROUND_CEILING, "down": ROUND_FLOOR}


class UnitError(ValueError):
    pass


def dimension(unit: str) -> str:
    try:
        return UNITS[unit][0]
    except KeyError:
        raise UnitError(f"unknown unit {unit!r} (known: {', '.join(UNITS)})") from None


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(PLACES + 1)}


# CONTEXT with each rounding: `context.quantize(value, quantum)` is a third of the cost of
# `value.quantize(quantum, rounding=..., context=...)` (no keywords to parse), and runs for every number
_ROUNDED = {name: Context(prec=CONTEXT.prec, rounding=mode) for name, mode in ROUNDING.items()}


def quantize(value: Decimal, rounding: str = "half_even", places: int = PLACES) -> Decimal:
    quantum = _QUANTA.get(places) or Decimal(1).scaleb(-places)  # runs for every number of every screening
    return _ROUNDED[rounding].quantize(value, quantum)


def plain_text(value: Decimal) -> str:
    """A number's JSON text: exact, no exponent, no trailing zeros (48000.000000 -> "48000").

    The same text as `format(value.normalize(), "f")`, which costs three times as much: a number held at
    6 places prints without an exponent, so cutting its trailing zeros is enough."""
    text = str(value)
    if "E" in text or len(text) > 28:  # an exponent, or more digits than normalize() keeps: the long way
        return format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def to_decimal(value: object) -> Decimal:
    """Read a number from YAML, JSON or CSV text exactly (floats through their shortest repr)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return quantize(number)


def convert(value: Decimal, source_unit: str, target_unit: str) -> Decimal:
    if dimension(source_unit) != dimension(target_unit):
        raise UnitError(f"cannot convert {source_unit} to {target_unit}")
    if source_unit == target_unit:
        return quantize(value)
    exact = Fraction(value) * UNITS[source_unit][1] / UNITS[target_unit][1]
    return quantize(CONTEXT.divide(Decimal(exact.numerator), Decimal(exact.denominator)))


def scaled(value: Decimal) -> int:
    """The integer durable_rules compares: exact because every value has at most 6 decimals."""
    return int(value.scaleb(PLACES))


def format_value(value: object, unit: str | None) -> str:
    """A value as people read it: fractions as percentages, numbers without trailing zeros."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        if unit == "fraction":
            return f"{_plain(value * 100)}%"
        text = _plain(value)
        return f"{text} {unit}" if unit and unit not in ("ratio",) else text
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value) or "（无）"
    return str(value)


_CANONICAL = re.compile(r"-?(?:0|[1-9][0-9]{0,19})(?:\.[0-9]{0,5}[1-9])?")  # what `plain_text` writes at 6 places


def format_number_text(text: str, unit: str | None) -> str:
    """`format_value(Decimal(text), unit)` for a number given as its JSON text, read as text: a number
    `plain_text` wrote (at most 20 integer digits and 6 places) is shown without making a Decimal; any
    other text the long way."""
    if not _CANONICAL.fullmatch(text):
        return format_value(Decimal(text), unit)
    sign = "-" if text[0] == "-" else ""
    head, _, tail = text.lstrip("-").partition(".")
    if unit == "fraction":  # a percentage: the point moves two places right
        tail = tail.ljust(2, "0")
        head, tail = (head + tail[:2]).lstrip("0") or "0", tail[2:].rstrip("0")
    shown = sign + (f"{int(head):,}" if len(head) > 3 else head) + ("." + tail if tail else "")
    if unit == "fraction":
        return shown + "%"
    return f"{shown} {unit}" if unit and unit != "ratio" else shown


def _plain(value: Decimal) -> str:
    """48000.000000 -> "48,000"; 0.070000 -> "0.07" (thousands separated, no trailing zeros)."""
    return format(value.normalize(CONTEXT), ",f")
