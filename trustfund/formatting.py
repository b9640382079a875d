"""Locale-aware formatting of money, numbers and dates (Babel, via Flask-Babel).

Amounts are the bulk of every table (a statement of 2,000 deposits shows 10,000 of
them), and Babel parses its pattern and looks up the locale's symbols at each call.
So each (locale, kind, currency) gets a NumberFormat once: Babel's own parsed
pattern with the locale's symbols, prefixes and suffixes resolved, applied with
Python's Decimal formatting. Its output is Babel's, byte for byte
(tests/unit/test_formatting.py compares both for random amounts, every currency,
every language of the app); shapes it does not handle (significant digits,
scientific notation, percent, quoted text, infinity and NaN) go to Babel itself.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from babel import Locale
from babel import dates as babel_dates
from babel.dates import format_skeleton
from babel.numbers import (
    NumberPattern,
    format_percent,
    get_currency_name,
    get_currency_symbol,
    parse_pattern,
)
from flask_babel import get_timezone, pgettext, to_user_timezone

from . import language
from .money import precision

EN = Locale.parse("en")
# English dates as the United Nations writes them, day before month ("5 December 2026",
# "5 Dec 2026"): CLDR's international English. Plain "en" is the United States'
# ("Dec 5, 2026"). Only dates and times: numbers are the same in both.
UN_ENGLISH = Locale.parse("en_001")


class NumberFormat:
    """A Babel number pattern ready to apply in one locale (and currency): what
    `pattern.apply(value, locale, currency=...)` returns, without re-reading the
    pattern and the locale's symbols at each call."""

    __slots__ = (
        "_fast",
        "_grouping",
        "_int_min",
        "_max",
        "_min",
        "_prefix",
        "_quantum",
        "_slow",
        "_suffix",
        "_table",
    )

    def __init__(self, pattern: NumberPattern, locale: Locale, currency: str | None = None,
                 places: int | None = None):
        frac = (places, places) if places is not None else pattern.frac_prec
        self._slow: Callable[[Decimal], str] = lambda value: pattern.apply(
            value, locale, currency=currency, currency_digits=places is not None)
        symbols = locale.number_symbols["latn"]
        self._min, self._max = frac
        self._quantum = Decimal(1).scaleb(-self._max)
        self._grouping = pattern.grouping
        self._int_min = pattern.int_prec[0]
        self._table = str.maketrans({",": symbols["group"], ".": symbols["decimal"]})
        symbol = get_currency_symbol(currency, locale) if currency else None
        affixes = [*pattern.prefix, *pattern.suffix]
        # Only plain affixes: "¤" (a currency's symbol) or "¤¤" (its ISO code), no quoted
        # text, no currency name, no percent or per mille (those scale the value).
        self._fast = (
            pattern.scale == 0 and not pattern.exp_prec and "@" not in pattern.pattern
            and pattern.number_pattern != ""
            and not any("'" in a or "¤¤¤" in a for a in affixes)
            and (currency is not None or not any("¤" in a for a in affixes))
        )
        if symbol is not None:
            affixes = [a.replace("¤¤", currency).replace("¤", symbol) for a in affixes]
        self._prefix = (affixes[0], affixes[1])
        self._suffix = (affixes[2], affixes[3])

    def __call__(self, value) -> str:
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        if not self._fast or not value.is_finite():
            return self._slow(value)
        negative = value.is_signed()  # Babel writes -0.00 for a negative zero
        rounded = abs(value).normalize().quantize(self._quantum)
        if self._grouping == (3, 3) and self._int_min <= 1:
            text = format(rounded, ",f")
        else:
            text = self._group(format(rounded, "f"))
        if self._min < self._max and "." in text:
            text = text.rstrip("0")
            whole, _, fraction = text.partition(".")
            fraction = fraction.ljust(self._min, "0")
            text = whole + "." + fraction if fraction and (self._min or int(fraction)) else whole
        return (self._prefix[negative] + text.translate(self._table) + self._suffix[negative])

    def _group(self, text: str) -> str:
        whole, dot, fraction = text.partition(".")
        whole = whole.rjust(self._int_min, "0")
        size, grouped = self._grouping[0], ""
        while len(whole) > size:
            grouped = "," + whole[-size:] + grouped
            whole = whole[:-size]
            size = self._grouping[1]
        return whole + grouped + dot + fraction


