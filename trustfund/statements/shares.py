"""Who bears the fund's spending: each donor's share of each pool's spending
(DESIGN.md §6), and the balances that follow from it.

The rule, precisely:

- **Spending** of a pool up to a day D: the actual costs (`actual_total`) of the
  travel grants charged to it that were reconciled as travelled or no-show, with
  `reconciled_at` (UTC) on or before D. Grants approved but not reconciled are
  commitments, not spending. An overrun (costs above the commitment) counts from
  the day it was approved; one awaiting approval or rejected never counts.
- **Weight** of a donor in a pool on D: the donor's net deposits (USD after the
  fee, reversals included) into the pool with a value date on or before D,
  adjusted for transfers between pools (below).
- **Share to date** of a donor in a pool on D: the pool's spending up to D times
  the donor's weight divided by all donors' weights in that pool, split among ALL
  the pool's donors by largest remainder (money.largest_remainder, ties to the
  lower donor id), so that the shares add up to the pool's spending to the cent.
- **Balance** of a donor on D: its net deposits (all pools) up to D minus the sum
  of its shares to date on D, less what the fund's closing returned to it (or
  transferred to another fund on its behalf) by D: the part of its refund that
  was its balance (fund.entries.ClosingPart.balance; the rest of a refund is its
  part of the pool's interest and other income).
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
spending, even negative (a credit). **Closed years** end that: the closing of a
year stores the position at its end, which every later date starts from; only
the spending of open years is apportioned again (statements/closed.py).

**Spending** includes the fund's direct costs and bank charges (by their value
dates), charged to a pool like a trip's costs.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from operator import itemgetter

from .. import cache
from ..money import CENT, split_cents
from ..read_only import memo
from . import closed, sums
from .sums import ZERO, Transfer

# The arithmetic is in integer USD cents (exact, and several times quicker than
# Decimal over thousands of donors); figures leave this module as Decimal.
Weights = dict[int, dict[int, int]]  # pool_id -> donor_id -> USD cents


def usd(cents: int) -> Decimal:
    return Decimal(cents) * CENT


def _usd_dict(cents_by_key: dict[int, int]) -> dict[int, Decimal]:
    return {key: Decimal(value) * CENT for key, value in cents_by_key.items()}


def _apply(weights: Weights, from_pool: int, to_pool: int, parts: dict[int, int]) -> None:
    source, target = weights.setdefault(from_pool, {}), weights.setdefault(to_pool, {})
    for donor, part in parts.items():
        source[donor] = source.get(donor, 0) - part
        target[donor] = target.get(donor, 0) + part


def _positive(weights: dict[int, int]) -> list[tuple[int, int]]:
    """The donors with a positive weight, by donor id (ids are unique: sorted by the
    id alone, without comparing pairs)."""
    return sorted([(donor, w) for donor, w in weights.items() if w > 0], key=itemgetter(0))


@dataclass(frozen=True)
class TransferPart:
    """A transfer between pools and the donor weight it moves: {donor_id: USD cents}."""

    transfer_id: int
    from_pool_id: int
    to_pool_id: int
    transferred_on: dt.date
    parts: dict[int, int]


def _transfer_parts(moves: list[Transfer], by_interval: dict[dt.date, list[tuple[int, int, int]]],
                    start: Weights | None = None,
                    fixed_shares: Callable[[dt.date], Weights] | None = None) -> list[TransferPart]:
    """Each transfer, in order, with the donor weight it moves, split by largest
    remainder over the source pool's weights on the transfer's date. Walking the
    transfers in order, a source pool's weights are its deposits summed between
    consecutive days (sums.deposit_sums), added up to the transfer's date, plus the
    parts of the transfers before it; after a closed year, plus the weights its
    closing stored (`start`).

    After a closed year, a donor's weight in the source pool counts less the share of
    its spending that closing fixed (`fixed_shares(on)`: the shares stored by the
    latest closed year before the transfer): what is left of its money there, as the
    spending since is split (closed.split_after). A donor whose money the closed year
    spent moves none (its gross weight moved would make it bear the target pool's
    spending too, charged twice, and leave another donor a balance the fund no longer
    has). Before any closed year the rule is as above (the weights alone)."""
    days = sorted(by_interval)
    weights: Weights = {pool: dict(pool_weights) for pool, pool_weights in (start or {}).items()}
    added = 0
    done = []
    for transfer_id, from_pool, to_pool, usd_cents, on in moves:
        while added < len(days) and days[added] <= on:
            for pool, donor, net in by_interval[days[added]]:
                pool_weights = weights.setdefault(pool, {})
                pool_weights[donor] = pool_weights.get(donor, 0) + net
            added += 1
        source = weights.get(from_pool, {})
        spent = fixed_shares(on).get(from_pool, {}) if fixed_shares is not None else {}
        if spent:
            source = {donor: w - spent.get(donor, 0) for donor, w in source.items()}
        donors = _positive(source)
        available = sum(w for _, w in donors)
        moved = min(usd_cents, available)
        split = split_cents(moved, [w for _, w in donors]) if donors else []
        parts = {donor: part for (donor, _), part in zip(donors, split, strict=True) if part}
        _apply(weights, from_pool, to_pool, parts)
        done.append(TransferPart(transfer_id, from_pool, to_pool, on, parts))
    return done


class PoolApportionment:
    """A pool on a date: its spending to date, the donors' weights, and the split
    (kept in cents; read as USD)."""

    def __init__(self, pool_id: int, spending_cents: int, weights_cents: dict[int, int],
                 shares_cents: dict[int, int], all_weights_cents: dict[int, int] | None = None):
        self.pool_id = pool_id
        self.spending_cents = spending_cents
        self.weights_cents = weights_cents  # the donors with a positive weight
        self.shares_cents = shares_cents
        # Every donor's weight, negative ones included (what a year's closing stores).
        self.all_weights_cents = weights_cents if all_weights_cents is None else all_weights_cents

    @property
    def spending(self) -> Decimal:
        return usd(self.spending_cents)

    @property
    def total_weight(self) -> Decimal:
        return usd(sum(self.weights_cents.values()))

    @property
    def unattributed(self) -> Decimal:
        """Spending no donor's weight reaches (a pool funded by interest alone)."""
        return usd(self.spending_cents - sum(self.shares_cents.values()))

    def share_of(self, donor_id: int) -> Decimal:
        return usd(self.shares_cents.get(donor_id, 0))

    def weight_of(self, donor_id: int) -> Decimal:
        return usd(self.weights_cents.get(donor_id, 0))

    def net_deposits_of(self, donor_id: int) -> Decimal:
        """The donor's net deposits into the pool after the transfers between pools,
        below zero too (more moved out than it deposited)."""
        return usd(self.all_weights_cents.get(donor_id, 0))

    @cached_property
    def weights(self) -> dict[int, Decimal]:
        return _usd_dict(self.weights_cents)

    @cached_property
    def shares(self) -> dict[int, Decimal]:
        return _usd_dict(self.shares_cents)


