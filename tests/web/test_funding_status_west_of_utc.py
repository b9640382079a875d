"""The funding status of today equals the pools' available money (its docstring: "today:
the pools' available money, to the cent") for a reader west of UTC too: an officer in
New York in the evening (after 00:00 UTC) sees the grant approved that evening
committed, as its pool holds it. (Found by a colleague's review: it was left out,
decided_at being compared with the end of the day in UTC.)"""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from tests.factories import base_users, travel
from tests.factories import statements as data
from tests.factories.statements import D
from trustfund import clock
from trustfund.travel import decisions
from trustfund.travel.models import TravelGrant

# 21:00 on 1 March in New York is 02:00 on 2 March in UTC.
NEW_YORK_EVENING = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def _money(html: str, pattern: str) -> D:
    shown = re.search(pattern, html).group(1)
    return D(shown.replace("USD", "").replace("\u00a0", "").replace(",", "").strip())


def test_today_s_balance_of_funds_is_the_pools_available_money_in_new_york(client, login_as, db,
                                                                           monkeypatch):
    users = base_users()
    donor = data.donor("Sweden (NY)")
    data.deposit(data.commitment(donor, "200000.00"), "200000.00", value_date=dt.date(2017, 5, 2))
    event = travel.make_event(cap=5)
    grant = travel.make_request(event, "SN", "Awa Ndiaye", airfare="1000.00")
    decisions.approve_grant(users["srsg_staff2"], grant, data.pool().id)
    db.session.commit()
    # The approval happened at 21:00 in New York, 1 March (02:00 UTC, 2 March).
    db.session.execute(sa.update(TravelGrant).values(decided_at=NEW_YORK_EVENING.replace(tzinfo=None)))
    officer = users["mptf_officer"]
    officer.timezone = "America/New_York"
    db.session.commit()
    monkeypatch.setattr(clock, "_now", lambda: NEW_YORK_EVENING)

    login_as(officer)
    report = client.get("/fund/funding-status").get_data(as_text=True)
    pools = client.get("/contributions/pools").get_data(as_text=True)
    balance_of_funds = _money(report, r'data-line="balance_of_funds">([^<]+)<')
    available = _money(pools, r'id="available-total">([^<]+)<')
    committed = _money(report, r'data-line="committed">([^<]+)<')
    assert committed == grant.total, "the approved grant's money is committed"
    assert balance_of_funds == available
