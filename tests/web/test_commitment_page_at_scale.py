"""A commitment's page at scale (a colleague's review, issue 16): the scale demo's
largest commitment has 1,983 deposits, and its page listed every one of them (606 KB of
HTML, 400-800 ms on SQLite), reading their reversals in batches of 500 ids (the
statement count grew with the deposits). It shows its latest page of deposits and
reversals, says how many there are with a link to the deposits list filtered by the
commitment (paged), and sums what was received over all of them."""
from __future__ import annotations

import datetime as dt
import re

from tests.factories import statements as data
from tests.pages import text
from tests.sql_log import first_view_counted
from trustfund.extensions import db


def _deposits(commitment, made: list, n: int) -> None:
    for _ in range(n):
        day = dt.date(2017, 5, 1) + dt.timedelta(days=len(made) % 3000)
        made.append(data.deposit(commitment, "10.00", value_date=day, fee_rate="0.01",
                                 bank_reference=f"BANK-REF-{len(made):05d}"))
    db.session.commit()


def test_a_commitments_page_sends_as_many_statements_for_600_deposits_as_for_60(app, db, client, login_as):
    commitment = data.commitment(data.donor(), "9000000.00", "USD")
    made: list = []
    login_as("mptf_officer")
    path = f"/contributions/commitments/{commitment.id}"
    _deposits(commitment, made, 60)
    _, few = first_view_counted(client, path)
    _deposits(commitment, made, 540)
    _, many = first_view_counted(client, path)
    assert many == few, (few, many)


def test_a_commitments_page_shows_its_latest_deposits_and_sends_to_the_list_for_the_rest(
        app, db, client, login_as):
    commitment = data.commitment(data.donor(), "9000000.00", "USD")
    made: list = []
    _deposits(commitment, made, 120)
    login_as("mptf_officer")
    html, _ = first_view_counted(client, f"/contributions/commitments/{commitment.id}")
    shown = re.findall(r"BANK-REF-\d{5}", html)
    # The latest 50, oldest of them first, as recorded.
    assert shown == [f"BANK-REF-{n:05d}" for n in range(70, 120)]
    page = text(client.get(f"/contributions/commitments/{commitment.id}"))
    assert "The latest 50 of its 120 deposits and reversals. See them all in the deposits list" in page
    assert f'href="/contributions/deposits?commitment={commitment.id}"' in html
    # Received over all 120: 120 x 10.00 = 1,200.00, net of the 1% fee 1,188.00.
    assert "USD 1,200.00 (net of fee: USD 1,188.00)" in page
    listed = client.get(f"/contributions/deposits?commitment={commitment.id}&page=3").get_data(as_text=True)
    assert "BANK-REF-00000" in listed or "BANK-REF-00119" in listed  # the list pages through them all

    few = data.commitment(data.donor("Norway"), "1000.00", "USD")
    data.deposit(few, "10.00", bank_reference="ONLY-ONE")
    db.session.commit()
    alone = text(client.get(f"/contributions/commitments/{few.id}"))
    assert "ONLY-ONE" in alone and "The latest" not in alone
