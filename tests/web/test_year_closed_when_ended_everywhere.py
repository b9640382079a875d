"""A calendar year is closed "after its last day" (closure.years.closable), judged in the
closing admin's own time zone. An admin in Tokyo can close 2017 at 08:00 on 1 January
2018 (Tokyo), 23:00 UTC on 31 December 2017: at that instant it is still 31 December in
UTC (by which decisions and reconciliations are dated) and in New York, where an
officer is receiving that day's transfers. The year should not close before it has
ended everywhere the fund's entries are dated. (Found by a colleague's review.)"""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tests.factories.contributions import commitment
from tests.pages import post_and_confirm
from trustfund import clock
from trustfund.extensions import db
from trustfund.fund.models import AccountingYear

# 08:00 on 1 January 2018 in Tokyo; 23:00 on 31 December 2017 in UTC; 18:00 in New York.
TOKYO_NEW_YEAR = dt.datetime(2017, 12, 31, 23, 0, tzinfo=dt.UTC)


@pytest.fixture
def at_tokyo_new_year(monkeypatch):
    monkeypatch.setattr(clock, "_now", lambda: TOKYO_NEW_YEAR)


def test_a_tokyo_admin_cannot_close_the_year_while_it_is_still_31_december_in_utc(
        app, client, login_as, at_tokyo_new_year):
    commitment("USD", "100000.00")
    admin = make_user("admin", "tokyo-admin@test.example")
    admin.timezone = "Asia/Tokyo"
    db.session.commit()
    login_as(admin)
    post_and_confirm(client, "/fund/years/2017/close",
                     {"report_reference": "Annual financial report 2017"}, follow_redirects=True)
    db.session.expire_all()
    closed = db.session.scalars(sa.select(AccountingYear.year)).all()
    # Still 31 December 2017 in UTC (the date the app stamps on decisions) and in New York.
    assert closed == [], "2017 was closed while it was still 31 December 2017 in UTC"


def test_a_new_york_officer_can_still_record_a_deposit_received_on_her_31_december(
        app, client, login_as, at_tokyo_new_year):
    from tests.pages import post_entry

    c = commitment("USD", "100000.00")
    admin = make_user("admin", "tokyo-admin@test.example")
    admin.timezone = "Asia/Tokyo"
    officer = make_user("mptf_officer", "new-york@test.example")
    officer.timezone = "America/New_York"
    db.session.commit()
    login_as(admin)
    post_and_confirm(client, "/fund/years/2017/close",
                     {"report_reference": "Annual financial report 2017"}, follow_redirects=True)
    login_as(officer)  # 18:00 on 31 December 2017 for her: today's transfer arrives
    answer = post_entry(client, f"/contributions/commitments/{c.id}/deposits/new",
                        {"value_date": "2017-12-31", "amount": "1000.00", "rate": "", "rate_note": "",
                         "bank_reference": ""})
    assert "2017 is a closed year" not in answer.get_data(as_text=True)
    assert answer.status_code == 302


def test_the_year_closes_once_its_last_day_has_ended_everywhere(app, client, login_as, monkeypatch):
    """12:00 UTC on 1 January 2018: midnight at UTC−12, 31 December has ended everywhere."""
    commitment("USD", "100000.00")
    login_as("admin")
    monkeypatch.setattr(clock, "_now", lambda: dt.datetime(2018, 1, 1, 11, 59, tzinfo=dt.UTC))
    page = client.get("/fund/years/2017/close").get_data(as_text=True)
    assert "2017 has not ended yet everywhere" in page
    monkeypatch.setattr(clock, "_now", lambda: dt.datetime(2018, 1, 1, 12, 0, tzinfo=dt.UTC))
    post_and_confirm(client, "/fund/years/2017/close",
                     {"report_reference": "Annual financial report 2017"}, follow_redirects=True)
    db.session.expire_all()
    assert db.session.scalars(sa.select(AccountingYear.year)).all() == [2017]
