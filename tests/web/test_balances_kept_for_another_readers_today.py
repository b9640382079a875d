"""The donors' balances page keeps its figures under (from, to) only, while the figures
of a day depend on whether that day is the reader's today (statements.sums._end_of:
a day that is the reader's today counts every moment so far; for a reader to whom it
has passed, only the moments before its midnight UTC). The positions underneath are
kept apart for the two readers (shares.positions: counts_all_so_far in the key); the
balance sheet (statements.services.balance_sheet) is not.

21:00 on 1 March in New York is 02:00 on 2 March in UTC. A trip's costs recorded then
count in the statement "to 1 March" of the New York officer (her today) and not in
that of an officer in UTC (for whom 1 March has passed). Whoever opens the balances of
3 Apr 2017 to 1 Mar 2026 first fills the kept sheet, and the other sees that reader's
figures: a balance that is not his statement's closing balance."""
from __future__ import annotations

import re
from decimal import Decimal as D

from tests.factories import base_users
from tests.factories import statements as data
from tests.pages import cell, figure

PERIOD = "from=2017-04-03&to=2026-03-01"


def closing(html: str) -> D:
    return figure(cell(html, "closing"))


def balance_row(html: str, name: str) -> D:
    """The closing balance (last column) of the donor's row of the balances page."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)
    for row in rows:
        if name in row:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
            return figure(re.sub(r"<[^>]+>", "", cells[-1]))
    raise AssertionError(f"no row of {name}")


def test_the_balances_page_agrees_with_each_readers_statement(app, client, login_as, monkeypatch):
    users = base_users()
    users["auditor"].timezone = "America/New_York"
    donor = data.trip_recorded_in_new_york_evening(client, login_as, monkeypatch, users,
                                                   "Sweden (NY balances)")

    new_york = app.test_client()  # the auditor, in New York: 1 March is her today
    login_as(users["auditor"], new_york)
    ny_balances = new_york.get(f"/statements/?{PERIOD}").get_data(as_text=True)
    ny_statement = new_york.get(f"/statements/{donor.id}?{PERIOD}").get_data(as_text=True)
    assert closing(ny_statement) == D("195800.00")  # 198,000.00 net less the trip's 2,200.00
    assert balance_row(ny_balances, donor.name) == closing(ny_statement)

    utc = app.test_client()  # an officer in UTC: 1 March has passed, the trip is of 2 March
    login_as("mptf_officer", utc)
    utc_statement = utc.get(f"/statements/{donor.id}?{PERIOD}").get_data(as_text=True)
    utc_balances = utc.get(f"/statements/?{PERIOD}").get_data(as_text=True)
    assert closing(utc_statement) == D("198000.00")  # the trip is not of 1 March for him
    assert balance_row(utc_balances, donor.name) == closing(utc_statement), \
        "the balances page shows the New York reader's figures, kept under the same key"
