"""Approve, reject, waitlist: the pool, four eyes, the cap per country, funds short."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories.travel import count, fund_pool, make_event, make_request, srsg, srsg2
from trustfund.audit import AuditEntry
from trustfund.contributions.pools import unearmarked_pool
from trustfund.errors import DomainError
from trustfund.ledger_check import run_checks
from trustfund.travel.decisions import approve_grant, objective1_pool, reject_grant, waitlist_grant
from trustfund.travel.models import TravelGrant
from trustfund.travel.queries import decision_note


def test_approval_commits_the_total_from_objective_1_then_un_earmarked(db):
    fund_pool(1, "3000.00")  # 2,970.00 available
    fund_pool(None, "10000.00")  # 9,900.00
    event = make_event(cap=5)
    first = make_request(event, "SN")  # 2,300.00
    second = make_request(event, "ML")
    approve_grant(srsg2(), first)
    db.session.commit()
    assert first.status == "approved" and first.pool_id == objective1_pool().id
    assert first.committed_amount == Decimal("2300.00") and first.decided_by_id == srsg2().id
    assert objective1_pool().available == Decimal("670.00")
    assert objective1_pool().committed == Decimal("2300.00")
    # Objective 1 no longer has enough: the un-earmarked pool pays.
    approve_grant(srsg2(), second)
    db.session.commit()
    assert second.pool_id == unearmarked_pool().id
    assert unearmarked_pool().available == Decimal("7600.00")
    assert run_checks() == []


def test_the_approver_may_pick_the_pool(db):
    fund_pool(1, "10000.00")
    fund_pool(None, "10000.00")
    grant = make_request(make_event(), "SN")
    approve_grant(srsg2(), grant, unearmarked_pool().id)
    db.session.commit()
    assert grant.pool_id == unearmarked_pool().id
    assert objective1_pool().available == Decimal("9900.00")


def test_the_requester_cannot_approve_their_own_request(db):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN", by=srsg())
    audit = count(AuditEntry)
    with pytest.raises(DomainError) as error:
        approve_grant(srsg(), grant)
    db.session.rollback()
    assert error.value.message == "You entered this request: another colleague must decide on it."
    with pytest.raises(DomainError):
        reject_grant(srsg(), grant, "no")
    db.session.rollback()
    assert grant.status == "requested" and objective1_pool().available == Decimal("9900.00")
    assert count(AuditEntry) == audit


def test_the_database_refuses_a_self_approval_too(db):
    grant = make_request(make_event(), "SN", by=srsg())
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(TravelGrant).where(TravelGrant.id == grant.id)
                           .values(decided_by_id=srsg().id))
    db.session.rollback()


def test_an_mptf_officer_cannot_approve(db, users):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    with pytest.raises(DomainError):
        approve_grant(users["mptf_officer"], grant)
    db.session.rollback()
    assert grant.status == "requested"


def test_a_second_funded_delegate_of_the_same_country_is_refused(db):
    fund_pool(1, "10000.00")
    event = make_event(cap=1)
    first = make_request(event, "SN", "Aminata Diop")
    second = make_request(event, "SN", "Mamadou Ndiaye")
    approve_grant(srsg2(), first)
    db.session.commit()
    with pytest.raises(DomainError) as error:
        approve_grant(srsg2(), second)
    db.session.rollback()
    assert "Senegal already has 1 funded delegate for this event" in error.value.message
    assert second.status == "requested"
    assert objective1_pool().committed == Decimal("2300.00")
    # Another event, or another country, is fine.
    approve_grant(srsg2(), make_request(event, "ML"))
    db.session.commit()
    assert run_checks() == []


def test_an_event_may_fund_more_delegates_per_country_when_its_cap_says_so(db):
    fund_pool(1, "10000.00")
    event = make_event(cap=2)
    for name in ("A", "B"):
        approve_grant(srsg2(), make_request(event, "SN", name))
        db.session.commit()
    with pytest.raises(DomainError):
        approve_grant(srsg2(), make_request(event, "SN", "C"))
    db.session.rollback()


def test_funds_short_waitlists_and_the_request_can_be_approved_when_money_arrives(db):
    fund_pool(1, "2000.00")  # 1,980.00: not enough for 2,300.00
    grant = make_request(make_event(), "SN")
    approve_grant(srsg2(), grant)
    db.session.commit()
    assert grant.status == "waitlisted" and grant.pool_id is None and grant.committed_amount == 0
    note = decision_note(grant)
    assert note.startswith("No pool had USD") and "2,300.00" in note
    assert note.endswith("available (Objective 1, Un-earmarked).")
    assert objective1_pool().available == Decimal("1980.00")
    # Still short: refused, and it stays waitlisted.
    with pytest.raises(DomainError):
        approve_grant(srsg2(), grant)
    db.session.rollback()
    assert grant.status == "waitlisted"
    fund_pool(None, "1000.00")  # 990.00 un-earmarked: still no single pool can pay
    with pytest.raises(DomainError):
        approve_grant(srsg2(), grant)
    db.session.rollback()
    fund_pool(1, "1000.00")  # objective 1: 2,970.00
    approve_grant(srsg2(), grant)
    db.session.commit()
    assert grant.status == "approved" and objective1_pool().available == Decimal("670.00")
    assert run_checks() == []


def test_a_decided_request_cannot_be_decided_again(db):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    reject_grant(srsg2(), grant, "Not the focal point.")
    db.session.commit()
    assert grant.status == "rejected" and grant.decision_reason == "Not the focal point."
    with pytest.raises(DomainError) as error:
        approve_grant(srsg2(), grant)
    db.session.rollback()
    assert error.value.message == "This request has already been decided (it is now rejected)."
    assert objective1_pool().available == Decimal("9900.00")


def test_reject_needs_a_reason_and_waitlist_is_explicit(db):
    grant = make_request(make_event(), "SN")
    with pytest.raises(DomainError) as error:
        reject_grant(srsg2(), grant, "  ")
    assert error.value.field == "reason"
    db.session.rollback()
    waitlist_grant(srsg2(), grant, "After the LDC requests.")
    db.session.commit()
    assert grant.status == "waitlisted"
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "TravelGrant", AuditEntry.object_id == str(grant.id))
        .order_by(AuditEntry.id)).all()
    assert actions == ["grant.request", "grant.waitlist"]
