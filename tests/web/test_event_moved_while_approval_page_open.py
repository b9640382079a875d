"""An event with approved travel now keeps its city (commit 5b99cfd: "one SRSG staff
member moved an approved trip to Geneva to Marrakech, which nobody approved"). In the
other order of steps the same happens: a colleague opens the approval's confirmation
page ("Thematic session, Geneva, Geneva, from ..."), the staff member who entered the
request moves the event to Marrakech (allowed: nothing is approved yet), and the
colleague's confirmation approves travel to Marrakech, which the page never showed:
approval_seen (travel/decisions.py) carries the delegate, the country, the event's id
and the total, not the event's city."""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from tests.factories import browser_of
from tests.factories.travel import fund_pool, make_event, make_request
from tests.pages import confirmation, summary_of, text
from trustfund.extensions import db
from trustfund.travel.models import Event, TravelGrant


def test_an_approval_confirmed_after_the_event_moved_city_is_refused(app, client, login_as):
    fund_pool(1, "10000.00")
    event = make_event(city="Geneva")
    grant = make_request(event, "SN", name="Awa Diop")  # entered by srsg_staff

    colleague = browser_of(app, "srsg_staff2")
    page = colleague.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"}).get_data(as_text=True)
    assert "Geneva" in summary_of(page)
    action, fields = confirmation(page)

    # Meanwhile the staff member who entered the request moves the event, alone.
    login_as("srsg_staff")
    form = client.get(f"/travel/events/{event.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    moved = client.post(f"/travel/events/{event.id}/edit", data={
        "kind": event.kind, "title": event.title, "city": "Marrakech", "venue": event.venue or "",
        "start_on": event.start_on.isoformat(), "end_on": event.end_on.isoformat(),
        "dsa_rate": str(event.dsa_rate), "max_per_country": str(event.max_per_country),
        "dates_note": "", "version": version})
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).city == "Marrakech"

    # The colleague confirms the page that said Geneva.
    refused = text(colleague.post(action, data=MultiDict(fields), follow_redirects=True))
    assert ("The event changed since you read this request (it is now in Marrakech, 8 May 2017 to 9 May "
            "2017): read it again before approving it.") in refused, refused
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).status != "approved", \
        "travel to Marrakech was approved from a confirmation page that showed Geneva"
