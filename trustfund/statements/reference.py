"""Who bears the fund's spending, the plain way: the rule of statements/shares.py
(DESIGN.md §6) read literally, every figure summed from the entries themselves
(deposits, transfers, travel grants) in Python, in Decimal, the largest
remainders worked out with exact fractions.

It reads every entry at each call and walks them once per date: slow, and
obviously right. The pages use the fast path (statements.sums: the sums in SQL,
in integer cents; statements.shares: the apportioning in integer cents);
tests/unit/test_statement_fast_path.py holds the two equal on both databases,
whatever the entries and the dates. Nothing in the application calls it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from ..admin.models import CONFIRMED
from ..contributions.models import Deposit, PoolTransfer
from ..extensions import db
from ..money import CENT
from ..travel.models import NO_SHOW, OVERRUN_APPROVED, TRAVELLED, CostCorrection, TravelGrant

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Entries:
    """Every entry the statements read, as the ORM reads it (Decimal USD)."""

    deposits: list  # (pool_id, donor_id, value_date, net)
    transfers: list  # (from_pool_id, to_pool_id, usd_amount, transferred_on), by date then id
    grants: list  # (pool_id, status, actual_total, reconciled_at, overrun_status, overrun, decided_at, id)
    corrections: list  # confirmed corrections of trips' costs: (grant_id, spent_before, decided_at)


def entries() -> Entries:
    return Entries(
        db.session.execute(sa.select(Deposit.pool_id, Deposit.donor_id, Deposit.value_date,
                                     Deposit.net)).all(),
        db.session.execute(sa.select(PoolTransfer.from_pool_id, PoolTransfer.to_pool_id,
                                     PoolTransfer.usd_amount, PoolTransfer.transferred_on)
                           .order_by(PoolTransfer.transferred_on, PoolTransfer.id)).all(),
        db.session.execute(sa.select(TravelGrant.pool_id, TravelGrant.status, TravelGrant.actual_total,
                                     TravelGrant.reconciled_at, TravelGrant.overrun_status,
                                     TravelGrant.overrun_amount, TravelGrant.overrun_decided_at,
                                     TravelGrant.id)).all(),
        db.session.execute(sa.select(CostCorrection.grant_id, CostCorrection.spent_before,
                                     CostCorrection.decided_at)
                           .where(CostCorrection.status == CONFIRMED)).all())


@dataclass(frozen=True)
class PoolShares:
    spending: Decimal  # up to the date
    weights: dict[int, Decimal]  # donor -> its positive weight in the pool
    shares: dict[int, Decimal]  # donor -> its share of the spending (every weighted donor)


@dataclass(frozen=True)
class Position:
    on: dt.date
    net: dict[int, Decimal]  # donor -> net deposits into all pools up to the date
    pools: dict[int, PoolShares]


def largest_remainder(total: Decimal, weights: list[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """`total` split among the donors in proportion to their weights: each gets its
    exact part rounded down to the cent, then the cents left over go one each to
    the largest fractions left (ties: the lower donor id first)."""
    whole = sum((w for _, w in weights), ZERO)
    if not weights or whole == 0:
        return dict.fromkeys((donor for donor, _ in weights), ZERO)
    sign = -1 if total < 0 else 1
    cents = int(abs(total) / CENT)
    exact = {donor: Fraction(cents) * Fraction(w) / Fraction(whole) for donor, w in weights}
    parts = {donor: int(part) for donor, part in exact.items()}  # floors: every part is >= 0
    left = cents - sum(parts.values())
    for donor in sorted(exact, key=lambda d: (-(exact[d] - parts[d]), d))[:left]:
        parts[donor] += 1
    return {donor: sign * Decimal(part) * CENT for donor, part in parts.items()}


def net_deposits(found: Entries, day: dt.date) -> dict[tuple[int, int], Decimal]:
    """(pool, donor) -> net deposits (reversals included) with a value date on or
    before `day`."""
    result: dict[tuple[int, int], Decimal] = {}
    for pool, donor, value_date, net in found.deposits:
        if value_date <= day:
            result[pool, donor] = result.get((pool, donor), ZERO) + net
    return result


def spending(found: Entries, day: dt.date) -> dict[int, Decimal]:
    """pool -> actual costs of its grants reconciled as travelled or no-show on or
    before `day` (UTC), less the overruns approved after `day` (an overrun counts
    from the day it was approved); a grant whose costs were corrected after `day`
    counts what it cost before the first of those corrections."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)  # the first instant after it
    then: dict[int, tuple[dt.datetime, Decimal]] = {}  # grant -> its first correction after the day
    for grant_id, spent_before, corrected_at in found.corrections:
        if corrected_at >= end and (grant_id not in then or corrected_at < then[grant_id][0]):
            then[grant_id] = (corrected_at, spent_before)
    result: dict[int, Decimal] = {}
    for pool, status, actual, reconciled_at, overrun_status, overrun, decided_at, grant_id in found.grants:
        if status not in (TRAVELLED, NO_SHOW) or pool is None or actual is None:
            continue
        if reconciled_at is None or reconciled_at >= end:
            continue
        if grant_id in then:
            actual = then[grant_id][1]
        result[pool] = result.get(pool, ZERO) + actual
        if overrun_status == OVERRUN_APPROVED and decided_at is not None and decided_at >= end:
            result[pool] -= overrun
    return result