def _weights(net_rows: list[tuple[int, int, int]], transfers: list[TransferPart],
             start: Weights | None = None) -> Weights:
    """Each pool's donor weights: the net deposits per pool and donor, moved by the
    transfers; after a closed year, added to the weights its closing stored (`start`)."""
    weights: Weights = defaultdict(dict)
    for pool, pool_weights in (start or {}).items():
        weights[pool] = dict(pool_weights)
    for pool, donor, net in net_rows:
        if net:
            pool_weights = weights[pool]
            pool_weights[donor] = pool_weights.get(donor, 0) + net
    for transfer in transfers:
        _apply(weights, transfer.from_pool_id, transfer.to_pool_id, transfer.parts)
    return weights


def _apportion(weights: Weights, spending: dict[int, int], split: bool = True
               ) -> dict[int, PoolApportionment]:
    """Every pool's spending split among its donors on a date, from the donor weights
    by then (_weights) and the pools' spending by then. With split=False only the
    weights (a date after a closed year splits afresh: _after_closed)."""
    result = {}
    for pool_id in set(weights) | set(spending):
        donors = _positive(weights.get(pool_id, {}))
        spent = spending.get(pool_id, 0)
        parts = split_cents(spent, [w for _, w in donors]) if donors and split else []
        result[pool_id] = PoolApportionment(
            pool_id, spent, dict(donors), {d: s for (d, _), s in zip(donors, parts, strict=split)},
            weights.get(pool_id, {}))
    return result


