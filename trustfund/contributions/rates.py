"""UN operational rates of exchange: units of a currency per 1 US dollar, one per
currency per month (DESIGN.md §4). USD itself is always 1."""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from .. import cache, clock, currencies
from ..admin.models import RATE_TOLERANCE, setting_on
from ..errors import DomainError, check_version
from ..extensions import db
from ..formatting import month as fmt_month
from ..formatting import percent as fmt_percent
from ..formatting import rate as fmt_rate
from ..fund import periods
from ..fund.entries import ClosingPart
from ..money import USD
from .models import Commitment, Deposit, ExchangeRate, Pledge, RateImport
from .rules import currency_or_error, first_of_month, rate_or_error

ONE = Decimal(1)


def listed(currency: str = ""):
    """The rates as the rates page lists them and its .xlsx writes them (of one
    currency, or all): newest month first, a month's currencies in order."""
    query = (sa.select(ExchangeRate).order_by(ExchangeRate.month.desc(), ExchangeRate.currency)
             # Who set each rate, asked once for the page's rows (the file's name, not its content).
             .options(sa.orm.selectinload(ExchangeRate.proposed_by),
                      sa.orm.selectinload(ExchangeRate.confirmed_by),
                      sa.orm.selectinload(ExchangeRate.rate_file).load_only(RateImport.filename)))
    return query.where(ExchangeRate.currency == currency) if currency else query


def fund_currencies() -> set[str]:
    """The currencies the fund uses: those of its commitments, pledges and rates.
    Kept while the data is unchanged (trustfund.cache): every entry form offers
    them, and at N=100 the union reads some 14,000 rows (3 ms on PostgreSQL)."""
    def compute():
        return frozenset(db.session.scalars(sa.union(
            sa.select(Commitment.currency), sa.select(Pledge.currency),
            sa.select(ExchangeRate.currency))))

    return set(cache.keep(("contributions.fund_currencies",), compute))


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


def currency_rates(currency: str) -> dict[dt.date, Decimal]:
    """Every UN rate of one currency, by month (a few hundred at most: one a month)."""
    return dict(db.session.execute(sa.select(ExchangeRate.month, ExchangeRate.rate)
                                   .where(ExchangeRate.currency == currency)).all())


def nearest_rate(by_month: dict[dt.date, Decimal], month: dt.date, *, other: bool = False,
                 months: list[dt.date] | None = None) -> tuple[dt.date, Decimal] | None:
    """The rate of `month` in `by_month` if it has one (unless `other`: another month's
    only), else the rate of the nearest month that has one (the earlier of two as
    near), or None when there is none. `months`: sorted(by_month), when the caller
    asks for many months of one table."""
    month = first_of_month(month)
    if not other and month in by_month:
        return month, by_month[month]
    months = sorted(by_month) if months is None else months
    at = bisect_left(months, month)
    before = months[at - 1] if at > 0 else None
    if at < len(months) and months[at] == month:
        at += 1
    after = months[at] if at < len(months) else None
    if before is None and after is None:
        return None
    if after is None or (before is not None and _months_apart(before, month) <= _months_apart(month, after)):
        return before, by_month[before]
    return after, by_month[after]


def rate_tolerance() -> Decimal:
    """How far a typed rate may be from the UN rate it is checked against, as a
    fraction of that rate (the admin's setting, changed by two administrators)."""
    return setting_on(RATE_TOLERANCE, clock.today())


def rate_range(reference: Decimal, tolerance: Decimal) -> tuple[Decimal, Decimal]:
    """The rates within `tolerance` of `reference`, as rates are written (6 decimals):
    the lowest rounded up and the highest rounded down, so that both are allowed."""
    places = Decimal("0.000001")
    low = (reference * (1 - tolerance)).quantize(places, ROUND_CEILING)
    high = (reference * (1 + tolerance)).quantize(places, ROUND_FLOOR)
    return max(low, places), high


