"""PostgreSQL: two SRSG staff members enter, at the same moment, the first requests of
the same new delegate (same name, same State) for two different events whose trips
overlap. request_grant holds only each request's own event (services.hold_event), and
the delegate's row only when the delegate already exists: both look-ups find no
delegate of that name, so two Delegate rows of the same name and State are made, each
with its request. The check of overlapping trips (services.overlapping_trip, and
decisions.approve_grant at approval) is per delegate id, so it sees neither: both
requests can be approved and the same days are paid twice (two airfares, two DSAs).
On SQLite the database's one write lock serialises the two, and the second is refused
beside its departure day; on PostgreSQL, since a colleague's review, the look-up and
creation of delegates are one transaction at a time (an advisory lock)."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories.travel import make_event
from tests.pages import form_token
from tests.security.helpers import Parallel
from trustfund.travel.models import Delegate, TravelGrant

URL = "/travel/grants/new"


def _form(event) -> dict:
    return {"event_id": str(event.id), "delegate_name": "Aminata Diallo", "delegate_function": "",
            "country_code": "SN", "email": "", "phone": "", "travel_from": "2017-05-07",
            "travel_to": "2017-05-10", "origin_city": "Dakar", "airfare": "1000.00", "dsa_days": "",
            "dsa_amount": "", "terminal_expenses": "", "total": "", "override_reason": "", "action": "save"}


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("attempt", range(3))
def test_one_new_delegate_requested_for_two_overlapping_events_at_once_is_one_delegate(app, db, login_as,
                                                                                       attempt):
    dates = (dt.date(2017, 5, 8), dt.date(2017, 5, 9))
    events = [make_event("Thematic session, Geneva", dates, cap=5),
              make_event("Side meeting, Geneva", dates, cap=5)]
    clients = [app.test_client() for _ in events]
    for c in clients:
        login_as("srsg_staff", c)
    forms = [dict(_form(event), form_token=form_token(c, URL))
             for c, event in zip(clients, events, strict=True)]
    db.session.commit()
    run = Parallel(app, len(clients), 1,
                   lambda index, _step: clients[index].post(URL, data=forms[index])).run()
    assert run.errors == []
    # One person, one delegate; and one trip on those days (the other refused as overlapping).
    assert _count(db, Delegate) == 1
    assert _count(db, TravelGrant) == 1
