"""A grant request form sent twice (a double-click on Save, the browser's resend, or
the same form from several places at once) enters one request, not two: a second
request for the same delegate and event could be approved too (within the event's
cap per country) and fund the same trip twice. Over HTTP, on SQLite and PostgreSQL."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories.travel import make_event
from tests.pages import form_token
from tests.security.helpers import Parallel
from trustfund.travel.models import Delegate, TravelGrant

URL = "/travel/grants/new"
ALREADY = "This form had already been sent, and its entry is shown here. Nothing was recorded a second time."


def _form(event) -> dict:
    return {"event_id": str(event.id), "delegate_name": "Aminata Diallo", "delegate_function": "",
            "country_code": "SN", "email": "", "phone": "", "travel_from": "2017-05-07",
            "travel_to": "2017-05-10", "origin_city": "Dakar", "airfare": "1000.00", "dsa_days": "",
            "dsa_amount": "", "terminal_expenses": "", "total": "", "override_reason": "", "action": "save"}


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_one_request_form_sent_from_many_places_at_once_enters_one_request(app, db, login_as):
    event = make_event(cap=3)
    clients = [app.test_client() for _ in range(8)]
    for c in clients:
        login_as("srsg_staff", c)
    data = dict(_form(event), form_token=form_token(clients[0], URL))
    db.session.commit()
    run = Parallel(app, len(clients), 1, lambda index, _step: clients[index].post(URL, data=data)).run()
    assert run.errors == []
    assert {response.status_code for _w, _s, response in run.results} == {302}
    assert _count(db, TravelGrant) == 1
    assert _count(db, Delegate) == 1


def test_the_request_form_sent_again_shows_the_request_entered_the_first_time(app, db, client, login_as):
    event = make_event(cap=3)
    login_as("srsg_staff")
    data = dict(_form(event), form_token=form_token(client, URL))
    first = client.post(URL, data=data)
    assert first.status_code == 302
    again = client.post(URL, data=data)  # the browser's "resend"
    assert again.headers["Location"] == first.headers["Location"]
    assert ALREADY in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _count(db, TravelGrant) == 1
