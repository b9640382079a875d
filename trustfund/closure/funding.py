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

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

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
    """The figures of the module's docstring on `on`."""
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


def lines(status: FundingStatus) -> list[Line]:
    """The report's lines, in the Gateway's order (labels in the reader's language)."""
    from flask_babel import gettext as _

    s = status
    return [
        Line("sources", _("Sources of funds"), style="heading"),
        Line("contributions", _("Contributions from donors"), s.contributions),
        Line("interest", _("Interest and investment income"), s.interest),
        Line("other_income", _("Other income"), s.other_income),
        Line("total_sources", _("Total sources of funds"), s.sources, style="total"),
        Line("uses", _("Uses of funds"), style="heading"),
        Line("transfers", _("Transfers: travel support paid (actual costs)"), s.transfers),
        Line("fund_transfers", _("Transfers of balances to other funds"), s.fund_transfers),
        Line("refunds", _("Refunds to donors"), s.refunds),
        Line("fee", _("Administrative Agent fee"), s.fee),
        Line("direct_costs", _("Direct costs"), s.direct_costs),
        Line("bank_charges", _("Bank charges"), s.bank_charges),
        Line("other_uses", _("Other: residual balances not refunded"), s.other_uses),
        Line("total_uses", _("Total uses of funds"), s.uses, style="total"),
        Line("balance", _("Balance with the Administrative Agent"), s.balance, s.percent_of_deposits,
             style="total"),
        Line("committed", _("Committed to approved travel grants"), s.committed),
        Line("balance_of_funds", _("Balance of funds (available for new commitments)"), s.balance_of_funds,
             style="total"),
    ]
