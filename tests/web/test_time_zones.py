"""Moments in each user's own time zone, with the zone shown: set from the browser at
the first login, changed by the user on the profile page or by an admin."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from tests.factories.contributions import commitment, deposit
from tests.pages import error_beside
from trustfund.audit import AuditEntry
from trustfund.auth.models import User

RELOAD = "Reload the page"


def _login(client, user, zone):
    answer = client.post("/login", data={"email": user.email, "password": PASSWORD, "timezone": zone})
    assert answer.status_code == 302, answer.get_data(as_text=True)


def _version(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)


def _recorded(html: str) -> str:
    """When the deposit was recorded, as its page says."""
    return re.search(r'id="recorded-at">([^<]*)<', html).group(1)


def test_the_login_form_sends_the_browsers_zone(client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'<input[^>]*data-browser-zone[^>]*name="timezone"', html)
    assert "/static/timezone.js" in html


def test_the_first_login_keeps_the_browsers_zone_and_later_ones_do_not(app, db, client):
    user = make_user("auditor", "traveller@test.example")
    _login(client, user, "Europe/Paris")
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone == "Europe/Paris"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "login")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.after == {"email": user.email, "timezone": "Europe/Paris"}
    client.post("/logout")
    _login(client, user, "Asia/Tokyo")  # travelling: the chosen zone stays
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone == "Europe/Paris"


@pytest.mark.parametrize("zone", ["", "Mars/Olympus_Mons", "Europe/Paris\x00", "x" * 500])
def test_a_zone_no_clock_has_is_not_kept(app, db, client, zone):
    user = make_user("auditor", "nowhere@test.example")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "timezone": zone})
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone is None


def test_one_moment_shown_in_two_users_zones(app, db, client, login_as, users):
    """The deposit was recorded at 13:05 UTC on 10 January 2018: an officer in Geneva
    reads 14:05 (UTC+01:00), an auditor in New York 8:05 am EST, someone without a
    zone 1:05 pm UTC."""
    d = deposit(commitment("USD", "1000.00"), "100.00")
    d.created_at = dt.datetime(2018, 1, 10, 13, 5)
    users["mptf_officer"].timezone, users["mptf_officer"].locale = "Europe/Zurich", "fr"
    users["auditor"].timezone = "America/New_York"
    db.session.commit()
    page = f"/contributions/deposits/{d.id}"
    login_as("mptf_officer")
    assert _recorded(client.get(page).get_data(as_text=True)) == "10 janv. 2018, 14:05 UTC+01:00"
    login_as("auditor")
    assert _recorded(client.get(page).get_data(as_text=True)).replace("\u202f", " ") == \
        "10 Jan 2018, 8:05 am EST"
    login_as("admin")
    assert _recorded(client.get(page).get_data(as_text=True)).replace("\u202f", " ") == \
        "10 Jan 2018, 1:05 pm UTC"


def test_the_user_chooses_a_zone_on_the_profile_page(app, db, client, login_as, users):
    login_as("donor")
    html = client.get("/profile").get_data(as_text=True)
    assert '<option selected value="UTC">UTC</option>' in html
    # Each place by its city and country, once (the database's old aliases left out).
    assert re.search(r'<option value="Africa/Nairobi">Nairobi, Kenya \(UTC\+03:00\)</option>', html)
    assert 'value="Africa/Asmara">Asmara, Eritrea (UTC+03:00)<' in html
    assert 'value="Africa/Asmera"' not in html
    assert 'value="Asia/Kolkata">Kolkata, India (UTC+05:30)<' in html and 'value="Asia/Calcutta"' not in html
    # Countries as the UN names them; a place in no Member or observer State by its city.
    assert 'value="Asia/Gaza">Gaza, State of Palestine (UTC+' in html
    assert 'value="Africa/Kinshasa">Kinshasa, Democratic Republic of the Congo (UTC+01:00)<' in html
    assert 'value="Asia/Taipei">Taipei (UTC+08:00)<' in html
    assert 'value="Asia/Hong_Kong">Hong Kong (UTC+08:00)<' in html
    assert 'value="Atlantic/Cape_Verde">Cabo Verde (UTC-01:00)<' in html
    assert 'data-filter-label="Filter the list"' in html and "select-filter.js" in html
    answer = client.post("/profile", data={"timezone": "Africa/Nairobi", "digests": "y",
                                           "version": _version(html)})
    assert answer.status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert "Your profile is saved: times are shown in Nairobi, Kenya." in page
    assert re.search(r'id="time-now">[^<]* UTC\+03:00<', page)
    db.session.expire_all()
    assert db.session.get(User, users["donor"].id).timezone == "Africa/Nairobi"
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.before["timezone"], entry.after["timezone"]) == (
        "user.update", None, "Africa/Nairobi")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "<b>UTC</b>"])
def test_a_zone_not_in_the_list_is_refused_beside_the_field(app, db, client, login_as, zone):
    login_as("auditor")
    version = _version(client.get("/profile").get_data(as_text=True))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    answer = client.post("/profile", data={"timezone": zone, "digests": "y", "version": version})
    assert answer.status_code == 200
    assert "Not a valid choice" in error_beside(answer.get_data(as_text=True), "timezone")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == count


def test_the_users_save_and_an_admins_save_never_replace_each_other(app, db, client, login_as, users):
    """Both forms carry the user's version: whichever saves second, on the version the
    first replaced, is refused and asked to reload."""
    admin = app.test_client()
    login_as("admin", admin)
    target = users["auditor"]
    login_as("auditor")
    mine = _version(client.get("/profile").get_data(as_text=True))
    theirs = _version(admin.get(f"/admin/users/{target.id}").get_data(as_text=True))
    mine_saved = client.post("/profile", data={"timezone": "Asia/Tokyo", "digests": "y", "version": mine})
    assert mine_saved.status_code == 302
    refused = admin.post(f"/admin/users/{target.id}", data={
        "email": target.email, "name": "Renamed", "role": "auditor", "donor_id": "0", "active": "y",
        "timezone": "Europe/Paris", "password": "", "version": theirs})
    assert refused.status_code == 200 and RELOAD in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(User, target.id).timezone, db.session.get(User, target.id).name) == (
        "Asia/Tokyo", target.name)
    # The admin reloads and sets another zone; the user's old form is now refused.
    theirs = _version(admin.get(f"/admin/users/{target.id}").get_data(as_text=True))
    assert admin.post(f"/admin/users/{target.id}", data={
        "email": target.email, "name": target.name, "role": "auditor", "donor_id": "0", "active": "y",
        "timezone": "Europe/Paris", "password": "", "version": theirs}).status_code == 302
    refused = client.post("/profile", data={"timezone": "UTC", "digests": "y", "version": mine})
    assert refused.status_code == 200 and RELOAD in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, target.id).timezone == "Europe/Paris"


def test_an_admin_leaves_the_zone_unset_and_the_browser_sets_it(app, db, client, login_as):
    login_as("admin")
    form = client.get("/admin/users/new").get_data(as_text=True)
    assert "Not set: the user&#39;s browser sets it at their next login" in form
    assert client.post("/admin/users/new", data={
        "email": "new@example.org", "name": "", "role": "auditor", "donor_id": "0", "active": "y",
        "timezone": "", "password": "a long enough password"}).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert user.timezone is None
    refused = client.post(f"/admin/users/{user.id}", data={
        "email": "new@example.org", "name": "", "role": "auditor", "donor_id": "0", "active": "y",
        "timezone": "Atlantis/Capital", "password": "", "version": str(user.version)})
    assert "Choose a time zone from the list." in error_beside(refused.get_data(as_text=True), "timezone")
    other = app.test_client()
    client.post("/logout")
    other.post("/login", data={"email": "new@example.org", "password": "a long enough password",
                               "timezone": "America/Santiago"})
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone == "America/Santiago"


def test_a_zone_kept_under_an_old_name_is_still_offered_by_its_place(app, db, client, login_as, users):
    """A browser may have reported an old name ("Asia/Calcutta"): the profile keeps it
    chosen, named by its place as the current name is."""
    users["donor"].timezone = "Asia/Calcutta"
    db.session.commit()
    login_as("donor")
    html = client.get("/profile").get_data(as_text=True)
    assert '<option selected value="Asia/Calcutta">Kolkata, India (UTC+05:30)</option>' in html


def test_a_language_chosen_on_the_login_page_holds_for_that_session(app, db, client):
    """The login page's language menu is for this session only: the pages follow it
    after login, though the account keeps its own language (for its messages)."""
    user = make_user("auditor", "reader@test.example")
    user.locale = "en"
    db.session.commit()
    client.post("/language", data={"lang": "es", "next": "/login"})
    answer = client.post("/login", data={"email": user.email, "password": PASSWORD, "timezone": ""},
                         follow_redirects=True)
    assert '<html lang="es"' in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


@pytest.mark.parametrize("zone", ["Factory", "Etc/GMT+5", "GMT", "Etc/Unknown"])
def test_the_databases_technical_zones_are_no_place_anyone_chooses(app, db, client, login_as, zone):
    """"Factory" and the like are in the tz database but name no place (Babel calls
    them "Unknown Region" or cannot load them): a browser reporting one keeps
    nothing, and an account holding one from before is shown in UTC, its admin's page
    still opening."""
    user = make_user("auditor", "factory@test.example")
    _login(client, user, zone)
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone is None
    user = db.session.get(User, user.id)
    user.timezone = zone
    db.session.commit()
    login_as("admin")
    assert client.get(f"/admin/users/{user.id}").status_code == 200
