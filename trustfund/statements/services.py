"""Donor statements, the donor portal's figures, and every donor's balance.

A statement covers a period [from, to] (default: the fund's start, 3 April 2017,
to today) and says, in USD:

    opening balance   = the donor's balance on the day before `from`
    + net deposits    = the net (USD − fee) of its deposits with a value date in
                        the period, reversals included (negative)
    − share of spending in the period, per pool
    − returned at the fund's closing = its balance in each pool refunded to it
                        (or transferred to another fund on its behalf) in the period
    = closing balance = the donor's balance on `to`

where a donor's balance on a day is its net deposits up to that day minus its
share of the fund's spending up to that day. How spending is shared (largest
remainder over cumulative net deposits per pool; transfers; why interest belongs
to no donor) is the rule of trustfund/statements/shares.py. The closing balance
is computed from the database on its own (not as opening + movements), so the
identity opening + movements = closing is a check, not a definition.

Commitments are in their own currency and do not enter the USD balance: the
statement lists those made up to `to`, with what was deposited against each by
`to` and what was still outstanding then.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ..cache import keep
from ..clock import today
from ..contributions.models import Commitment, Deposit, Pledge, Pool
from ..contributions.pools import all_pools
from ..contributions.queries import reversal_partners
from ..donors.models import Donor
from ..errors import DomainError
from ..extensions import db
from ..formatting import date as fmt_date
from ..fund.entries import ClosingPart, PoolClosing, WriteOff
from ..fund.status import current_fund, fund_heading
from ..paging import Pager
from ..read_only import per_request
from .shares import ZERO, positions, usd
from .sums import counts_all_so_far

FUND_START = dt.date(2017, 4, 3)
FUND_END = dt.date(2018, 12, 31)


def _fund_record():
    """The fund's record (None in a database without its reference data), read once per
    reading request (the period form's words, the period and the heading ask)."""
    return per_request("statements.fund", current_fund)


def fund_start() -> dt.date:
    """The fund's start as its record holds it (FUND_START without the record)."""
    fund = _fund_record()
    return fund.start_on if fund is not None else FUND_START


def statement_heading() -> str:
    """The statement's and the closure documents' first line: the fund's name in the
    reader's language (as an admin corrected it on the fund's page), its
    Administrative Agent and its code, from the fund's record (fund.status.fund_heading)."""
    return fund_heading(_fund_record())


def period_or_error(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """The statement period, with the defaults: the fund's start to today."""
    date_from = date_from or fund_start()
    date_to = date_to or max(today(), date_from)
    if date_from > date_to:
        raise DomainError(_("The period must end on or after the day it starts."), field="date_to")
    if date_from.year < 1990 or date_to.year > 2100:
        raise DomainError(_("Choose dates between 1990 and 2100."), field="date_from")
    return date_from, date_to


@dataclass
class CommitmentLine:
    commitment: Commitment
    deposited: Decimal  # in the commitment's currency, value dates up to the line's date
    deposited_in_period: Decimal = Decimal(0)
    written_off: Decimal = Decimal(0)  # write-offs dated up to the line's date

    @property
    def outstanding(self) -> Decimal:
        """Neither deposited nor written off (as Commitment.outstanding)."""
        return self.commitment.amount - self.deposited - self.written_off


@dataclass
class ShareLine:
    """A pool in the statement: its spending and the donor's share of it."""

    pool: Pool
    spending_in_period: Decimal
    spending_to_date: Decimal       # up to `to`
    donor_weight: Decimal           # the donor's net deposits in the pool on `to` (after transfers)
    total_weight: Decimal           # every donor's, on `to`
    share_opening: Decimal          # the donor's share to date on the day before `from`
    share_closing: Decimal          # ... on `to`
    unattributed_in_period: Decimal  # spending in the period no donor bears (interest-funded)

    @property
    def share_in_period(self) -> Decimal:
        return self.share_closing - self.share_opening


@dataclass
class DepositPage(Pager):
    """One page of a statement's deposits (the screen shows the period's deposits
    page by page; the print view and the .xlsx hold them all). The attributes the
    pager macro reads are those of Flask-SQLAlchemy's Pagination."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def first(self) -> int:
        return min((self.page - 1) * self.per_page + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)


@dataclass
class Statement:
    donor: Donor
    date_from: dt.date
    date_to: dt.date
    opening: Decimal
    closing: Decimal
    commitments: list[CommitmentLine]
    deposits: list[Deposit]         # every deposit of the period, or one page of them
    shares: list[ShareLine]
    amounts_by_currency: dict[str, Decimal] = field(default_factory=dict)
    # Over every deposit of the period, whether `deposits` holds them all or one page:
    usd_in_period: Decimal = ZERO
    fees_in_period: Decimal = ZERO
    net_in_period: Decimal = ZERO
    deposit_count: int = 0
    page: DepositPage | None = None  # which deposits are shown, when only one page is
    # The fund's closing: the donor's parts of the pools' closing decisions in the period.
    closing_parts: list[ClosingPart] = field(default_factory=list)
    # {deposit id: (id, value date) of the other entry of its reversal} for the deposits
    # shown that reverse or were reversed (contributions.queries.reversal_partners).
    partners: dict[int, tuple[int, dt.date]] = field(default_factory=dict)
    # Spending in the period no donor bears, over every pool (those of `shares` and the
    # others): a figure of the fund, not of any donor.
    unattributed_in_period: Decimal = ZERO

    @property
    def opening_date(self) -> dt.date:
        """The day of the opening balance: the day before the period starts."""
        return self.date_from - dt.timedelta(days=1)

    @property
    def share_in_period(self) -> Decimal:
        return sum((s.share_in_period for s in self.shares), ZERO)

    @property
    def returned_in_period(self) -> Decimal:
        """The part of its balance the fund's closing returned in the period."""
        return sum((part.balance for part in self.closing_parts), ZERO)

    @property
    def refunded_in_period(self) -> Decimal:
        """What the closing paid or transferred for it, its part of the income included."""
        return sum((part.usd_amount for part in self.closing_parts), ZERO)

    @property
    def movements(self) -> Decimal:
        return self.net_in_period - self.share_in_period - self.returned_in_period


def _deposited_by_commitment(donor_id: int, since: dt.date, until: dt.date
                             ) -> dict[int, tuple[Decimal, Decimal]]:
    """{commitment_id: (deposited up to `until`, deposited in [since, until])}, in the
    commitments' currencies: one GROUP BY, kept while the data is unchanged (a copy:
    the kept value is shared by the worker's requests)."""
    def compute():
        query = (sa.select(Deposit.commitment_id, sa.func.sum(Deposit.amount),
                           sa.func.sum(sa.case((Deposit.value_date >= since, Deposit.amount))))
                 .where(Deposit.donor_id == donor_id, Deposit.value_date <= until)
                 .group_by(Deposit.commitment_id))
        return tuple((cid, (total or Decimal(0), in_period or Decimal(0)))
                     for cid, total, in_period in db.session.execute(query))

    return dict(keep(("statement.deposited", donor_id, since, until), compute))


def _written_off_by_commitment(donor_id: int, until: dt.date) -> dict[int, Decimal]:
    """{commitment_id: written off by `until`}, in the commitments' currencies (the
    write-offs of the fund's closing, by their dates); kept while the data is unchanged."""
    def compute():
        query = (sa.select(WriteOff.commitment_id, sa.func.sum(WriteOff.amount))
                 .join(Commitment, Commitment.id == WriteOff.commitment_id)
                 .where(Commitment.donor_id == donor_id, WriteOff.written_off_on <= until)
                 .group_by(WriteOff.commitment_id))
        return tuple((cid, total) for cid, total in db.session.execute(query))

    return dict(keep(("statement.written_off", donor_id, until), compute))


def commitment_name(commitment) -> str:
    """A commitment as its donor knows it: its reference, or the day it was made (its
    number in Trustfund means nothing to a donor). The statement's and the portal's
    pages (a template global) and their .xlsx."""
    return commitment.reference or _("Commitment of %(date)s", date=fmt_date(commitment.committed_on))


def with_reversal_dates():
    """Loader options for a list of a donor's deposits where each row says whether it
    reverses or was reversed, and when (the portal's page, the donor's .xlsx): both
    sides joined (a deposit has at most one reversal), not a query per row, and of them
    only the value date the row shows."""
    other = (Deposit.id, Deposit.value_date, Deposit.reverses_id)
    return (joinedload(Deposit.reversed_by).load_only(*other), joinedload(Deposit.reverses).load_only(*other))


def donor_deposits_query(donor_id: int, date_from: dt.date | None = None,
                         date_to: dt.date | None = None, *, newest_first: bool = False,
                         related: bool = True):
    """The donor's deposits and reversals, by value date (oldest first, as in the
    statement; newest first, as in the portal); each with its pool, objective and
    commitment joined, unless `related` is false: for a caller that has read the
    pools and the donor's commitments in the session already, where each deposit
    finds its own without a join (a many-to-one by primary key asks nothing)."""
    order = (Deposit.value_date.desc(), Deposit.id.desc()) if newest_first else \
        (Deposit.value_date, Deposit.id)
    query = sa.select(Deposit).where(Deposit.donor_id == donor_id).order_by(*order)
    if related:
        query = query.options(joinedload(Deposit.pool).joinedload(Pool.objective),
                              joinedload(Deposit.commitment))
    if date_from is not None:
        query = query.where(Deposit.value_date >= date_from)
    if date_to is not None:
        query = query.where(Deposit.value_date <= date_to)
    return query


def donor_pledges(donor_id: int) -> list[Pledge]:
    """The donor's pledges, oldest first, with their objective: what it announced, what
    it committed against each, and what is still pledged (the portal and its .xlsx)."""
    return list(db.session.scalars(
        sa.select(Pledge).where(Pledge.donor_id == donor_id).options(joinedload(Pledge.objective))
        .order_by(Pledge.pledged_on, Pledge.id)))


def donor_commitments(donor_id: int, until: dt.date | None = None, *, instalments: bool = True
                      ) -> list[Commitment]:
    """The donor's commitments made up to `until`, oldest first, with their objective
    (and their instalments, unless `instalments` is false: a statement lists none)."""
    query = (sa.select(Commitment).where(Commitment.donor_id == donor_id)
             .options(joinedload(Commitment.objective))
             .order_by(Commitment.committed_on, Commitment.id))
    if instalments:
        query = query.options(selectinload(Commitment.instalments))
    if until is not None:
        query = query.where(Commitment.committed_on <= until)
    return list(db.session.scalars(query))


def closing_parts(donor_id: int, date_from: dt.date | None = None, date_to: dt.date | None = None
                  ) -> list[ClosingPart]:
    """The donor's parts of the pools' closing decisions (refunds, transfers to other
    funds, waived residuals), by date."""
    query = (sa.select(ClosingPart).where(ClosingPart.donor_id == donor_id)
             .options(joinedload(ClosingPart.closing).joinedload(PoolClosing.pool).joinedload(Pool.objective))
             .order_by(ClosingPart.value_date, ClosingPart.id))
    if date_from is not None:
        query = query.where(ClosingPart.value_date >= date_from)
    if date_to is not None:
        query = query.where(ClosingPart.value_date <= date_to)
    return list(db.session.scalars(query))


def _deposit_totals(donor_id: int, date_from: dt.date, date_to: dt.date):
    """(count, {currency: amount}, usd, fee, net) of the donor's deposits in the
    period, reversals included: SUM over Money columns, exact on both databases; kept
    while the data is unchanged."""
    rows = keep(("statement.deposit_totals", donor_id, date_from, date_to), lambda: tuple(
        tuple(row) for row in db.session.execute(
            sa.select(Deposit.currency, sa.func.count(Deposit.id), sa.func.sum(Deposit.amount),
                      sa.func.sum(Deposit.usd_amount), sa.func.sum(Deposit.fee), sa.func.sum(Deposit.net))
            .where(Deposit.donor_id == donor_id, Deposit.value_date >= date_from,
                   Deposit.value_date <= date_to)
            .group_by(Deposit.currency))))
    count = sum(row[1] for row in rows)
    by_currency = dict(sorted((row[0], row[2]) for row in rows))
    usd, fee, net = (sum((row[i] for row in rows), ZERO) for i in (3, 4, 5))
    return count, by_currency, usd, fee, net


def statement(donor: Donor, date_from: dt.date | None = None, date_to: dt.date | None = None,
              *, page: int | None = None, per_page: int = 100) -> Statement:
    """The donor's statement for the period (see the module's docstring for the rule).
    With `page`, `deposits` holds only that page of the period's deposits (the last
    page when `page` is beyond it); every figure is still over the whole period."""
    date_from, date_to = period_or_error(date_from, date_to)
    day_before = date_from - dt.timedelta(days=1)
    before, after = positions(day_before, date_to)

    count, by_currency, usd_total, fee_total, net_total = _deposit_totals(donor.id, date_from, date_to)
    deposited = _deposited_by_commitment(donor.id, date_from, date_to)
    nothing = (Decimal(0), Decimal(0))
    written_off = _written_off_by_commitment(donor.id, date_to)
    commitments = [CommitmentLine(c, *deposited.get(c.id, nothing),
                                  written_off=written_off.get(c.id, Decimal(0)))
                   for c in donor_commitments(donor.id, date_to, instalments=False)]
    pools = all_pools()  # with the commitments above: what the deposits below refer to

    query = donor_deposits_query(donor.id, date_from, date_to, related=False)
    shown = None
    if page is not None:
        shown = DepositPage(1, per_page, count)
        shown.page = min(max(page, 1), shown.pages)
        query = query.limit(per_page).offset((shown.page - 1) * per_page)
    deposits = list(db.session.scalars(query))

    shares = []
    unattributed = ZERO
    for pool in pools:
        start, end = before.pools.get(pool.id), after.pools.get(pool.id)
        if start is None and end is None:
            continue
        spent_start = start.spending if start else ZERO
        spent_end = end.spending if end else ZERO
        line = ShareLine(
            pool=pool,
            spending_in_period=spent_end - spent_start,
            spending_to_date=spent_end,
            donor_weight=end.weight_of(donor.id) if end else ZERO,
            total_weight=end.total_weight if end else ZERO,
            share_opening=start.share_of(donor.id) if start else ZERO,
            share_closing=end.share_of(donor.id) if end else ZERO,
            unattributed_in_period=(end.unattributed if end else ZERO)
            - (start.unattributed if start else ZERO),
        )
        unattributed += line.unattributed_in_period
        # Only the pools the donor has (or had) money in: a pool it never had a cent in
        # says nothing of its money, and its "all donors' net deposits" would be, where one
        # other donor funds it, that donor's own figure (a colleague's review).
        if line.donor_weight or line.share_opening or line.share_closing:
            shares.append(line)

    return Statement(
        donor=donor, date_from=date_from, date_to=date_to,
        opening=before.balance(donor.id), closing=after.balance(donor.id),
        commitments=commitments, deposits=deposits, shares=shares,
        amounts_by_currency=by_currency, usd_in_period=usd_total, fees_in_period=fee_total,
        net_in_period=net_total, deposit_count=count, page=shown,
        closing_parts=closing_parts(donor.id, date_from, date_to),
        partners=reversal_partners(deposits), unattributed_in_period=unattributed,
    )


# --- Every donor's balance (staff) ---------------------------------------------

@dataclass
class BalanceLine:
    donor_id: int
    name: str
    opening: Decimal
    net_in_period: Decimal
    share_in_period: Decimal
    closing: Decimal
    returned_in_period: Decimal = ZERO


def balances(date_from: dt.date | None = None, date_to: dt.date | None = None
             ) -> tuple[dt.date, dt.date, list[BalanceLine]]:
    """Every donor's opening balance, net deposits and share of spending in the
    period, and closing balance: the figures of each donor's statement."""
    date_from, date_to = period_or_error(date_from, date_to)
    before, after = positions(date_from - dt.timedelta(days=1), date_to)
    # Each donor's figures from the positions' dictionaries of cents (Position.balance()
    # and share(), inlined: 5,000 donors), made USD once per figure.
    net_before, net_after = before.net_cents, after.net_cents
    share_before, share_after = before.shares_cents, after.shares_cents
    back_before, back_after = before.returned_cents, after.returned_cents
    lines = []
    for donor_id, name in db.session.execute(sa.select(Donor.id, Donor.name).order_by(Donor.name)):
        opening_net, closing_net = net_before.get(donor_id, 0), net_after.get(donor_id, 0)
        opening_share, closing_share = share_before.get(donor_id, 0), share_after.get(donor_id, 0)
        opening_back, closing_back = back_before.get(donor_id, 0), back_after.get(donor_id, 0)
        lines.append(BalanceLine(donor_id, name, usd(opening_net - opening_share - opening_back),
                                 usd(closing_net - opening_net), usd(closing_share - opening_share),
                                 usd(closing_net - closing_share - closing_back),
                                 usd(closing_back - opening_back)))
    return date_from, date_to, lines


BALANCE_FIGURES = ("opening", "net_in_period", "share_in_period", "returned_in_period", "closing")


def balance_sheet(date_from: dt.date | None = None, date_to: dt.date | None = None
                  ) -> tuple[dt.date, dt.date, list[BalanceLine], dict[str, Decimal]]:
    """balances() and the sum of each figure over every donor, kept per worker while
    the data is unchanged (trustfund.cache: any change of the data, donors'
    names too, changes the data version). The page shows a hundred donors of 5,000
    at a time: without this, each view would build every donor's line again (and
    its garbage, whose collection was most of the page's slowest times). Do not
    change the lists returned."""
    date_from, date_to = period_or_error(date_from, date_to)

    def compute():
        lines = balances(date_from, date_to)[2]
        return lines, {name: sum((getattr(line, name) for line in lines), ZERO)
                       for name in BALANCE_FIGURES}

    # Kept apart, as the positions beneath are (shares.positions), for the readers to
    # whom the period's ends are today or later and those to whom they have passed: a
    # sheet kept for a reader in New York showed a reader in UTC another closing balance
    # than his statement's (a colleague's review).
    opening = date_from - dt.timedelta(days=1)
    lines, totals = keep(("statements.balance_sheet", date_from, date_to, counts_all_so_far(opening),
                          counts_all_so_far(date_to)), compute)
    return date_from, date_to, lines, totals