@dataclass
class Position:
    """Every donor's figures on one date (kept in cents; read as USD)."""

    on: dt.date
    net_cents: dict[int, int]
    pools: dict[int, PoolApportionment]
    returned_cents: dict[int, int] = field(default_factory=dict)

    @cached_property
    def shares_cents(self) -> dict[int, int]:
        """Each donor's share summed over the pools."""
        totals: dict[int, int] = {}
        for pool in self.pools.values():
            for donor_id, part in pool.shares_cents.items():
                totals[donor_id] = totals.get(donor_id, 0) + part
        return totals

    @cached_property
    def net_deposits(self) -> dict[int, Decimal]:
        return _usd_dict(self.net_cents)

    def net_of(self, donor_id: int) -> Decimal:
        return usd(self.net_cents.get(donor_id, 0))

    def share(self, donor_id: int, pool_id: int | None = None) -> Decimal:
        if pool_id is not None:
            pool = self.pools.get(pool_id)
            return pool.share_of(donor_id) if pool else ZERO
        return usd(self.shares_cents.get(donor_id, 0))

    def returned(self, donor_id: int) -> Decimal:
        return usd(self.returned_cents.get(donor_id, 0))

    def balance(self, donor_id: int) -> Decimal:
        return usd(self.net_cents.get(donor_id, 0) - self.shares_cents.get(donor_id, 0)
                   - self.returned_cents.get(donor_id, 0))


def _fixed(on: dt.date, fixed: closed.Fixed) -> Position:
    """The position the closing of `on`'s year stored."""
    pools = {pool: PoolApportionment(pool, fixed.spending.get(pool, 0), dict(fixed.weights.get(pool, {})),
                                     dict(fixed.shares.get(pool, {})))
             for pool in set(fixed.spending) | set(fixed.shares)}
    return Position(on=on, net_cents=dict(fixed.net_cents), pools=pools,
                    returned_cents=dict(fixed.returned_cents))


def _after_closed(live: dict[int, PoolApportionment], fixed: closed.Fixed, spending: dict[int, int],
                  given_back: dict[int, int]) -> dict[int, PoolApportionment]:
    """Each pool's split after a closed year: the shares fixed then (less what the
    closed years spent and was given back since, to those who bore it), plus the
    spending since over the remaining weights (closed.split_after)."""
    result = {}
    for pool in set(live) | set(fixed.shares) | set(fixed.spending):
        now = live.get(pool)
        weights = now.weights_cents if now is not None else {}
        spent = spending.get(pool, 0)
        shares = closed.split_after(fixed.shares.get(pool, {}), weights, spent - fixed.spending.get(pool, 0),
                                    given_back.get(pool, 0), fixed.spending.get(pool, 0))
        result[pool] = PoolApportionment(pool, spent, weights, shares,
                                         now.all_weights_cents if now is not None else {})
    return result


