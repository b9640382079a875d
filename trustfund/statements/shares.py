"""Who bears the fund's spending: each donor's share of each pool's spending
(DESIGN.md §6), and the balances that follow from it.

The rule, precisely:

- **Spending** of a pool up to a day D: the actual costs (`actual_total`) of the
  travel grants charged to it that were reconciled as travelled or no-show, with
  `reconciled_at` (UTC) on or before D. Grants approved but not reconciled are
  commitments, not spending.
- **Weight** of a donor in a pool on D: the donor's net deposits (USD after the
  fee, reversals included) into the pool with a value date on or before D,
  adjusted for transfers between pools (below).
- **Share to date** of a donor in a pool on D: the pool's spending up to D times
  the donor's weight divided by all donors' weights in that pool, split among ALL
  the pool's donors by largest remainder (money.largest_remainder, ties to the
  lower donor id), so that the shares add up to the pool's spending to the cent.
- **Balance** of a donor on D: its net deposits (all pools) up to D minus the sum
  of its shares to date on D.
- A statement for [from, to]: opening = balance on the day before `from`;
  share of spending in the period = share to date on `to` − share to date on the
  day before `from`; closing = balance on `to` = opening + net deposits in the
  period − share of spending in the period.

Shares are recomputed on the whole history at each date (as the MPTF Office
apportions a pooled fund's expenditure by cumulative contributions), not frozen
per grant: so the closing balance of one statement is always the opening balance
of the next, and the shares of any period add up to the pool's spending in that
period exactly. The price of that consistency: when another donor's deposit
changes the proportions, spending of earlier periods is re-apportioned, and a
donor's share for a period can be lower than its proportion of that period's
spending, even negative (a credit).

**Interest** is credited to the un-earmarked pool and belongs to no donor: it is
left out of donor balances (a pool's spending is apportioned by net deposits
alone, whatever paid for it).

**Transfers between pools** move donor weight with the money: each transfer,
in date order (then id), is split among the source pool's donors by their
weights on its date (largest remainder); each donor's part leaves its weight in
the source pool and joins its weight in the target pool. A donor's total weight
across pools stays its net deposits. When the amount moved exceeds the source
pool's donor weights (the rest being interest), only the donors' weights move:
the rest carries no donor. Spending of a pool that no donor's weight reaches
(money from interest alone) is reported as not attributed to any donor.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from .. import cache
from ..contributions.models import Deposit, PoolTransfer
from ..extensions import db
from ..money import largest_remainder
from ..travel.models import NO_SHOW, TRAVELLED, TravelGrant

ZERO = Decimal("0.00")
SPENT_STATUSES = (TRAVELLED, NO_SHOW)

Weights = dict[int, dict[int, Decimal]]  # pool_id -> donor_id -> USD


MEMO = "trustfund.shares_memo"


def start_request_memo() -> None:
    """Called before each GET request is dispatched (statements.routes): from then on,
    the request computes each apportionment once. A request that may change data
    (POST), and code outside a dispatched request (a test's own context, the CLI),
    always compute afresh."""
    if request.method in ("GET", "HEAD"):
        request.environ[MEMO] = {}


def _per_request(key: tuple, compute):
    """compute(), once per dispatched GET request for the same key: a page that
    shows a position and a donor's figures on the same day apportions once."""
    store = request.environ.get(MEMO) if has_request_context() else None
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def keep(key: tuple, compute):
    """compute(), kept per worker at the audit trail's version (trustfund.cache): any
    financial change records an audit entry, so the next use computes afresh. Off
    outside a request's app and under TESTING unless FIGURE_CACHE is set (test
    factories add rows without audit entries)."""
    if not current_app.config.get("FIGURE_CACHE", not current_app.testing):
        return compute()
    return cache.remember(key, compute)


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` (UTC), for `reconciled_at < ...`."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)


def _net_by_pool_and_donor(on: dt.date) -> list[tuple[int, int, Decimal]]:
    """(pool, donor, net deposits USD) with a value date on or before `on`, zero
    sums included: one GROUP BY, once per GET request and day (the shares and the
    donors' net deposits of a position both come from it)."""
    def compute():
        return [tuple(row) for row in db.session.execute(
            sa.select(Deposit.pool_id, Deposit.donor_id, sa.func.sum(Deposit.net))
            .where(Deposit.value_date <= on).group_by(Deposit.pool_id, Deposit.donor_id))]
    key = ("shares.net_by_pool_and_donor", on)
    return _per_request(key, lambda: keep(key, compute))


def deposits_by_pool_and_donor(on: dt.date, pool_id: int | None = None) -> Weights:
    """Net deposits (USD) per pool and donor with a value date on or before `on`."""
    result: Weights = defaultdict(dict)
    for pool, donor, net in _net_by_pool_and_donor(on):
        if net and (pool_id is None or pool == pool_id):
            result[pool][donor] = net
    return result


def _apply(weights: Weights, from_pool: int, to_pool: int, parts: dict[int, Decimal]) -> None:
    source, target = weights.setdefault(from_pool, {}), weights.setdefault(to_pool, {})
    for donor, part in parts.items():
        source[donor] = source.get(donor, ZERO) - part
        target[donor] = target.get(donor, ZERO) + part


def _positive(weights: dict[int, Decimal]) -> list[tuple[int, Decimal]]:
    return sorted((donor, w) for donor, w in weights.items() if w > 0)


def _source_weights(transfers: list[PoolTransfer]) -> dict[int, dict[int, Decimal]]:
    """For each transfer, the net deposits (USD) per donor into its source pool with
    a value date on or before its date: {transfer_id: {donor_id: USD}}, in one
    query (transfers joined to their source pool's deposits), however many
    transfers there are."""
    if not transfers:
        return {}
    query = (sa.select(PoolTransfer.id, Deposit.donor_id, sa.func.sum(Deposit.net))
             .join(Deposit, sa.and_(Deposit.pool_id == PoolTransfer.from_pool_id,
                                    Deposit.value_date <= PoolTransfer.transferred_on))
             .where(PoolTransfer.id.in_([t.id for t in transfers]))
             .group_by(PoolTransfer.id, Deposit.donor_id))
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for transfer_id, donor, net in db.session.execute(query):
        if net:
            result[transfer_id][donor] = net
    return result


def transfer_parts(until: dt.date) -> list[tuple[PoolTransfer, dict[int, Decimal]]]:
    """Each transfer dated on or before `until`, in order, with the donor weight it
    moves: {donor_id: USD}, split by largest remainder over the source pool's
    weights on the transfer's date (earlier transfers included). A transfer's parts
    depend only on the transfers before it, so those of every transfer are
    computed once per request (two queries) and cut at `until`."""
    return [(t, parts) for t, parts in _per_request(("transfer_parts",), _all_transfer_parts)
            if t.transferred_on <= until]


def _all_transfer_parts() -> list[tuple[PoolTransfer, dict[int, Decimal]]]:
    transfers = db.session.scalars(
        sa.select(PoolTransfer).order_by(PoolTransfer.transferred_on, PoolTransfer.id)).all()
    deposited = _source_weights(list(transfers))
    done: list[tuple[PoolTransfer, dict[int, Decimal]]] = []
    for transfer in transfers:
        weights: Weights = {transfer.from_pool_id: dict(deposited.get(transfer.id, {}))}
        for earlier, parts in done:
            if transfer.from_pool_id in (earlier.from_pool_id, earlier.to_pool_id):
                _apply(weights, earlier.from_pool_id, earlier.to_pool_id, parts)
        donors = _positive(weights.get(transfer.from_pool_id, {}))
        available = sum((w for _, w in donors), ZERO)
        moved = min(transfer.usd_amount, available)
        split = largest_remainder(moved, [w for _, w in donors]) if donors else []
        done.append((transfer, {donor: part for (donor, _), part in zip(donors, split, strict=True)
                                if part}))
    return done


def weights_on(on: dt.date) -> Weights:
    """Every donor's weight in every pool on `on`: net deposits, moved by transfers."""
    weights = deposits_by_pool_and_donor(on)
    for transfer, parts in transfer_parts(on):
        _apply(weights, transfer.from_pool_id, transfer.to_pool_id, parts)
    return weights


def spending_to(on: dt.date) -> dict[int, Decimal]:
    """Each pool's spending up to and including `on`: actual costs of grants
    reconciled as travelled or no-show by then."""
    rows = db.session.execute(
        sa.select(TravelGrant.pool_id, sa.func.sum(TravelGrant.actual_total))
        .where(TravelGrant.status.in_(SPENT_STATUSES), TravelGrant.pool_id.is_not(None),
               TravelGrant.actual_total.is_not(None), TravelGrant.reconciled_at < _end_of(on))
        .group_by(TravelGrant.pool_id))
    return {pool: total or ZERO for pool, total in rows}


@dataclass
class PoolApportionment:
    """A pool on a date: its spending to date, the donors' weights, and the split."""

    pool_id: int
    spending: Decimal
    total_weight: Decimal
    weights: dict[int, Decimal]
    shares: dict[int, Decimal]

    @property
    def unattributed(self) -> Decimal:
        """Spending no donor's weight reaches (a pool funded by interest alone)."""
        return self.spending - sum(self.shares.values(), ZERO)


def apportion(on: dt.date) -> dict[int, PoolApportionment]:
    """Every pool's spending to date on `on`, split among its donors (see module doc);
    computed once per GET request and day, and kept while the data is unchanged
    (keep). Callers only read it."""
    key = ("shares.apportion", on)
    return _per_request(key, lambda: keep(key, lambda: _apportion(on)))


def _apportion(on: dt.date) -> dict[int, PoolApportionment]:
    weights = weights_on(on)
    spending = spending_to(on)
    result = {}
    for pool_id in set(weights) | set(spending):
        donors = _positive(weights.get(pool_id, {}))
        spent = spending.get(pool_id, ZERO)
        split = largest_remainder(spent, [w for _, w in donors]) if donors else []
        result[pool_id] = PoolApportionment(
            pool_id=pool_id, spending=spent, total_weight=sum((w for _, w in donors), ZERO),
            weights=dict(donors), shares={d: s for (d, _), s in zip(donors, split, strict=True)})
    return result


def net_deposits_to(on: dt.date, donor_id: int | None = None) -> dict[int, Decimal]:
    """Net deposits (USD) per donor with a value date on or before `on` (the sums
    per pool and donor, added up per donor)."""
    result: dict[int, Decimal] = {}
    for _pool, donor, net in _net_by_pool_and_donor(on):
        if donor_id is None or donor == donor_id:
            result[donor] = result.get(donor, ZERO) + (net or ZERO)
    return result


@dataclass
class Position:
    """Every donor's figures on one date."""

    on: dt.date
    net_deposits: dict[int, Decimal]
    pools: dict[int, PoolApportionment]

    @cached_property
    def shares_by_donor(self) -> dict[int, Decimal]:
        """Each donor's share summed over the pools: for a page of every donor's
        balance; once it is read, share() reads it too."""
        totals: dict[int, Decimal] = {}
        for pool in self.pools.values():
            for donor_id, part in pool.shares.items():
                totals[donor_id] = totals.get(donor_id, ZERO) + part
        return totals

    def share(self, donor_id: int, pool_id: int | None = None) -> Decimal:
        if pool_id is not None:
            pool = self.pools.get(pool_id)
            return pool.shares.get(donor_id, ZERO) if pool else ZERO
        totals = self.__dict__.get("shares_by_donor")
        if totals is not None:
            return totals.get(donor_id, ZERO)
        return sum((p.shares.get(donor_id, ZERO) for p in self.pools.values()), ZERO)

    def balance(self, donor_id: int) -> Decimal:
        return self.net_deposits.get(donor_id, ZERO) - self.share(donor_id)


def position_on(on: dt.date) -> Position:
    """Net deposits and shares of spending of every donor on `on`."""
    return Position(on=on, net_deposits=net_deposits_to(on), pools=apportion(on))


def period_split(date_from: dt.date, date_to: dt.date) -> dict[int, tuple[Decimal, dict[int, Decimal]]]:
    """Each pool's spending in [date_from, date_to] and its split among donors:
    {pool_id: (spending, {donor_id: share to date on `to` − share to date on the day
    before `from`})}. The parts of a pool add up to its spending in the period to
    the cent whenever some donor has weight in the pool on both dates."""
    before = apportion(date_from - dt.timedelta(days=1))
    after = apportion(date_to)
    result = {}
    for pool_id in set(before) | set(after):
        start, end = before.get(pool_id), after.get(pool_id)
        spent = (end.spending if end else ZERO) - (start.spending if start else ZERO)
        start_shares = start.shares if start else {}
        end_shares = end.shares if end else {}
        result[pool_id] = (spent, {d: end_shares.get(d, ZERO) - start_shares.get(d, ZERO)
                                   for d in set(start_shares) | set(end_shares)})
    return result
