"""Once a trip is recorded (travelled, no-show), the event's dates may still be corrected
(a day called off): a closed trip is what was paid. The move was refused, asking to
"reject or cancel" a grant that could be neither (a colleague's review of a conference week)."""
import datetime as dt

import pytest

from tests.factories.travel import fund_pool, make_event, make_request, srsg, srsg2
from trustfund.errors import DomainError
from trustfund.extensions import db
from trustfund.travel.decisions import approve_grant
from trustfund.travel.reconcile import cancel_grant, record_travel
from trustfund.travel.services import save_event


def _travelled_grant():
    fund_pool(1, "30000.00")
    # A three-day event; the delegate travels 7-11 May: 4 DSA days by default.
    event = make_event(dates=(dt.date(2017, 5, 8), dt.date(2017, 5, 10)))
    grant = make_request(event, "SN", travel_from=dt.date(2017, 5, 7), travel_to=dt.date(2017, 5, 11))
    assert grant.dsa_days == 4
    approve_grant(srsg2(), grant)
    db.session.commit()
    record_travel(srsg(), grant, ticket="1000.00", dsa="1600.00", terminal="100.00")
    db.session.commit()
    return event, grant


def _shorten(event):
    """The third day was called off: the event's record is corrected to 8-9 May."""
    return save_event(srsg(), event, kind=event.kind, title=event.title, city=event.city, venue=event.venue,
                      start_on=dt.date(2017, 5, 8), end_on=dt.date(2017, 5, 9), dsa_rate="400.00",
                      max_per_country=1, version=event.version)


def test_the_refusal_never_asks_for_what_cannot_be_done(db):
    event, grant = _travelled_grant()
    # The grant cannot be cancelled (nor rejected): it is closed.
    with pytest.raises(DomainError, match="can no longer be cancelled"):
        cancel_grant(srsg(), grant, "to move the event")
    db.session.rollback()
    try:
        _shorten(event)
    except DomainError as refusal:
        db.session.rollback()
        # Whatever the rule, it must not send staff to reject or cancel a closed trip.
        assert "Reject or cancel" not in refusal.message, refusal.message


def test_an_event_whose_trips_are_recorded_can_have_its_last_day_corrected(db):
    """The DSA days of a trip already taken are facts (what was paid); they are no
    reason to keep the event's record wrong."""
    event, _grant = _travelled_grant()
    _shorten(event)
    db.session.commit()
    assert event.end_on == dt.date(2017, 5, 9)
