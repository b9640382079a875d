"""Pure rules of the contributions ledger: reading amounts and rates the way an
officer types them (with translated refusals), months, and overdue instalments."""
from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from flask_babel import gettext as _

from ..errors import DomainError
from ..money import (
    MoneyError,
    check_amount,
    is_currency,
    parse_amount,
    parse_number,
    parse_rate,
    precision,
)
from ..validation import too_long

# Room for a 100-character bank reference that NFKC and case folding lengthen.
REFERENCE_KEY_LENGTH = 300


def _visible(text: str) -> str:
    """`text` without the invisible format characters a text field lets through (the
    direction marks pasted from a right-to-left document: money.DIRECTION_MARKS)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def reference_key(bank_reference: str | None) -> str | None:
    """A bank reference as compared for "no deposit twice": NFKC (a full-width "ＳＥＢ"
    is "SEB"), case-folded, without any white space or direction mark, so that " seb
    2018/77", "SEB2018/77" and the same pasted from an Arabic bank advice with a
    right-to-left mark are one transfer. None for no reference."""
    text = _visible(unicodedata.normalize("NFKC", bank_reference or "").casefold())
    return "".join(text.split()) or None


def commitment_key(reference: str | None) -> str | None:
    """A commitment's reference as imports and the uniqueness rule compare it: NFKC (a
    full-width "ＳＥ-2017" is "SE-2017"), without direction marks, and case-folded in
    Python, the same on every database (SQLite's lower() folds ASCII letters only,
    PostgreSQL's follows the server's locale). None for no reference."""
    return _visible(unicodedata.normalize("NFKC", reference or "")).strip().casefold() or None


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def currency_or_error(code: str | None, field: str = "currency") -> str:
    code = (code or "").strip().upper()
    if not is_currency(code):
        raise DomainError(_("Choose a currency from the list."), field=field)
    return code


def _has_fraction(value, currency: str) -> bool:
    """Whether a refused amount was refused for its decimals in a currency without any."""
    try:
        number = value if isinstance(value, Decimal) else parse_number(str(value), "")
    except MoneyError:
        return False
    return number.is_finite() and number > 0 and number != number.to_integral_value()


def amount_or_error(value: str | Decimal | int | None, currency: str, field: str = "amount") -> Decimal:
    """A positive amount in `currency` with no more decimals than the currency has
    (money.parse_amount's rule), refused beside `field` with money's own message."""
    try:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise DomainError(_("Enter an amount."), field=field)
        return parse_amount(value, currency)
    except MoneyError as error:
        if precision(currency) == 0 and _has_fraction(value, currency):
            message = _("%(currency)s amounts have no decimals.", currency=currency)
        else:
            message = str(error)
        raise DomainError(message, field=field) from None


def usd_or_error(value, field: str = "usd_amount") -> Decimal:
    return amount_or_error(value, "USD", field)


def rate_or_error(value: str | Decimal | None, field: str = "rate", known: Decimal | None = None) -> Decimal:
    """A UN operational rate: units of currency per 1 USD, above zero, at most 6 decimals.
    `known`: the month's UN rate, on a deposit: a text that is that rate in the plain
    form ("1.345", as the UN's tables print it) is that rate, whatever the user's
    locale makes of it (Spanish reads "1.345" as 1345, a thousand times the UN's)."""
    if value is None or str(value).strip() == "":
        raise DomainError(_("Enter the rate."), field=field)
    if known is not None and isinstance(value, str) and _plain(value) == known:
        return known
    try:
        return parse_rate(value)
    except MoneyError as error:
        raise DomainError(str(error), field=field) from None


def _plain(text: str) -> Decimal | None:
    """A number written with digits and a decimal point only ("1.345"), else None."""
    text = text.strip()
    if not text or not set(text) <= set("0123456789.") or text.count(".") > 1:
        return None
    return Decimal(text) if any(c.isdigit() for c in text) else None


def negate(value: Decimal, currency: str) -> Decimal:
    """The opposite amount, kept at the currency's precision (for reversals)."""
    return check_amount(-value, currency, allow_negative=True)


def text_or_error(value: str | None, field: str, message: str, max_length: int = 2000) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, field=field)
    if len(text) > max_length:
        raise DomainError(too_long(max_length), field=field)
    return text


def overdue_instalments(instalments, settled: Decimal, on: dt.date) -> list:
    """The instalments overdue on `on`: due before that day while what the commitment
    has settled (`settled`: deposited or written off, Commitment.settled; a write-off
    counts like a deposit, against the instalments in order of due date) is below the
    cumulative amount due up to that instalment. `instalments` are objects with due_on
    and amount, in any order."""
    overdue = []
    cumulative = Decimal(0)
    for instalment in sorted(instalments, key=lambda i: (i.due_on, getattr(i, "id", 0) or 0)):
        cumulative += instalment.amount
        if instalment.due_on < on and settled < cumulative:
            overdue.append(instalment)
    return overdue


def overdue_amount(instalments, settled: Decimal, on: dt.date) -> Decimal:
    """How much of what was due before `on` has been neither deposited nor written off
    (`settled`, as in overdue_instalments)."""
    due = sum((i.amount for i in instalments if i.due_on < on), Decimal(0))
    return max(due - settled, Decimal(0))
