"""A cost or a transfer out of a pool is not dated before the pool held its money, even
when a colleague's income dated later commits while it is being recorded (PostgreSQL,
READ COMMITTED; a colleague's forced sweep of the interleavings, 2026-12-07). The cost
read its pool short, so left the value date's check to the guarded UPDATE, which the
colleague's later income then let through: the cost was recorded on a day the pool
held 50.00 of its 100.00. Now the pools are held and read again before the check.

Each test commits the colleague's act after the k-th statement of this act (k over the
whole window from the pool's read to its UPDATE); whatever k, the outcome is one a
serial order gives: refused, the colleague's income recorded."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import base_users
from tests.security.helpers import Attempt, attempt
from trustfund.auth.models import User
from trustfund.contributions import pools
from trustfund.contributions.confirmed import record_interest, transfer
from trustfund.contributions.fund_entries import record_fund_entry
from trustfund.contributions.models import Objective, Pool
from trustfund.contributions.pools import unearmarked_pool
from trustfund.errors import DomainError
from trustfund.fund.entries import DIRECT_COST
from trustfund.ledger_check import run_checks

D = Decimal
STEPS = range(1, 13)  # the act's statements up to and past its pools' UPDATE


def _after_statement(app, db, act, colleague_work, k):
    """`act` run here, `colleague_work` committed by a colleague's connection right after
    this act's k-th statement (given two seconds: it may have to wait for this act).
    Returns (how the act went, the colleague's outcome, this act's statement count)."""
    me, seen, colleague = threading.get_ident(), {"n": 0}, []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() != me or colleague:
            return
        seen["n"] += 1
        if seen["n"] == k:
            colleague.append(Attempt(app, colleague_work).start())
            colleague[0].done.wait(timeout=2)

    db.session.commit()
    db.session.expire_all()
    sa.event.listen(db.engine, "after_cursor_execute", listener)
    try:
        outcome = attempt(act, (DomainError,))
        if outcome[0] == "result":
            db.session.commit()
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", listener)
        db.session.rollback()
    other = colleague[0].join() if colleague else None
    db.session.expire_all()
    return outcome, other, seen["n"]


def _fifty_held_on_the_first_of_june(db):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: one writer at a time, so the colleague's income waits for this act")
    officer = base_users()["mptf_officer"]
    record_interest(officer, value_date=dt.date(2017, 4, 25), usd_amount=D("50.00"), note="Early")
    db.session.commit()
    officer_id = officer.id

    def later_income():
        record_interest(db.session.get(User, officer_id), value_date=dt.date(2017, 7, 1),
                        usd_amount=D("100.00"), note="Late")
        db.session.commit()
        return "recorded"
    return officer_id, later_income


@pytest.mark.parametrize("k", STEPS)
def test_a_cost_is_not_recorded_before_its_money_whatever_income_commits_meanwhile(app, db, k):
    officer_id, later_income = _fifty_held_on_the_first_of_june(db)
    pool_id = unearmarked_pool().id

    def cost():
        return record_fund_entry(db.session.get(User, officer_id), kind=DIRECT_COST, pool_id=pool_id,
                                 value_date=dt.date(2017, 6, 1), usd_amount=D("100.00"),
                                 description="Conference room")

    outcome, other, count = _after_statement(app, db, cost, later_income, k)
    if k > count:
        pytest.skip(f"the cost ran {count} statements")
    assert other == "recorded"
    assert outcome[0] == "refused", (outcome, pools.held_from(pool_id, dt.date(2017, 6, 1)))
    assert pools.held_from(pool_id, dt.date(2017, 6, 1)) == D("50.00")
    assert run_checks() == []


@pytest.mark.parametrize("k", STEPS)
def test_a_transfer_is_not_made_before_its_money_whatever_income_commits_meanwhile(app, db, k):
    officer_id, later_income = _fifty_held_on_the_first_of_june(db)
    pool_id, admin_id = unearmarked_pool().id, base_users()["admin"].id
    target = db.session.scalar(sa.select(Pool.id).join(Objective, Pool.objective_id == Objective.id)
                               .where(Objective.number == 1))

    def move():
        return transfer(db.session.get(User, admin_id), pool_id, target, D("100.00"), "Travel season",
                        on=dt.date(2017, 6, 1))

    outcome, other, count = _after_statement(app, db, move, later_income, k)
    if k > count:
        pytest.skip(f"the transfer ran {count} statements")
    assert other == "recorded"
    assert outcome[0] == "refused", (outcome, pools.held_from(pool_id, dt.date(2017, 6, 1)))
    assert db.session.get(Pool, target).available == D("0.00")


@pytest.mark.parametrize("k", range(1, 10))
def test_two_transfers_back_at_once_give_back_no_more_than_came(app, db, k):
    """Un-earmarked money moved into Objective 3's pool by mistake goes back no more than
    came (pools.refuse_leaving_its_earmark): two give-backs of it confirmed at the same
    moment both passed, the sum of the transfers read before the pools were held, and
    20,000.00 of Objective 3's donors' money reached the un-earmarked pool (a colleague's
    review of the session's change)."""
    from tests.factories.contributions import commitment, deposit, pool

    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: one writer at a time, so the second give-back comes after the first")
    deposit(commitment("USD", "100000.00"), D("100000.00"), value_date=dt.date(2018, 5, 10))
    deposit(commitment("USD", "50000.00", objective_number=3), D("50000.00"), value_date=dt.date(2018, 5, 10))
    admin_id = base_users()["admin"].id
    unearmarked, obj3 = pool("UNEARMARKED").id, pool("OBJ3").id
    transfer(db.session.get(User, admin_id), unearmarked, obj3, D("20000.00"), "By mistake",
             dt.date(2018, 6, 1))
    db.session.commit()

    def back():
        return transfer(db.session.get(User, admin_id), obj3, unearmarked, D("20000.00"), "Given back",
                        dt.date(2018, 6, 2))

    def colleague_back():
        back()
        db.session.commit()
        return "recorded"

    outcome, other, count = _after_statement(app, db, back, colleague_back, k)
    if k > count:
        pytest.skip(f"the transfer ran {count} statements")
    mine = "recorded" if outcome[0] == "result" else f"refused: {outcome[1].message}"
    # One goes back (whichever came first), the other is refused: nothing more came.
    assert sorted([mine, other])[0] == "recorded", (mine, other)
    assert sorted([mine, other])[1].startswith("refused: Money in the Objective 3 pool was earmarked"), \
        (mine, other)
    assert pool("OBJ3").available == D("49500.00")
