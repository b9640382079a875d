"""UN operational rates of exchange: units of a currency per 1 US dollar, one per
currency per month (DESIGN.md §4). USD itself is always 1."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from .. import currencies
from ..audit import record, snapshot
from ..errors import DomainError, check_version
from ..extensions import db
from ..formatting import month as fmt_month
from ..money import USD
from .models import Commitment, ExchangeRate, Pledge
from .rules import currency_or_error, first_of_month, rate_or_error

ONE = Decimal(1)


def fund_currencies() -> set[str]:
    """The currencies the fund uses: those of its commitments, pledges and rates."""
    return set(db.session.scalars(sa.union(sa.select(Commitment.currency), sa.select(Pledge.currency),
                                           sa.select(ExchangeRate.currency))))


def currency_choices(include_usd: bool = True) -> dict[str, list[tuple[str, str]]]:
    """The fund's currencies first, then every other current ISO 4217 currency, by code
    with the name in the user's language (currencies.grouped_choices)."""
    return currencies.grouped_choices(fund_currencies(), include_usd=include_usd)


def month_label(month: dt.date) -> str:
    return fmt_month(month)


def rate_for(currency: str, on_date: dt.date) -> Decimal | None:
    """The UN operational rate for `currency` in the month of `on_date`, or None
    if the table has none for that month. USD is always 1."""
    if currency == USD:
        return ONE
    return db.session.scalar(sa.select(ExchangeRate.rate).where(
        ExchangeRate.currency == currency, ExchangeRate.month == first_of_month(on_date)))


def set_rate(actor, currency: str, month: dt.date, rate, *, entry: ExchangeRate | None = None,
             version=None) -> ExchangeRate:
    """Set (or correct) the UN operational rate of a currency for a month. A deposit
    keeps the rate it was recorded with: changing the table never changes a deposit.
    Correcting `entry`, the officer's form carries the version it was built from: a
    correction of a rate someone changed since is refused."""
    if entry is not None:
        check_version(entry.version, version)
    currency = currency_or_error(currency)
    if currency == USD:
        raise DomainError(_("The US dollar is always at rate 1; it needs no entry."), field="currency")
    if not isinstance(month, dt.date):
        raise DomainError(_("Choose a month."), field="month")
    month = first_of_month(month)
    if not dt.date(1945, 1, 1) <= month <= dt.date(2100, 12, 1):
        raise DomainError(_("Choose a month between 1945 and 2100."), field="month")
    value = rate_or_error(rate, "rate")
    existing = db.session.scalar(sa.select(ExchangeRate).where(
        ExchangeRate.currency == currency, ExchangeRate.month == month))
    if existing is not None:
        if existing.rate == value:
            return existing
        before = snapshot(existing)
        existing.rate = value
        record(actor, "exchange_rate.update", existing, before=before)
        return existing
    entry = ExchangeRate(currency=currency, month=month, rate=value,
                         created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    record(actor, "exchange_rate.create", entry)
    return entry
