""""Today" is the date in the signed-in user's time zone (trustfund/clock.py), not the
server's: at one instant, an officer in Tokyo is already on 1 March while the server
(UTC) is still on 28 February, and an officer in New York is still on 1 March while
the server is on 2 March. Without a user (the command line) today is UTC's date."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tests.factories.contributions import commitment, counts
from tests.pages import Tables, error_beside, post_entry
from trustfund import clock
from trustfund.contributions.models import Deposit
from trustfund.extensions import db

FUTURE = "The value date cannot be in the future."
# 08:00 on 1 March in Tokyo (UTC+9); 28 February, 23:00 in UTC.
TOKYO_MORNING = dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC)
# 21:00 on 1 March in New York (UTC-5); 2 March, 02:00 in UTC.
NEW_YORK_EVENING = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock_at(monkeypatch):
    """clock_at(moment): the application's clock shows this (aware, UTC) moment."""
    def _set(moment: dt.datetime) -> None:
        monkeypatch.setattr(clock, "_now", lambda: moment)
    return _set


def _officer(email: str, zone: str | None):
    user = make_user("mptf_officer", email)
    user.timezone = zone
    db.session.commit()
    return user


def _deposit_form(client, c, value_date: str):
    return post_entry(client, f"/contributions/commitments/{c.id}/deposits/new",
                      {"value_date": value_date, "amount": "1000.00", "rate": "", "rate_note": "",
                       "bank_reference": ""})


def _value_date_offered(html: str) -> str:
    return re.search(r'<input[^>]*name="value_date"[^>]*value="([^"]*)"', html).group(1)


def test_a_deposit_dated_the_tokyo_officers_today_is_recorded_and_refused_to_a_utc_officer(
        app, client, login_as, clock_at):
    clock_at(TOKYO_MORNING)
    c = commitment("USD", "100000.00")
    login_as(_officer("tokyo@test.example", "Asia/Tokyo"))
    answer = _deposit_form(client, c, "2026-03-01")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert db.session.scalars(sa.select(Deposit.value_date)).all() == [dt.date(2026, 3, 1)]

    # The same instant, the same value date: for an officer whose zone is UTC it is tomorrow.
    login_as(_officer("geneva-utc@test.example", "UTC"))
    before = counts()
    answer = _deposit_form(client, c, "2026-03-01")
    assert answer.status_code == 200
    assert error_beside(answer.get_data(as_text=True), "value_date") == FUTURE
    assert counts() == before


def test_the_new_york_officers_deposit_form_offers_her_date_and_refuses_her_tomorrow(
        app, client, login_as, clock_at):
    clock_at(NEW_YORK_EVENING)
    c = commitment("USD", "100000.00")
    login_as(_officer("new-york@test.example", "America/New_York"))
    html = client.get(f"/contributions/commitments/{c.id}/deposits/new").get_data(as_text=True)
    assert _value_date_offered(html) == "2026-03-01"
    before = counts()
    answer = _deposit_form(client, c, "2026-03-02")  # the server's (UTC) date: her tomorrow
    assert answer.status_code == 200
    assert error_beside(answer.get_data(as_text=True), "value_date") == FUTURE
    assert counts() == before
    assert _deposit_form(client, c, "2026-03-01").status_code == 302


def test_an_instalment_due_the_day_before_is_overdue_for_tokyo_and_not_yet_for_utc(
        app, client, login_as, clock_at, cached):
    clock_at(TOKYO_MORNING)
    c = commitment("USD", "1000.00", reference="LATE-28FEB", instalments=[(dt.date(2026, 2, 28), "1000.00")])
    utc, tokyo = _officer("utc@test.example", None), _officer("tokyo@test.example", "Asia/Tokyo")

    login_as(utc)  # no zone of their own: UTC, still 28 February, the day it is due
    page = client.get(f"/contributions/commitments/{c.id}").get_data(as_text=True)
    assert "An instalment is overdue" not in page
    listed = client.get("/contributions/?status=overdue").get_data(as_text=True)
    assert "LATE-28FEB" not in listed

    login_as(tokyo)  # 1 March: the instalment was due yesterday
    page = client.get(f"/contributions/commitments/{c.id}").get_data(as_text=True)
    assert "An instalment is overdue" in page
    listed = client.get("/contributions/?status=overdue").get_data(as_text=True)
    assert "LATE-28FEB" in listed and "Overdue: USD" in listed


def test_the_command_line_uses_the_date_in_utc(app, runner, clock_at, tmp_path):
    clock_at(TOKYO_MORNING)
    _officer("tokyo@test.example", "Asia/Tokyo")  # a user's zone does not matter without a user
    out = tmp_path / "fund.xml"
    result = runner.invoke(args=["export", "iati", "--out", str(out), "--as-of", "2026-03-01"])
    assert result.exit_code == 1 and "--as-of 2026-03-01 is in the future" in result.output
    result = runner.invoke(args=["export", "iati", "--out", str(out), "--as-of", "2026-02-28"])
    assert "in the future" not in result.output


def test_without_a_signed_in_user_today_is_the_date_in_utc(app, clock_at):
    clock_at(NEW_YORK_EVENING)
    _officer("new-york@test.example", "America/New_York")
    with app.test_request_context("/login"):
        assert clock.today() == dt.date(2026, 3, 2)
    assert clock.today() == dt.date(2026, 3, 2)


def test_the_dashboard_is_as_of_each_officers_date_even_from_kept_figures(
        app, client, login_as, clock_at, cached):
    clock_at(TOKYO_MORNING)
    commitment("USD", "1000.00", reference="LATE-28FEB", instalments=[(dt.date(2026, 2, 28), "1000.00")])
    utc, tokyo = _officer("utc@test.example", None), _officer("tokyo@test.example", "Asia/Tokyo")

    login_as(utc)  # computes the figures of 28 February and keeps them
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "Figures as of 28 Feb 2026" in html
    assert not [row for row in Tables(html).tables["overdue"]["rows"] if "LATE-28FEB" in row]

    login_as(tokyo)  # the same instant: 1 March, one day late
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "Figures as of 1 Mar 2026" in html
    late = [row for row in Tables(html).tables["overdue"]["rows"] if "LATE-28FEB" in row]
    assert len(late) == 1 and late[0][-1] == "1"
