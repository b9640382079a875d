"""Twenty overruns approved at once, from parallel threads, each with its own
application context, session and database connection (as several gunicorn workers
would), on SQLite (a file database, WAL) and on PostgreSQL, against a pool that can
pay exactly seven of them: exactly seven are paid, the others are refused and stay
awaiting approval, the pool never goes below zero, and the ledger check passes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import base_users
from tests.factories.travel import decided_at_once, make_event, make_request, srsg, srsg2
from trustfund.audit import AuditEntry
from trustfund.contributions.confirmed import record_interest
from trustfund.contributions.pools import unearmarked_pool
from trustfund.ledger_check import run_checks
from trustfund.travel.decisions import approve_grant
from trustfund.travel.models import TravelGrant
from trustfund.travel.overruns import approve_overrun
from trustfund.travel.reconcile import record_travel

D = Decimal
GRANTS = 20
PAYABLE = 7
OVERRUN = D("100.00")
TOTAL = D("2300.00")  # airfare 1,000.00 + DSA 3 × 400.00 + terminal 100.00


def approve_overruns_at_once(app, grant_ids: list[int], approver_id: int) -> list[str]:
    """Approve each grant's overrun in its own thread, all released together; returns
    what each thread saw: the overrun's state after commit, or 'refused: <message>'."""
    return decided_at_once(app, grant_ids, approver_id, approve_overrun, "overrun_status")


def test_twenty_overruns_against_money_for_seven_pay_exactly_seven(app, db, runner):
    # The commitments, and money for seven overruns and a part of an eighth.
    money = GRANTS * TOTAL + PAYABLE * OVERRUN + D("99.99")
    record_interest(base_users()["mptf_officer"], value_date=dt.date(2017, 4, 25), usd_amount=money,
                    note="Money for the grants")
    db.session.commit()
    event = make_event(cap=GRANTS)
    pool = unearmarked_pool()
    ids = []
    for n in range(GRANTS):
        grant = make_request(event, "SN", f"Delegate {n}")
        approve_grant(srsg2(), grant, pool.id)
        record_travel(srsg(), grant, ticket=D("1000.00") + OVERRUN, dsa="1200.00", terminal="100.00")
        db.session.commit()
        assert grant.overrun_status == "pending", grant.decision_reason
        ids.append(grant.id)
    db.session.refresh(pool)
    assert pool.available == PAYABLE * OVERRUN + D("99.99")

    results = approve_overruns_at_once(app, ids, srsg2().id)
    assert not [r for r in results if r.startswith("error")], results
    assert results.count("approved") == PAYABLE, results
    refusals = [r for r in results if r.startswith("refused")]
    assert len(refusals) == GRANTS - PAYABLE, results
    short = "has only USD\u00a099.99 available, less than the overrun of USD\u00a0100.00"
    assert all(short in r for r in refusals), refusals

    pool = unearmarked_pool()
    db.session.refresh(pool)
    assert pool.available == D("99.99")
    assert pool.spent == GRANTS * TOTAL + PAYABLE * OVERRUN
    assert pool.committed == D("0.00")
    states = db.session.scalars(sa.select(TravelGrant.overrun_status)).all()
    assert sorted(states) == ["approved"] * PAYABLE + ["pending"] * (GRANTS - PAYABLE)
    approvals = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action == "grant.overrun_approve"))
    assert approvals == PAYABLE
    assert run_checks() == []
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
