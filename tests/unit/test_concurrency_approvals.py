"""Many approvals at once, from parallel threads, each with its own application
context, session and database connection (as several gunicorn workers would), on
SQLite (a file database, WAL) and on PostgreSQL: the pool pays exactly what it
can, never goes below zero, the cap per country holds, and the ledger checks pass.

The threads use a request context (which brings its own application context and
session) because messages are translated into the requester's language."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from tests.factories.travel import decided_at_once, fund_pool, make_event, make_request, srsg, srsg2
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


def test_lowering_the_cap_while_a_colleague_approves_leaves_no_more_funded_than_the_cap(app, db, monkeypatch):
    """Staff A lowers the event's cap per country from 2 to 1 while staff B approves a
    second delegate of Senegal, B's approval starting just after A counted the funded
    delegates: the event never ends with a cap below its funded delegates. A holds
    the event before counting, so B's approval waits for A's change and is then
    refused by the new cap."""
    from tests.security.helpers import Attempt
    from trustfund.auth.models import User
    from trustfund.travel import services
    from trustfund.travel.models import Event

    fund_pool(1, "100000.00")
    event = make_event(cap=2)
    first = make_request(event, "SN", "Delegate one")
    second = make_request(event, "SN", "Delegate two")
    approve_grant(srsg2(), first)
    db.session.commit()
    approver_id, second_id, event_id = srsg2().id, second.id, event.id

    def colleague_approves():
        grant = db.session.get(TravelGrant, second_id)
        approve_grant(db.session.get(User, approver_id), grant)
        db.session.commit()
        return grant.status

    colleague = Attempt(app, colleague_approves)
    counted = services._check_cap_not_below_funded

    def count_then_let_the_colleague_go(event, cap):
        counted(event, cap)  # 1 funded delegate of Senegal: a cap of 1 is allowed
        colleague.start()
        colleague.done.wait(timeout=1.5)  # B approves now, unless A holds the event

    monkeypatch.setattr(services, "_check_cap_not_below_funded", count_then_let_the_colleague_go)
    services.save_event(srsg(), event, kind=event.kind, title=event.title, city=event.city,
                        venue=event.venue, start_on=event.start_on, end_on=event.end_on,
                        dsa_rate="400.00", max_per_country=1, version=event.version)
    db.session.commit()
    outcome = colleague.join()
    db.session.expire_all()
    funded = db.session.scalar(sa.select(sa.func.count()).select_from(TravelGrant).where(
        TravelGrant.event_id == event_id, TravelGrant.status == "approved"))
    assert db.session.get(Event, event_id).max_per_country == 1
    assert funded == 1, f"a cap of 1 with {funded} funded delegates of Senegal ({outcome})"
    assert outcome.startswith("refused: Senegal already has 1 funded delegate"), outcome
    assert run_checks() == []
