"""The donor page (the officer's desk) says "The balance is the closing balance of the
statement to today", but counts a deposit dated after the reader's today (an officer
in Tokyo dates it her today, 1 March, while it is still 28 February in UTC): its
balance is then more than the statement's closing balance to today. The portal
leaves that deposit out of the balance of today (and says so); the desk did not (a
colleague's review)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from tests.factories import make_user
from tests.factories.contributions import commitment
from tests.pages import cell, figure, post_entry
from trustfund import clock


def test_the_desks_balance_is_the_statements_closing_balance_to_today(app, client, login_as, db,
                                                                      monkeypatch):
    monkeypatch.setattr(clock, "_now", lambda: dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC))
    c = commitment("USD", "100000.00")
    tokyo = make_user("mptf_officer", "tokyo-desk@test.example")
    tokyo.timezone = "Asia/Tokyo"
    db.session.commit()
    login_as(tokyo)
    assert post_entry(client, f"/contributions/commitments/{c.id}/deposits/new",
                      {"value_date": "2026-03-01", "amount": "1000.00", "rate": "", "rate_note": "",
                       "bank_reference": "TOKYO-DESK-1"}).status_code == 302

    officer = app.test_client()  # an officer in UTC: still 28 February
    login_as("mptf_officer", officer)
    desk = officer.get(f"/donors/{c.donor_id}").get_data(as_text=True)
    statement = officer.get(f"/statements/{c.donor_id}").get_data(as_text=True)
    assert "The balance is the closing balance of the statement to today." in desk
    # The statement to today (28 February) leaves the deposit of 1 March out: 0.00.
    assert figure(cell(statement, "closing")) == D("0.00")
    assert figure(cell(desk, "desk-balance")) == figure(cell(statement, "closing"))
    # The deposit is in the net deposits, and the page says why the balance leaves it out.
    assert figure(cell(desk, "desk-net")) == D("990.00")
    assert " ".join(cell(desk, "desk-net-later").split()) == (
        "Of which USD 990.00 is dated after today, not yet in the balance of today.")
