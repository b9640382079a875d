"""Closing the fund's operations while staff approve a grant or record a pledge,
from two threads each with its own application context, session and database
connection (as two gunicorn workers would), on SQLite and on PostgreSQL. The
approval's (the pledge's) check "are operations open?" passes before the admin's
closure commits; only then does it write. Once the closure is committed nothing
new may go through: the approval is refused with the closure's reason, the pool
keeps its money, and the request still waits."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from tests.factories import travel
from tests.factories.contributions import sweden
from tests.factories.statements import D
from tests.security.helpers import Attempt, attempts
from trustfund.auth.models import User
from trustfund.contributions import services
from trustfund.contributions.models import Pledge, Pool
from trustfund.fund import services as fund_services
from trustfund.fund import status
from trustfund.fund.status import current_fund
from trustfund.ledger_check import run_checks
from trustfund.travel import decisions
from trustfund.travel.models import REQUESTED, TravelGrant

REASON = "The conference was held; the SRSG ended the fund's activities."


def _race(app, db, admin, work, monkeypatch) -> str:
    """Run `work()` in a thread whose "operations open?" check passes, then close the
    operations here and commit, then let the thread write; what the thread saw."""
    checked, closed = threading.Event(), threading.Event()
    real = status.require_operations_open

    def check_then_wait(field=None):
        real(field)
        checked.set()
        closed.wait(timeout=30)

    for module in (status, decisions, services):
        monkeypatch.setattr(module, "require_operations_open", check_then_wait)

    def then_commit() -> str:
        work()
        db.session.commit()
        return "recorded"

    attempt = Attempt(app, then_commit).start()
    assert checked.wait(timeout=30)
    fund = current_fund()
    fund_services.close_operations(admin, fund, reason=REASON, version=fund.version)
    db.session.commit()
    closed.set()
    outcome = attempt.join(timeout=60)
    db.session.expire_all()
    return outcome


def test_an_approval_checked_before_the_operations_close_and_written_after_is_refused(
        app, db, users, monkeypatch):
    pool = travel.fund_pool(1, "10000.00")
    event = travel.make_event()
    grant = travel.make_request(event, "SN", "Awa Ndiaye")
    db.session.commit()
    grant_id, approver_id, pool_id = grant.id, users["srsg_staff2"].id, pool.id

    def approve() -> None:
        actor = db.session.get(User, approver_id)
        target = db.session.get(TravelGrant, grant_id)
        db.session.commit()  # end the read; the approval starts its own transaction
        decisions.approve_grant(actor, target)

    outcome = _race(app, db, users["admin"], approve, monkeypatch)

    assert outcome.startswith("refused: "), outcome
    assert REASON in outcome
    grant = db.session.get(TravelGrant, grant_id)
    assert grant.status == REQUESTED and grant.committed_amount == D("0.00")
    assert db.session.get(Pool, pool_id).available == D("9900.00")
    assert run_checks() == []


def test_a_pledge_checked_before_the_operations_close_and_written_after_is_refused(
        app, db, users, monkeypatch):
    donor_id, officer_id = sweden().id, users["mptf_officer"].id
    db.session.commit()

    def pledge() -> None:
        from trustfund.donors.models import Donor

        actor, donor = db.session.get(User, officer_id), db.session.get(Donor, donor_id)
        db.session.commit()
        services.record_pledge(actor, donor, currency="USD", amount="5000.00", objective_id=None,
                               pledged_on=dt.date(2018, 3, 1))

    outcome = _race(app, db, users["admin"], pledge, monkeypatch)

    assert outcome.startswith("refused: "), outcome
    assert REASON in outcome
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pledge)) == 0


def test_two_commitments_with_one_reference_at_the_same_moment_enter_one(app, db, users, monkeypatch):
    """Two officers enter a commitment with the same reference at once (imports name
    commitments by it): both look-ups find the reference free before either writes.
    One commitment is entered; the other is refused beside its reference."""
    from tests.factories.contributions import donor as make_donor
    from trustfund.contributions.models import Commitment
    from trustfund.donors.models import Donor

    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: one writer at a time from the donor's hold on (donors.services.hold_saa), "
                    "so the second look-up comes after the first commitment")
    donor_ids = [sweden().id, make_donor().id]
    officer_id = users["mptf_officer"].id
    db.session.commit()
    both_looked = threading.Barrier(2, timeout=30)
    real = services.reference_in_use

    def look_then_wait(reference, exclude_id=None):
        found = real(reference, exclude_id)
        both_looked.wait()
        return found

    monkeypatch.setattr(services, "reference_in_use", look_then_wait)

    def enter(index: int) -> str:
        actor, donor = db.session.get(User, officer_id), db.session.get(Donor, donor_ids[index])
        db.session.commit()
        services.record_commitment(actor, donor, currency="USD", amount="1000.00",
                                   objective_id=None, committed_on=dt.date(2018, 3, 1),
                                   reference=f"SAA/2018/{'Xx'[index]}")
        db.session.commit()
        return "recorded"

    entered = attempts(app, [lambda i=i: enter(i) for i in (0, 1)], timeout=60)
    outcome = [each.outcome for each in entered]

    assert "recorded" in outcome, outcome
    refused = next(each for each in entered if each.outcome != "recorded")
    assert refused.outcome.startswith("refused: Another commitment has the reference SAA/2018/"), outcome
    assert refused.refusal.field == "reference", outcome
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)
                             .where(sa.func.lower(Commitment.reference) == "saa/2018/x")) == 1