def too_far(value: Decimal, reference: Decimal, tolerance: Decimal) -> bool:
    """Whether a rate is further than `tolerance` (a fraction) from `reference`."""
    return abs(value - reference) > reference * tolerance


def too_far_message(kind: str, currency: str, month: dt.date, near: dt.date, reference: Decimal,
                    tolerance: Decimal) -> str:
    """Why a typed rate is refused: how far it may be, and from which UN rate. `kind`:
    "deposit" (checked against the UN rate of the deposit's month, or the nearest
    month's when its month has none) or "table" (a UN rate, against the nearest
    other month's)."""
    low, high = rate_range(reference, tolerance)
    values = {"currency": currency, "month": month_label(month), "near": month_label(near),
              "reference": fmt_rate(reference), "tolerance": fmt_percent(tolerance),
              "low": fmt_rate(low), "high": fmt_rate(high)}
    check = _("Check the rate: a larger difference takes a larger tolerance, which two administrators "
              "set.")
    if kind == "table":
        said = _("The nearest month with a rate for %(currency)s, %(near)s, is at %(reference)s: a month's "
                 "UN rate may differ from it by at most %(tolerance)s, from %(low)s to %(high)s.", **values)
        check = _("Check this rate and that month's: a larger difference takes a larger tolerance, which two "
                  "administrators set.")
    elif near == first_of_month(month):
        said = _("The UN operational rate for %(month)s is %(reference)s: a deposit's rate may differ from "
                 "it by at most %(tolerance)s, from %(low)s to %(high)s.", **values)
    else:
        said = _("There is no UN operational rate for %(currency)s in %(month)s; the nearest, for "
                 "%(near)s, is %(reference)s: a deposit's rate may differ from it by at most "
                 "%(tolerance)s, from %(low)s to %(high)s.", **values)
        check = _("Check the rate, or add the UN rate of %(month)s to the exchange rates: the deposit's rate "
                  "is then checked against it.", month=values["month"])
    return f"{said} {check}"


def un_rate_near(currency: str, value_date: dt.date, table: Decimal | None) -> tuple[dt.date, Decimal] | None:
    """The UN rate a deposit's typed rate is checked against: its month's (`table`), else
    the nearest month's (one statement), else None (the currency has no UN rate)."""
    if table is not None:
        return first_of_month(value_date), table
    return nearest_rate(currency_rates(currency), value_date)


def no_un_rate_yet_message(currency: str, value_date: dt.date) -> str:
    """Why a deposit in a currency without any UN rate waits: nothing to check its rate against."""
    return _("There is no UN operational rate for %(currency)s yet, and a deposit's rate is held to one. "
             "Propose the UN rate of %(month)s on the exchange rates page: once another MPTF officer "
             "confirms it, the deposit can be recorded.", currency=currency, month=month_label(value_date))


def require_near_un_rate(currency: str, value_date: dt.date, value: Decimal,
                         near: tuple[dt.date, Decimal] | None, tolerance: Decimal) -> None:
    """A deposit's typed rate is refused when it is further than the tolerance from
    `near` (un_rate_near): a mistyped rate (0.0001 for 0.941) would credit its pool
    ten thousand times the dollars. A currency without any UN rate has nothing to check
    it against: its first UN rate is set by two MPTF officers (rate_changes) before any
    deposit in it, so no officer alone decides the dollars a deposit credits."""
    if near is None:
        raise DomainError(no_un_rate_yet_message(currency, value_date), field="rate")
    if too_far(value, near[1], tolerance):
        raise DomainError(too_far_message("deposit", currency, value_date, near[0], near[1], tolerance),
                          field="rate")


def require_near_other_months(currency: str, month: dt.date, value: Decimal,
                              near: tuple[dt.date, Decimal] | None, tolerance: Decimal) -> None:
    """A month's UN rate is refused when it is further than the tolerance from `near`,
    the nearest other month's rate of its currency (nearest_rate(..., other=True)): a
    mistyped rate (0.0941 for 0.941) would otherwise become the rate every deposit of
    that month takes without a note. The first rate of a currency has nothing to be
    compared with."""
    if near is not None and too_far(value, near[1], tolerance):
        raise DomainError(too_far_message("table", currency, month, near[0], near[1], tolerance),
                          field="rate")


