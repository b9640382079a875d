"""The funding status of the fund on any date, in the MPTF Gateway's layout
(DESIGN.md §6a):

    Sources of funds: contributions from donors (deposits in USD, reversals
        included), interest and investment income, other income;
    Uses of funds: transfers (travel support paid: the actual costs of reconciled
        trips), transfers to other funds and refunds to donors at the closing,
        the Administrative Agent fee, direct costs, bank charges, other
        (residual balances not refunded under the waiver);
    Balance with the Administrative Agent = sources − uses, also as a percentage
        of the contributions;
    Balance of funds = that balance less what approved grants hold committed on
        the date: the money free for new commitments (today: the pools' available
        money, to the cent).

Every figure is summed from entries dated on or before the date (SUM over Money
columns, exact on both databases): a date inside closed years gives the same
figures for ever, since nothing may be dated there any more."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import format_percent
from flask_babel import lazy_gettext as _l

from ..clock import today, utc_today
from ..contributions.models import Deposit, InterestEntry
from ..extensions import db
from ..fund.entries import (
    BANK_CHARGE,
    DIRECT_COST,
    FUND_TRANSFER,
    OTHER_INCOME,
    REFUND,
    WAIVED,
    FundEntry,
    PoolClosing,
)
from ..statements.sums import spending
from ..travel.models import APPROVED, CANCELLED, NO_SHOW, TRAVELLED, TravelGrant

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FundingStatus:
    on: dt.date
    contributions: Decimal
    interest: Decimal
    other_income: Decimal
    transfers: Decimal
    fund_transfers: Decimal
    refunds: Decimal
    fee: Decimal
    direct_costs: Decimal
    bank_charges: Decimal
    other_uses: Decimal
    committed: Decimal

    @property
    def sources(self) -> Decimal:
        return self.contributions + self.interest + self.other_income

    @property
    def uses(self) -> Decimal:
        return (self.transfers + self.fund_transfers + self.refunds + self.fee + self.direct_costs
                + self.bank_charges + self.other_uses)

    @property
    def balance(self) -> Decimal:
        """The balance with the Administrative Agent."""
        return self.sources - self.uses

    @property
    def percent_of_deposits(self) -> Decimal | None:
        """The balance as a fraction of the contributions (0.1234 is 12.34%), to 4 places."""
        if not self.contributions:
            return None
        return (self.balance / self.contributions).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    @property
    def balance_of_funds(self) -> Decimal:
        return self.balance - self.committed


def _sum(expression, *where) -> Decimal:
    return db.session.scalar(sa.select(sa.func.sum(expression)).where(*where)) or ZERO


def _by_kind(amount, kind_col, date_col, on: dt.date) -> dict[str, Decimal]:
    return {kind: total or ZERO for kind, total in db.session.execute(
        sa.select(kind_col, sa.func.sum(amount)).where(date_col <= on).group_by(kind_col))}


def funding_status(on: dt.date) -> FundingStatus:
    """The figures of the module's docstring on `on`. On the reader's today (or after),
    everything recorded so far: an approval or a trip's costs recorded this evening in
    New York are of tomorrow in UTC, by which moments are dated, and an entry a reader
    in Tokyo dated their today is of the New York reader's tomorrow, but the pools hold
    them already (found by a colleague's review: today's balance of funds was then
    more than the pools' available money). The report still says `on`."""
    as_of = on
    if on >= today():
        # No value date is after its recorder's today, and no moment after now: the end
        # of UTC's tomorrow is past every zone's today.
        as_of = max(on, utc_today() + dt.timedelta(days=1))
    status = _as_of(as_of)
    return dataclasses.replace(status, on=on)


def _as_of(on: dt.date) -> FundingStatus:
    contributions, fee = db.session.execute(
        sa.select(sa.func.sum(Deposit.usd_amount), sa.func.sum(Deposit.fee))
        .where(Deposit.value_date <= on)).one()
    own = _by_kind(FundEntry.usd_amount, FundEntry.kind, FundEntry.value_date, on)
    closing = _by_kind(PoolClosing.usd_amount, PoolClosing.kind, PoolClosing.decided_on, on)
    # Each pool's spending by then (statements.sums: trips' actual costs, an overrun from the
    # day it was approved, and the fund's direct costs and bank charges), less those costs.
    spent_cents = sum(spending((on,))[on].values())
    costs = own.get(DIRECT_COST, ZERO) + own.get(BANK_CHARGE, ZERO)
    end = dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min)  # timestamps are UTC
    committed = _sum(TravelGrant.committed_amount,
                     TravelGrant.status.in_((APPROVED, TRAVELLED, NO_SHOW, CANCELLED)),
                     TravelGrant.committed_amount > 0, TravelGrant.decided_at < end,
                     sa.or_(TravelGrant.reconciled_at.is_(None), TravelGrant.reconciled_at >= end))
    return FundingStatus(
        on=on, contributions=contributions or ZERO,
        interest=_sum(InterestEntry.usd_amount, InterestEntry.value_date <= on),
        other_income=own.get(OTHER_INCOME, ZERO),
        transfers=Decimal(spent_cents).scaleb(-2) - costs,
        fund_transfers=closing.get(FUND_TRANSFER, ZERO), refunds=closing.get(REFUND, ZERO),
        fee=fee or ZERO, direct_costs=own.get(DIRECT_COST, ZERO), bank_charges=own.get(BANK_CHARGE, ZERO),
        other_uses=closing.get(WAIVED, ZERO), committed=committed)


