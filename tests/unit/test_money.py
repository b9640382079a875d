from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustfund.money import (
    MoneyError,
    fee_of,
    largest_remainder,
    parse_amount,
    parse_rate,
    precision,
    round_cents,
    split_cents,
    split_deposit,
    to_usd,
)


def test_design_example_eur_million_at_0_941():
    usd, fee, net = split_deposit(Decimal("1000000.00"), Decimal("0.941"), Decimal("0.01"))
    assert usd == Decimal("1062699.26")
    assert fee == Decimal("10626.99")
    assert net == Decimal("1052072.27")


@pytest.mark.parametrize("currency,places", [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3), ("CHF", 2)])
def test_precision_comes_from_babel(currency, places):
    assert precision(currency) == places


def test_jpy_with_decimals_is_refused():
    with pytest.raises(MoneyError, match="JPY amounts have no decimals."):
        parse_amount("1000.5", "JPY")
    assert parse_amount("1,000", "JPY") == Decimal("1000")


def test_kwd_takes_three_decimals_but_not_four():
    assert parse_amount("12.345", "KWD") == Decimal("12.345")
    with pytest.raises(MoneyError):
        parse_amount("12.3456", "KWD")


def test_typed_decimals_beyond_the_currencys_are_refused_even_zeros():
    """"10.500" is more likely ten thousand five hundred with a European grouping than
    ten dollars fifty: refused, as "250.000" yen (no decimals) and "1.250" euros.
    (Found by a colleague's review; they were read as 10.50, 250 and 1.25.)"""
    for text, currency in (("10.500", "USD"), ("250.000", "JPY"), ("1.250", "EUR"), ("250.0", "JPY")):
        with pytest.raises(MoneyError, match="at most|no decimals"):
            parse_amount(text, currency)
    assert parse_amount("10.50", "USD") == Decimal("10.50")
    assert parse_amount("250000", "JPY") == Decimal("250000")
    assert parse_amount(Decimal("10.500"), "USD") == Decimal("10.50")  # a number, not typed


