"""Money: Decimal end to end, currency precision from Babel, UN exchange rates, the AA fee.

Rules (DESIGN.md §4):
- an amount in a currency carries no more decimals than the currency's minor unit;
- UN operational rates are units of currency per 1 US dollar: USD = amount / rate,
  rounded half-up to the cent;
- the Administrative Agent fee is a rate (1%) of the deposit's USD amount, rounded
  half-up to the cent; net = USD - fee.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_decimal, get_currency_precision, list_currencies
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import BigInteger, Numeric
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")
USD = "USD"
# Larger than any real trust fund: 10^13 keeps every figure inside Numeric(18, 3)
# and inside a 64-bit integer of thousandths.
MAX_AMOUNT = Decimal("10000000000000")
# A spreadsheet holds a number as a double, which keeps 15 significant digits: an
# amount of more (KWD 1,234,567,890,123.457) would read otherwise in the .xlsx than
# on the page. A currency's amounts stay below 10^(15 − its decimals), and MAX_AMOUNT.
EXCEL_DIGITS = 15


class MoneyError(ValueError):
    """An amount, currency or rate that money rules refuse; str() is the user message."""


def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


CURRENCIES = _currencies()


def is_currency(code: str) -> bool:
    return code in CURRENCIES


@functools.cache
def precision(currency: str) -> int:
    """Decimal places of a currency's minor unit (JPY 0, USD 2, KWD 3). Kept per
    currency: an import asks it for each of 100,000 rows (a refusal is not kept)."""
    if currency not in CURRENCIES:
        raise MoneyError(_("Unknown currency code: %(code)s", code=currency))
    return get_currency_precision(currency)


@functools.cache
def quantum(currency: str) -> Decimal:
    """The currency's minor unit (0.01 for USD, 1 for JPY); kept like precision()."""
    return Decimal(1).scaleb(-precision(currency))


def _user_locale() -> str:
    try:
        from flask_babel import get_locale

        locale = get_locale()
    except Exception:  # outside a request or app: the command line
        locale = None
    return str(locale) if locale else "en"


# Spaces people type or paste between groups of digits: the space, the no-break
# space (Russian) and the narrow no-break space (French).
_SPACES = frozenset(" \u00a0\u202f")
_ASCII_DIGITS = frozenset("0123456789")
# The direction marks right-to-left text carries (the left-to-right and right-to-left
# marks, the Arabic letter mark): validation lets them through text fields, and pasted
# with a number they are no part of it. Defined here, below validation, which imports it.
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
# Digits grouped by spaces, as French and Russian write them (and some in English):
# one to three digits, then groups of exactly three ("1 000 00" is no number).
_SPACE_GROUPED = re.compile(r"[^0-9]*[0-9]{1,3}(?: [0-9]{3})+")


@functools.cache
def number_characters(locale: str) -> frozenset[str]:
    """What a number typed in `locale` may hold: the digits 0-9, the locale's decimal
    and group separators and minus sign, those of the plain form "1,250,000.00", and
    spaces. Nothing else: Python's Decimal() would read full-width "１２３", Arabic-Indic
    digits and "1e3" as numbers, which nobody typing an amount here means."""
    from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

    symbols = set()
    for name in dict.fromkeys((locale, "en")):
        symbols |= {get_decimal_symbol(name), get_group_symbol(name)}
        symbols |= set(get_minus_sign_symbol(name))
    return frozenset(_ASCII_DIGITS | _SPACES | {"-"} | {c for s in symbols for c in s})


def parse_number(text: str, refusal: str | Callable[[], str]) -> Decimal:
    """A number as the user typed it: in the user's locale first ("0,941" and
    "1 250 000,00" in French), then in the plain form "1,250,000.00". Grouping must
    be well formed in both: "1,000.00.00" and "1,00" are refused, and so are spaces
    that are no groups of three ("1 000 00" was read as 100,000.00 in French). White
    space around the number and direction marks pasted with it are ignored; only the
    characters of number_characters() are accepted, so NaN,
    Infinity, exponents ("1e3") and other digits than 0-9 ("１２３") are refused.
    `refusal`: its message, or what makes it only when it is needed (an example
    written in the reader's language costs a formatting at every number read)."""
    from babel.numbers import NumberFormatError, get_decimal_symbol, parse_decimal

    def refused() -> MoneyError:
        return MoneyError(refusal() if callable(refusal) else refusal)

    text = "".join(c for c in str(text) if c not in DIRECTION_MARKS)
    user_locale = _user_locale()
    if not text.strip():
        raise MoneyError(_("Enter an amount."))
    if not set(text) <= number_characters(user_locale) or not set(text) & _ASCII_DIGITS:
        raise refused()
    # Spaces between digits are groups of three, in any locale; elsewhere they are ignored.
    spaced = " ".join("".join(" " if c in _SPACES or c.isspace() else c for c in text).split())
    for locale in dict.fromkeys((user_locale, "en")):
        whole, _point, decimals = spaced.partition(get_decimal_symbol(locale))
        if " " in whole and not _SPACE_GROUPED.fullmatch(whole):
            continue  # "1 000 00", "12 50": a group of other than three digits
        if " " in decimals:
            continue  # spaces among the decimals
        raw = spaced.replace(" ", "")
        try:
            value = parse_decimal(raw, locale=locale, strict=True)
        except (NumberFormatError, InvalidOperation, ValueError):
            continue
        if value.is_finite():
            return value
        break
    raise refused()


