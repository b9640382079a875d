"""An event's new dates must still fit the trips of its requests and grants (neither
rejected nor cancelled): otherwise a request would be approved, and money committed,
for a trip that no longer meets the event. (Found by a colleague's review: an event
moved from May to October kept its May trips, and a second SRSG staff member approved
one, USD 2,300.00 committed; a shortened event kept 6 DSA days where 3 are the rule.)"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories.travel import OCTOBER_GENEVA, fund_pool, make_event, make_request, srsg, srsg2
from trustfund.errors import DomainError
from trustfund.extensions import db
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import Event
from trustfund.travel.reconcile import cancel_grant
from trustfund.travel.services import save_event


def _move(event, start_on, end_on):
    save_event(srsg(), event, kind=event.kind, title=event.title, city=event.city, venue=event.venue,
               start_on=start_on, end_on=end_on, dsa_rate=event.dsa_rate,
               max_per_country=event.max_per_country, version=event.version)
    db.session.commit()


def _dates(event) -> tuple[dt.date, dt.date]:
    db.session.expire_all()
    found = db.session.get(Event, event.id)
    return found.start_on, found.end_on


def test_an_event_does_not_move_away_from_the_trips_of_its_requests(db):
    fund_pool(1, "10000.00")
    event = make_event()  # 8-9 May 2017
    make_request(event, "SN", name="Awa Diop")  # travelling 7-10 May
    with pytest.raises(DomainError) as refused:
        _move(event, *OCTOBER_GENEVA)
    db.session.rollback()
    assert refused.value.field == "start_on"
    assert refused.value.message == (
        "1 request for this event no longer fits these dates: Awa Diop, travelling from 7 May 2017 to "
        "10 May 2017 with 3 DSA days. Reject or cancel it (and enter it again for the new dates) before the "
        "event moves.")
    assert _dates(event) == (dt.date(2017, 5, 8), dt.date(2017, 5, 9))
    assert objective1_pool().available == Decimal("9900.00")


def test_an_approved_grant_holds_its_event_too_until_it_is_cancelled(db):
    fund_pool(1, "10000.00")
    event = make_event()
    grant = make_request(event, "SN")
    approve_grant(srsg2(), grant)
    db.session.commit()
    with pytest.raises(DomainError):
        _move(event, *OCTOBER_GENEVA)
    db.session.rollback()
    cancel_grant(srsg2(), grant, "The event moved to October")
    db.session.commit()
    _move(event, *OCTOBER_GENEVA)
    assert _dates(event) == OCTOBER_GENEVA


def test_a_shortened_event_keeps_no_more_dsa_days_than_its_rule_without_a_reason(db):
    fund_pool(1, "10000.00")
    event = make_event(dates=(dt.date(2017, 10, 2), dt.date(2017, 10, 6)))
    grant = make_request(event, "SN")  # travelling 1-7 October: 6 DSA days, the default
    assert grant.dsa_days == 6 and grant.override_reason == ""
    with pytest.raises(DomainError) as refused:
        _move(event, dt.date(2017, 10, 2), dt.date(2017, 10, 3))
    db.session.rollback()
    assert refused.value.field == "end_on" and "with 6 DSA days" in refused.value.message
    # Dates that still fit every trip are saved: one day later and one day longer.
    _move(event, dt.date(2017, 10, 2), dt.date(2017, 10, 7))
    assert _dates(event) == (dt.date(2017, 10, 2), dt.date(2017, 10, 7))


def test_an_event_with_approved_travel_keeps_its_funded_states_standing(db):
    """A colleague's review: an event moved from 3 June 2017 to 4 June, the day
    Equatorial Guinea graduated, kept its approved grant "least developed country on the
    first day of the event" (the reports counted it so) while its waiting requests were
    judged again. The move is refused beside the first day; once the grant is
    cancelled the event moves, and its waiting request is judged again."""
    fund_pool(1, "20000.00")
    event = make_event("Moved", (dt.date(2017, 6, 3), dt.date(2017, 6, 4)), cap=2)
    approved = make_request(event, "GQ", name="Approved delegate")  # travelling 2-5 June
    waiting = make_request(event, "GQ", name="Waiting delegate")
    assert approved.ldc and waiting.ldc  # an LDC on 3 June 2017
    approve_grant(srsg2(), approved)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        _move(event, dt.date(2017, 6, 4), dt.date(2017, 6, 5))
    db.session.rollback()
    assert refused.value.field == "start_on"
    assert refused.value.message == (
        "Travel from Equatorial Guinea was approved for this event as a least developed country's on its "
        "first day, and it would not be one on 4 Jun 2017: the first day cannot move there.")
    assert _dates(event) == (dt.date(2017, 6, 3), dt.date(2017, 6, 4))
    cancel_grant(srsg(), db.session.get(type(approved), approved.id), "The event moves")
    db.session.commit()
    _move(db.session.get(Event, event.id), dt.date(2017, 6, 4), dt.date(2017, 6, 5))
    db.session.expire_all()
    assert db.session.get(type(waiting), waiting.id).ldc is False