_FORMATS: dict[tuple, NumberFormat] = {}

# A digit or separator of a number pattern: where a currency sign touches the number.
_NUMBER_CHARACTERS = frozenset("#0123456789,.@")


def code_pattern(locale: Locale) -> NumberPattern:
    """The locale's standard currency pattern with the ISO code ("¤¤") where the symbol
    was, and a no-break space between the code and the digits where they would touch
    (CLDR's currency spacing for a sign of letters): "USD 1,062,699.26" in English,
    "1 062 699,26 USD" in French, each locale's own order."""
    source = locale.currency_formats["standard"].pattern
    parts = []
    for index, sign in enumerate(source):
        if sign != "¤":
            parts.append(sign)
            continue
        before = source[index - 1] if index else ""
        after = source[index + 1] if index + 1 < len(source) else ""
        parts.append(("\u00a0" if before in _NUMBER_CHARACTERS and before else "") + "¤¤"
                     + ("\u00a0" if after in _NUMBER_CHARACTERS and after else ""))
    return parse_pattern("".join(parts))


def _locale() -> Locale:
    return language.locale() or EN


def dates_locale(locale: Locale | None = None) -> Locale:
    """The locale that writes dates and times for readers of `locale` (the request's
    by default): the same, but international English for English (UN_ENGLISH)."""
    locale = locale or _locale()
    return UN_ENGLISH if locale.language == "en" and not locale.territory else locale


def number_format(locale: Locale, kind: str, currency: str | None = None) -> NumberFormat:
    """The NumberFormat of `kind` ("amount": the currency's decimals, no sign;
    "money": the locale's standard currency format with the ISO code; "symbol": the
    same with the currency's symbol; "number": the locale's decimal format) in
    `locale`, made once per process."""
    key = (locale, kind, currency)
    found = _FORMATS.get(key)
    if found is None:
        if kind == "amount":
            places = precision(currency)
            pattern = parse_pattern("#,##0" + ("." + "0" * places if places else ""))
            found = NumberFormat(pattern, locale)
        elif kind == "money":
            found = NumberFormat(code_pattern(locale), locale, currency, places=precision(currency))
        elif kind == "symbol":
            found = NumberFormat(locale.currency_formats["standard"], locale, currency,
                                 places=precision(currency))
        elif kind == "rate":
            # An exchange rate keeps every decimal it has (up to money.py's six):
            # 0.941234 must not be shown as 0.941.
            found = NumberFormat(parse_pattern("#,##0.######"), locale)
        else:
            found = NumberFormat(parse_pattern(locale.decimal_formats[None]), locale)
        _FORMATS[key] = found
    return found


def money(amount: Decimal | None, currency: str = "USD") -> str:
    """An amount with its currency's ISO code, as the user's locale writes it, with the
    currency's decimals: "EUR 1,234,567.89", "1 234 567,89 EUR". The one way amounts
    read in lists, statements and messages (a symbol like "$" names several dollars)."""
    if amount is None:
        return ""
    return number_format(_locale(), "money", currency)(Decimal(amount))


def money_symbol(amount: Decimal | None, currency: str = "USD") -> str:
    """The same amount with the currency's symbol ("€1,234,567.89"), only where a design
    needs it."""
    if amount is None:
        return ""
    return number_format(_locale(), "symbol", currency)(Decimal(amount))


def amount(value: Decimal | None, currency: str = "USD") -> str:
    """A number with the currency's decimals, no symbol (for table columns)."""
    if value is None:
        return ""
    return number_format(_locale(), "amount", currency)(Decimal(value))


def number(value) -> str:
    return "" if value is None else number_format(_locale(), "number")(value)


def rate(value: Decimal | None) -> str:
    """An exchange rate (units per US dollar) with all its decimals, in the user's locale."""
    return "" if value is None else number_format(_locale(), "rate")(Decimal(value))


def percent(value: Decimal | None) -> str:
    """A rate as a percentage with the decimals it has (the fee: 0.01 -> "1%", 0.015 ->
    "1.5%"; "1,5 %" in French), never rounded to whole percents."""
    if value is None:
        return ""
    return format_percent(Decimal(value), locale=_locale(), decimal_quantization=False)


