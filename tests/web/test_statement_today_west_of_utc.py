"""A donor's statement to today shows the trip costs an SRSG staff member recorded this
evening in New York, as the pools (and the funding status) already do.

21:00 on 1 March in New York is 02:00 on 2 March in UTC, by which moments are stored:
the statement "to today" (1 March, the reader's today) counted a trip's costs only when
recorded before midnight UTC after it, and left them out while the pools' page, the
dashboard and the grant list counted them as spent (a colleague's review). A day that
is the reader's today counts every moment so far; for a reader to whom it has passed
(in Tokyo, where it is 2 March), the trip is still of 2 March, and the figures kept for
one are not shown to the other."""
from __future__ import annotations

import re

from tests.factories import base_users
from tests.factories import statements as data
from tests.factories.statements import D
from tests.pages import text
from trustfund.extensions import db


def test_todays_statement_counts_the_trip_recorded_this_evening_in_new_york(client, login_as, monkeypatch):
    donor = data.trip_recorded_in_new_york_evening(client, login_as, monkeypatch, base_users(), "Sweden (NY)")
    pools = client.get("/contributions/pools").get_data(as_text=True)
    assert "2,200.00" in text(pools)  # the pools count the trip as spent
    statement = text(client.get(f"/statements/{donor.id}"))
    assert "Period: 3 Apr 2017 to 1 Mar 2026" in statement
    closing = re.search(r"Closing balance on 1 Mar 2026 USD ([\d,.]+)", statement).group(1)
    spending = re.search(r"Un-earmarked ([\d,.]+) ([\d,.]+) 198,000.00", statement)
    assert (spending.group(1), spending.group(2)) == ("2,200.00", "2,200.00"), \
        "pool spending in the period and to date, as the pools page shows it"
    assert D(closing.replace(",", "")) == D("195800.00"), "198,000.00 net deposits less the trip's 2,200.00"


def test_a_reader_to_whom_the_day_has_passed_sees_it_as_it_ended(client, login_as, monkeypatch):
    users = base_users()
    donor = data.trip_recorded_in_new_york_evening(client, login_as, monkeypatch, users, "Sweden (NY)")
    url = f"/statements/{donor.id}?from=2017-04-03&to=2026-03-01"
    assert "Closing balance on 1 Mar 2026 USD 195,800.00" in text(client.get(url))  # New York's today

    tokyo = users["mptf_officer"]
    tokyo.timezone = "Asia/Tokyo"
    db.session.commit()
    login_as(tokyo)  # 11:00 on 2 March in Tokyo: 1 March has ended, the trip is of 2 March
    assert "Closing balance on 1 Mar 2026 USD 198,000.00" in text(client.get(url))
    assert "Closing balance on 2 Mar 2026 USD 195,800.00" in text(client.get(f"/statements/{donor.id}"))