@pytest.mark.parametrize("text", ["", "abc", "NaN", "Infinity", "-Infinity", "1,000.00.00", "1e400", "0",
                                  "-5", "10000000000000", "0x10"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(MoneyError):
        parse_amount(text, "USD")


def test_unknown_currency_is_refused():
    with pytest.raises(MoneyError, match="Unknown currency"):
        parse_amount("10", "XYZ")


def test_half_up_at_the_half_cent():
    assert round_cents(Decimal("0.005")) == Decimal("0.01")
    assert round_cents(Decimal("0.004999")) == Decimal("0.00")
    assert round_cents(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert round_cents(Decimal("-0.005")) == Decimal("-0.01")
    # 1% of 0.50 is half a cent: the fee rounds up.
    assert fee_of(Decimal("0.50"), Decimal("0.01")) == Decimal("0.01")
    assert fee_of(Decimal("0.49"), Decimal("0.01")) == Decimal("0.00")


def test_usd_conversion_divides_by_units_per_dollar():
    assert to_usd(Decimal("100000"), Decimal("112.5")) == Decimal("888.89")  # JPY
    assert to_usd(Decimal("1000.000"), Decimal("0.302")) == Decimal("3311.26")  # KWD
    with pytest.raises(MoneyError):
        to_usd(Decimal("1"), Decimal("0"))


@pytest.mark.parametrize("text", ["0", "-1", "abc", "NaN", "0.1234567"])
def test_bad_rates_are_refused(text):
    with pytest.raises(MoneyError):
        parse_rate(text)


def test_largest_remainder_adds_up_exactly():
    parts = largest_remainder(Decimal("100.00"), [Decimal(1), Decimal(1), Decimal(1)])
    assert parts == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(parts) == Decimal("100.00")
    parts = largest_remainder(Decimal("0.05"), [Decimal("0.3"), Decimal("0.3"), Decimal("0.4")])
    assert sum(parts) == Decimal("0.05")
    assert largest_remainder(Decimal("10"), [Decimal(0), Decimal(0)]) == [Decimal("0.00")] * 2


def _exact_split(cents: int, weights: list[int]) -> list[int]:
    """The largest remainder rule with exact fractions: the reference for split_cents."""
    from fractions import Fraction

    total = sum(weights)
    if total == 0:
        return [0] * len(weights)
    sign, cents = (-1 if cents < 0 else 1), abs(cents)
    raw = [Fraction(cents * w, total) for w in weights]
    floors = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[: cents - sum(floors)]:
        floors[i] += 1
    return [sign * f for f in floors]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-10**15, max_value=10**15),
       st.lists(st.integers(min_value=0, max_value=10**16), min_size=1, max_size=40))
def test_split_cents_is_the_exact_largest_remainder_rule(cents, weights):
    parts = split_cents(cents, weights)
    assert parts == _exact_split(cents, weights)
    assert sum(parts) == (cents if sum(weights) else 0)


def test_split_cents_gives_ties_to_the_first_in_order():
    assert split_cents(1, [1, 1, 1]) == [1, 0, 0]
    assert split_cents(2, [5, 5, 5]) == [1, 1, 0]
    assert split_cents(-2, [5, 5, 5]) == [-1, -1, 0]
    assert split_cents(100, [0, 0]) == [0, 0]


def test_amounts_and_rates_are_read_in_the_users_locale(app):
    from trustfund.language import speaking

    with speaking("fr"):
        assert parse_rate("0,941") == Decimal("0.941")
        assert parse_amount("1 250 000,50", "EUR") == Decimal("1250000.50")
        assert parse_amount("1250000.50", "EUR") == Decimal("1250000.50")  # the plain form too
        with pytest.raises(MoneyError):
            parse_amount("1,000.00.00", "EUR")
    with speaking("en"):
        assert parse_amount("1,250,000.50", "EUR") == Decimal("1250000.50")
        with pytest.raises(MoneyError):
            parse_amount("1,00", "EUR")  # malformed grouping is not a decimal comma in English
    with speaking("es"):
        assert parse_amount("1.250.000,50", "EUR") == Decimal("1250000.50")



@pytest.mark.parametrize("locale, typed", [
    ("fr", "1\u202f000,50"), ("fr", "1 000,50"), ("fr", "1\u00a0000,50"), ("fr", "1000,50"),
    ("es", "1.000,50"), ("es", "1000,50"),
    ("ru", "1\u00a0000,50"), ("ru", "1 000,50"),
    ("ar", "1,000.50"), ("ar", "1000.50"),
    ("zh", "1,000.50"), ("zh", "1000.50"),
    ("en", "1,000.50"), ("en", " 1000.50 "),
])
def test_each_locales_digits_and_separators_are_read(app, locale, typed):
    from trustfund.language import speaking

    with speaking(locale):
        assert parse_amount(typed, "EUR") == Decimal("1000.50")


@pytest.mark.parametrize("typed", [
    "１２３", "１,０００.５０", "١٢٣", "۱۲۳", "१२३", "1e3", "1E3", "1e-2", "1_000", "+100", "0x10",
    "100\u200b", "1\u2009000", "١٠٠٫٥", "NaN", "Infinity", "sNaN", "12.3e0",
])
@pytest.mark.parametrize("locale", ["en", "fr", "es", "ar", "zh", "ru"])
def test_loose_numbers_are_refused_not_reinterpreted(app, locale, typed):
    """Python's Decimal() reads full-width, Arabic-Indic and Devanagari digits and
    exponents (１２３ was recorded as EUR 123.00, 1e3 as EUR 1,000.00): refused."""
    from trustfund.language import speaking

    with speaking(locale):
        with pytest.raises(MoneyError):
            parse_amount(typed, "EUR")
        with pytest.raises(MoneyError):
            parse_rate(typed)