def written(example: str) -> str:
    """A number as the user's language writes it, for the examples of messages
    ("1,250,000.00"; "1 250 000,00" in French), with the decimals it is given."""
    decimals = len(example.partition(".")[2])
    return format_decimal(Decimal(example), format="#,##0" + ("." + "0" * decimals if decimals else ""),
                          locale=_user_locale())


def amount_refusal(currency: str = USD) -> str:
    """The refusal of what is no number, with an example the currency's field takes (a
    yen amount's example had decimals, which the same field then refused)."""
    places = precision(currency)
    return _("Enter a number such as %(example)s.",
             example=written("1250000" + ("." + "0" * places if places else "")))


def rate_refusal() -> str:
    return _("Enter a rate such as %(example)s.", example=written("0.941"))


def parse_amount(text: str | Decimal | int, currency: str) -> Decimal:
    """Parse a user-entered amount, refusing anything that is not a plain positive
    number with at most the currency's decimals (see parse_number for the forms
    accepted). Typed, it has no more decimal places than its currency, zeros
    included: "250.000" for yen or "1.250" for euros is a thousands group read as
    decimals (a European bank's 250,000 recorded as 250), not a harmless zero."""
    if isinstance(text, Decimal | int):
        value = Decimal(text)
        if not value.is_finite():
            raise MoneyError(amount_refusal(currency))
    else:
        value = parse_number(text, lambda: amount_refusal(currency))
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > precision(currency) and value != 0 \
                and abs(value) < max_amount(currency):
            places = precision(currency)
            if not places:
                raise MoneyError(_("%(currency)s amounts have no decimals.", currency=currency))
            raise MoneyError(ngettext("%(currency)s amounts have at most %(count)s decimal place.",
                                      "%(currency)s amounts have at most %(count)s decimal places.",
                                      places, currency=currency, count=places))
    return check_amount(value, currency)


def max_amount(currency: str) -> Decimal:
    """The bound every amount in `currency` stays below (EXCEL_DIGITS)."""
    return min(MAX_AMOUNT, Decimal(1).scaleb(EXCEL_DIGITS - precision(currency)))


def check_amount(value: Decimal, currency: str, *, allow_negative: bool = False) -> Decimal:
    places = precision(currency)
    if value == 0 or (value < 0 and not allow_negative):
        raise MoneyError(_("The amount must be greater than zero."))
    if abs(value) >= max_amount(currency):
        raise MoneyError(_("The amount is too large."))
    # Below MAX_AMOUNT the value fits the context's precision at any currency's decimals;
    # it changes at the currency's decimals only if it has a digit beyond them.
    quantized = value.quantize(quantum(currency))
    if quantized != value:
        raise MoneyError(ngettext("%(currency)s amounts have at most %(count)s decimal place.",
                                  "%(currency)s amounts have at most %(count)s decimal places.",
                                  places, currency=currency, count=places))
    return quantized


def round_cents(value: Decimal) -> Decimal:
    """Half-up to the cent (0.005 -> 0.01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_rate(text: str | Decimal) -> Decimal:
    """An exchange rate: units of currency per 1 US dollar, above zero, at most 6 decimals."""
    value = (Decimal(text) if isinstance(text, Decimal)
             else parse_number(text, rate_refusal))
    if not value.is_finite() or value <= 0:
        raise MoneyError(_("The rate must be greater than zero."))
    if value >= Decimal("1000000000"):
        raise MoneyError(_("The rate is too large."))
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > 6:
        raise MoneyError(_("A rate has at most 6 decimal places."))
    return value


def strip_zeros(value: Decimal) -> Decimal:
    """0.941000 -> 0.941 and 1000000.000000 -> 1000000 (never 1E+6)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def to_usd(amount: Decimal, rate: Decimal) -> Decimal:
    """USD = amount / rate (units per USD), half-up to the cent.
    EUR 1,000,000.00 at 0.941 -> USD 1,062,699.26."""
    if rate <= 0:
        raise MoneyError(_("The rate must be greater than zero."))
    return round_cents(Decimal(amount) / Decimal(rate))


def fee_of(usd_amount: Decimal, fee_rate: Decimal) -> Decimal:
    """The Administrative Agent fee on a deposit's USD amount, half-up to the cent."""
    return round_cents(Decimal(usd_amount) * Decimal(fee_rate))


