"""A correction of a trip's costs waiting for a second SRSG staff member, confirmed by
two colleagues at once and by one of them twice, from parallel threads each with its
own application context, session and database connection (as several gunicorn
workers would), on SQLite and on PostgreSQL: every confirmation has found it waiting
before any decides; one guarded UPDATE of its status lets one through, the pool gets
the difference back once, and the others are told it was already answered. And two
colleagues proposing a correction of one trip at once: one waits (a partial unique
index), the other is told so."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories import base_users, make_user
from tests.factories.statements import D
from tests.factories.travel import fund_pool, make_event, make_request, srsg, srsg2
from tests.security.helpers import Attempt, all_read_before_any_decides
from trustfund.auth.models import User
from trustfund.ledger_check import run_checks
from trustfund.travel import corrections
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import CostCorrection, TravelGrant
from trustfund.travel.reconcile import record_travel

ALREADY = "refused: This correction was already confirmed, refused or withdrawn: nothing was done."


def _trip(db) -> TravelGrant:
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "GQ", airfare="1850.10")
    approve_grant(srsg2(), grant)
    record_travel(srsg(), grant, ticket="1850.10", dsa="1200.00", terminal="100.00")
    db.session.commit()
    return grant


def test_two_colleagues_confirming_one_correction_at_once_apply_it_once(app, db, monkeypatch):
    users = base_users()
    third_id = make_user("srsg_staff", "srsg3@test.example").id
    grant = _trip(db)
    correction_id = corrections.propose(users["srsg_staff"], grant, ticket="1650.10", dsa="1200.00",
                                        terminal="100.00", reason="Airline refund").id
    db.session.commit()
    deciders = [users["srsg_staff2"].id, third_id, users["srsg_staff2"].id]
    all_read_before_any_decides(monkeypatch, len(deciders))

    def confirm_as(user_id):
        def work():
            done = corrections.confirm(db.session.get(User, user_id), correction_id)
            db.session.commit()
            return f"corrected {done.change}"
        return work

    started = [Attempt(app, confirm_as(user_id)).start() for user_id in deciders]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert sorted(outcomes) == sorted(["corrected -200.00", ALREADY, ALREADY]), outcomes
    db.session.expire_all()
    pool = objective1_pool()
    assert (pool.available, pool.spent) == (D("6949.90"), D("2950.10"))
    assert db.session.get(TravelGrant, grant.id).actual_total == D("2950.10")
    assert db.session.get(CostCorrection, correction_id).status == "confirmed"
    assert run_checks() == []


def test_two_colleagues_proposing_a_correction_of_one_trip_at_once_leave_one_waiting(app, db):
    users = base_users()
    grant_id = _trip(db).id

    def propose_as(user_id, ticket):
        def work():
            grant = db.session.get(TravelGrant, grant_id)
            correction = corrections.propose(db.session.get(User, user_id), grant, ticket=ticket,
                                             dsa="1200.00", terminal="100.00", reason="Refund")
            db.session.commit()
            return f"waits {correction.id}"
        return work

    started = [Attempt(app, propose_as(users[who].id, ticket)).start()
               for who, ticket in (("srsg_staff", "1650.10"), ("srsg_staff2", "1700.10"))]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert len([o for o in outcomes if o.startswith("waits ")]) == 1, outcomes
    assert [o for o in outcomes if not o.startswith("waits ")] == [
        "refused: A correction of this trip's costs already waits for a second SRSG staff member: it must be "
        "confirmed, refused or withdrawn first."], outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CostCorrection)
                             .where(CostCorrection.grant_id == grant_id)) == 1
