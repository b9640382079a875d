"""The amount, money and number filters write exactly what Babel writes.

trustfund.formatting resolves each (locale, currency) pattern once and applies it
with Python's Decimal formatting instead of calling Babel for each of the
thousands of amounts of a page; these tests compare both, byte for byte, in every
language of the app, for every currency the app accepts (money.CURRENCIES). Money
reads with its ISO code ("USD 1,062,699.26"): the locale's currency pattern with
the code in place of the symbol (formatting.code_pattern)."""
from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_currency, format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from trustfund import formatting
from trustfund.formatting import code_pattern, number_format
from trustfund.language import speaking
from trustfund.money import CURRENCIES, precision

LANGUAGES = ["en", "fr", "es", "ar", "zh", "ru"]
LOCALES = {code: Locale.parse(code) for code in LANGUAGES}
SOME_CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CHF", "SEK", "KWD", "BHD", "CLF", "AED", "RUB", "CNY"]

# Edge cases: zero and negative zero, halves at the rounding position of 0, 2, 3 and
# 4 decimals (Babel rounds with the decimal context, half-even), grouping boundaries,
# the largest amount money.py admits, exponents Decimal keeps as such.
EDGES = [Decimal(text) for text in (
    "0", "-0", "0.00", "-0.00", "-0.001", "0.004", "0.005", "0.015", "0.025", "-0.005",
    "0.5", "1.5", "2.5", "-2.5", "0.0005", "0.0015", "1.2345", "999.995", "999.9995",
    "1000", "-1000", "12345.678", "100000", "1234567.891", "-1234567.895",
    "9999999999999.999", "-9999999999999.999", "1E+3", "-1E+5", "1.000000", "0.941",
    "1000000.000000", "1.23456789012345678901", "0.1E-7",
)]

amounts = st.one_of(
    st.sampled_from(EDGES),
    st.builds(lambda units, places: Decimal(units).scaleb(-places),
              st.integers(min_value=-10**16, max_value=10**16), st.integers(0, 6)),
    st.decimals(min_value=-10**13, max_value=10**13, allow_nan=False, allow_infinity=False),
)


def babel_amount(value: Decimal, currency: str, locale: Locale) -> str:
    """What the amount filter wrote before: format_decimal with the currency's decimals."""
    places = precision(currency)
    return format_decimal(value, format="#,##0" + ("." + "0" * places if places else ""),
                          locale=locale)


def babel_money(value: Decimal, currency: str, locale: Locale) -> str:
    """Babel's own formatting of the code pattern (the money filter)."""
    return format_currency(value, currency, format=code_pattern(locale), locale=locale, currency_digits=True)


def babel_symbol(value: Decimal, currency: str, locale: Locale) -> str:
    return format_currency(value, currency, locale=locale, currency_digits=True,
                           format_type="standard")


@settings(max_examples=400, deadline=None)
@given(value=amounts, language=st.sampled_from(LANGUAGES), currency=st.sampled_from(SOME_CURRENCIES))
def test_amounts_and_money_are_babels_text(value, language, currency):
    locale = LOCALES[language]
    assert number_format(locale, "amount", currency)(value) == babel_amount(value, currency, locale)
    assert number_format(locale, "money", currency)(value) == babel_money(value, currency, locale)
    assert number_format(locale, "symbol", currency)(value) == babel_symbol(value, currency, locale)


@settings(max_examples=200, deadline=None)
@given(value=amounts, language=st.sampled_from(LANGUAGES))
def test_numbers_are_babels_text(value, language):
    locale = LOCALES[language]
    assert number_format(locale, "number")(value) == format_decimal(value, locale=locale)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_currency_in_every_language(language):
    locale = LOCALES[language]
    wrong = []
    for currency in sorted(CURRENCIES):
        amount, money = number_format(locale, "amount", currency), number_format(locale, "money", currency)
        symbol = number_format(locale, "symbol", currency)
        for value in EDGES:
            if amount(value) != babel_amount(value, currency, locale):
                wrong.append(("amount", currency, value, amount(value),
                              babel_amount(value, currency, locale)))
            if money(value) != babel_money(value, currency, locale):
                wrong.append(("money", currency, value, money(value), babel_money(value, currency, locale)))
            if symbol(value) != babel_symbol(value, currency, locale):
                wrong.append(("symbol", currency, value, symbol(value),
                              babel_symbol(value, currency, locale)))
    assert wrong == []


