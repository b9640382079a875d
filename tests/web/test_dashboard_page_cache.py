"""The staff dashboard's rendered figures are kept per worker (dashboard.routes.body)
per role, locale, day and data version: a warm request reads only the user and the
data version, shows exactly what a fresh rendering shows, and any change shows at once."""
from __future__ import annotations

import datetime as dt
import types

import pytest

from tests.factories import base_users
from tests.sql_log import get_logged
from tests.web.test_dashboard import Tables
from tests.web.test_dashboard_fund import build_fund
from trustfund.dashboard import routes
from trustfund.donors.services import change_saa_status
from trustfund.extensions import db


@pytest.fixture
def fund(app, db):
    return build_fund()


def _get(client, path="/dashboard/"):
    return get_logged(client, path)


def test_a_warm_request_reads_the_user_and_the_data_version_only(app, fund, cached, client, login_as):
    login_as("admin")
    cold, cold_sql = _get(client)
    warm, warm_sql = _get(client)
    assert warm == cold
    assert len(warm_sql) == 2 < len(cold_sql)
    assert any("audit_entry" in s for s in warm_sql) and any('FROM "user"' in s or "FROM user" in s
                                                              for s in warm_sql)
    app.config["FIGURE_CACHE"] = False
    fresh, _ = _get(client)
    assert fresh == warm  # the kept page is the page


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
