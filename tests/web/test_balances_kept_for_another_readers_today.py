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

import datetime as dt
import re
from decimal import Decimal as D

import sqlalchemy as sa

from tests.factories import base_users, travel
from tests.factories import statements as data
from tests.pages import post_and_confirm
from trustfund import clock
from trustfund.extensions import db
from trustfund.travel import decisions
from trustfund.travel.models import TravelGrant

NEW_YORK_EVENING = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
PERIOD = "from=2017-04-03&to=2026-03-01"


def figure(text: str) -> D:
    return D(re.sub(r"[^\d.\-]", "", text.replace("\u2212", "-")))


def closing(html: str) -> D:
    match = re.search(r'id="closing"[^>]*>(.*?)</td>', html, re.DOTALL)
    return figure(re.sub(r"<[^>]+>", "", match.group(1)))


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
    donor = data.donor("Sweden (NY balances)")
    data.deposit(data.commitment(donor, "200000.00"), "200000.00", value_date=dt.date(2017, 5, 2))
    grant = travel.make_request(travel.make_event(cap=5), "SN", "Awa Ndiaye", airfare="1000.00")
    decisions.approve_grant(users["srsg_staff2"], grant, data.pool().id)
    users["srsg_staff"].timezone = "America/New_York"
    users["auditor"].timezone = "America/New_York"
    db.session.commit()
    monkeypatch.setattr(clock, "_now", lambda: NEW_YORK_EVENING)
    login_as(users["srsg_staff"])
    post_and_confirm(client, f"/travel/grants/{grant.id}/travelled",
                     data={"actual_ticket": "900.00", "actual_dsa": "1200.00", "actual_terminal": "100.00"})
    db.session.execute(sa.update(TravelGrant).values(reconciled_at=NEW_YORK_EVENING.replace(tzinfo=None)))
    db.session.commit()

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
