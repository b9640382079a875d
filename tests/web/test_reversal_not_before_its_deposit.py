"""A reversal is dated the confirming officer's today, never before the entry it
reverses (clock.reversal_day). An officer in Tokyo records a deposit received on her
today (5 March); a colleague in New York, where it is still 4 March, confirms its
reversal at once: it was dated 4 March, the day before the deposit, and every list,
statement and report of a period ending on 4 March held a negative deposit of money
not yet received (a colleague's review of an officer's month-end)."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import second_officer_confirms_reversal
from tests.factories.contributions import commitment
from tests.pages import post_and_confirm, post_entry
from trustfund import clock
from trustfund.closure.funding import funding_status
from trustfund.contributions.models import Deposit

# 08:00 on 5 March in Tokyo (UTC+9); 18:00 on 4 March in New York (UTC-5).
TOKYO_MORNING = dt.datetime(2026, 3, 4, 23, 0, tzinfo=dt.UTC)


def test_a_reversal_is_never_dated_before_the_deposit_it_reverses(app, db, client, login_as, users,
                                                                    monkeypatch):
    monkeypatch.setattr(clock, "_now", lambda: TOKYO_MORNING)
    users["mptf_officer"].timezone, users["mptf_officer2"].timezone = "Asia/Tokyo", "America/New_York"
    c = commitment("USD", "50000.00")
    db.session.commit()
    login_as("mptf_officer")
    answer = post_entry(client, f"/contributions/commitments/{c.id}/deposits/new", {
        "value_date": "2026-03-05", "amount": "20000.00", "rate": "1", "rate_note": "",
        "bank_reference": "FT-0305"})
    assert answer.status_code == 302
    [original] = db.session.scalars(sa.select(Deposit)).all()
    assert original.value_date == dt.date(2026, 3, 5)
    post_and_confirm(client, f"/contributions/deposits/{original.id}/reverse",
                     {"reason": "Recorded on the wrong commitment"})
    second_officer_confirms_reversal(app)  # officer2, in New York
    db.session.expire_all()
    reversal = db.session.scalar(sa.select(Deposit).where(Deposit.reverses_id == original.id))
    assert reversal is not None
    # The deposits list of 4 March (New York's today) holds no reversal of money received on 5 March.
    login_as("auditor")
    page = client.get("/contributions/deposits?date_from=2026-03-01&date_to=2026-03-04")
    page = page.get_data(as_text=True)
    net_shown = re.search(r'id="total-net">([^<]+)<', page)
    assert reversal.value_date == original.value_date, (
        f"reversal dated {reversal.value_date}, deposit {original.value_date}; "
        f"list 1-4 March net total {net_shown.group(1) if net_shown else None}; "
        f"funding status 4 March contributions {funding_status(dt.date(2026, 3, 4)).contributions}")
    assert "-USD" not in (net_shown.group(1) if net_shown else "")
    assert funding_status(dt.date(2026, 3, 4)).contributions == Decimal("0.00")


def test_a_reversal_confirmed_after_the_entry_s_day_is_dated_that_day(app, monkeypatch):
    monkeypatch.setattr(clock, "_now", lambda: TOKYO_MORNING)
    assert clock.reversal_day(dt.date(2026, 3, 1)) == dt.date(2026, 3, 4)  # UTC's today
    assert clock.reversal_day(dt.date(2026, 3, 5)) == dt.date(2026, 3, 5)
