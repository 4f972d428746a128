"""Units, exact conversion and the stated rounding.

Every number is a Decimal held at 6 decimal places (half-even). Conversion factors are Fractions so
that 1 公顷 = 15 亩 is exact; a converted value is rounded once, at the end.
"""

from __future__ import annotations

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
ROUNDING = {"half_even": ROUND_HALF_EVEN, "up": ROUND_CEILING, "down": ROUND_FLOOR}


class UnitError(ValueError):
    pass


def dimension(unit: str) -> str:
    try:
        return UNITS[unit][0]
    except KeyError:
        raise UnitError(f"unknown unit {unit!r} (known: {', '.join(UNITS)})") from None


def quantize(value: Decimal, rounding: str = "half_even", places: int = PLACES) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING[rounding], context=CONTEXT)


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


def _plain(value: Decimal) -> str:
    """48000.000000 -> "48,000"; 0.070000 -> "0.07" (thousands separated, no trailing zeros)."""
    return format(value.normalize(CONTEXT), ",f")
