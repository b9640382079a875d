"""Property: the statements' fast path (statements.sums: the sums in SQL in integer
cents; statements.shares: the apportioning in integer cents) gives exactly the
figures of the plain reference (statements.reference: the entries summed in
Python, in Decimal), whatever the deposits, reversals, interest, transfers between
pools and reconciled grants (overruns approved later included), and whatever the
dates asked for: the sums themselves (net deposits per pool and donor on each
date, the source pools' deposits up to each transfer, each pool's spending on
each date), then every donor's net deposits and every pool's spending, weights
and shares. On SQLite and PostgreSQL.

The entries' dates and the dates asked for come from a few days, so that they
often fall on one another (a deposit on the day of a statement, a transfer on the
day of a deposit, a grant reconciled on the day asked for): where an off-by-one
would show. And the property is shown to catch a fast path broken on purpose
(test_the_property_finds_a_broken_fast_path).
"""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.factories.fund_steps import DAYS, build, fund, reset
from tests.factories.fund_steps import day as a_day
from trustfund.contributions.models import Deposit
from trustfund.money import CENT
from trustfund.statements import reference, shares, sums
from trustfund.travel.models import TravelGrant

D = Decimal
# Days asked for: some of DAYS, and some of the days the entries fell on.
asked = st.tuples(st.lists(a_day, max_size=2), st.lists(st.integers(0, 100), min_size=1, max_size=2))


def _cents(value: D) -> int:
    return int(value / CENT)


def _fast_sums(dates: tuple[dt.date, ...]) -> dict:
    """statements.sums' figures, keyed as the reference's: per date, net deposits per
    (pool, donor) and spending per pool; per transfer, its source pool's deposits per
    donor up to its date (the intervals of deposit_sums added up)."""
    moves = sums.transfers()
    by_date, by_interval = sums.deposit_sums(dates, moves)
    spent = sums.spending(dates)
    up_to_transfer = []
    for move in moves:
        weights: dict[int, int] = {}
        for day, rows in by_interval.items():
            for pool, donor, net in rows:
                if day <= move.transferred_on and pool == move.from_pool_id:
                    weights[donor] = weights.get(donor, 0) + net
        up_to_transfer.append((move.from_pool_id, move.to_pool_id, move.transferred_on,
                               {d: w for d, w in weights.items() if w}))
    return {"on": {on: ({(pool, donor): net for pool, donor, net in by_date[on] if net},
                        {pool: s for pool, s in spent[on].items() if s}) for on in dates},
            "transfers": up_to_transfer}


def _reference_sums(dates: tuple[dt.date, ...]) -> dict:
    found = reference.entries()
    up_to_transfer = []
    for source, target, _amount, on in found.transfers:
        weights: dict[int, int] = {}
        for (pool, donor), net in reference.net_deposits(found, on).items():
            if pool == source and net:
                weights[donor] = _cents(net)
        up_to_transfer.append((source, target, on, weights))
    return {"on": {on: ({key: _cents(net) for key, net in reference.net_deposits(found, on).items() if net},
                        {pool: _cents(s) for pool, s in reference.spending(found, on).items() if s})
                   for on in dates},
            "transfers": up_to_transfer}


def _fast(dates) -> dict:
    """The fast path's positions, as plain values comparable with the reference's."""
    found = {}
    for position in shares.positions(*dates):
        found[position.on] = (
            {donor: shares.usd(net) for donor, net in position.net_cents.items() if net},
            {pool_id: (pool.spending, pool.weights, {d: s for d, s in pool.shares.items() if s})
             for pool_id, pool in position.pools.items()
             if pool.spending or pool.weights_cents})
    return found


def _reference(dates) -> dict:
    return {on: ({donor: net for donor, net in position.net.items() if net},
                 {pool_id: (pool.spending, pool.weights, {d: s for d, s in pool.shares.items() if s})
                  for pool_id, pool in position.pools.items() if pool.spending or pool.weights})
            for on, position in reference.positions(*dates).items()}


