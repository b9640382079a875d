"""The staff dashboard is rendered for each request; its figures are kept per worker
(trustfund.cache) for the data they were computed from. A page served from kept
figures is exactly the page rendered from nothing kept, for every user, and any
change shows at once."""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from babel.dates import format_datetime, format_time
from jinja2 import ChoiceLoader, DictLoader

from tests.factories import base_users, make_user
from tests.factories.dashboard import build_fund
from tests.pages import Tables
from tests.sql_log import get_logged, untimed
from trustfund import cache, clock
from trustfund.audit import AuditEntry, record
from trustfund.donors.services import change_saa_status
from trustfund.extensions import db


@pytest.fixture
def fund(app, db):
    return build_fund()


def _get(client, path="/dashboard/"):
    return get_logged(client, path)


def _fresh(client, path="/dashboard/"):
    """The page with nothing kept: every figure computed from the data."""
    cache.clear()
    return _get(client, path)


def _get_on(app, client, path="/dashboard/"):
    """(HTML, SQL statements) of a GET served by another app (its own engine)."""
    import sqlalchemy as sa

    with app.app_context():
        engine = db.engine
    seen = []
    def listener(*args):
        seen.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True), seen


def test_a_warm_request_sums_nothing_again_and_is_the_fresh_page(app, fund, cached, client,
                                                                 login_as):
    login_as("admin")
    cold, cold_sql = _get(client)
    warm, warm_sql = _get(client)
    assert untimed(warm) == untimed(cold)
    assert len(warm_sql) < len(cold_sql)
    assert not [s for s in warm_sql if "deposit" in s.lower() or "travel_grant" in s.lower()
                or "audit_entry" in s.lower()]
    fresh, _ = _fresh(client)
    assert untimed(fresh) == untimed(warm)


def test_a_new_audit_entry_shows_on_the_admin_dashboard_at_once(fund, cached, client, login_as):
    admin = login_as("admin")
    _get(client)
    before = Tables(_get(client)[0]).tables["audit"]["rows"]
    fund["parliament"].name = "Parliament renamed"
    record(admin, "donor.update", fund["parliament"], note="renamed")
    db.session.commit()
    page, sql = _get(client)
    assert [s for s in sql if "audit_entry" in s.lower()]
    after = Tables(page).tables["audit"]["rows"]
    assert after[0] not in before and after[0][1] == "Parliament renamed", after[0]
    assert untimed(page) == untimed(_fresh(client)[0])


def test_a_change_of_saa_status_shows_at_once(fund, cached, client, login_as):
    login_as("mptf_officer")
    saa = {row[0]: row[2] for row in Tables(_get(client)[0]).tables["saa"]["rows"]}
    assert saa["Test Parliament"] == "Draft shared"
    change_saa_status(base_users()["mptf_officer"], fund["parliament"], "under_negotiation")
    db.session.commit()
    saa = {row[0]: row[2] for row in Tables(_get(client)[0]).tables["saa"]["rows"]}
    assert saa["Test Parliament"] == "Under negotiation"


def test_each_role_and_language_gets_its_own_page(fund, cached, client, login_as):
    officer = login_as("mptf_officer")
    english, _ = _get(client)
    assert "Overdue instalments" in english and "Funded delegates per event" not in english
    officer.locale = "fr"
    db.session.commit()
    french, _ = _get(client)
    assert "Tranches en retard" in french and "Overdue instalments" not in french
    login_as("srsg_staff")
    srsg, _ = _get(client)
    assert "Funded delegates per event" in srsg and "Overdue instalments" not in srsg


def test_the_next_day_computes_afresh(fund, cached, client, login_as, monkeypatch):
    login_as("mptf_officer")
    now = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(clock, "_now", lambda: now)
    late = {row[1]: row[-1] for row in Tables(_get(client)[0]).tables["overdue"]["rows"]}
    monkeypatch.setattr(clock, "_now", lambda: now + dt.timedelta(days=1))
    later = {row[1]: row[-1] for row in Tables(_get(client)[0]).tables["overdue"]["rows"]}
    assert later and {ref: int(days.replace(",", "")) for ref, days in later.items()} == \
        {ref: int(days.replace(",", "")) + 1 for ref, days in late.items()}


def test_a_change_of_the_data_changes_the_page(app, fund, cached, client, login_as):
    login_as("mptf_officer")
    before, _ = _get(client)
    assert "Test Parliament" in before
    fund["parliament"].name = "Renamed Parliament"
    record(base_users()["mptf_officer"], "donor.update", fund["parliament"], note="renamed")
    db.session.commit()
    after, _ = _get(client)
    assert "Renamed Parliament" in after and "Test Parliament" not in after


# --- two users of one role, different in every attribute -----------------------------

PEOPLE = {
    "amina@test.example": {"name": "Amina Diallo", "locale": "fr", "tz": "Pacific/Kiritimati",
                           "lang": "fr"},
    "bo@test.example": {"name": "Bo Chen", "locale": "zh", "tz": "America/Santiago", "lang": "zh"},
    # Amina's language and time zone, another name and address.
    "carl@test.example": {"name": "Carl Berg", "locale": "fr", "tz": "Pacific/Kiritimati",
                          "lang": "fr"},
}