def test_what_a_reader_sees(app):
    """The filters in a request, in the user's language: the separators, symbols and
    decimals of each locale (narrow no-break space in French, none for yen, three for
    dinars, the minus sign of negative amounts)."""
    with app.test_request_context():
        with speaking("en"):
            assert formatting.amount(Decimal("-1234567.5"), "USD") == "-1,234,567.50"
            assert formatting.money(Decimal("1234567.89"), "EUR") == "EUR\u00a01,234,567.89"
            assert formatting.money(Decimal("1062699.26"), "USD") == "USD\u00a01,062,699.26"
            assert formatting.money(Decimal("-10"), "USD") == "-USD\u00a010.00"
            assert formatting.money(Decimal(150000), "JPY") == "JPY\u00a0150,000"
            assert formatting.money_symbol(Decimal("1234567.89"), "EUR") == "€1,234,567.89"
            assert formatting.amount(Decimal(150000), "JPY") == "150,000"
            assert formatting.amount(Decimal("12.345"), "KWD") == "12.345"
            assert formatting.number(Decimal("0.941000")) == "0.941"
        with speaking("fr"):
            assert formatting.amount(Decimal("1234567.5"), "USD") == "1\u202f234\u202f567,50"
            assert formatting.money(Decimal("-1234.5"), "EUR") == "-1\u202f234,50\u00a0EUR"
            assert formatting.money_symbol(Decimal("-1234.5"), "EUR") == "-1\u202f234,50\u00a0€"
        with speaking("zh"):
            assert formatting.money(Decimal("12.345"), "KWD") == "KWD\u00a012.345"
        with speaking("ar"):
            assert formatting.money(Decimal("-1234.5"), "USD") == "\u200f-1,234.50\u00a0USD"
        for language in LANGUAGES:
            with speaking(language):
                assert formatting.money(Decimal("98765.43"), "KWD") == babel_money(
                    Decimal("98765.43"), "KWD", LOCALES[language])
        assert formatting.amount(None) == formatting.money(None) == formatting.number(None) == ""
        assert formatting.money_symbol(None) == formatting.percent(None) == ""


def test_the_fee_is_a_percentage_with_its_decimals(app):
    with app.test_request_context():
        with speaking("en"):
            assert formatting.percent(Decimal("0.01")) == "1%"
            assert formatting.percent(Decimal("0.015")) == "1.5%"
            assert formatting.percent(Decimal("0.0125")) == "1.25%"
        with speaking("fr"):
            assert formatting.percent(Decimal("0.015")) == "1,5\u00a0%"


rates = st.builds(lambda units, places: Decimal(units).scaleb(-places),
                  st.integers(min_value=1, max_value=10**12), st.integers(0, 6))


@settings(max_examples=200, deadline=None)
@given(value=rates, language=st.sampled_from(LANGUAGES))
def test_rates_are_babels_text_with_every_decimal(value, language):
    """A UN exchange rate has up to six decimals and all of them are shown."""
    expected = format_decimal(value, format="#,##0.######", locale=LOCALES[language])
    assert number_format(LOCALES[language], "rate")(value) == expected


def test_a_rate_keeps_its_six_decimals(app):
    with app.test_request_context():
        with speaking("en"):
            assert formatting.rate(Decimal("0.941234")) == "0.941234"
            assert formatting.rate(Decimal("0.941000")) == "0.941"
            assert formatting.rate(Decimal("1510.5")) == "1,510.5"
            assert formatting.rate(Decimal("1")) == "1"
        with speaking("fr"):
            assert formatting.rate(Decimal("0.941234")) == "0,941234"
        assert formatting.rate(None) == ""