def _compute_positions(dates: tuple[dt.date, ...], start_from_closed: bool = True,
                       closed_afresh: bool = False) -> dict[dt.date, Position]:
    """Net deposits and shares of spending of every donor on each date: the deposits
    and the spending summed for all the dates at once (statements.sums), the
    transfers' parts once. The last day of a closed year reads what its closing
    stored; a date after a closed year starts from it (statements/closed.py): its
    shares from the stored shares, and (start_from_closed, where the closing stored
    every weight) its weights and net deposits from the stored ones plus the open
    years' deposits and transfers alone. With start_from_closed=False every date is
    summed from the start (the property test compares the two). With closed_afresh, a
    closed year's last day is computed from the entries as its closing computed it
    (closings_afresh), not read back."""
    ends = closed.closed_ends()
    at_end = [] if closed_afresh else [on for on in dates if on in ends]
    live = tuple(on for on in dates if on not in at_end)
    bases = {on: closed.base_for(on, ends) for on in live}
    fixed = closed.fixed_positions({on.year for on in at_end} | {b.year for b in bases.values() if b})
    result = {on: _fixed(on, fixed[on.year]) for on in at_end}
    if not live:
        return result
    moves = sums.transfers()
    returned = sums.returned(live)
    started = {on: fixed[bases[on].year] for on in live
               if start_from_closed and bases[on] is not None and fixed[bases[on].year].complete}
    from_start = tuple(on for on in live if on not in started)
    if from_start:
        # Only the transfers up to the last of these dates move weight by then; dates
        # before the first closed year's end read their few deposits by date (a range
        # with both ends: SQLite's planner guesses a one-sided one at a quarter of the
        # rows and would read every deposit in the grouping's order instead).
        last = max(from_start)
        earlier_moves = [move for move in moves if move.transferred_on <= last]
        net_rows, by_interval = sums.deposit_sums(from_start, earlier_moves,
                                                  after=dt.date.min if ends and last <= ends[0] else None)
        transfers = _transfer_parts(earlier_moves, by_interval,
                                    fixed_shares=_shares_fixed_before(earlier_moves, ends, fixed))
        spending = sums.spending(from_start)
        given_back = sums.given_back({on: bases[on] for on in from_start if bases[on] is not None})
        for on in from_start:
            net_cents: dict[int, int] = {}
            for _pool, donor, net in net_rows[on]:
                net_cents[donor] = net_cents.get(donor, 0) + (net or 0)
            pools = _apportion(_weights(net_rows[on], [t for t in transfers if t.transferred_on <= on]),
                               spending[on], split=bases[on] is None)
            if bases[on] is not None:
                pools = _after_closed(pools, fixed[bases[on].year], spending[on], given_back[on])
            result[on] = Position(on=on, net_cents=net_cents, pools=pools, returned_cents=returned[on])
    for base in {id(b): b for b in started.values()}.values():
        group = tuple(on for on in live if started.get(on) is base)
        result.update(_from_closed(group, base, moves, returned))
    return result


def _shares_fixed_before(moves: list[Transfer], ends: list[dt.date], fixed: dict[int, closed.Fixed]
                         ) -> Callable[[dt.date], Weights] | None:
    """For _transfer_parts: the shares fixed by the latest closed year before a
    transfer's day (read here for the years the transfers need and `fixed` lacks)."""
    years = {base.year for move in moves if (base := closed.base_for(move.transferred_on, ends))}
    if not years:
        return None
    stored = {year: fixed[year] for year in years if year in fixed}
    stored.update(closed.fixed_positions(years - set(stored)))

    def shares(on: dt.date) -> Weights:
        base = closed.base_for(on, ends)
        return stored[base.year].shares if base is not None else {}
    return shares


