"""Twenty direct costs recorded at once, from parallel threads, each with its own
application context, session and database connection (as several gunicorn workers
would), on SQLite and on PostgreSQL, against a pool that can pay exactly seven: seven
are recorded, the others are refused with the pool's message and leave no entry, the
pool never goes below zero, and the ledger check passes. And an entry waiting for a
second MPTF officer, confirmed by two officers at once and by one of them twice: every
confirmation has found it waiting before any decides; one guarded UPDATE of its status
lets one through, the entry is recorded once, and the others are told it was already
answered."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from functools import partial

import pytest
import sqlalchemy as sa

from tests.factories import base_users, make_user
from tests.security.helpers import Attempt, all_read_before_any_decides, attempt, attempts
from trustfund.auth.models import User
from trustfund.closure import entry_proposals
from trustfund.contributions.confirmed import record_interest
from trustfund.contributions.fund_entries import record_fund_entry
from trustfund.contributions.models import Pool
from trustfund.contributions.pools import unearmarked_pool
from trustfund.errors import DomainError
from trustfund.fund.entries import CONFIRMED, DIRECT_COST, FundEntry, FundEntryProposal
from trustfund.ledger_check import run_checks

D = Decimal
COSTS = 20
PAYABLE = 7
COST = D("100.00")


def test_twenty_costs_against_money_for_seven_record_exactly_seven(app, db):
    officer = base_users()["mptf_officer"]
    record_interest(officer, value_date=dt.date(2017, 4, 25), usd_amount=PAYABLE * COST + D("99.99"),
                    note="Money for the costs")
    db.session.commit()
    pool_id, officer_id = unearmarked_pool().id, officer.id
    barrier = threading.Barrier(COSTS)

    def cost(index: int) -> str:
        actor = db.session.get(User, officer_id)
        db.session.commit()  # end the read; the entry starts its own transaction
        barrier.wait(timeout=30)
        record_fund_entry(actor, kind=DIRECT_COST, pool_id=pool_id, value_date=dt.date(2017, 6, 1),
                          usd_amount=COST, description=f"Conference room {index}")
        db.session.commit()
        return "recorded"

    results = [each.outcome for each in attempts(app, [partial(cost, i) for i in range(COSTS)])]
    db.session.expire_all()

    assert results.count("recorded") == PAYABLE, results
    refused = [r for r in results if r != "recorded"]
    assert all(r.startswith("refused: ") and "available" in r for r in refused), refused
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundEntry)) == PAYABLE
    assert db.session.get(Pool, pool_id).available == D("99.99")
    assert run_checks() == []


ALREADY = "refused: This entry was already confirmed, refused or withdrawn: nothing was done."


def test_two_officers_confirming_one_entry_at_once_record_it_once(app, db, monkeypatch):
    users = base_users()
    record_interest(users["mptf_officer"], value_date=dt.date(2017, 4, 25), usd_amount=D("1000.00"),
                    note="Money for the cost")
    officer3_id = make_user("mptf_officer", "officer3@test.example").id
    proposal = entry_proposals.propose_entry(users["mptf_officer"], kind=DIRECT_COST,
                                             pool_id=unearmarked_pool().id, value_date=dt.date(2017, 6, 1),
                                             usd_amount=COST, description="Conference room")
    db.session.commit()
    proposal_id = proposal.id
    deciders = [users["mptf_officer2"].id, officer3_id, users["mptf_officer2"].id]
    # Each confirmation has read the waiting entry before any decides.
    all_read_before_any_decides(monkeypatch, len(deciders))

    def confirm_as(user_id):
        def work():
            entry = entry_proposals.confirm(db.session.get(User, user_id), proposal_id)
            db.session.commit()
            return f"recorded {entry.usd_amount}"
        return work

    started = [Attempt(app, confirm_as(user_id)).start() for user_id in deciders]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert sorted(outcomes) == sorted([f"recorded {COST}", ALREADY, ALREADY]), outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundEntry)) == 1
    assert unearmarked_pool().available == D("900.00")
    assert db.session.get(FundEntryProposal, proposal_id).status == CONFIRMED
    assert run_checks() == []


def test_a_colleagues_cost_committed_after_the_pool_was_read_is_refused_for_the_money_available(app, db):
    """A colleague's cost committed just after this cost's pool was read (PostgreSQL: each
    statement sees what was committed before it): the pool's dated money then counts it,
    the pool as read does not. The refusal names the money available, as for a cost
    recorded after the colleague's, not a value date "before its money arrived" (CI saw
    it once among twenty costs at once). On SQLite the colleague's write waits."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: one writer at a time, so the colleague's cost waits for this one")
    officer = base_users()["mptf_officer"]
    record_interest(officer, value_date=dt.date(2017, 4, 25), usd_amount=COST + D("99.99"),
                    note="Money for one cost")
    db.session.commit()
    pool_id = unearmarked_pool().id
    db.session.expire_all()
    colleague = []

    def colleagues_cost():
        record_fund_entry(db.session.get(User, officer.id), kind=DIRECT_COST, pool_id=pool_id,
                          value_date=dt.date(2017, 6, 1), usd_amount=COST, description="Colleague's room")
        db.session.commit()
        return "recorded"

    def after_the_pool_is_read(conn, cursor, statement, parameters, context, executemany):
        if not colleague and statement.lstrip().startswith("SELECT") and "FROM pool" in statement:
            colleague.append(Attempt(app, colleagues_cost))
            colleague[0].start().join()

    sa.event.listen(db.engine, "after_cursor_execute", after_the_pool_is_read)
    try:
        outcome = attempt(lambda: record_fund_entry(officer, kind=DIRECT_COST, pool_id=pool_id,
                                                    value_date=dt.date(2017, 6, 1), usd_amount=COST,
                                                    description="Conference room"), (DomainError,))
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", after_the_pool_is_read)
        db.session.rollback()
    assert colleague and colleague[0].outcome == "recorded"
    kind, refusal = outcome
    assert kind == "refused", outcome
    assert refusal.message == ("The un-earmarked pool has only USD\xa099.99 available, "
                               "less than USD\xa0100.00.")
    assert db.session.get(Pool, pool_id).available == D("99.99")
