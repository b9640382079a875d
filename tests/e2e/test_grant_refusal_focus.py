"""On a travel grant's page, "Reject" (or "Reject the overrun") with no
reason comes back with the error beside the reason field, but the keyboard focus is
left at the top of the page (document.body): no error summary is there to take it
(app.js focuses #error-summary only), and the field has no autofocus, unlike the
refusal boxes of _second_person.html. A keyboard or screen-reader user hears nothing
and must tab through the whole menu bar again to find the field."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.browser import ACCOUNTS, login

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["en-GB", "ar"])
def test_focus_goes_to_the_reason_after_a_refused_rejection(new_page, live_server, lang):
    from trustfund.auth.models import User
    from trustfund.extensions import db
    from trustfund.travel.services import request_grant, save_event

    with live_server.app.test_request_context():
        staff = db.session.scalar(db.select(User).where(User.email == ACCOUNTS["srsg_staff"][0]))
        start = dt.date.today() + dt.timedelta(days=50)
        event = save_event(staff, None, kind="thematic_session", title=f"Focus {lang}", city="Geneva",
                           venue="Palais", start_on=start, end_on=start + dt.timedelta(days=1),
                           dsa_rate="300.00", max_per_country=5)
        grant = request_grant(staff, event_id=event.id, delegate_name=f"Focus delegate {lang}",
                              country_code="AF", travel_from=start - dt.timedelta(days=1),
                              travel_to=start + dt.timedelta(days=2), origin_city="Kabul", airfare="900.00")
        db.session.commit()
        grant_id = grant.id
        db.session.remove()

    page = new_page(lang)
    login(page, "srsg_staff2", english=lang == "en-GB")
    page.goto(f"/travel/grants/{grant_id}")
    page.locator("#reject-reason").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")      # submits the reject form with no reason
    assert page.locator("#reject-reason.is-invalid").count() == 1   # the error is shown beside it
    focused = page.evaluate("() => document.activeElement.id || document.activeElement.tagName")
    assert focused in ("reject-reason", "error-summary"), f"focus is on {focused}"
