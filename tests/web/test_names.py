"""Names are what they look like: donor, delegate, event and user names are stored
NFKC-normalised; invisible format characters (zero-width space, soft hyphen...) are
refused like control characters, while the direction marks Arabic may carry are
kept; a donor whose name only looks like another's ("Swiss Confederatіon" with a
Cyrillic і) is refused unless the officer confirms it is another donor."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import base_users
from tests.pages import error_beside, post_entry
from tests.security.helpers import table_counts
from trustfund.donors.models import Donor

CYRILLIC_I = "\u0456"
LOOKALIKE = f"Swiss Confederat{CYRILLIC_I}on"


def _donor(**data) -> dict:
    return {"name": "", "donor_type": "philanthropic_organization", "country_code": "",
            "contact_name": "", "contact_email": "", **data}


def _donor_named(db, name):
    return db.session.scalar(sa.select(Donor).where(Donor.name == name))


@pytest.fixture
def swiss(db):
    from trustfund.donors.services import create_donor

    donor = create_donor(None, name="Swiss Confederation", donor_type="member_state", country_code="CH")
    db.session.commit()
    return donor


def test_a_lookalike_donor_name_is_refused_unless_confirmed(app, db, client, login_as, swiss):
    login_as("mptf_officer")
    before = table_counts(db)
    page = client.post("/donors/new", data=_donor(name=LOOKALIKE))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "looks like that of a donor already recorded, “Swiss Confederation”" in error_beside(html, "name")
    assert 'name="lookalike_confirmed"' in html  # the confirmation is offered only now
    assert table_counts(db) == before
    # Written in capitals, or with other spacing, it is the same name: refused outright.
    for same in ("SWISS CONFEDERATION", "Swiss  Confederation", "Ｓｗｉｓｓ Confederation"):
        page = client.post("/donors/new", data=_donor(name=same, lookalike_confirmed="y"))
        assert "There is already a donor named “Swiss Confederation”" in error_beside(
            page.get_data(as_text=True), "name"), same
    assert table_counts(db) == before
    # Confirmed, the look-alike is recorded (a real, different donor).
    page = client.post("/donors/new", data=_donor(name=LOOKALIKE, lookalike_confirmed="y"))
    assert page.status_code == 302
    assert _donor_named(db, LOOKALIKE) is not None


def test_renaming_a_donor_to_a_lookalike_needs_the_confirmation_too(app, db, client, login_as, swiss):
    from trustfund.donors.services import create_donor

    other = create_donor(None, name="Other donor", donor_type="philanthropic_organization")
    db.session.commit()
    login_as("mptf_officer")
    url = f"/donors/{other.id}/edit"
    page = client.post(url, data=_donor(name=LOOKALIKE, version=other.version))
    assert "looks like that of a donor already recorded" in error_beside(page.get_data(as_text=True), "name")
    assert db.session.get(Donor, other.id).name == "Other donor"
    page = client.post(url, data=_donor(name=LOOKALIKE, version=other.version, lookalike_confirmed="y"))
    assert page.status_code == 302
    # Once confirmed, editing its other details asks nothing more.
    renamed = db.session.get(Donor, other.id)
    page = client.post(url, data=_donor(name=LOOKALIKE, contact_name="Desk", version=renamed.version))
    assert page.status_code == 302


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u00ad", "\u2060", "\ufeff"])
def test_invisible_characters_are_refused_in_names(app, db, client, login_as, swiss, invisible):
    login_as("mptf_officer")
    before = table_counts(db)
    page = client.post("/donors/new", data=_donor(name=f"Swiss{invisible} Confederation"))
    assert "invisible characters" in error_beside(page.get_data(as_text=True), "name")
    assert table_counts(db) == before


def test_direction_marks_of_arabic_text_are_kept(app, db, client, login_as):
    login_as("mptf_officer")
    name = "\u200fمؤسسة الخير\u200f"
    page = client.post("/donors/new", data=_donor(name=name))
    assert page.status_code == 302
    assert _donor_named(db, name) is not None


def test_names_are_stored_nfkc_normalised(app, db, client, login_as):
    from tests.factories.travel import make_event
    from trustfund.auth.models import User
    from trustfund.travel.models import Delegate, Event

    login_as("mptf_officer")
    assert client.post("/donors/new", data=_donor(name="Ｇａｔｅｓ Foundation")).status_code == 302
    assert _donor_named(db, "Gates Foundation") is not None

    login_as("srsg_staff")
    page = post_entry(client, "/travel/events/new", {
        "kind": "thematic_session", "title": "Ｔｈｅｍａｔｉｃ session", "city": "Geneva", "venue": "",
        "start_on": "2017-06-05", "end_on": "2017-06-06", "dsa_rate": "300.00", "max_per_country": "1",
        "dates_note": ""})
    assert page.status_code == 302
    assert db.session.scalar(sa.select(Event.title).where(Event.city == "Geneva")) == "Thematic session"

    event = make_event(title="Session for the delegate")
    page = post_entry(client, "/travel/grants/new", {
        "event_id": str(event.id), "delegate_name": "Ａｍｉｎａｔａ Diallo", "delegate_function": "",
        "country_code": "SN", "email": "", "phone": "", "travel_from": "2017-05-07",
        "travel_to": "2017-05-10", "origin_city": "Dakar", "airfare": "1000.00", "dsa_days": "",
        "dsa_amount": "", "terminal_expenses": "", "total": "", "override_reason": "", "action": "save"})
    assert page.status_code == 302, error_beside(page.get_data(as_text=True), "delegate_name")
    assert db.session.scalar(sa.select(Delegate.name)) == "Aminata Diallo"

    login_as("admin")
    page = client.post("/admin/users/new", data={
        "email": "new@example.org", "name": "Ｎｅｗ ｕｓｅｒ", "role": "auditor", "donor_id": "0",
        "active": "y", "password": "a long enough password"})
    assert page.status_code == 302
    assert db.session.scalar(sa.select(User.name).where(User.email == "new@example.org")) == "New user"


def test_the_lookalike_check_is_one_lookup_of_the_key_at_5000_donors(app, db):
    """At a hundred times the fund's size the check is one statement on the name's
    key (donor.name_key, indexed), not a read of every donor's name; donors inserted
    in bulk (the scale generator) get their key too."""
    from trustfund.donors.services import create_donor, lookalike_of
    from trustfund.errors import DomainError

    db.session.execute(Donor.__table__.insert(), [
        {"name": f"Donor number {n}", "donor_type": "philanthropic_organization", "contact_name": "",
         "contact_email": "", "saa_status": "not_started", "version": 1} for n in range(5000)])
    db.session.commit()
    assert db.session.scalar(sa.select(Donor.name_key).where(Donor.name == "Donor number 42")) == \
        "donor number 42"
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = lookalike_of("D\u043enor number 7")  # a Cyrillic о
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert found is not None and found.name == "Donor number 7"
    assert len(seen) == 1 and "name_key" in seen[0].split("WHERE")[1], seen
    with pytest.raises(DomainError, match="looks like"):
        create_donor(base_users()["mptf_officer"], name="D\u043enor number 7",
                     donor_type="philanthropic_organization")
