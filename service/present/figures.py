"""Figures for people: rounded, but never onto or past the bound they are compared with, and shown in
the source's unit beside the pack's (万元/亩 beside 万元/公顷). Exact figures stay in the JSON."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from zonecheck.engine.contract.units import UNITS, UnitError, convert, dimension, format_value

PLACES = 2  # decimals people read; a percentage keeps 2 decimals of the percent
MAX_PLACES = 6  # every figure is exact at 6 places


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def rounded(value: Decimal, unit: str | None, bounds: list[Decimal] = ()) -> Decimal:  # type: ignore[assignment]
    """`value` to 2 places (4 for a fraction), more where fewer would reach or cross a bound it is not equal to."""
    places = PLACES + (2 if unit == "fraction" else 0)
    shown = _round(value, places)
    while places < MAX_PLACES and any(b != value and (shown == b or (shown > b) != (value > b)) for b in bounds):
        places += 1
        shown = _round(value, places)
    return value if places >= MAX_PLACES else shown


def human(value: object, unit: str | None, bounds: list[Decimal] = ()) -> str:  # type: ignore[assignment]
    if isinstance(value, Decimal):
        return format_value(rounded(value, unit, [b for b in bounds if isinstance(b, Decimal)]), unit)
    return format_value(value, unit)


def beside(value: object, unit: str | None, source_unit: str | None, bounds: list[Decimal] = ()) -> str:  # type: ignore[assignment]
    """`value` in `source_unit`, for showing next to the pack's unit; "" if the same unit or not convertible."""
    if not isinstance(value, Decimal) or not unit or not source_unit or unit == source_unit:
        return ""
    try:
        if source_unit not in UNITS or dimension(unit) != dimension(source_unit):
            return ""
        converted = convert(value, unit, source_unit)
        return human(converted, source_unit, [convert(b, unit, source_unit) for b in bounds if isinstance(b, Decimal)])
    except UnitError:
        return ""