@dataclass(frozen=True)
class Line:
    """A line of the report as the page and the download show it."""

    key: str
    label: str
    amount: Decimal | None = None
    percent: Decimal | None = None
    style: str = ""  # "heading", "total" or ""


LINE_LABELS = {
    "sources": _l("Sources of funds"),
    "contributions": _l("Contributions from donors"),
    "interest": _l("Interest and investment income"),
    "other_income": _l("Other income"),
    "total_sources": _l("Total sources of funds"),
    "uses": _l("Uses of funds"),
    "transfers": _l("Transfers: travel support paid (actual costs)"),
    "fund_transfers": _l("Transfers of balances to other funds"),
    "refunds": _l("Refunds to donors"),
    "fee": _l("Administrative Agent fee"),
    "direct_costs": _l("Direct costs"),
    "bank_charges": _l("Bank charges"),
    "other_uses": _l("Other: residual balances not refunded"),
    "total_uses": _l("Total uses of funds"),
    "balance": _l("Balance with the Administrative Agent"),
    "committed": _l("Committed to approved travel grants"),
    "balance_of_funds": _l("Balance of funds (not yet committed)"),
}


def lines(status: FundingStatus) -> list[Line]:
    """The report's lines, in the Gateway's order (labels in the reader's language)."""
    s = status
    rows = [("sources", None, None, "heading"), ("contributions", s.contributions, None, ""),
            ("interest", s.interest, None, ""), ("other_income", s.other_income, None, ""),
            ("total_sources", s.sources, None, "total"), ("uses", None, None, "heading"),
            ("transfers", s.transfers, None, ""), ("fund_transfers", s.fund_transfers, None, ""),
            ("refunds", s.refunds, None, ""), ("fee", s.fee, None, ""),
            ("direct_costs", s.direct_costs, None, ""), ("bank_charges", s.bank_charges, None, ""),
            ("other_uses", s.other_uses, None, ""), ("total_uses", s.uses, None, "total"),
            ("balance", s.balance, s.percent_of_deposits, "total"), ("committed", s.committed, None, ""),
            ("balance_of_funds", s.balance_of_funds, None, "total")]
    return [Line(key, str(LINE_LABELS[key]), amount, percent, style) for key, amount, percent, style in rows]


def percent_texts(pairs) -> dict[str, str]:
    """{line key: its percentage as the page and the PDF show it} for the lines that
    have one (`pairs`: key, Decimal fraction or None): two decimals in the reader's
    locale, as the download's cells (0.00%), from the same Decimal (0.1234: 12.34%)."""
    return {key: format_percent(value, "#,##0.00%") for key, value in pairs if value is not None}
