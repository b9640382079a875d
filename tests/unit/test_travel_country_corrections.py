"""The admin corrects a country after requests from it were entered: approval judges
the country again, and the requests still waiting take their new LDC standing (the
review queues put LDC requests first), as when an event's first day moves."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from trustfund.audit import AuditEntry
from trustfund.audit_text import describe_many
from trustfund.countries.models import Country
from trustfund.countries.services import save_ldc_period, update_country
from trustfund.errors import DomainError
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import TravelGrant
from trustfund.travel.queries import queue_query


def _no_longer_developing(db, admin, code: str) -> None:
    country = db.session.get(Country, code)
    update_country(admin, country, name=country.name, un_member=True, observer=False,
                   developing=False, version=country.version)
    db.session.commit()


def _ecuador_made_an_ldc(db, admin) -> None:
    ecuador = db.session.get(Country, "EC")
    save_ldc_period(admin, ecuador, None, start_on=dt.date(2000, 1, 1), end_on=None, note="correction",
                    version=ecuador.version)
    db.session.commit()
    db.session.expire_all()


def test_a_request_from_a_country_no_longer_developing_cannot_be_approved(db, users):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "EC")  # Ecuador: developing, not an LDC
    _no_longer_developing(db, users["admin"], "EC")
    with pytest.raises(DomainError) as refused:
        approve_grant(srsg2(), grant)
    assert "Ecuador is not a developing country on" in refused.value.message
    assert "Reject it" in refused.value.message
    db.session.rollback()
    assert db.session.get(TravelGrant, grant.id).status == "requested"
    assert objective1_pool().available == Decimal("9900.00")


def test_the_approval_page_says_so_before_anything_is_confirmed(client, login_as, db, users):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "EC")
    _no_longer_developing(db, users["admin"], "EC")
    login_as("srsg_staff2")
    response = client.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"},
                           follow_redirects=True)
    assert "Ecuador is not a developing country on" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).status == "requested"


def test_an_ldc_period_added_by_the_admin_gives_waiting_requests_their_priority(db, users):
    event = make_event(cap=3)
    other = make_request(event, "PH", "Philippines first")
    grant = make_request(event, "EC", "Ecuador second")
    assert [g.id for g in db.session.scalars(queue_query(event.id))] == [other.id, grant.id]
    _ecuador_made_an_ldc(db, users["admin"])
    assert db.session.get(TravelGrant, grant.id).ldc is True
    assert [g.id for g in db.session.scalars(queue_query(event.id))] == [grant.id, other.id]
    [entry] = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "grant.ldc_rejudged", AuditEntry.object_id == str(grant.id))).all()
    # The grant's history says why: the country was corrected, not the event moved (a
    # colleague's review found it said "moved the event's first day").
    [told] = describe_many([entry])
    assert told.sentence == ("Judged again when admin corrected Ecuador: a least developed country on the "
                             "event's first day.")


def test_a_graduation_day_set_by_the_admin_takes_the_priority_away(db, users):
    event = make_event(cap=3)
    grant = make_request(event, "SN")  # Senegal: an LDC on the event's first day
    assert grant.ldc is True
    senegal = db.session.get(Country, "SN")
    period = senegal.ldc_periods[0]
    save_ldc_period(users["admin"], senegal, period, start_on=period.start_on,
                    end_on=event.start_on - dt.timedelta(days=1), note="graduated", version=senegal.version)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).ldc is False
    [entry] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "grant.ldc_rejudged")).all()
    assert describe_many([entry])[0].sentence == (
        "Judged again when admin corrected Senegal: no longer a least developed country on the event's first "
        "day.")


def test_decided_requests_keep_the_standing_they_were_decided_with(db, users):
    fund_pool(1, "10000.00")
    event = make_event(cap=3)
    grant = make_request(event, "EC")
    approve_grant(srsg2(), grant)
    db.session.commit()
    _ecuador_made_an_ldc(db, users["admin"])
    assert db.session.get(TravelGrant, grant.id).ldc is False
