"""Eligibility as of the event's first day (the issue's proof)."""
import datetime as dt

import pytest

from tests.factories.travel import MAY_GENEVA, OCTOBER_GENEVA, count, make_event, make_request
from trustfund import demo
from trustfund.countries.models import Country
from trustfund.errors import DomainError
from trustfund.travel.models import Delegate, Event, TravelGrant


def test_equatorial_guinea_is_an_ldc_in_may_2017_and_not_in_october(db):
    may = make_event("Human rights, social inclusion", MAY_GENEVA)
    october = make_event("Irregular migration and regular pathways", OCTOBER_GENEVA)
    in_may = make_request(may, "GQ", "Adelina Mba Nsue")
    in_october = make_request(october, "GQ", "Adelina Mba Nsue")
    assert in_may.ldc is True
    assert in_october.ldc is False
    assert in_october.status == "requested"  # still eligible: a developing country
    # One delegate, reused for the second request.
    assert count(Delegate) == 1


def test_a_developed_country_is_refused_beside_the_country_and_nothing_is_written(db):
    event = make_event()
    grants, delegates = count(TravelGrant), count(Delegate)
    with pytest.raises(DomainError) as refused:
        make_request(event, "FR", "Jeanne Martin")
    db.session.rollback()
    assert refused.value.field == "country_code"
    assert "France is not a developing country on 8 May 2017" in refused.value.message
    assert (count(TravelGrant), count(Delegate)) == (grants, delegates)


def test_vanuatu_is_an_ldc_for_every_2017_event(db, users):
    demo.seed()
    db.session.commit()
    vanuatu = db.session.get(Country, "VU")
    events = db.session.scalars(db.select(Event).where(Event.start_on < dt.date(2018, 1, 1))).all()
    assert len(events) == 14
    for number, event in enumerate(events):
        # One delegate each: a delegate's trips to events on neighbouring days would overlap.
        grant = make_request(event, "VU", f"Marie Tabi {number}", airfare="3420.00", commit=False)
        assert grant.ldc is True, event.title
        assert vanuatu.ldc_on(event.start_on) and vanuatu.ldc_on(event.end_on)
    assert not vanuatu.ldc_on(dt.date(2020, 12, 4))


def test_a_country_that_left_the_ldc_list_keeps_priority_only_for_earlier_events(db):
    # Sao Tome and Principe graduated on 13 December 2024.
    before = make_event("Before graduation", (dt.date(2024, 12, 12), dt.date(2024, 12, 12)))
    after = make_event("After graduation", (dt.date(2024, 12, 13), dt.date(2024, 12, 13)))
    assert make_request(before, "ST", "Delegate of ST, before").ldc is True
    assert make_request(after, "ST", "Delegate of ST, after").ldc is False


def test_moving_an_event_re_judges_the_waiting_requests(db):
    from tests.factories.travel import srsg
    from trustfund.travel.services import save_event

    event = make_event("Moved", (dt.date(2017, 6, 1), dt.date(2017, 6, 2)))
    # A trip that fits the event on both sets of dates (an event's new dates must).
    grant = make_request(event, "GQ", travel_from=dt.date(2017, 5, 31), travel_to=dt.date(2017, 6, 6))
    assert grant.ldc is True
    save_event(srsg(), event, kind=event.kind, title=event.title, city=event.city, venue=event.venue,
               start_on=dt.date(2017, 6, 5), end_on=dt.date(2017, 6, 6), dsa_rate="400.00",
               max_per_country=1, version=event.version)
    db.session.commit()
    assert db.session.get(TravelGrant, grant.id).ldc is False
