"""What one SRSG staff member may change of an event once travel to it was approved or
recorded (a colleague's review; DESIGN.md §5: nobody alone moves money).

- An approved grant commits an airfare to the event's city and DSA at that city's rate:
  one person could move the event from Geneva to Marrakech, and the approved grant
  funded a trip there that nobody approved. The city is refused beside it while a grant
  is approved or its trip recorded; its spelling may still be corrected.
- Trips and no-shows are recorded once the event has started; but recorded trips did
  not hold the event's dates: one person could move an event to start today, record a
  trip (money spent), and move it back to a first day still to come. An event whose
  trips were recorded keeps a first day on or before today."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.factories.travel import fund_pool, make_event, make_request, srsg, srsg2
from tests.pages import error_beside
from tests.security.helpers import Attempt
from trustfund import clock
from trustfund.auth.models import User
from trustfund.extensions import db
from trustfund.extensions import db as _db
from trustfund.travel.decisions import approve_grant
from trustfund.travel.models import Event, TravelGrant
from trustfund.travel.reconcile import record_travel
from trustfund.travel.services import save_event


def _edit(client, event, **changes):
    """The event's form as its page fills it, with `changes`."""
    page = client.get(f"/travel/events/{event.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {"kind": event.kind, "title": event.title, "city": event.city, "venue": event.venue or "",
            "start_on": event.start_on.isoformat(), "end_on": event.end_on.isoformat(),
            "dsa_rate": str(event.dsa_rate), "max_per_country": str(event.max_per_country),
            "dates_note": event.dates_note or "", "version": version}
    return client.post(f"/travel/events/{event.id}/edit", data={**data, **changes})


def _event(event_id) -> Event:
    db.session.expire_all()
    return db.session.get(Event, event_id)


def test_an_event_with_approved_travel_stays_in_its_city(app, client, login_as):
    fund_pool(1, "10000.00")
    event = make_event(city="Geneva")
    grant = make_request(event, "SN")  # entered by srsg_staff
    approve_grant(srsg2(), grant)
    db.session.commit()
    login_as("srsg_staff")
    refused = _edit(client, event, city="Marrakech").get_data(as_text=True)
    assert error_beside(refused, "city") == (
        "Travel to Geneva was approved for 1 delegate of this event: it stays in Geneva. Cancel the approved "
        "grants not yet travelled (and request them again for the new city) before it moves.")
    assert _event(event.id).city == "Geneva"
    # Its spelling is corrected (case, spacing, accents), and its venue changed, by one person.
    assert _edit(client, event, city="GENEVA ", venue="Palais des Nations").status_code == 302
    assert (_event(event.id).city, _event(event.id).venue) == ("GENEVA", "Palais des Nations")
    montreal = make_event(title="Regional consultation", city="Montreal", cap=2)
    approve_grant(srsg2(), make_request(montreal, "SN", name="Aminata Ba"))
    db.session.commit()
    assert _edit(client, montreal, city="Montréal").status_code == 302
    assert _event(montreal.id).city == "Montréal"


def test_an_event_whose_trips_were_all_recorded_says_so(app, client, login_as):
    """A colleague's review: the refusal asked to cancel approved grants when every trip
    was recorded (a recorded trip is not cancelled)."""
    fund_pool(1, "10000.00")
    event = make_event(city="Geneva")
    grant = make_request(event, "SN")
    approve_grant(srsg2(), grant)
    db.session.commit()
    record_travel(srsg2(), grant, ticket="1000.00", dsa="800.00", terminal="100.00")
    db.session.commit()
    login_as("srsg_staff")
    refused = _edit(client, event, city="Marrakech").get_data(as_text=True)
    assert error_beside(refused, "city") == (
        "1 trip to Geneva was recorded for this event: it stays in Geneva.")


def test_an_event_with_no_approved_travel_moves_city(app, client, login_as):
    event = make_event(city="Geneva")
    make_request(event, "SN")  # waiting: nothing committed
    login_as("srsg_staff")
    assert _edit(client, event, city="Marrakech").status_code == 302
    assert _event(event.id).city == "Marrakech"


def test_an_event_whose_trips_were_recorded_keeps_a_first_day_already_come(app, client, login_as):
    fund_pool(1, "10000.00")
    start = clock.today() + dt.timedelta(days=20)
    event = make_event(dates=(start, start + dt.timedelta(days=1)))
    grant = make_request(event, "SN")
    approve_grant(srsg2(), grant)
    db.session.commit()
    login_as("srsg_staff")
    # Alone, the staff member moves the event to start today and records the trip...
    assert _edit(client, event, start_on=clock.today().isoformat()).status_code == 302
    record_travel(srsg2(), grant, ticket="1000.00", dsa="1200.00", terminal="100.00")
    db.session.commit()
    # ...but cannot move it back to a first day still to come.
    refused = _edit(client, event, start_on=start.isoformat()).get_data(as_text=True)
    assert error_beside(refused, "start_on") == (
        "1 trip to this event was recorded, so it has started: its first day cannot be after today.")
    assert _event(event.id).start_on == clock.today()
    # A day called off after the event is still corrected (the first day earlier).
    earlier = clock.today() - dt.timedelta(days=1)
    assert _edit(client, event, start_on=earlier.isoformat()).status_code == 302
    assert _event(event.id).start_on == earlier


def test_a_trip_recorded_while_the_event_is_moved_to_a_day_to_come_waits_and_is_refused(app, db, users):
    """A colleague's review: the trip's recording read the event's first day without
    holding the event, so a save moving the event to a first day still to come, at the
    same moment, found no trip recorded, and both were committed: a trip travelled for
    an event that had not started. Now the recording waits for the save and is refused.
    PostgreSQL: on SQLite one writer at a time."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite: one writer at a time, so the trip is recorded before or after the save")
    fund_pool(1, "10000.00")
    later = clock.today() + dt.timedelta(days=20)
    # Entered as starting today (it may run three weeks), the delegate travelling for its last days.
    event = make_event(dates=(clock.today(), later + dt.timedelta(days=1)))
    grant = make_request(event, "SN", travel_from=later, travel_to=later + dt.timedelta(days=1))
    approve_grant(srsg2(), grant)
    db.session.commit()
    grant_id, recording = grant.id, []

    def record():
        record_travel(_db.session.get(User, users["srsg_staff2"].id), _db.session.get(TravelGrant, grant_id),
                      ticket="1000.00", dsa="800.00", terminal="100.00")
        _db.session.commit()
        return "recorded"

    def after_the_look(conn, cursor, statement, parameters, context, executemany):
        # The save has looked for recorded trips (none yet), and has not committed.
        if not recording and statement.startswith("SELECT count(*)") and "FROM travel_grant" in statement \
                and "GROUP BY" not in statement:
            recording.append(Attempt(app, record).start())
            recording[0].done.wait(3)  # recorded by now, unless it waits for the save

    sa.event.listen(db.engine, "after_cursor_execute", after_the_look)
    try:
        save_event(srsg(), event, kind=event.kind, title=event.title, city=event.city, venue=event.venue,
                   start_on=later, end_on=later + dt.timedelta(days=1), dsa_rate=event.dsa_rate,
                   max_per_country=event.max_per_country, version=event.version)
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", after_the_look)
    assert recording, "the save never looked for recorded trips"
    outcome = recording[0].join(30)
    assert outcome == "refused: The event has not started yet: record the trip after it.", outcome
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant_id).status == "approved"
