"""Many approvals at once, from parallel threads, each with its own application
context, session and database connection (as several gunicorn workers would), on
SQLite (a file database, WAL) and on PostgreSQL: the pool pays exactly what it
can, never goes below zero, the cap per country holds, and the ledger checks pass.

The threads use a request context (which brings its own application context and
session) because messages are translated into the requester's language."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from tests.factories.travel import decided_at_once, fund_pool, make_event, make_request, srsg2
from trustfund.contributions.pools import unearmarked_pool
from trustfund.ledger_check import run_checks
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import TravelGrant

COUNTRIES = ["SN", "ML", "NE", "ET", "KH", "MM", "BD", "NP", "HT", "UG", "MW", "TZ"]


def approve_all_at_once(app, grant_ids: list[int], approver_id: int) -> list[str]:
    """Approve each grant in its own thread, all released together; returns what each
    thread saw: the grant's status after commit, or 'refused: <message>'."""
    return decided_at_once(app, grant_ids, approver_id, approve_grant, "status")


def test_a_pool_pays_exactly_as_many_as_it_can(app, db):
    fund_pool(1, "10000.00")  # 9,900.00 available; each grant is 2,300.00: four fit
    event = make_event(cap=1)
    ids = [make_request(event, code).id for code in COUNTRIES]
    results = approve_all_at_once(app, ids, srsg2().id)
    assert not [r for r in results if r.startswith("error")], results
    assert results.count("approved") == 4, results
    assert results.count("waitlisted") == 8, results
    pool = objective1_pool()
    assert pool.available == Decimal("700.00")
    assert pool.committed == Decimal("9200.00")
    assert unearmarked_pool().committed == Decimal("0.00")
    statuses = db.session.scalars(sa.select(TravelGrant.status)).all()
    assert sorted(statuses) == ["approved"] * 4 + ["waitlisted"] * 8
    assert run_checks() == []


def test_two_pools_together_never_overspend(app, db):
    fund_pool(1, "5000.00")  # 4,950.00: two grants
    fund_pool(None, "3000.00")  # 2,970.00: one grant
    event = make_event(cap=1)
    ids = [make_request(event, code).id for code in COUNTRIES[:8]]
    results = approve_all_at_once(app, ids, srsg2().id)
    assert results.count("approved") == 3, results
    assert results.count("waitlisted") == 5, results
    assert objective1_pool().available == Decimal("350.00")
    assert unearmarked_pool().available == Decimal("670.00")
    assert run_checks() == []


def test_the_cap_per_country_holds_under_concurrent_approvals(app, db):
    fund_pool(1, "100000.00")
    event = make_event(cap=1)
    ids = [make_request(event, "SN", f"Delegate {n}").id for n in range(8)]
    results = approve_all_at_once(app, ids, srsg2().id)
    assert results.count("approved") == 1, results
    refusals = [r for r in results if r.startswith("refused")]
    assert len(refusals) == 7, results
    assert all("Senegal already has 1 funded delegate" in r for r in refusals)
    assert objective1_pool().committed == Decimal("2300.00")
    assert run_checks() == []


def test_one_request_approved_from_many_places_at_once_is_approved_once(app, db):
    fund_pool(1, "100000.00")
    grant = make_request(make_event(), "SN")
    results = approve_all_at_once(app, [grant.id] * 6, srsg2().id)
    assert results.count("approved") == 1, results
    assert all(r.startswith("refused: This request has already been decided") for r in results
               if r != "approved"), results
    assert objective1_pool().committed == Decimal("2300.00")
    assert run_checks() == []
