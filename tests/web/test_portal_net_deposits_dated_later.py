"""The portal's two "Net deposits" say why they differ: the balance of the donor's
today leaves out a deposit dated after it (an officer in Tokyo dates it her today, 1
March, while the donor is on 28 February), the tile counts every deposit recorded, as
the commitments beside it do; the tile now says how much of it is dated after today
(a colleague's review of a donor's view)."""
from __future__ import annotations

import datetime as dt
import re

from tests.factories import make_user
from tests.factories.contributions import commitment
from tests.pages import post_entry, text
from trustfund import clock


def test_the_tile_says_what_is_dated_after_the_donors_today(app, client, login_as, db, monkeypatch):
    monkeypatch.setattr(clock, "_now", lambda: dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC))
    c = commitment("USD", "100000.00")
    tokyo = make_user("mptf_officer", "tokyo-tile@test.example")
    tokyo.timezone = "Asia/Tokyo"
    db.session.commit()
    login_as(tokyo)
    assert post_entry(client, f"/contributions/commitments/{c.id}/deposits/new",
                      {"value_date": "2026-03-01", "amount": "1000.00", "rate": "", "rate_note": "",
                       "bank_reference": "TOKYO-1"}).status_code == 302
    donor = app.test_client()
    login_as("donor", donor)
    page = donor.get("/statements/portal").get_data(as_text=True)
    assert re.search(r'id="balance-net">\s*USD\s0\.00\s*<', page.replace("\xa0", " "))
    words = text(page)
    assert "Of which USD 990.00 is dated after today, not yet in your balance of today." in words
