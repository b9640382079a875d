"""Lost updates: two people edit the same record at once. Both load the edit form;
the first saves; the second's save, built on what the first replaced, is refused
with a message to reload, and the first save's values stand. After reloading, the
second person can save. Also with both saves at the same instant (two threads):
exactly one wins, whatever the database.

Donors, events, countries (their flags and their LDC periods) and objectives each
carry a version that the edit form sends back.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tests.security.form_walk import forms_on, messages
from tests.security.helpers import changed_counts, table_counts

RELOAD = "Reload the page"


def _form(client, url: str) -> dict[str, str]:
    """What the browser would send back unchanged: the edit form's current values."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    form = next(f for f in forms_on(page.get_data(as_text=True)) if f.method == "post" and
                "logout" not in f.action and "language" not in f.action)
    data = {}
    for name, f in form.fields.items():
        if f.type == "checkbox":
            if "checked" in page.get_data(as_text=True).split(f'name="{name}"')[1].split(">")[0]:
                data[name] = "y"
        elif f.tag == "select":
            data[name] = _selected(page.get_data(as_text=True), name)
        else:
            data[name] = f.value.strip("\n") if f.tag == "textarea" else f.value
    return data


def _selected(html: str, name: str) -> str:
    import re

    block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL).group(1)
    chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
                       block)
    return next(g for g in chosen.groups() if g is not None) if chosen else ""


@pytest.fixture
def two_people(app, db, login_as):
    """Alice and Bob, each in their own browser, with the role the record needs."""
    def make(role: str):
        alice, bob = app.test_client(), app.test_client()
        login_as(role, alice)
        login_as(make_user(role, f"second-{role}@test.example"), bob)
        return alice, bob

    return make


def _edit_race(db, alice, bob, url: str, alice_changes: dict, bob_changes: dict) -> str:
    """Both load the form; Alice saves; Bob's save is refused. Returns Bob's page."""
    alice_form, bob_form = _form(alice, url), _form(bob, url)
    saved = alice.post(url, data={**alice_form, **alice_changes})
    assert saved.status_code == 302, messages(saved.get_data(as_text=True))
    before = table_counts(db)
    refused = bob.post(url, data={**bob_form, **bob_changes})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert any(RELOAD in m for m in messages(page)), messages(page)
    assert changed_counts(before, table_counts(db)) == {}  # not even an audit entry
    # Bob reloads, sees Alice's change, and may now save his own.
    again = _form(bob, url)
    for name, value in alice_changes.items():
        assert again[name] == value, (name, again[name], value)
    assert bob.post(url, data={**again, **bob_changes}).status_code == 302
    return page


def test_two_officers_editing_the_same_donor(app, db, two_people):
    from trustfund.donors.models import Donor
    from trustfund.donors.services import create_donor

    donor = create_donor(None, name="Gates Foundation", donor_type="philanthropic_organization",
                         contact_name="Grants office")
    db.session.commit()
    alice, bob = two_people("mptf_officer")
    url = f"/donors/{donor.id}/edit"
    alice_form, bob_form = _form(alice, url), _form(bob, url)
    assert alice.post(url, data={**alice_form, "contact_name": "Alice's contact"}).status_code == 302
    refused = bob.post(url, data={**bob_form, "name": "Bill & Melinda Gates Foundation"})
    assert refused.status_code == 200
    assert any("reload the page" in m for m in messages(refused.get_data(as_text=True)))
    stored = db.session.get(Donor, donor.id)
    assert (stored.name, stored.contact_name) == ("Gates Foundation", "Alice's contact")
    # A change of SAA status on a form loaded before Alice's save is refused too.
    saa = bob.post(f"/donors/{donor.id}/saa", data={"to_status": "draft_shared", "note": "",
                                                      "version": bob_form["version"]})
    assert any("reload the page" in m for m in messages(saa.get_data(as_text=True)))
    assert db.session.get(Donor, donor.id).saa_status == "not_started"


def test_two_srsg_staff_editing_the_same_event(app, db, two_people):
    from tests.factories.travel import make_event
    from trustfund.travel.models import Event

    event = make_event(title="Thematic session, Geneva", cap=1)
    alice, bob = two_people("srsg_staff")
    _edit_race(db, alice, bob, f"/travel/events/{event.id}/edit",
               {"title": "Thematic session 1, Geneva", "dsa_rate": "410.00"},
               {"max_per_country": "3"})
    stored = db.session.get(Event, event.id)
    assert (stored.title, str(stored.dsa_rate), stored.max_per_country) == (
        "Thematic session 1, Geneva", "410.00", 3)


def test_two_admins_editing_the_same_country(app, db, two_people):
    from trustfund.countries.models import Country

    alice, bob = two_people("admin")
    _edit_race(db, alice, bob, "/countries/SC/edit", {"name": "Seychelles (Republic of)"},
               {"developing": "y"})
    # An LDC period added on a form loaded before another admin's change is refused too.
    period_url = "/countries/SC/periods/new"
    bob_period = _form(bob, period_url)
    assert alice.post("/countries/SC/edit", data={**_form(alice, "/countries/SC/edit"),
                                                  "name": "Seychelles"}).status_code == 302
    refused = bob.post(period_url, data={**bob_period, "start_on": "1990-01-01"})
    assert any(RELOAD in m for m in messages(refused.get_data(as_text=True)))
    country = db.session.get(Country, "SC")
    assert country.name == "Seychelles" and country.ldc_periods == []


def test_two_admins_editing_the_same_objective(app, db, two_people):
    from trustfund.contributions.models import Objective

    objective = db.session.scalar(sa.select(Objective).where(Objective.number == 2))
    alice, bob = two_people("admin")
    _edit_race(db, alice, bob, f"/contributions/objectives/{objective.id}/edit",
               {"title": "Activities preparing the conference"},
               {"description": "Bob's description"})
    stored = db.session.get(Objective, objective.id)
    assert stored.title == "Activities preparing the conference"
    assert stored.description == "Bob's description"  # saved after reloading


def test_two_saves_at_the_same_instant_one_wins(app, db, two_people):
    """Both forms carry the same version and are posted at once, from two threads:
    the version check and the versioned UPDATE let exactly one through."""
    from trustfund.donors.models import Donor
    from trustfund.donors.services import create_donor

    donor = create_donor(None, name="Open Society Foundations", donor_type="philanthropic_organization")
    db.session.commit()
    alice, bob = two_people("mptf_officer")
    url = f"/donors/{donor.id}/edit"
    forms = {alice: {**_form(alice, url), "contact_name": "Alice"},
             bob: {**_form(bob, url), "contact_name": "Bob"}}
    barrier, answers = threading.Barrier(2), {}

    def save(client):
        barrier.wait(timeout=30)
        answers[client] = client.post(url, data=forms[client])

    threads = [threading.Thread(target=save, args=(c,)) for c in (alice, bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(a.status_code for a in answers.values())
    assert codes == [200, 302], codes
    winner = next(c for c, a in answers.items() if a.status_code == 302)
    loser = answers[alice if winner is bob else bob]
    assert any("reload" in m.lower() for m in messages(loser.get_data(as_text=True)))
    db.session.expire_all()
    stored = db.session.get(Donor, donor.id)
    assert stored.contact_name == forms[winner]["contact_name"]
    assert stored.version == 2
