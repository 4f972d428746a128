"""Numbers' exact forms: the fast ways of quantizing and printing give what the long ways give."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from zonecheck.engine.contract.units import CONTEXT, format_number_text, format_value, plain_text, quantize

numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.builds(lambda n, e: Decimal(n).scaleb(e), st.integers(-10**20, 10**20), st.integers(-14, 14)),
    st.builds(quantize, st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False)),
    st.sampled_from([Decimal("0"), Decimal("-0"), Decimal("0.000000"), Decimal("-0.000000"), Decimal("5E+2"),
                     Decimal("1E-7"), Decimal("1000.000000"), Decimal("0.000001"), Decimal("9" * 30)]),
)


@settings(max_examples=1000)
@given(numbers)
def test_plain_text_is_the_normalized_text(value: Decimal) -> None:
    assert plain_text(value) == format(value.normalize(), "f")


@settings(max_examples=500)
@given(st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False),
       st.sampled_from([("half_even", ROUND_HALF_EVEN), ("up", ROUND_CEILING), ("down", ROUND_FLOOR)]),
       st.integers(0, 6))
def test_quantize_rounds_as_stated(value: Decimal, rounding: tuple[str, str], places: int) -> None:
    name, mode = rounding
    expected = value.quantize(Decimal(1).scaleb(-places), rounding=mode, context=CONTEXT)
    assert quantize(value, name, places) == expected and str(quantize(value, name, places)) == str(expected)


units = st.sampled_from([None, "fraction", "ratio", "m2", "万元/亩", "元/m2"])


@settings(max_examples=1000)
@given(st.builds(quantize, st.decimals(min_value=-10**15, max_value=10**15, allow_nan=False, allow_infinity=False)), units)
def test_a_number_shown_from_its_text_reads_as_from_the_decimal(value: Decimal, unit: str | None) -> None:
    text = plain_text(value)
    assert format_number_text(text, unit) == format_value(Decimal(text), unit)


@settings(max_examples=500)
@given(st.one_of(st.from_regex(r"-?[0-9]{1,25}(\.[0-9]{0,9})?", fullmatch=True), numbers.map(str)), units)
def test_any_number_text_is_shown_as_the_decimal_is(text: str, unit: str | None) -> None:
    assert format_number_text(text, unit) == format_value(Decimal(text), unit)