@pytest.fixture
def named_app(another_app):
    """The app with base.html showing the user's name (as a change of the layout would)
    and each user's own time zone: what a page kept for a role would get wrong."""
    from flask_login import current_user

    app = another_app()
    base = app.jinja_loader.get_source(app.jinja_env, "base.html")[0]
    assert "{{ current_user.email }}" in base
    named = base.replace("{{ current_user.email }}",
                         '<span class="user-name">{{ current_user.name }}</span> {{ current_user.email }}')
    app.jinja_loader = ChoiceLoader([DictLoader({"base.html": named}), app.jinja_loader])
    app.extensions["babel"].timezone_selector = lambda: PEOPLE[current_user.email]["tz"]
    return app


@pytest.mark.parametrize("role", ["admin", "srsg_staff"])
def test_kept_figures_give_each_user_of_a_role_exactly_the_fresh_page(named_app, fund, cached,
                                                                       role):
    users = {}
    for email, person in PEOPLE.items():
        user = make_user(role, email)
        user.name, user.locale = person["name"], person["locale"]
        users[email] = user
    record(users["amina@test.example"], "donor.update", fund["parliament"], note="checked")
    db.session.commit()
    entry_at = db.session.query(AuditEntry).order_by(AuditEntry.id.desc()).first().at
    clients = {}
    for email, user in users.items():
        clients[email] = named_app.test_client()
        with clients[email].session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True

    # Amina's and Bo's first views compute and keep the figures (per language: they
    # hold translated labels); Carl's first view, and everyone's next, use kept figures.
    amina, bo, carl = PEOPLE
    cold = {email: _get_on(named_app, clients[email]) for email in (amina, bo)}
    warm = {email: _get_on(named_app, clients[email]) for email in (amina, bo, carl)}
    assert len(warm[carl][1]) < len(cold[amina][1])
    for email, (page, sql) in warm.items():
        person = PEOPLE[email]
        if email in cold:
            assert len(sql) < len(cold[email][1]), email
            assert untimed(page) == untimed(cold[email][0]), email
        cache.clear(named_app)
        assert untimed(page) == untimed(_get_on(named_app, clients[email])[0]), email  # fresh
        assert f'<span class="user-name">{person["name"]}</span> {email}' in page
        for other_email, other in PEOPLE.items():
            if other_email != email:
                assert f'<span class="user-name">{other["name"]}</span>' not in page, email
        assert re.search(rf'<html lang="{person["lang"]}"', page)
        if role == "admin":  # the audit trail's times, in the user's own time zone, named
            utc = entry_at.replace(tzinfo=dt.UTC)
            other = PEOPLE[bo if email != bo else amina]
            shown, elsewhere = (_time_and_zone(utc, p["tz"], person["locale"]) for p in (person, other))
            assert shown in page and elsewhere not in page, (email, shown)


def _time_and_zone(utc: dt.datetime, zone: str, locale: str) -> str:
    """"03:05 UTC+14:00": a moment's time in a zone that has no common abbreviation in
    these languages, with its offset (formatting.datetime shows it so)."""
    tz = zoneinfo.ZoneInfo(zone)
    return (f"{format_time(utc, 'short', tzinfo=tz, locale=locale)} "
            f"UTC{format_datetime(utc, 'xxx', tzinfo=tz, locale=locale)}")


def _xlsx(client):
    """(every sheet's values but the About sheet's, SQL statements) of the .xlsx."""
    import io

    import openpyxl
    import sqlalchemy as sa

    seen = []

    def listener(*args):
        seen.append(args[2].lower())

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get("/dashboard/?format=xlsx")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200, response.status_code
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets[:-1]}
    return sheets, seen


def test_the_xlsx_after_a_view_of_the_page_sums_only_the_overdue_instalments_again(fund, cached, client,
                                                                                   login_as):
    """The page and its .xlsx keep their sums under one key: the .xlsx reads every
    overdue instalment (the page its first rows), and nothing else is summed again."""
    login_as("auditor")
    _get(client)
    sheets, sql = _xlsx(client)
    assert not [s for s in sql if "from deposit" in s or "from commitment" in s or "from pledge" in s
                or "travel_grant" in s]
    assert [s for s in sql if "over (partition by instalment.commitment_id" in s]
    assert sheets["Overdue instalments"][1][0] == "Kingdom of Sweden"
    cache.clear()
    fresh, fresh_sql = _xlsx(client)
    assert [s for s in fresh_sql if "from commitment" in s]
    assert fresh == sheets


def test_the_page_after_the_xlsx_sums_nothing_again_and_is_the_fresh_page(fund, cached, client, login_as):
    """The .xlsx downloaded first keeps the sums and the page's first overdue rows."""
    from tests.factories.dashboard import add_commitment, add_donor

    for i in range(12):  # more overdue instalments than the page shows
        late = add_donor(f"Late {i:02d}", "philanthropic_organization")
        add_commitment(late, "USD", "10.00", dt.date(2016, 1, 1),
                       instalments=[(dt.date(2016, 2, 1), "10.00")])
    db.session.commit()
    login_as("auditor")
    client.get("/dashboard/")  # the session and translations are loaded
    cache.clear()
    sheets, _sql = _xlsx(client)
    assert len(sheets["Overdue instalments"]) == 1 + 12 + 2
    page, sql = _get(client)
    assert not [s for s in sql if "instalment" in s.lower() or "from deposit" in s.lower()]
    assert "The 10 oldest of 14 overdue instalments; the .xlsx has them all." in page
    fresh, _ = _fresh(client)
    assert untimed(fresh) == untimed(page)
