"""After the event: actual costs, cancellations and no-shows move the pool to the cent."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories.travel import fund_pool, make_event, make_request, srsg, srsg2
from trustfund.errors import DomainError
from trustfund.extensions import db
from trustfund.ledger_check import run_checks
from trustfund.travel import checks
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import TravelGrant
from trustfund.travel.reconcile import cancel_grant, record_no_show, record_travel


def approved(airfare="1850.10", country="GQ"):
    grant = make_request(make_event(), country, airfare=airfare)  # total = airfare + 1,200 + 100
    approve_grant(srsg2(), grant)
    db.session.commit()
    assert grant.status == "approved"
    return grant


def figures():
    pool = objective1_pool()
    db.session.refresh(pool)
    return pool.available, pool.committed, pool.spent


def test_travelled_returns_exactly_the_difference(db):
    fund_pool(1, "10000.00")  # 9,900.00
    grant = approved()
    assert figures() == (Decimal("6749.90"), Decimal("3150.10"), Decimal("0.00"))
    assert run_checks() == []
    record_travel(srsg(), grant, ticket="1795.41", dsa="1199.99", terminal="100.00")
    db.session.commit()
    assert grant.status == "travelled" and grant.actual_total == Decimal("3095.40")
    # 3,150.10 committed - 3,095.40 spent = 54.70 back.
    assert figures() == (Decimal("6804.60"), Decimal("0.00"), Decimal("3095.40"))
    assert run_checks() == []
    with pytest.raises(DomainError):
        record_travel(srsg(), grant, ticket="1.00", dsa="1.00", terminal="1.00")
    db.session.rollback()
    assert figures() == (Decimal("6804.60"), Decimal("0.00"), Decimal("3095.40"))


def test_a_dearer_trip_takes_nothing_more_from_the_pool_until_approved(db):
    fund_pool(1, "3200.00")  # 3,168.00; the grant commits 3,150.10
    grant = approved()
    record_travel(srsg(), grant, ticket="1900.00", dsa="1200.00", terminal="100.00")  # +49.90
    db.session.commit()
    assert (grant.status, grant.overrun_status, grant.overrun_amount) == ("travelled", "pending",
                                                                          Decimal("49.90"))
    assert figures() == (Decimal("17.90"), Decimal("0.00"), Decimal("3150.10"))
    assert run_checks() == []


def test_cancel_returns_the_whole_commitment(db):
    fund_pool(1, "10000.00")
    grant = approved()
    with pytest.raises(DomainError) as error:
        cancel_grant(srsg(), grant, "")
    assert error.value.field == "reason"
    db.session.rollback()
    cancel_grant(srsg(), grant, "The delegate's visa was refused.")
    db.session.commit()
    assert grant.status == "cancelled"
    assert figures() == (Decimal("9900.00"), Decimal("0.00"), Decimal("0.00"))
    assert run_checks() == []


def test_a_request_not_yet_approved_is_withdrawn_without_money(db):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    cancel_grant(srsg(), grant, "Entered twice.")
    db.session.commit()
    assert grant.status == "cancelled" and grant.pool_id is None
    assert figures() == (Decimal("9900.00"), Decimal("0.00"), Decimal("0.00"))


def test_a_no_show_keeps_the_costs_incurred(db):
    fund_pool(1, "10000.00")
    grant = approved()
    record_no_show(srsg(), grant, ticket="650.00", dsa="0", terminal="0", reason="Fell ill.")
    db.session.commit()
    assert grant.status == "no_show" and grant.actual_total == Decimal("650.00")
    assert figures() == (Decimal("9250.00"), Decimal("0.00"), Decimal("650.00"))
    other = approved(country="SN")
    record_no_show(srsg(), other, ticket="0", dsa="0", terminal="0")
    db.session.commit()
    assert other.actual_total == Decimal("0.00")
    assert figures() == (Decimal("9250.00"), Decimal("0.00"), Decimal("650.00"))
    assert run_checks() == []


@pytest.mark.parametrize("costs,field", [
    ({"ticket": "", "dsa": "1", "terminal": "1"}, "actual_ticket"),
    ({"ticket": "1", "dsa": "-1", "terminal": "1"}, "actual_dsa"),
    ({"ticket": "1", "dsa": "1", "terminal": "1.001"}, "actual_terminal"),
    ({"ticket": "0", "dsa": "0", "terminal": "0"}, "actual_ticket"),
])
def test_bad_costs_are_refused_and_nothing_moves(db, costs, field):
    fund_pool(1, "10000.00")
    grant = approved()
    with pytest.raises(DomainError) as error:
        record_travel(srsg(), grant, **costs)
    db.session.rollback()
    assert error.value.field == field
    assert grant.status == "approved"
    assert figures() == (Decimal("6749.90"), Decimal("3150.10"), Decimal("0.00"))


def test_a_trip_cannot_be_recorded_before_the_event(db):
    fund_pool(1, "10000.00")
    future = dt.date.today() + dt.timedelta(days=30)
    grant = make_request(make_event("Future", (future, future)), "SN")
    approve_grant(srsg2(), grant)
    db.session.commit()
    with pytest.raises(DomainError):
        record_travel(srsg(), grant, ticket="1.00", dsa="0", terminal="0")
    db.session.rollback()


def test_the_checks_see_figures_that_do_not_add_up(db):
    fund_pool(1, "10000.00")
    grant = approved()
    assert checks.problems() == []
    db.session.execute(sa.update(TravelGrant).where(TravelGrant.id == grant.id)
                       .values(total=Decimal("3150.11"), committed_amount=Decimal("3150.11")))
    db.session.commit()
    found = checks.problems()
    assert any(f"grant {grant.id} has total 3150.11" in p for p in found)
    assert any("pool OBJ1 shows committed 3150.10, but its approved grants commit 3150.11" in p
               for p in found)