def test_a_date_reads_as_flask_babels_medium_date_but_english_as_the_un_writes_it(app):
    """formatting.date formats a day with Babel and the request's locale: what
    Flask-Babel's format_date(day, "medium") writes in every language of the app but
    French's first of a month (an ordinal, "1er") and English, where it is the day
    before the month, as the United Nations writes dates (CLDR's international English,
    en_001), not the United States' "May 10, 2018"."""
    import datetime as dt
    import random

    from babel.dates import format_date as babel_format_date
    from flask_babel import format_date

    pick = random.Random(16)
    days = [dt.date(1, 1, 1) + dt.timedelta(days=pick.randrange(3_650_000)) for _ in range(100)]
    with app.test_request_context():
        for language in LANGUAGES:
            with speaking(language):
                shown = [formatting.date(day) for day in days]
                if language == "en":
                    assert shown == [babel_format_date(day, "medium", locale="en_001") for day in days]
                    assert shown != [format_date(day, "medium") for day in days]
                elif language == "fr":  # but the first of a month: "1er janv."
                    assert shown == [("1er" + text[1:]) if day.day == 1 else text
                                     for day, text in zip(days, (format_date(d, "medium") for d in days),
                                                          strict=True)]
                elif language == "ar":  # one unit of its own (an isolate) among Latin words
                    assert shown == ["\u2067" + format_date(day, "medium") + "\u2069" for day in days]
                else:
                    assert shown == [format_date(day, "medium") for day in days]
        with speaking("en"):
            assert formatting.date(dt.date(2026, 9, 5)) == "5 Sept 2026"
            assert formatting.date(dt.date(2026, 12, 25)) == "25 Dec 2026"


def test_one_date_style_per_language_and_months_that_stand_alone(app):
    import datetime as dt

    day = dt.date(2018, 5, 10)
    expected = {"en": ("10 May 2018", "May 2018"), "fr": ("10 mai 2018", "mai 2018"),
                "es": ("10 may 2018", "mayo de 2018"), "ru": ("10 мая 2018\u202fг.", "май 2018\u202fг."),
                "zh": ("2018年5月10日", "2018年5月")}
    with app.test_request_context():
        for language, (date, month) in expected.items():
            with speaking(language):
                assert (formatting.date(day), formatting.month(day)) == (date, month)
        assert formatting.date(None) == formatting.month(None) == formatting.datetime(None) == ""
        # French writes the first of a month as an ordinal; no other day, no other language.
        with speaking("fr"):
            assert formatting.date(dt.date(2017, 1, 1)) == "1er janv. 2017"
            assert formatting.date(dt.date(2017, 1, 11)) == "11 janv. 2017"
            assert formatting.datetime(dt.datetime(2017, 3, 1, 9, 30)).startswith("1er mars 2017")
        with speaking("es"):
            assert formatting.date(dt.date(2017, 1, 1)) == "1 ene 2017"


@pytest.mark.parametrize("zone, language, shown", [
    ("UTC", "en", "10 Jan 2018, 1:05 pm UTC"),
    ("Europe/Paris", "fr", "10 janv. 2018, 14:05 UTC+01:00"),
    ("America/New_York", "en", "10 Jan 2018, 8:05 am EST"),
    ("Asia/Kolkata", "en", "10 Jan 2018, 6:35 pm UTC+05:30"),
    ("Asia/Tokyo", "zh", "2018年1月10日 22:05 UTC+09:00"),
    # Past midnight there: the date is the next day's.
    ("Pacific/Kiritimati", "en", "11 Jan 2018, 3:05 am UTC+14:00"),
])
def test_a_moment_in_the_users_zone_with_the_zone_shown(app, zone, language, shown):
    """Moments are stored in UTC (13:05 on 10 January 2018 here) and shown in the
    user's zone (Flask-Babel's time zone selector), saying which."""
    import datetime as dt

    from flask_babel import refresh

    moment = dt.datetime(2018, 1, 10, 13, 5)
    app.extensions["babel"].timezone_selector = lambda: zone
    try:
        with app.test_request_context():
            refresh()
            with speaking(language):
                assert formatting.datetime(moment).replace("\u202f", " ") == shown
    finally:
        from trustfund import select_timezone

        app.extensions["babel"].timezone_selector = select_timezone