def require_open_month(month: dt.date, require_open=None) -> None:
    """A closed year's rates stay as they were when it closed: its figures in US dollars
    (the pledges' and commitments' of its months) were reported with them. So does a
    year before the first closed one (fund.periods.require_open, or the `require_open`
    of periods.open_checker() for a file's many rows)."""
    try:
        (require_open or periods.require_open)(month, field="month")
    except DomainError:
        raise DomainError(_("%(month)s is in or before a closed year: its rates stay as they were, since "
                            "the year's figures in US dollars were reported with them.",
                            month=month_label(first_of_month(month))), field="month") from None


def refund_months(currencies: set[str]) -> set[tuple[str, dt.date]]:
    """The (currency, first of month) whose UN rate converts a payment the fund's
    closing decided (a donor's part of a pool: closure.refunds.equivalent)."""
    if not currencies:
        return set()
    return {(currency, first_of_month(on)) for currency, on in db.session.execute(
        sa.select(ClosingPart.currency, ClosingPart.value_date).distinct()
        .where(ClosingPart.currency.in_(sorted(currencies))))}


def refund_rate_refusal(currency: str, month: dt.date, rate: Decimal) -> DomainError:
    return DomainError(_("The %(currency)s rate of %(month)s, %(rate)s, converts refunds decided at the "
                         "fund's closing, which two SRSG staff members confirmed in that currency: it "
                         "stays as it was.", currency=currency, month=month_label(month),
                         rate=fmt_rate(rate)), field="rate")


def require_no_refund_at(currency: str, month: dt.date, rate: Decimal) -> None:
    """A rate that converts a closing's refund stays as it was: the payment in the
    donor's currency was decided with it (a correction would change the instruction
    after its confirmation). A missing month's rate may still be added."""
    if (currency, first_of_month(month)) in refund_months({currency}):
        raise refund_rate_refusal(currency, month, rate)


@dataclass(frozen=True, slots=True)
class RateChange:
    """What setting a rate will write, every check made (checked_rate): `target` is the
    row it changes (the one corrected, or the month's rate), None for a new month;
    `unchanged` when the month already has that very rate."""

    currency: str
    month: dt.date
    rate: Decimal
    target: ExchangeRate | None
    unchanged: bool


def checked_rate(currency: str, month: dt.date, rate, *, entry: ExchangeRate | None = None,
                 version=None, adding: bool = False, others_checked: bool = False) -> RateChange:
    """Setting (or correcting) the UN operational rate of a currency for a month, every
    check made, nothing written (confirmed.set_rate writes it; rate_changes.propose keeps it for
    a second MPTF officer). Correcting `entry`, the officer's form carries the version
    it was built from: a correction of a rate someone changed since is refused; a rate
    entered under the wrong currency or month moves to the right one. `adding` (the form
    "Add a rate") never replaces a month's rate with another: that month's rate is
    corrected on its own form, against the version its officer saw. A rate further than
    the admin's tolerance from the nearest other month's is refused
    (require_near_other_months); `others_checked`: an import checked every row so
    against the table before the file (rate_import.plan_rates)."""
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
    for changed in {month, entry.month if entry is not None else month}:
        require_open_month(changed)
    # Read in the user's locale only: the correction form shows the rate as the locale
    # writes it, and "1.345" typed by a Spanish officer correcting a rate may well mean 1345.
    value = rate_or_error(rate, "rate")
    existing = db.session.scalar(sa.select(ExchangeRate).where(
        ExchangeRate.currency == currency, ExchangeRate.month == month))
    if (entry is not None and existing is not entry and existing is not None) or (
            adding and existing is not None and existing.rate != value):
        # A rate entered under the wrong currency or month moves to the right one (the
        # wrong month has no rate afterwards, as before the mistake), and a new rate is
        # added; never over another month's rate, which is corrected on its own.
        raise DomainError(_("%(month)s already has a %(currency)s rate, %(rate)s: correct that one.",
                            month=month_label(month), currency=currency, rate=fmt_rate(existing.rate)),
                          field="month")
    target = entry if entry is not None and existing is not entry else existing
    if target is not None and target is existing and existing.rate == value:
        return RateChange(currency, month, value, target, unchanged=True)
    if target is not None:
        require_no_refund_at(target.currency, target.month, target.rate)
    if not others_checked:
        others = currency_rates(currency)
        if entry is not None and entry.currency == currency:
            others.pop(entry.month, None)  # the rate being corrected is no reference
        require_near_other_months(currency, month, value, nearest_rate(others, month, other=True),
                                  rate_tolerance())
    return RateChange(currency, month, value, target, unchanged=False)