def _property(db, examples: int = 40, phases=tuple(Phase)):
    @settings(max_examples=examples, deadline=None, phases=phases, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(steps=fund, days=asked)
    # Besides the random ones, the cases an off-by-one breaks, each asked on its day:
    # a deposit on the day of a transfer out of its pool, recorded after it, before
    # and after a later transfer; a grant reconciled on the day asked for, with an
    # overrun approved a hundred days later.
    @example(steps=[("deposit", 0, 0, 100000, 3), ("transfer", 0, 1, 50000, 3), ("deposit", 1, 0, 100000, 3)],
             days=([4], [0]))
    @example(steps=[("deposit", 0, 0, 100000, 1), ("deposit", 1, 0, 100000, 3), ("transfer", 0, 1, 50000, 3),
                    ("transfer", 0, 2, 50000, 5)], days=([6], [0]))
    @example(steps=[("deposit", 0, 1, 500000, 1), ("spend", 1, 20000, 2, (50, 1))], days=([], [1]))
    def fast_path_equals_reference(steps, days):
        reset(db)
        entry_days = build(db, steps)
        some, of_entries = days
        dates = tuple(dict.fromkeys([DAYS[i] for i in some] + [entry_days[i % len(entry_days)]
                                                                for i in of_entries] + [dt.date.today()]))
        assert _fast_sums(dates) == _reference_sums(dates)
        assert _fast(dates) == _reference(dates)

    return fast_path_equals_reference


def test_the_fast_path_gives_the_figures_of_the_reference(db):
    _property(db)()


# Breakages put in on purpose: each is a mistake the fast path could make, and the
# property must find it.

def _deposits_one_day_early(monkeypatch):
    """An off-by-one on a date boundary: a position's deposits taken up to the day
    before (`value_date < on` for `<=`)."""
    original = sums.deposit_sums
    day = dt.timedelta(days=1)

    def early(dates, moves, after=None):
        by_date, by_interval = original(tuple(d - day for d in dates), moves, after)
        return {d + day: rows for d, rows in by_date.items()}, by_interval

    monkeypatch.setattr(sums, "deposit_sums", early)


def _spending_to_the_start_of_the_day(monkeypatch):
    """An off-by-one on a date boundary: a grant reconciled on the day asked for
    counted from the next day (`reconciled_at < midnight of the day`)."""
    monkeypatch.setattr(sums, "_end_of", lambda on: dt.datetime.combine(on, dt.time.min))


def _deposit_on_a_transfer_day_after_it(monkeypatch):
    """An off-by-one between transfers: a deposit dated on a transfer's day counted
    in the interval after it (`value_date < cut` for `<=`), so that the transfer
    does not move its weight (on the last transfer's day: in the last interval still)."""
    monkeypatch.setattr(sums, "_interval", lambda cuts: sa.case(
        *((Deposit.value_date < cut, k) for k, cut in enumerate(cuts)), else_=len(cuts) - 1))


def _transfer_on_the_wrong_side(monkeypatch):
    """A transfer counted the wrong way round: its weight taken out of the pool it
    went to and added to the pool it came from."""
    original = sums.transfers
    monkeypatch.setattr(sums, "transfers", lambda: [
        t._replace(from_pool_id=t.to_pool_id, to_pool_id=t.from_pool_id) for t in original()])


def _late_overrun_from_reconciliation(monkeypatch):
    """A late overrun counted from the day its grant was reconciled."""
    monkeypatch.setattr(sums, "_date_late_overruns", lambda result, after=None: None)


def _late_overrun_in_dollars(monkeypatch):
    """The bug of the overrun merge (fixed in c0d26e4): a late overrun read in dollars
    and taken out of a spending in cents (an overrun of $100 counted as 1 cent)."""
    original = sums.cents
    monkeypatch.setattr(sums, "cents", lambda expression: expression
                        if expression is TravelGrant.overrun_amount else original(expression))


@pytest.mark.parametrize("breakage", [
    _deposits_one_day_early, _spending_to_the_start_of_the_day, _deposit_on_a_transfer_day_after_it,
    _transfer_on_the_wrong_side, _late_overrun_from_reconciliation, _late_overrun_in_dollars])
def test_the_property_finds_a_broken_fast_path(db, monkeypatch, breakage):
    breakage(monkeypatch)
    with pytest.raises(AssertionError):
        _property(db, examples=200, phases=(Phase.explicit, Phase.generate))()
