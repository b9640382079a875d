"""The deposits download says when each entry was recorded and, to the MPTF Office's
staff, by whom (a reversal: the officer who confirmed it): a deposit dated January and
recorded in February, or the officer behind a wrong entry, could not be found from the
download (a colleague's review of the month-end)."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl

from tests.factories import second_officer_confirms_reversal
from tests.factories.contributions import commitment, sweden
from tests.pages import post_and_confirm, post_entry


def _rows(client) -> list[dict]:
    answer = client.get("/contributions/deposits?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data))["Deposits"]
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_download_names_when_and_by_whom_each_entry_was_recorded(app, db, client, login_as, users):
    users["mptf_officer"].name, users["mptf_officer2"].name = "Amina Diallo", "Jonas Berg"
    c = commitment("USD", "50000.00", who=sweden())
    db.session.commit()
    login_as("mptf_officer")
    assert post_entry(client, f"/contributions/commitments/{c.id}/deposits/new", {
        "value_date": "2018-01-31", "amount": "20000.00", "rate": "", "rate_note": "",
        "bank_reference": "FT-0131"}).status_code == 302
    [deposit] = _rows(client)
    post_and_confirm(client, f"/contributions/deposits/{deposit['Deposit']}/reverse",
                     {"reason": "Wrong amount"})
    second_officer_confirms_reversal(app)
    login_as("auditor")
    rows = {r["Deposit"]: r for r in _rows(client)}
    original, reversal = rows[deposit["Deposit"]], next(r for r in rows.values() if r["Reverses deposit"])
    assert (original["Recorded by"], reversal["Recorded by"]) == ("Amina Diallo", "Jonas Berg")
    for row in (original, reversal):
        assert isinstance(row["Recorded (UTC)"], dt.datetime)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        assert abs(row["Recorded (UTC)"] - now) < dt.timedelta(minutes=5)


def test_a_periods_totals_say_how_reversals_count_in_them(app, db, client, login_as):
    login_as("auditor")
    plain = client.get("/contributions/deposits").get_data(as_text=True)
    assert 'id="totals-period-note"' not in plain
    page = client.get("/contributions/deposits?date_from=2018-01-01&date_to=2018-01-31")
    page = page.get_data(as_text=True)
    assert 'id="totals-period-note"' in page and "A reversal counts in the period of its own date" in page