def date(value: dt.date | None) -> str:
    """A date in the one style of the user's locale (CLDR's medium: "10 May 2018",
    "10 mai 2018", "2018年5月10日"; English as the UN writes it, dates_locale)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # a moment: on its day in the user's zone
        value = to_user_timezone(value)
    writer = dates_locale()
    return isolated(first_of_month(babel_dates.format_date(value, "medium", locale=writer), value, writer),
                    writer)


def isolated(text: str, locale: Locale) -> str:
    """A right-to-left language's date as one unit of its own (Unicode's isolate, RLI …
    PDI): Arabic's "10/12/2018" begins with no mark before the day, whose digits then
    join the Latin words before it ("Marrakech, 10/12/2018" was shown "2018/12/Marrakech,
    10"). Other languages' dates as they are."""
    return f"\u2067{text}\u2069" if locale.character_order == "right-to-left" else text


def first_of_month(text: str, value: dt.date, locale: Locale) -> str:
    """French writes the first of a month as an ordinal, "1er janv. 2017", where CLDR
    gives the cardinal of every day ("1 janv. 2017", "2 janv. 2017")."""
    if value.day == 1 and locale.language == "fr" and text.startswith("1 "):
        return "1er" + text[1:]
    return text


def month(value: dt.date | None) -> str:
    """A month and its year as the user's locale names them ("May 2018", "mai 2018",
    "май 2018 г.", "2018年5月")."""
    return "" if value is None else format_skeleton("yMMMM", value, locale=dates_locale())


def zone_label(value: dt.datetime, zone: dt.tzinfo, locale: Locale) -> str:
    """The time zone of a moment: the abbreviation the locale uses for it where it has
    one ("CET", "EST"), else its offset from UTC ("UTC+01:00", "UTC-05:00"), the way
    the UN writes times; "UTC" itself in every language."""
    offset = value.utcoffset()
    if offset is not None and not offset and str(zone) in ("UTC", "Etc/UTC", "Universal", "Zulu"):
        return "UTC"
    short = babel_dates.format_datetime(value, "z", tzinfo=zone, locale=locale)
    if short and not any(ch.isdigit() for ch in short):
        return short
    return "UTC" + babel_dates.format_datetime(value, "xxx", tzinfo=zone, locale=locale)


def datetime(value: dt.datetime | None) -> str:
    """A moment (stored in UTC) in the user's own time zone, with the zone shown: the
    locale's date style, the time in hours and minutes, the zone ("10 May 2018, 2:05 pm
    CEST"). The zone is the user's setting (auth.models.User.timezone), else UTC."""
    if value is None:
        return ""
    locale, zone = _locale(), get_timezone()
    writer = dates_locale(locale)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(zone)
    day = isolated(first_of_month(babel_dates.format_date(local, "medium", locale=writer), local, writer),
                   writer)
    time = babel_dates.format_time(local, "short", tzinfo=zone, locale=writer)
    combined = writer.datetime_formats["medium"].replace("{1}", day).replace("{0}", time)
    # The zone's name as the reader's language abbreviates it ("EST"; international
    # English spells it out).
    return f"{combined} {zone_label(local, zone, locale)}"


def colon() -> str:
    """What separates a name from what follows it ("Amount: Enter an amount.", "SAA:
    Signed"), as the reader's language writes it: French puts a no-break space before
    the colon, Chinese writes a full-width one."""
    return pgettext("between a name and what follows it", ": ")


def currency_name(code: str) -> str:
    return get_currency_name(code, locale=language.locale() or "en")


def number_symbols() -> dict[str, str]:
    """The reader's decimal and group separators, for a script that reads and writes
    numbers as the server does (static/travel.js: a request's total while it is typed)."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    locale = language.locale() or "en"
    return {"decimal": get_decimal_symbol(locale), "group": get_group_symbol(locale)}


def register(app) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(money_symbol, "money_symbol")
    app.add_template_filter(amount, "amount")
    app.add_template_filter(number, "number")
    app.add_template_filter(rate, "rate")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(date, "date")
    app.add_template_filter(month, "month")
    app.add_template_filter(datetime, "datetime")
    app.add_template_filter(currency_name, "currency_name")
    app.add_template_global(colon, "colon")
    app.add_template_global(number_symbols, "number_symbols")
