"""The staff dashboard's rendered figures are kept per worker (dashboard.routes.body)
per role, locale, day and data version: a warm request reads only the user and the
data version, shows exactly what a fresh rendering shows, and any change shows at once."""
from __future__ import annotations

import datetime as dt
import re
import types

import pytest
from flask import template_rendered

from tests.factories import base_users, make_user
from tests.factories.dashboard import build_fund
from tests.pages import Tables
from tests.sql_log import get_logged, untimed
from trustfund.audit import record
from trustfund.dashboard import routes
from trustfund.donors.services import change_saa_status
from trustfund.extensions import db


@pytest.fixture
def fund(app, db):
    return build_fund()


def _get(client, path="/dashboard/"):
    return get_logged(client, path)


def test_a_warm_request_is_one_statement_the_user_with_the_data_version(app, fund, cached, client,
                                                                       login_as):
    login_as("admin")
    cold, cold_sql = _get(client)
    warm, warm_sql = _get(client)
    assert untimed(warm) == untimed(cold)
    assert len(warm_sql) == 1 < len(cold_sql)
    assert "audit_entry" in warm_sql[0] and ('FROM "user"' in warm_sql[0] or "FROM user" in warm_sql[0])
    app.config["FIGURE_CACHE"] = False
    fresh, _ = _get(client)
    assert untimed(fresh) == untimed(warm)  # the kept page is the page


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


def test_the_user_and_the_query_string_are_never_kept(fund, cached, client, login_as, app):
    login_as("mptf_officer")
    _get(client)
    login_as("admin")
    page, _ = _get(client, "/dashboard/?lang_hint=1")
    assert "admin@test.example" in page and "officer@test.example" not in page
    # The dashboard has no filters: its .xlsx link carries none, whatever the URL.
    assert 'href="/dashboard/?format=xlsx"' in page


def test_the_next_day_renders_afresh(fund, cached, client, login_as, monkeypatch):
    login_as("mptf_officer")
    today = dt.date.today()
    late = {row[1]: row[-1] for row in Tables(_get(client)[0]).tables["overdue"]["rows"]}

    class Tomorrow(dt.date):
        @classmethod
        def today(cls):
            return today + dt.timedelta(days=1)

    monkeypatch.setattr(routes, "dt", types.SimpleNamespace(date=Tomorrow))
    later = {row[1]: row[-1] for row in Tables(_get(client)[0]).tables["overdue"]["rows"]}
    assert later and {ref: int(days.replace(",", "")) for ref, days in later.items()} == \
        {ref: int(days.replace(",", "")) + 1 for ref, days in late.items()}


# --- the whole page kept, with holes for the request's own values (trustfund.kept_pages)


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, name
    return match.group(1)


def test_two_users_of_a_role_each_see_their_own_name_token_and_path(app, fund, cached, login_as):
    from trustfund.kept_pages import _MARK

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        first, second = app.test_client(), app.test_client()
        login_as("srsg_staff", first)
        login_as(make_user("srsg_staff", "o'brien&co@test.example"), second)
        one, sql = get_logged(first, "/dashboard/")
        rendered = []
        with template_rendered.connected_to(lambda _app, template, **_: rendered.append(template.name)):
            two, warm_sql = get_logged(second, "/dashboard/?from=mail")
        assert rendered == [] and len(warm_sql) == 1 < len(sql)  # the second page is the kept one
        assert "srsg@test.example" in one and "o&#39;brien&amp;co@test.example" not in one
        assert "o&#39;brien&amp;co@test.example" in two and "srsg@test.example" not in two
        assert _hidden(one, "next") == "/dashboard/?"
        assert _hidden(two, "next") == "/dashboard/?from=mail"
        assert not any(mark in page for mark in _MARK.values() for page in (one, two))
        assert "\x00" not in one + two
        # Each page's token is its own session's: the language form works for each user...
        for client, page in ((first, one), (second, two)):
            response = client.post("/language", data={"lang": "fr", "next": "/dashboard/",
                                                      "csrf_token": _hidden(page, "csrf_token")})
            assert response.status_code == 302, response.data[:300]
        # ...and not with the other user's token.
        third = app.test_client()
        login_as("srsg_staff", third)
        response = third.post("/language", data={"lang": "es", "next": "/",
                                                 "csrf_token": _hidden(two, "csrf_token")})
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_kept_page_is_the_page_rendered_afresh(app, fund, cached, client, login_as):
    for role in ("mptf_officer", "srsg_staff", "admin", "auditor"):
        login_as(role)
        for lang in ("en", "ar", "zh"):
            with client.session_transaction() as session:
                session["lang"] = lang
            base_users()[role].locale = lang
            db.session.commit()
            _get(client)
            kept, sql = _get(client, "/dashboard/?x=<b>")
            assert len(sql) == 1
            app.config["FIGURE_CACHE"] = False
            fresh, _ = _get(client, "/dashboard/?x=<b>")
            app.config["FIGURE_CACHE"] = True
            assert untimed(kept) == untimed(fresh), (role, lang)
            assert _hidden(kept, "next") == "/dashboard/?x=&lt;b&gt;", (role, lang)


def test_a_flashed_message_shows_on_a_kept_page_once(app, fund, cached, client, login_as):
    login_as("mptf_officer")
    _get(client)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Deposit <recorded>.")]
    shown, _ = _get(client)
    assert "Deposit &lt;recorded&gt;." in shown
    again, sql = _get(client)
    assert "Deposit" not in again.split('id="main"')[1][:200] and len(sql) == 1


def test_a_change_of_the_data_changes_the_kept_page(app, fund, cached, client, login_as):
    login_as("mptf_officer")
    before, _ = _get(client)
    assert "Test Parliament" in before
    fund["parliament"].name = "Renamed Parliament"
    record(base_users()["mptf_officer"], "donor.update", fund["parliament"], note="renamed")
    db.session.commit()
    after, _ = _get(client)
    assert "Renamed Parliament" in after and "Test Parliament" not in after


def test_a_page_holding_the_sessions_token_outside_its_holes_is_never_kept(app, cached, users):
    """The kept body is rendered before the holes' markers are set: if a form ever
    went into it, the first viewer's CSRF token would be served to everyone of the
    role. Such a page is refused, not kept."""
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf
    from markupsafe import Markup

    from trustfund import cache
    from trustfund.kept_pages import render_kept

    with app.test_request_context("/dashboard/"):
        login_user(users["mptf_officer"])
        form = Markup(f'<input name="csrf_token" value="{generate_csrf()}">')
        with pytest.raises(RuntimeError, match="outside the holes"):
            render_kept(("test",), "dashboard/home.html", lambda: {"body": form})
        assert cache._store == {} or all(k[1][0] != "kept-page" for k in cache._store)
        page = render_kept(("test",), "dashboard/home.html", lambda: {"body": Markup("<p>figures</p>")})
        assert "<p>figures</p>" in page and generate_csrf() in page
