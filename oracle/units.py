"""Numbers, units and rounding (docs/rule-format.md section 3), independent of engine/.

Every number is a ``Decimal``. Inputs, indicators and (converted) parameter values are rounded
half-even to 6 decimal places; indicators are computed in a 28-significant-digit context first.
"""

from __future__ import annotations

import datetime as dt
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
import re
from fractions import Fraction

# Arithmetic context for formulas: 28 significant digits, half-even (spec section 3).
ARITH = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
# Wide context used only for the final quantize to 6 places, so that large values never trip the
# 28-digit precision limit while being rounded to 6 decimal places.
WIDE = Context(prec=200, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
Q6 = Decimal("0.000001")
ZERO = Decimal(0)

# unit -> (dimension, factor to the dimension's base unit). Bases: 元, m2, 元/m2.
# 1 公顷 = 10000 m2 = 15 亩  => 1 亩 = 2000/3 m2;  1 万元 = 10000 元.
# 1 万元/亩 = 10000 元 / (2000/3 m2) = 15 元/m2;  1 万元/公顷 = 1 元/m2;  1 万元/m2 = 10000 元/m2.
UNITS: dict[str, tuple[str, Fraction]] = {
    "fraction": ("fraction", Fraction(1)),
    "ratio": ("ratio", Fraction(1)),
    "万元": ("money", Fraction(10000)),
    "元": ("money", Fraction(1)),
    "m2": ("area", Fraction(1)),
    "亩": ("area", Fraction(2000, 3)),
    "公顷": ("area", Fraction(10000)),
    "tce": ("energy", Fraction(1)),
    "万kWh": ("electricity", Fraction(1)),
    "元/m2": ("money_per_area", Fraction(1)),
    "万元/亩": ("money_per_area", Fraction(15)),
    "万元/公顷": ("money_per_area", Fraction(1)),
    "万元/m2": ("money_per_area", Fraction(10000)),
    "boolean": ("boolean", Fraction(1)),
    "text": ("text", Fraction(1)),
}
NON_NUMERIC_UNITS = frozenset({"boolean", "text"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class UnitError(ValueError):
    pass


def round6(value: Decimal) -> Decimal:
    """Half-even to 6 decimal places, whatever the magnitude."""
    return value.quantize(Q6, rounding=ROUND_HALF_EVEN, context=WIDE)


def round_fraction6(value: Fraction) -> Decimal:
    """Exact rational -> Decimal rounded half-even to 6 places (Python's round() on Fraction is
    half-even)."""
    scaled = round(value * 1_000_000)
    return Decimal(scaled).scaleb(-6, context=WIDE).quantize(Q6, context=WIDE)


def to_decimal(raw: object) -> Decimal:
    """Read one number (str / int / float / Decimal) exactly and round it to 6 places."""
    return round6(exact_decimal(raw))


def exact_decimal(raw: object) -> Decimal:
    """Read one number (str / int / float / Decimal) exactly, without rounding."""
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, got boolean {raw!r}")
    if isinstance(raw, Decimal):
        d = raw
    elif isinstance(raw, int):
        d = Decimal(raw)
    elif isinstance(raw, float):
        d = Decimal(repr(raw))  # the shortest decimal that reads back as this float
    elif isinstance(raw, str):
        try:
            d = Decimal(raw.strip(), context=WIDE)
        except InvalidOperation:
            raise ValueError(f"not a number: {raw!r}") from None
    else:
        raise ValueError(f"expected a number, got {type(raw).__name__} {raw!r}")
    if not d.is_finite():
        raise ValueError(f"not a finite number: {raw!r}")
    return d


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert exactly between units of the same dimension, then round to 6 places."""
    if from_unit not in UNITS:
        raise UnitError(f"unknown unit {from_unit!r}")
    if to_unit not in UNITS:
        raise UnitError(f"unknown unit {to_unit!r}")
    dim_from, f_from = UNITS[from_unit]
    dim_to, f_to = UNITS[to_unit]
    if dim_from != dim_to:
        raise UnitError(f"threshold of the wrong unit: {from_unit} cannot be converted to {to_unit}")
    if f_from == f_to:
        return round6(value)
    return round_fraction6(Fraction(value) * f_from / f_to)


def to_date(raw: object, *, what: str = "date") -> dt.date | None:
    """ISO date (YAML may already have parsed it). Empty / None -> None."""
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        try:
            if not _ISO_DATE.match(text):
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"bad {what} {raw!r} (expected YYYY-MM-DD)") from None
    raise ValueError(f"bad {what} {raw!r} (expected YYYY-MM-DD)")


def parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise ValueError(f"expected true/false, got {raw!r}")
