"""A form sent twice by its own user (a double click on Save or Confirm, the browser's
resend) is answered with what the first sending did, not with "Someone else changed
this record while you were editing it": nobody else did, the first sending moved the
version the form carries. (A colleague's review; the entry forms use one-time tokens,
trustfund.submissions, and a rate proposal sent twice is the one waiting.)"""
from __future__ import annotations

import re

import sqlalchemy as sa

from tests.pages import text
from trustfund.admin.models import FEE_RATE, PENDING, SettingChange
from trustfund.admin.setting_changes import form_version
from trustfund.audit import AuditEntry
from trustfund.fund.models import Fund

SOMEONE_ELSE = "Someone else changed this record while you were editing it"


def _form(client, url: str) -> dict:
    html = client.get(url).get_data(as_text=True)
    return dict(re.findall(r'<input[^>]*name="(csrf_token|version)"[^>]*value="([^"]*)"', html))


def _entries(db, action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == action))


def test_a_fee_rate_proposal_sent_twice_is_the_one_waiting(app, db, client, login_as):
    login_as("admin")
    data = {"value": "0.02", "effective_from": "2018-01-01", "version": form_version(FEE_RATE)}
    assert client.post(f"/admin/settings/{FEE_RATE}", data=data).status_code == 302
    again = client.post(f"/admin/settings/{FEE_RATE}", data=data, follow_redirects=True)  # the double click
    shown = text(again)
    assert SOMEONE_ELSE not in shown
    assert "The new value is proposed: nothing changes until another administrator confirms it." in shown
    db.session.expire_all()
    assert len(db.session.scalars(sa.select(SettingChange).where(SettingChange.status == PENDING)).all()) == 1
    assert _entries(db, "setting_change.propose") == 1

    # Another value on the old form is still refused: it was not what was sent.
    other = text(client.post(f"/admin/settings/{FEE_RATE}", data={**data, "value": "0.03"}))
    assert SOMEONE_ELSE in other


def test_closing_the_operations_confirmed_twice_says_they_are_closed(app, db, client, login_as):
    login_as("admin")
    data = {**_form(client, "/fund/close-operations"), "reason": "The conference is over",
            "confirmed": "1", "confirmed_in": "en"}
    assert client.post("/fund/close-operations", data=data).status_code == 302
    again = client.post("/fund/close-operations", data=data, follow_redirects=True)  # Confirm, twice
    shown = text(again)
    assert SOMEONE_ELSE not in shown
    assert "The fund's operations are already closed." in shown
    assert again.request.path == "/fund/"
    db.session.expire_all()
    assert db.session.scalar(sa.select(Fund.status)) == "operationally_closed"
    assert _entries(db, "fund.close_operations") == 1


def test_an_extension_sent_twice_says_the_end_date_it_has(app, db, client, login_as):
    login_as("admin")
    data = {**_form(client, "/fund/extend"), "end_on": "2100-06-30", "reason": "No-cost extension"}
    assert client.post("/fund/extend", data=data).status_code == 302
    again = client.post("/fund/extend", data=data, follow_redirects=True)
    shown = text(again)
    assert SOMEONE_ELSE not in shown
    assert "The end date is already 30 Jun 2100." in shown
    assert _entries(db, "fund.extend") == 1

    # A later date on the old form is refused as stale: the record moved under it.
    later = text(client.post("/fund/extend", data={**data, "end_on": "2101-06-30"}))
    assert SOMEONE_ELSE in later
