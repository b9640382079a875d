"""Twenty direct costs recorded at once, from parallel threads, each with its own
application context, session and database connection (as several gunicorn workers
would), on SQLite and on PostgreSQL, against a pool that can pay exactly seven: seven
are recorded, the others are refused with the pool's message and leave no entry, the
pool never goes below zero, and the ledger check passes."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from functools import partial

import sqlalchemy as sa

from tests.factories import base_users
from tests.security.helpers import attempts
from trustfund.auth.models import User
from trustfund.contributions.fund_entries import record_fund_entry
from trustfund.contributions.models import Pool
from trustfund.contributions.pools import unearmarked_pool
from trustfund.contributions.services import record_interest
from trustfund.fund.entries import DIRECT_COST, FundEntry
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