def transfer_parts(found: Entries) -> list[tuple[int, int, dt.date, dict[int, Decimal]]]:
    """Each transfer, in date order (then id), with the donor weight it moves: split
    among the source pool's donors with a positive weight on its date (their net
    deposits into the pool by then, moved by the transfers before it), by largest
    remainder; at most the donors' weights move (the rest is interest, no donor's)."""
    parts: list[tuple[int, int, dt.date, dict[int, Decimal]]] = []
    for source, target, amount, on in found.transfers:
        weights = {donor: net for (pool, donor), net in net_deposits(found, on).items() if pool == source}
        for earlier_source, earlier_target, _on, moved in parts:
            for donor, part in moved.items():
                if earlier_source == source:
                    weights[donor] = weights.get(donor, ZERO) - part
                if earlier_target == source:
                    weights[donor] = weights.get(donor, ZERO) + part
        positive = sorted((donor, w) for donor, w in weights.items() if w > 0)
        moved_total = min(amount, sum((w for _, w in positive), ZERO))
        parts.append((source, target, on, largest_remainder(moved_total, positive)))
    return parts


def positions(*dates: dt.date) -> dict[dt.date, Position]:
    """Every donor's net deposits, and every pool's spending and its split among its
    donors, on each date."""
    found = entries()
    parts = transfer_parts(found)
    result = {}
    for day in dates:
        net = net_deposits(found, day)
        weights: dict[int, dict[int, Decimal]] = {}
        by_donor: dict[int, Decimal] = {}
        for (pool, donor), value in net.items():
            weights.setdefault(pool, {})[donor] = value
            by_donor[donor] = by_donor.get(donor, ZERO) + value
        for source, target, on, moved in parts:
            if on <= day:
                for donor, part in moved.items():
                    out_of, into = weights.setdefault(source, {}), weights.setdefault(target, {})
                    out_of[donor] = out_of.get(donor, ZERO) - part
                    into[donor] = into.get(donor, ZERO) + part
        spent_by_pool = spending(found, day)
        pools = {}
        for pool in set(weights) | set(spent_by_pool):
            positive = sorted((donor, w) for donor, w in weights.get(pool, {}).items() if w > 0)
            spent = spent_by_pool.get(pool, ZERO)
            pools[pool] = PoolShares(spent, dict(positive), largest_remainder(spent, positive))
        result[day] = Position(day, by_donor, pools)
    return result
