"""Random funds for the statements' property tests (tests/unit/test_statement_fast_path.py,
test_statement_closed_start.py): a Hypothesis strategy of steps (deposits, reversals,
interest, transfers between pools, reconciled grants with overruns approved later)
on a few days that often fall on one another, and the builder that records them
through the test builders, as the services keep the pools' figures."""
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import strategies as st

from tests.factories import base_users
from tests.factories import statements as data
from trustfund.contributions.models import Commitment, Deposit, Instalment, InterestEntry, Pool, PoolTransfer
from trustfund.contributions.pools import FIGURES, move
from trustfund.money import CENT
from trustfund.travel.models import CostCorrection, TravelGrant

D = Decimal
DAYS = [dt.date(2017, 4, 2), dt.date(2017, 5, 2), dt.date(2017, 6, 30), dt.date(2017, 7, 1),
        dt.date(2017, 12, 31), dt.date(2018, 3, 15), dt.date(2018, 12, 31), dt.date(2019, 6, 1)]
POOLS = ("UNEARMARKED", "OBJ1", "OBJ2", "OBJ3")

day = st.integers(0, len(DAYS) - 1)
amount = st.integers(1, 5_000_00)  # USD cents
step = st.one_of(
    st.tuples(st.just("deposit"), st.integers(0, 3), st.integers(0, 3), amount, day),
    st.tuples(st.just("deposit"), st.integers(0, 3), st.integers(0, 3), amount, day),
    st.tuples(st.just("reverse"), st.integers(0, 30), st.integers(0, 3)),
    st.tuples(st.just("interest"), amount, day),
    st.tuples(st.just("transfer"), st.integers(0, 3), st.integers(0, 3), amount, day),
    # A deposit into the last transfer's source pool, dated on the transfer's day.
    st.tuples(st.just("deposit on the transfer's day"), st.integers(0, 3), amount),
    st.tuples(st.just("spend"), st.integers(0, 3), amount, day,
              st.one_of(st.none(), st.tuples(st.integers(1, 100), st.integers(0, 3)))),
    # A later correction of a trip's costs (travel.corrections): by -100 to +50 per
    # cent of what it cost, confirmed some days after its last change.
    st.tuples(st.just("correct"), st.integers(0, 30), st.integers(-100, 50), st.integers(0, 3)),
)
fund = st.lists(step, min_size=1, max_size=25)


def reset(db):
    """No entries, every pool at zero (the base data stays)."""
    db.session.execute(sa.delete(CostCorrection))
    db.session.execute(sa.delete(TravelGrant))
    db.session.execute(sa.delete(Deposit).where(Deposit.reverses_id.is_not(None)))
    for model in (Deposit, PoolTransfer, InterestEntry, Instalment, Commitment):
        db.session.execute(sa.delete(model))
    db.session.execute(sa.update(Pool).values(**dict.fromkeys(FIGURES, D("0.00"))))
    db.session.commit()
    db.session.expire_all()


def _available(db, code: str) -> D:
    return db.session.scalar(sa.select(Pool.available).where(Pool.code == code))


def build(db, steps, donors=None) -> list[dt.date]:
    """The entries, through the test builders (which keep the pools' figures as the
    services do), by four new donors or the `donors` given; returns the days they
    fell on."""
    donors = donors or [data.donor() for _ in range(4)]
    deposits, reversed_ids, last_transfer, days, grants = [], set(), None, [], []
    for kind, *args in steps:
        if kind == "deposit on the transfer's day" and last_transfer is not None:
            kind, args = "deposit", [args[0], POOLS.index(last_transfer[0]), args[1], last_transfer[1]]
        if kind == "deposit":
            who, pool, cents, when = args
            c = data.commitment(donors[who], "100000000.00", objective_number=pool or None)
            deposits.append(data.deposit(c, D(cents) / 100, value_date=DAYS[when], fee_rate="0.01"))
            days.append(DAYS[when])
        elif kind == "reverse" and deposits:
            original = deposits[args[0] % len(deposits)]
            if original.id not in reversed_ids and _available(db, original.pool.code) >= original.net:
                later = [d for d in DAYS if d >= original.value_date]
                data.reverse(original, on=later[args[1] % len(later)])
                reversed_ids.add(original.id)
        elif kind == "interest":
            cents, when = args
            data.interest(D(cents) / 100, on=DAYS[when])
        elif kind == "transfer":
            source, target, cents, when = args
            moved = min(D(cents) / 100, _available(db, POOLS[source]))
            if source != target and moved > 0:
                data.transfer(data.pool(POOLS[source]), data.pool(POOLS[target]), moved, on=DAYS[when])
                last_transfer = (POOLS[source], when)
                days.append(DAYS[when])
        elif kind == "spend":
            pool, cents, when, overrun = args
            actual = min(D(cents) / 100, _available(db, POOLS[pool]))
            if actual <= 0:
                continue
            grant = data.spend(data.pool(POOLS[pool]), actual, reconciled_on=DAYS[when])
            days.append(DAYS[when])
            if overrun is not None and actual > D("0.01"):
                # Part of the costs was an overrun, approved some days later.
                percent, days_later = overrun
                users = base_users()
                grant.overrun_amount = max((actual * percent / 100).quantize(CENT), CENT)
                grant.overrun_status = "approved"
                grant.overrun_recorded_by_id = users["srsg_staff"].id
                grant.overrun_decided_by_id = users["srsg_staff2"].id
                grant.overrun_decided_at = grant.reconciled_at + dt.timedelta(days=days_later * 100)
            grants.append(grant)
        elif kind == "correct" and grants:
            _correct(db, grants[args[0] % len(grants)], *args[1:])
    db.session.commit()
    return days or DAYS


def _correct(db, grant: TravelGrant, percent: int, days_later: int) -> None:
    """A confirmed correction of the grant's costs, as travel.corrections records one:
    the grant's actual total changed by `percent`, the pool's spending by the
    difference (within what it has available), dated `days_later` × 50 days (and an
    hour) after the grant's last change."""
    users = base_users()
    db.session.flush()
    before = grant.actual_total
    pool = db.session.get(Pool, grant.pool_id)
    after = max(before + (before * percent / 100).quantize(CENT), D("0.00"))
    after = min(after, before + pool.available)
    if after == before:
        return
    last = db.session.scalar(sa.select(sa.func.max(CostCorrection.decided_at))
                             .where(CostCorrection.grant_id == grant.id))
    since = max(d for d in (grant.reconciled_at, grant.overrun_decided_at, last) if d is not None)
    db.session.add(CostCorrection(
        grant_id=grant.id, actual_ticket=after, actual_dsa=D("0.00"), actual_terminal=D("0.00"),
        spent_before=before, spent_after=after, reason="Corrected", proposed_by_id=users["srsg_staff"].id,
        status="confirmed", decided_by_id=users["srsg_staff2"].id,
        decided_at=since + dt.timedelta(days=days_later * 50, hours=1)))
    grant.actual_ticket, grant.actual_dsa, grant.actual_terminal = after, D("0.00"), D("0.00")
    grant.actual_total = after
    move(pool.id, spent=after - before, available=before - after)
    db.session.flush()
