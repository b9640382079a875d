"""A grant request form sent twice (a double-click on Save, the browser's resend, or
the same form from several places at once) enters one request, not two: a second
request for the same delegate and event could be approved too (within the event's
cap per country) and fund the same trip twice. Over HTTP, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.factories.travel import make_event
from tests.pages import error_beside, form_token
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


ALREADY_REQUESTED = "This delegate already has a request for this event."


def test_two_forms_for_one_delegate_sent_at_once_enter_one_request(app, db, login_as):
    """Two tabs (each its own form, its own token) for the same delegate and event,
    saved at the same moment, by several staff members: one request is entered; every
    other form is answered beside the delegate's name, and no second delegate is made.
    The event's cap is high, so the cap could not stop a second approval."""
    event = make_event(cap=5)
    clients = [app.test_client() for _ in range(6)]
    for c in clients:
        login_as("srsg_staff", c)
    forms = [dict(_form(event), form_token=form_token(c, URL)) for c in clients]
    db.session.commit()
    run = Parallel(app, len(clients), 1,
                   lambda index, _step: clients[index].post(URL, data=forms[index])).run()
    assert run.errors == []
    answers = sorted(response.status_code for _w, _s, response in run.results)
    assert answers == [200] * (len(clients) - 1) + [302]
    for _w, _s, response in run.results:
        if response.status_code == 200:
            assert error_beside(response.get_data(as_text=True), "delegate_name") == ALREADY_REQUESTED
    assert _count(db, TravelGrant) == 1
    assert _count(db, Delegate) == 1


def test_the_database_holds_one_live_request_per_delegate_and_event(app, db, client, login_as):
    """Behind the service's back too: a second live request for the same delegate and
    event is refused by the database; once the first is cancelled, a new one may be
    entered (through the form)."""
    event = make_event(cap=5)
    login_as("srsg_staff")
    assert client.post(URL, data=dict(_form(event), form_token=form_token(client, URL))).status_code == 302
    first = db.session.scalar(sa.select(TravelGrant))
    columns = {c.key: getattr(first, c.key) for c in TravelGrant.__table__.columns if c.key != "id"}
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(TravelGrant(**columns))
    db.session.rollback()

    page = client.post(URL, data=dict(_form(event), form_token=form_token(client, URL)))
    assert error_beside(page.get_data(as_text=True), "delegate_name") == ALREADY_REQUESTED
    db.session.execute(sa.update(TravelGrant).where(TravelGrant.id == first.id).values(status="cancelled"))
    db.session.commit()
    assert client.post(URL, data=dict(_form(event), form_token=form_token(client, URL))).status_code == 302
    assert _count(db, TravelGrant) == 2


def test_without_the_event_held_the_database_still_refuses_the_second_request(app, db, login_as, monkeypatch):
    """The second line: a known delegate's two requests entered at once with the
    event's row not held (as if the look-ups missed each other) are stopped by the
    database's index, and the form says so beside the name, not with an error page."""
    from trustfund.travel import services

    event = make_event(cap=5)
    clients = [app.test_client() for _ in range(6)]
    for c in clients:
        login_as("srsg_staff", c)
    first = clients[0].post(URL, data=dict(_form(event), form_token=form_token(clients[0], URL)))
    assert first.status_code == 302
    db.session.execute(sa.update(TravelGrant).values(status="cancelled"))  # the delegate is known
    db.session.commit()
    monkeypatch.setattr(services, "hold_event", lambda _event_id: None)
    monkeypatch.setattr(services, "hold_row", lambda *_args, **_kwargs: None)  # nor the delegate's
    forms = [dict(_form(event), form_token=form_token(c, URL)) for c in clients]
    run = Parallel(app, len(clients), 1,
                   lambda index, _step: clients[index].post(URL, data=forms[index])).run()
    assert run.errors == []
    assert sorted(r.status_code for _w, _s, r in run.results) == [200] * (len(clients) - 1) + [302]
    for _w, _s, response in run.results:
        if response.status_code == 200:
            assert error_beside(response.get_data(as_text=True), "delegate_name") == ALREADY_REQUESTED
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TravelGrant)
                             .where(TravelGrant.status == "requested")) == 1
    assert _count(db, Delegate) == 1


def test_a_request_committed_between_the_look_ups_is_named_for_what_it_is(app, db, login_as, monkeypatch):
    """The delegate's request for this event, committed by a colleague just after this
    request's look-up of the delegate's requests began (the holds missed, as above): it is
    answered beside the name as a request for this event, by the database's index. Before,
    a second look-up (of trips on the same days) saw it committed and answered beside the
    departure that the delegate already had a request for this very event, "cannot
    overlap", which sent the staff member to the dates. PostgreSQL: on SQLite the
    colleague's write waits for this one."""
    from trustfund.travel import services

    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: one writer at a time, so the colleague's request waits for this one")
    event = make_event(cap=5)
    client = app.test_client()
    login_as("srsg_staff", client)
    assert client.post(URL, data=dict(_form(event), form_token=form_token(client, URL))).status_code == 302
    first = db.session.scalar(sa.select(TravelGrant))
    db.session.execute(sa.update(TravelGrant).values(status="cancelled"))  # the delegate is known
    db.session.commit()
    monkeypatch.setattr(services, "hold_event", lambda _event_id: None)
    monkeypatch.setattr(services, "hold_row", lambda *_args, **_kwargs: None)
    revived = []

    def colleague(conn, cursor, statement, parameters, context, executemany):
        looks_up = statement.lstrip().startswith("SELECT") and "travel_grant.delegate_id =" in statement
        if looks_up and not revived:
            with db.engine.connect() as other:  # the colleague's request, committed now
                other.execute(sa.update(TravelGrant).where(TravelGrant.id == first.id)
                              .values(status="requested"))
                other.commit()
            revived.append(statement)

    form = dict(_form(event), form_token=form_token(client, URL))
    sa.event.listen(db.engine, "after_cursor_execute", colleague)
    try:
        page = client.post(URL, data=form)
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", colleague)
    assert revived, "the colleague's request was never committed"
    assert page.status_code == 200
    assert error_beside(page.get_data(as_text=True), "delegate_name") == ALREADY_REQUESTED
    assert _count(db, TravelGrant) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_one_new_delegate_requested_for_two_overlapping_events_at_once_is_one_delegate(app, db, login_as,
                                                                                       attempt):
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
