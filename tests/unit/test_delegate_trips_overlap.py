"""One delegate is not funded twice for the same days: a request whose trip overlaps
another live request or grant of the same delegate (another event, another city) is
refused beside its departure, and so is the approval of one whose days another grant
of the delegate already pays (a request entered before this rule, or at the same
moment). Two airfares and the DSA of the same nights were committed, without a word
(a colleague's review of a conference week). Trips that meet on a day, one's return
and the other's departure, do not overlap."""
import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from trustfund.errors import DomainError
from trustfund.travel.decisions import approve_grant
from trustfund.travel.models import TravelGrant

D = dt.date
MESSAGE = ("Aminata Diop already has {what} for Thematic session, Geneva, travelling from 1 Oct 2017 to "
           "4 Oct 2017: a delegate's trips cannot overlap, or the same days would be paid twice. If one "
           "journey serves both events, request it once.")


def _events():
    fund_pool(1, "20000.00")
    geneva = make_event("Thematic session, Geneva", (D(2017, 10, 2), D(2017, 10, 3)))
    vienna = make_event("Thematic session, Vienna", (D(2017, 10, 2), D(2017, 10, 3)), city="Vienna")
    later = make_event("Regional review, Vienna", (D(2017, 10, 5), D(2017, 10, 6)), city="Vienna")
    return geneva, vienna, later


def test_a_request_overlapping_another_trip_of_the_delegate_is_refused(db):
    geneva, vienna, later = _events()
    make_request(geneva, "SN", "Aminata Diop", travel_from=D(2017, 10, 1), travel_to=D(2017, 10, 4))
    with pytest.raises(DomainError) as refused:
        make_request(vienna, "SN", "Aminata Diop", travel_from=D(2017, 10, 1), travel_to=D(2017, 10, 4))
    assert refused.value.message == MESSAGE.format(what="a request") and refused.value.field == "travel_from"
    db.session.rollback()
    # From Geneva on to the next event, leaving on the day she leaves Geneva: no overlap.
    make_request(later, "SN", "Aminata Diop", travel_from=D(2017, 10, 4), travel_to=D(2017, 10, 7))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TravelGrant)) == 2


def test_a_request_overlapping_a_grant_of_the_delegate_is_not_approved(db):
    geneva, vienna, _later = _events()
    second = make_request(vienna, "SN", "Aminata Diop", travel_from=D(2017, 10, 1), travel_to=D(2017, 10, 4))
    # The first entered before the rule (or at the same moment as the second), for her.
    first = make_request(geneva, "SN", "A. Diop", travel_from=D(2017, 10, 1), travel_to=D(2017, 10, 4))
    db.session.execute(sa.update(TravelGrant).where(TravelGrant.id == first.id)
                       .values(delegate_id=second.delegate_id))
    db.session.commit()
    db.session.expire_all()
    approve_grant(srsg2(), first)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        approve_grant(srsg2(), db.session.get(TravelGrant, second.id))
    assert refused.value.message == MESSAGE.format(what="a grant")
    db.session.rollback()
    assert db.session.get(TravelGrant, second.id).status == "requested"


def test_two_one_day_trips_of_the_delegate_on_the_same_day_overlap(db):
    fund_pool(1, "20000.00")
    geneva = make_event("Briefing, Geneva", (D(2017, 10, 2), D(2017, 10, 2)))
    vienna = make_event("Briefing, Vienna", (D(2017, 10, 2), D(2017, 10, 2)), city="Vienna")
    make_request(geneva, "SN", "Aminata Diop", travel_from=D(2017, 10, 2), travel_to=D(2017, 10, 2))
    # The same delegate, the same day, another city: a second airfare for the same day
    # (a colleague's review of the session's diff).
    with pytest.raises(DomainError) as refused:
        make_request(vienna, "SN", "Aminata Diop", travel_from=D(2017, 10, 2), travel_to=D(2017, 10, 2))
    assert refused.value.field == "travel_from"