def split_deposit(amount: Decimal, rate: Decimal, fee_rate: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(usd, fee, net) of a deposit, as stored on it at deposit time."""
    usd = to_usd(amount, rate)
    fee = fee_of(usd, fee_rate)
    return usd, fee, usd - fee


def split_cents(cents: int, weights: list[int]) -> list[int]:
    """Split `cents` in proportion to `weights` (integers >= 0) so that the parts add
    up to `cents` exactly: each part is the floor of cents × weight / Σ weights, then
    the leftover cents go to the largest remainders (ties: first in order). Integer
    arithmetic: exact however large the figures, and quick for thousands of donors."""
    total_weight = sum(weights)
    if not weights or total_weight == 0:
        return [0] * len(weights)
    sign = -1 if cents < 0 else 1
    cents = abs(cents)
    floors, remainders = [], []
    for weight in weights:
        floor, remainder = divmod(cents * weight, total_weight)
        floors.append(floor)
        remainders.append(remainder)
    leftover = cents - sum(floors)
    if leftover:
        # Largest remainder first; a stable sort keeps equal ones in order.
        for i in sorted(range(len(weights)), key=remainders.__getitem__, reverse=True)[:leftover]:
            floors[i] += 1
    return [sign * floor for floor in floors] if sign < 0 else floors


def largest_remainder(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` (to the cent) in proportion to `weights` (>= 0) so that the parts
    add up to `total` exactly (split_cents, on the weights scaled to integers)."""
    total = round_cents(total)
    places = max((-w.as_tuple().exponent for w in weights if w.is_finite()), default=0)
    scaled = [int(Decimal(w).scaleb(max(places, 0))) for w in weights]
    return [Decimal(part) * CENT for part in split_cents(int(total.scaleb(2)), scaled)]


class Money(TypeDecorator):
    """An exact amount with `scale` decimals.

    PostgreSQL stores it as NUMERIC(18, scale). SQLite has no exact decimal type
    (NUMERIC there is a float, and SUM() adds floats), so there the column is a
    64-bit integer of minor units (cents for scale 2): SUM() and UPDATE ... SET
    available = available - :x are then exact on both databases.
    Never compute money with SQL multiplication or division: only +, -, SUM and
    comparisons keep the scaling right.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int = 2):
        super().__init__()
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError(f"{type(self).__name__} never takes a float; pass a Decimal.")
        value = Decimal(value)
        quantized = value.quantize(self._quantum)
        if value != quantized:
            raise MoneyError(f"{value} has more than {self.scale} decimals.")
        if dialect.name == "sqlite":
            return int(quantized.scaleb(self.scale))
        return quantized

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self._quantum)
        return Decimal(value).quantize(self._quantum)

    def result_processor(self, dialect, coltype):
        """On SQLite, Money itself (not a subclass reading values its own way): the
        integer of minor units moved by `scale` places, which gives exactly `scale`
        decimals (what process_result_value's quantize would give) in one call per
        value instead of SQLAlchemy's wrapper and four: a statement or dashboard
        reads thousands of them."""
        if dialect.name != "sqlite" or type(self).process_result_value is not Money.process_result_value:
            return super().result_processor(dialect, coltype)
        exponent = -self.scale

        def process(value):
            return None if value is None else Decimal(int(value)).scaleb(exponent)

        return process

    def coerce_compared_value(self, op, value):
        return self

    @property
    def python_type(self):
        return Decimal

    def __repr__(self) -> str:
        return f"Money({self.scale})"


class MoneyAsRead(Money):
    """The type of a sum or difference of Money(`scale`) columns read as the database
    gives it, for queries that read thousands of them (the dashboards): on SQLite
    Money's integer of minor units moved by `scale` places, on PostgreSQL the NUMERIC
    value itself, which already has the columns' `scale` decimals (NUMERIC(18, scale)
    columns, and their SUM() and differences, keep them), where Money quantizes each
    value again. The same Decimals, digit for digit, without a call per value. Not for
    expressions that may give another scale (a COALESCE with 0, a literal)."""

    cache_ok = True

    def result_processor(self, dialect, coltype):
        if dialect.name == "sqlite":
            return super().result_processor(dialect, coltype)
        return None

    def __repr__(self) -> str:
        return f"MoneyAsRead({self.scale})"


class Rate(Money):
    """An exchange or fee rate with up to 6 decimals (units of currency per USD),
    stored like Money (scaled integers on SQLite) and read back without trailing
    zeros (0.941, not 0.941000)."""

    cache_ok = True

    def __init__(self):
        super().__init__(scale=6)

    def process_result_value(self, value, dialect):
        value = super().process_result_value(value, dialect)
        return None if value is None else strip_zeros(value)

    def __repr__(self) -> str:
        return "Rate()"