@dataclass(frozen=True, slots=True)
class MissingMonths:
    """Months without a UN rate for a currency in use, as runs of consecutive months."""

    currency: str
    runs: tuple[tuple[dt.date, dt.date], ...]

    @property
    def count(self) -> int:
        return sum((end.year - start.year) * 12 + end.month - start.month + 1 for start, end in self.runs)


def _months(first: dt.date, last: dt.date):
    month = first_of_month(first)
    while month <= last:
        yield month
        month = (month.replace(year=month.year + 1, month=1) if month.month == 12
                 else month.replace(month=month.month + 1))


def missing_months(today: dt.date) -> list[MissingMonths]:
    """For each currency in use (but the dollar), the months a deposit in it was or may
    yet be valued in that have no UN rate: from the month of its first pledge or
    commitment, up to this month while a commitment or a pledge in force in it has
    something outstanding, else up to its last deposit's month; never a month of a
    closed year, whose rates stay as they were. Kept while the data
    is unchanged (cache.keep: four statements over every commitment, pledge and
    deposit, at each view of the rates page)."""
    return cache.keep(("rates.missing_months", today), lambda: _missing_months(today))


def _missing_months(today: dt.date) -> list[MissingMonths]:
    first = {}
    earliest = [sa.select(model.currency, sa.func.min(column)).group_by(model.currency)
                for model, column in ((Commitment, Commitment.committed_on), (Pledge, Pledge.pledged_on))]
    for currency, day in db.session.execute(sa.union_all(*earliest)):
        if currency != USD and day is not None:
            first[currency] = min(day, first.get(currency, day))
    if not first:
        return []
    open_currencies = set(db.session.scalars(sa.union(
        sa.select(Commitment.currency).where(Commitment.open_condition()),
        sa.select(Pledge.currency).where(Pledge.open_condition()))))
    last_deposit = dict(db.session.execute(sa.select(Deposit.currency, sa.func.max(Deposit.value_date))
                                           .where(Deposit.currency.in_(sorted(first)))
                                           .group_by(Deposit.currency)).all())
    # A closed year's months are left as they closed (require_open_month): none is listed.
    closed = periods.last_closed_year()
    if closed is not None:
        first = {currency: max(day, dt.date(closed + 1, 1, 1)) for currency, day in first.items()}
    have = {(currency, month) for currency, month in db.session.execute(
        sa.select(ExchangeRate.currency, ExchangeRate.month).where(ExchangeRate.currency.in_(sorted(first))))}
    found = []
    for currency in sorted(first):
        last = today if currency in open_currencies else last_deposit.get(currency)
        if last is None:
            continue
        runs: list[list[dt.date]] = []
        for month in _months(first[currency], min(last, today)):
            if (currency, month) in have:
                continue
            if runs and _months_apart(runs[-1][1], month) == 1:
                runs[-1][1] = month
            else:
                runs.append([month, month])
        if runs:
            found.append(MissingMonths(currency, tuple((start, end) for start, end in runs)))
    return found


def _months_apart(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month
