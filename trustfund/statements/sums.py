"""The sums a position is computed from (statements.shares): net deposits per pool
and donor on each date, the source pools' deposits between transfer dates, the
pools' spending on each date (travel grants' actual costs and their corrections,
and the fund's direct costs and bank charges), and what the fund's closing returned to each donor by
each date, each date set in as few statements as the database allows.

All of it is plain SUM over Money columns (exact on both databases) and CASE
on dates, read as integer cents (cents()); the rows are read through the
session's connection (Core), without the ORM's or the Money type's per-row work:
tens of thousands of rows on the first view of a statement after a change.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from ..admin.models import CONFIRMED
from ..clock import today, utc_today
from ..contributions.models import Deposit, PoolTransfer
from ..extensions import db
from ..fund.entries import BANK_CHARGE, DIRECT_COST, ClosingPart, FundEntry
from ..travel.models import NO_SHOW, OVERRUN_APPROVED, TRAVELLED, CostCorrection, TravelGrant

ZERO = Decimal("0.00")
SPENT_STATUSES = (TRAVELLED, NO_SHOW)

NetRows = list[tuple[int, int, int]]  # (pool_id, donor_id, net deposits in USD cents)


class Transfer(NamedTuple):
    id: int
    from_pool_id: int
    to_pool_id: int
    usd_cents: int
    transferred_on: dt.date


def cents(expression):
    """A USD figure (a Money(2) column, or a SUM of one) read as integer cents: SQLite
    stores cents already; PostgreSQL's exact NUMERIC with 2 decimals is scaled by 100
    (exact: scaling is the one multiplication that keeps a Money figure exact)."""
    if db.engine.dialect.name == "sqlite":
        return sa.type_coerce(expression, sa.BigInteger)
    return sa.cast(sa.type_coerce(expression, sa.Numeric) * 100, sa.BigInteger)


def _rows(query) -> list:
    """Every row at once (a fetch per row costs more than the row's figures)."""
    return db.session.connection().execute(query).all()


def transfers() -> list[Transfer]:
    """Every transfer between pools, in date order (then id)."""
    return [Transfer(*row) for row in _rows(
        sa.select(PoolTransfer.id, PoolTransfer.from_pool_id, PoolTransfer.to_pool_id,
                  cents(PoolTransfer.usd_amount), PoolTransfer.transferred_on)
        .order_by(PoolTransfer.transferred_on, PoolTransfer.id))]


def _interval(cuts: list[dt.date]):
    """Which interval between the dates `cuts` a deposit falls in: k when its value
    date is in (cuts[k-1], cuts[k]] (0 up to cuts[0]), len(cuts) after the last. A
    CASE nested as a binary search: a few comparisons per deposit, not one per date.
    (The plain CASE with one WHEN per date, in order, gives the same numbers; at
    N=100, 11 transfer dates over 48,000 deposits, its query took 58 ms on SQLite
    and 65 on PostgreSQL against 46 and 43 for this one, fastest of 10: more than
    the first view of a statement, over its budget, can spare.
    tests/unit/test_statement_fast_path.py holds either to the reference.)"""
    def first_on_or_after(lo: int, hi: int):
        if lo == hi:
            return sa.literal(lo)
        mid = (lo + hi) // 2
        return sa.case((Deposit.value_date <= cuts[mid], first_on_or_after(lo, mid)),
                       else_=first_on_or_after(mid + 1, hi))

    return first_on_or_after(0, len(cuts))


def deposit_sums(dates: tuple[dt.date, ...], moves: list[Transfer], after: dt.date | None = None
                 ) -> tuple[dict[dt.date, NetRows], dict[dt.date, NetRows]]:
    """({date: (pool, donor, net deposits with a value date on or before the date),
    zero sums included}, {day: (pool, donor, nonzero net deposits with a value date
    after the previous day of this dictionary, up to `day`), for the transfers'
    source pools, the days being the transfer dates and maybe some of `dates`}).
    With `after` (a closed year's last day), only the deposits with a value date
    after it are summed, and `moves` are the transfers after it.

    Two statements, on both databases: the sums per pool and donor on each date, and
    the source pools' sums per interval between transfer dates. (One pass grouped by
    pool, donor and interval costs the database less on PostgreSQL, but twice the
    rows to add up in Python: the request as a whole took longer.)"""
    last = max(dates)
    earlier = [d for d in dates if d != last]
    cuts = sorted({t.transferred_on for t in moves})
    sources = sorted({t.from_pool_id for t in moves})
    by_date: dict[dt.date, NetRows] = {d: [] for d in dates}
    by_interval: dict[dt.date, NetRows] = defaultdict(list)
    columns = [cents(sa.func.sum(Deposit.net))] + [
        cents(sa.func.sum(sa.case((Deposit.value_date <= d, Deposit.net)))) for d in earlier]
    at_earlier = [by_date[d] for d in earlier]
    since = [] if after is None else [Deposit.value_date > after]
    for pool, donor, net, *before in _rows(
            sa.select(Deposit.pool_id, Deposit.donor_id, *columns)
            .where(Deposit.value_date <= last, *since).group_by(Deposit.pool_id, Deposit.donor_id)):
        by_date[last].append((pool, donor, net))
        for into, value in zip(at_earlier, before, strict=True):
            if value is not None:
                into.append((pool, donor, value))
    if moves:
        inner = (sa.select(Deposit.pool_id, Deposit.donor_id, _interval(cuts).label("interval"),
                           Deposit.net)
                 .where(Deposit.pool_id.in_(sources), Deposit.value_date <= cuts[-1], *since).subquery())
        for pool, donor, k, net in _rows(
                sa.select(inner.c.pool_id, inner.c.donor_id, inner.c.interval,
                          cents(sa.func.sum(inner.c.net)))
                .group_by(inner.c.pool_id, inner.c.donor_id, inner.c.interval)):
            if net:
                by_interval[cuts[k]].append((pool, donor, net))
    return by_date, by_interval


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` (UTC), for `reconciled_at < ...`. On the reader's
    today or later, after every moment so far: a trip's costs recorded this evening in
    New York are of tomorrow in UTC, by which moments are dated, but the pools hold them
    already, and a statement to today counted them nowhere (a colleague's review; the
    funding status counts them the same way: closure.funding.funding_status)."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    if counts_all_so_far(day):
        end = max(end, dt.datetime.combine(utc_today() + dt.timedelta(days=2), dt.time.min))
    return end


def counts_all_so_far(day: dt.date) -> bool:
    """Whether `day`'s figures count every moment recorded so far: the reader's today or
    later (its figures are kept apart from a reader's for whom the day has passed)."""
    return day >= today()


def spending(dates: tuple[dt.date, ...], after: dt.date | None = None, base: dict[int, int] | None = None
             ) -> dict[dt.date, dict[int, int]]:
    """Each pool's spending (USD cents) up to and including each date: actual costs of
    grants reconciled as travelled or no-show by then (one GROUP BY for all the
    dates), and the fund's direct costs and bank charges by their value dates.
    After a closed year (`after`, its last day, and `base`, each pool's spending then
    as its closing stored): the base plus the grants reconciled and the costs dated
    after it (the grants' index read from that day on)."""
    last = max(dates)
    earlier = [d for d in dates if d != last]
    since = [] if after is None else [TravelGrant.reconciled_at >= _end_of(after)]
    columns = [cents(sa.func.sum(TravelGrant.actual_total))] + [
        cents(sa.func.sum(sa.case((TravelGrant.reconciled_at < _end_of(d), TravelGrant.actual_total))))
        for d in earlier]
    result: dict[dt.date, dict[int, int]] = {d: {} for d in dates}
    for pool, total, *before in _rows(
            sa.select(TravelGrant.pool_id, *columns)
            .where(TravelGrant.status.in_(SPENT_STATUSES), TravelGrant.pool_id.is_not(None),
                   TravelGrant.actual_total.is_not(None), TravelGrant.reconciled_at < _end_of(last), *since)
            .group_by(TravelGrant.pool_id)):
        result[last][pool] = total or 0
        for day, value in zip(earlier, before, strict=True):
            if value is not None:
                result[day][pool] = value
    _date_late_overruns(result, after)
    _add_costs(result, last, earlier, after)
    for pools in result.values():
        for pool, spent in (base or {}).items():
            pools[pool] = pools.get(pool, 0) + spent
    return result


def given_back(bases: dict[dt.date, dt.date]) -> dict[dt.date, dict[int, int]]:
    """{date: {pool: USD cents}}: the spending of a closed year given back to its pool
    after it, by each date, for each date after a closed year (`bases`: {date: the last
    day of the latest closed year before it}): a direct cost or bank charge dated by
    then and reversed after it, a trip reconciled by then whose costs were corrected
    down after it (the net of its corrections since). The donors who bore it in the
    closed year get it back (closed.split_after), not the donors whose money is left.
    Few rows: reversals and corrections."""
    result: dict[dt.date, dict[int, int]] = {on: {} for on in bases}
    if not bases:
        return result
    reversed_entry = sa.orm.aliased(FundEntry)
    for pool, back, spent_on, reversed_on in _rows(
            sa.select(FundEntry.pool_id, cents(-FundEntry.usd_amount), reversed_entry.value_date,
                      FundEntry.value_date)
            .join(reversed_entry, reversed_entry.id == FundEntry.reverses_id)
            .where(FundEntry.kind.in_((DIRECT_COST, BANK_CHARGE)),
                   reversed_entry.value_date < FundEntry.value_date)):
        for on, base in bases.items():
            if spent_on <= base < reversed_on <= on:
                result[on][pool] = result[on].get(pool, 0) + back
    corrections = _rows(sa.select(TravelGrant.id, TravelGrant.pool_id, TravelGrant.reconciled_at,
                                  cents(CostCorrection.spent_after - CostCorrection.spent_before),
                                  CostCorrection.decided_at)
                        .join(TravelGrant, TravelGrant.id == CostCorrection.grant_id)
                        .where(CostCorrection.status == CONFIRMED, TravelGrant.status.in_(SPENT_STATUSES),
                               TravelGrant.pool_id.is_not(None)))
    for on, base in bases.items():
        closed_end, end = _end_of(base), _end_of(on)
        by_trip: dict[tuple[int, int], int] = defaultdict(int)
        for trip, pool, reconciled_at, change, decided_at in corrections:
            if reconciled_at < closed_end <= decided_at < end:
                by_trip[trip, pool] += change
        for (_trip, pool), change in by_trip.items():
            if change < 0:
                result[on][pool] = result[on].get(pool, 0) - change
    return result


def _add_costs(result: dict[dt.date, dict[int, int]], last: dt.date, earlier: list[dt.date],
               after: dt.date | None = None) -> None:
    """The fund's direct costs and bank charges (reversals included), per pool (dated
    after `after` if given)."""
    since = [] if after is None else [FundEntry.value_date > after]
    columns = [cents(sa.func.sum(FundEntry.usd_amount))] + [
        cents(sa.func.sum(sa.case((FundEntry.value_date <= d, FundEntry.usd_amount)))) for d in earlier]
    for pool, total, *before in _rows(
            sa.select(FundEntry.pool_id, *columns)
            .where(FundEntry.kind.in_((DIRECT_COST, BANK_CHARGE)), FundEntry.value_date <= last, *since)
            .group_by(FundEntry.pool_id)):
        for day, value in ((last, total), *zip(earlier, before, strict=True)):
            if value:
                result[day][pool] = result[day].get(pool, 0) + value


def returned(dates: tuple[dt.date, ...]) -> dict[dt.date, dict[int, int]]:
    """{date: {donor: USD cents}}: the part of each donor's balance the fund's closing
    returned to it (or transferred on its behalf) by each date (ClosingPart.balance)."""
    result: dict[dt.date, dict[int, int]] = {d: {} for d in dates}
    rows = _rows(sa.select(ClosingPart.donor_id, ClosingPart.value_date, cents(ClosingPart.balance))
                 .where(ClosingPart.value_date <= max(dates)))
    for donor, value_date, balance in rows:
        for day in dates:
            if value_date <= day:
                result[day][donor] = result[day].get(donor, 0) + balance
    return result


def _date_late_overruns(result: dict[dt.date, dict[int, int]], after: dt.date | None = None) -> None:
    """An overrun approved after its grant was reconciled is spending from the day it
    was approved (until then the pool had paid only the commitment), and a confirmed
    correction of the trip's costs changes its spending from the day it was
    confirmed: take each out of the dates in between, so that a period's figures
    never change afterwards. Few rows: approved overruns, found by their index, and
    corrections. After a closed year (`after`) the figures are what was spent since:
    an overrun or correction the closing left out (its grant reconciled by then,
    approved or confirmed after) joins them once approved or confirmed."""
    closed_end = None if after is None else _end_of(after)
    late = _rows(sa.select(TravelGrant.pool_id, cents(TravelGrant.overrun_amount), TravelGrant.reconciled_at,
                           TravelGrant.overrun_decided_at)
                 .where(TravelGrant.overrun_status == OVERRUN_APPROVED,
                        TravelGrant.status.in_(SPENT_STATUSES),
                        TravelGrant.overrun_decided_at > TravelGrant.reconciled_at))
    # A correction of a trip's costs changes its spending by the difference from the
    # day it was confirmed, exactly as a late overrun does (a handful of rows).
    change = CostCorrection.spent_after - CostCorrection.spent_before
    late += _rows(sa.select(TravelGrant.pool_id, cents(change), TravelGrant.reconciled_at,
                            CostCorrection.decided_at)
                  .join(TravelGrant, TravelGrant.id == CostCorrection.grant_id)
                  .where(CostCorrection.status == CONFIRMED, TravelGrant.status.in_(SPENT_STATUSES)))
    for pool, amount, reconciled_at, decided_at in late:
        left_out = closed_end is not None and reconciled_at < closed_end <= decided_at
        for day, pools in result.items():
            end = _end_of(day)
            change = (amount if left_out else 0) - (amount if reconciled_at < end <= decided_at else 0)
            if change and pool is not None:
                pools[pool] = pools.get(pool, 0) + change
