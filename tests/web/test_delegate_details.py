"""A delegate's details are corrected, or removed, by the SRSG staff on a page of
their own: a request reuses the delegate of its name and State and only adds the
details it is given, so a wrong email could never be removed, nor a number the
delegate gave up (left alone in earlier notes). A save over a colleague's is
refused; another delegate of the same name and State is refused beside the name;
only the SRSG staff may correct; every change is in the audit trail."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.factories import browser_of
from tests.factories.travel import make_event, make_request
from tests.pages import delegate_form, error_beside, text
from trustfund.audit import AuditEntry
from trustfund.travel.models import Delegate


def test_the_srsg_staff_clear_an_email_and_correct_a_phone(app, db, client, login_as):
    grant = make_request(make_event(), name="Awa Diop", email="awa@old.example", phone="+221 1")
    login_as("srsg_staff")
    page = client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert f'href="/travel/delegates/{grant.delegate_id}/edit?next=/travel/grants/{grant.id}"' in page
    data = delegate_form(client, grant.delegate_id)
    assert (data["email"], data["phone"]) == ("awa@old.example", "+221 1")
    answer = client.post(f"/travel/delegates/{grant.delegate_id}/edit?next=/travel/grants/{grant.id}",
                         data={**data, "email": "", "phone": "+221 77 000 00 00"}, follow_redirects=True)
    assert "The delegate's details are saved." in text(answer.get_data(as_text=True))
    assert answer.request.path == f"/travel/grants/{grant.id}"
    db.session.expire_all()
    delegate = db.session.get(Delegate, grant.delegate_id)
    assert (delegate.email, delegate.phone) == ("", "+221 77 000 00 00")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "delegate.update"))
    assert entry.before["email"] == "awa@old.example" and entry.after["email"] == ""
    # A new request for her, without an email, leaves it removed.
    make_request(make_event(title="Regional review, Bangkok", city="Bangkok",
                            dates=(dt.date(2017, 9, 4), dt.date(2017, 9, 5))), name="Awa Diop")
    db.session.expire_all()
    assert db.session.get(Delegate, grant.delegate_id).email == ""


def test_a_save_over_a_colleagues_is_refused_and_a_namesake_too(app, db, client, login_as):
    event = make_event()
    grant = make_request(event, name="Awa Diop", email="awa@old.example")
    make_request(event, name="Moussa Fall")
    login_as("srsg_staff")
    mine = delegate_form(client, grant.delegate_id)
    colleague = browser_of(app, "srsg_staff2")
    theirs = delegate_form(colleague, grant.delegate_id)
    assert colleague.post(f"/travel/delegates/{grant.delegate_id}/edit",
                          data={**theirs, "email": "awa@new.example"}).status_code == 302
    stale = client.post(f"/travel/delegates/{grant.delegate_id}/edit", data={**mine, "email": ""})
    assert stale.status_code == 200
    assert "Someone else changed this record while you were editing it" in text(stale.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Delegate, grant.delegate_id).email == "awa@new.example"
    fresh, url = delegate_form(client, grant.delegate_id), f"/travel/delegates/{grant.delegate_id}/edit"
    namesake = client.post(url, data={**fresh, "name": "moussa fall"})
    assert error_beside(namesake.get_data(as_text=True), "name") == \
        "Another delegate of this name represents the same State."
    bad = client.post(url, data={**fresh, "email": "not an address"})
    assert error_beside(bad.get_data(as_text=True), "email")
    db.session.expire_all()
    assert db.session.get(Delegate, grant.delegate_id).name == "Awa Diop"


def test_only_the_srsg_staff_correct_a_delegate(app, client, login_as):
    grant = make_request(make_event(), name="Awa Diop")
    for role in ("admin", "mptf_officer", "auditor", "donor"):
        login_as(role)
        assert client.get(f"/travel/delegates/{grant.delegate_id}/edit").status_code == 403, role
        page = client.get(f"/travel/grants/{grant.id}")
        assert 'id="correct-delegate"' not in page.get_data(as_text=True), role
