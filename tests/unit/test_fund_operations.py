"""Operational closure (issue 18): after the fund's end date, or once the admin
closes its operations early with a reason, no new pledges, commitments, events,
grant requests or approvals; approved grants can still be reconciled, requests
rejected or cancelled, and deposits against existing commitments still arrive."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories import travel
from tests.factories.statements import D
from trustfund.contributions import services
from trustfund.contributions.models import Commitment
from trustfund.errors import DomainError
from trustfund.fund import services as fund_services
from trustfund.fund.models import Fund
from trustfund.fund.status import current_fund, effective_status
from trustfund.reference import FUND_END
from trustfund.travel import decisions, reconcile


def _refused(operation) -> str:
    with pytest.raises(DomainError) as caught:
        operation()
    from trustfund.extensions import db

    db.session.rollback()
    return caught.value.message


@pytest.fixture
def ongoing(db, users):
    """A funded pool, an event, an approved grant, a request waiting, a commitment
    not fully deposited: all made while the fund was open."""
    from tests.factories.contributions import sweden

    travel.fund_pool(1, "20000.00")
    event = travel.make_event(cap=5)
    approved = travel.make_request(event, "SN", "Awa Ndiaye")
    decisions.approve_grant(users["srsg_staff2"], approved)
    waiting = travel.make_request(event, "ML", "Amadou Traore")
    commitment = services.record_commitment(users["mptf_officer"], sweden(), currency="USD",
                                            amount="50000.00", objective_id=None,
                                            committed_on=dt.date(2018, 1, 5))
    db.session.commit()
    return {"event": event, "approved": approved, "waiting": waiting, "commitment": commitment}


def _end_by_its_date(db) -> Fund:
    """The real fund's end date, 31 December 2018 (the tests' fund runs longer)."""
    fund = current_fund()
    fund.end_on = FUND_END
    db.session.commit()
    return fund


def _new_things(users, ongoing) -> dict:
    from tests.factories.contributions import sweden

    officer, srsg2 = users["mptf_officer"], users["srsg_staff2"]
    return {
        "pledge": lambda: services.record_pledge(officer, sweden(), currency="USD", amount="1000",
                                                 objective_id=None, pledged_on=dt.date(2018, 6, 1)),
        "commitment": lambda: services.record_commitment(officer, sweden(), currency="USD", amount="1000",
                                                         objective_id=None, committed_on=dt.date(2018, 6, 1)),
        "event": lambda: travel.make_event(title="Another session"),
        "request": lambda: travel.make_request(ongoing["event"], "NE", "Issoufou Abdou"),
        "approval": lambda: decisions.approve_grant(srsg2, ongoing["waiting"]),
    }


def test_after_its_end_date_the_fund_takes_nothing_new(db, users, ongoing):
    fund = _end_by_its_date(db)
    assert effective_status(fund) == "operationally_closed"
    for what, operation in _new_things(users, ongoing).items():
        message = _refused(operation)
        assert "activities ended on 31 Dec 2018, its end date" in message, what


def test_after_it_the_running_business_is_settled(db, users, ongoing):
    _end_by_its_date(db)
    officer, srsg, srsg2 = users["mptf_officer"], users["srsg_staff"], users["srsg_staff2"]
    commitment = db.session.get(Commitment, ongoing["commitment"].id)
    deposit = services.record_deposit(officer, commitment, value_date=dt.date.today(), amount="10000.00")
    grant = reconcile.record_travel(srsg, ongoing["approved"], ticket="900.00", dsa="800.00",
                                    terminal="100.00")
    rejected = decisions.reject_grant(srsg2, ongoing["waiting"], "The session took place")
    db.session.commit()
    assert deposit.net == D("9900.00")
    assert (grant.status, rejected.status) == ("travelled", "rejected")


def test_an_extension_reopens_a_fund_its_end_date_closed(db, users, ongoing):
    fund = _end_by_its_date(db)
    fund_services.extend_end(users["admin"], fund, end_on=dt.date(2099, 1, 1), reason="Follow-up")
    db.session.commit()
    assert effective_status(fund) == "open"
    travel.make_event(title="Follow-up session")


def test_the_admin_closes_the_operations_early_with_a_reason(db, users, ongoing):
    fund = current_fund()
    admin = users["admin"]
    assert _refused(lambda: fund_services.close_operations(admin, fund, reason=" ")).startswith("Say why")
    fund_services.close_operations(admin, fund, reason="The Compact was adopted")
    db.session.commit()
    assert (fund.status, fund.operations_closed_on) == ("operationally_closed", dt.date.today())
    for what, operation in _new_things(users, ongoing).items():
        assert "(The Compact was adopted)" in _refused(operation), what
    # An extension of the end date does not undo the admin's closure.
    fund_services.extend_end(admin, fund, end_on=dt.date(2100, 1, 1), reason="Later reports")
    db.session.commit()
    assert effective_status(fund) == "operationally_closed"
    assert "already closed" in _refused(lambda: fund_services.close_operations(admin, fund, reason="Again"))


def test_the_fund_page_says_the_operations_are_closed(db, client, login_as, users, ongoing):
    _end_by_its_date(db)
    login_as("auditor")
    html = client.get("/fund/").get_data(as_text=True)
    assert 'id="fund-status">Operationally closed<' in html
    assert "activities ended on 31 Dec 2018" in html
    assert db.session.scalar(sa.select(Fund.status)) == "open"  # stored: closed by its date alone