def _from_closed(dates: tuple[dt.date, ...], base: closed.Fixed, moves: list[Transfer],
                 returned: dict[dt.date, dict[int, int]]) -> dict[dt.date, Position]:
    """The positions on dates after the closed year `base`, from what its closing
    stored: its weights and net deposits plus the deposits and transfers since, its
    spending plus the spending since (only the open years' entries are summed), its
    shares plus the split of the spending since."""
    later = [move for move in moves if move.transferred_on > base.last_day]
    net_rows, by_interval = sums.deposit_sums(dates, later, after=base.last_day)
    transfers = _transfer_parts(later, by_interval, start=base.all_weights,
                                fixed_shares=lambda _on: base.shares)
    spending = sums.spending(dates, after=base.last_day, base=base.spending)
    given_back = sums.given_back(dict.fromkeys(dates, base.last_day))
    result = {}
    for on in dates:
        net_cents = dict(base.net_cents)
        for _pool, donor, net in net_rows[on]:
            net_cents[donor] = net_cents.get(donor, 0) + (net or 0)
        weights = _weights(net_rows[on], [t for t in transfers if t.transferred_on <= on],
                           start=base.all_weights)
        pools = _after_closed(_apportion(weights, spending[on], split=False), base, spending[on],
                              given_back[on])
        result[on] = Position(on=on, net_cents=net_cents, pools=pools, returned_cents=returned[on])
    return result


def closings_afresh() -> dict[int, Position]:
    """{closed year: the position its closing would store now}: its last day computed
    from the entries dated by then, from the closed year before as stored, exactly as
    closure.years.close_year computed it (for `flask check`: closure/checks.py)."""
    ends = tuple(closed.closed_ends())
    if not ends:
        return {}
    return {on.year: position for on, position in _compute_positions(ends, closed_afresh=True).items()}


def positions(*dates: dt.date) -> list[Position]:
    """The position on each date (see position_on), in the order asked, once per
    reading request and date and kept per date (cache.keep_many), so the pages that
    show today's position share it; the dates not kept are computed in one pass (its
    queries cover all of them) and kept only for the data that pass read."""
    wanted = tuple(dict.fromkeys(dates))
    store = memo()  # the reading request's: a page showing two figures of a day apportions once
    request = store if store is not None else {}
    # A day is kept apart for readers to whom it is today or later (its spending counts
    # every moment so far: sums._end_of) and for those to whom it has passed.
    keys = {on: ("shares.position", on, sums.counts_all_so_far(on)) for on in wanted}
    found = {on: request[keys[on]] for on in wanted if keys[on] in request}
    missing = [on for on in wanted if on not in found]
    if missing:
        kept = cache.keep_many([keys[on] for on in missing], lambda asked: {
            keys[on]: position
            for on, position in _compute_positions(tuple(key[1] for key in asked)).items()})
        for on in missing:
            found[on] = request[keys[on]] = kept[keys[on]]
    return [found[on] for on in dates]


def position_on(on: dt.date) -> Position:
    """Net deposits and shares of spending of every donor on `on`; computed once per
    GET request and day, and kept while the data is unchanged (keep). Callers only
    read it."""
    return positions(on)[0]


def apportion(on: dt.date) -> dict[int, PoolApportionment]:
    """Every pool's spending to date on `on`, split among its donors (see module doc)."""
    return position_on(on).pools


def period_split(date_from: dt.date, date_to: dt.date) -> dict[int, tuple[Decimal, dict[int, Decimal]]]:
    """Each pool's spending in [date_from, date_to] and its split among donors:
    {pool_id: (spending, {donor_id: share to date on `to` − share to date on the day
    before `from`})}. The parts of a pool add up to its spending in the period to
    the cent whenever some donor has weight in the pool on both dates."""
    start_position, end_position = positions(date_from - dt.timedelta(days=1), date_to)
    before, after = start_position.pools, end_position.pools
    result = {}
    for pool_id in set(before) | set(after):
        start, end = before.get(pool_id), after.get(pool_id)
        spent = (end.spending if end else ZERO) - (start.spending if start else ZERO)
        start_shares = start.shares_cents if start else {}
        end_shares = end.shares_cents if end else {}
        result[pool_id] = (spent, {d: usd(end_shares.get(d, 0) - start_shares.get(d, 0))
                                   for d in set(start_shares) | set(end_shares)})
    return result
