"""The donor portal: a donor sees its own money, in HTML and .xlsx, and nothing else."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from tests.factories import statements as data
from tests.factories.statements import EVIL
from trustfund.statements.portal import overview


@pytest.fixture
def fund(db):
    return data.two_donor_fund()


def _rows(response, sheet):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=False)) for row in ws.iter_rows(min_row=2, values_only=True)]


def _all_text(response) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                     if c.value is not None)


def test_donor_lands_on_its_own_page_with_saa_commitments_deposits_and_instalments(
        client, login_as, fund):
    sweden, evil = fund
    login_as("donor")
    page = client.get("/statements/portal").get_data(as_text=True)
    assert sweden.name in page
    assert "SAA-MCS00-SE-2017" in page and "Permanent Representative of Sweden" in page
    # The commitments with deposited and outstanding amounts.
    assert "SE-2017-EUR" in page and "1,500,000.00" in page and "500,000.00" in page
    # The deposits: currency amount, rate, USD, fee, net; the reversal shown.
    for text in ("1,000,000.00", "0.941", "1,062,699.26", "10,626.99", "1,052,072.27",
                 "-990.00", "Booked to the wrong commitment"):
        assert text in page, text
    # The second instalment (500,000.00 due 31 March 2018) is overdue today.
    assert "Overdue" in page
    assert f'href="/statements/{sweden.id}"' in page
    # The balance says what it still holds: money set aside for approved grants.
    assert "Money set aside for approved travel grants is still in your balance" in page
    # Nothing of the other donor.
    for text in (EVIL, "EVIL", "55,555,555", "444,444.44", "487,156.77"):
        assert text not in page, text
    assert "HYPERLINK" not in page


def test_portal_downloads_equal_the_page_to_the_cent(client, login_as, fund):
    sweden, _evil = fund
    login_as("donor")
    view = overview(sweden)

    commitments = _rows(client.get("/statements/portal?format=xlsx&list=commitments"), "Commitments")
    assert [(r["Reference"], r["Currency"], Decimal(str(r["Amount"])), Decimal(str(r["Deposited"])),
             Decimal(str(r["Outstanding"]))) for r in commitments] == [
        (c.reference, c.currency, c.amount, c.deposited, c.outstanding) for c in view.commitments]
    assert {r["Donor"] for r in commitments} == {sweden.name}
    assert all(isinstance(r["Committed on"], dt.datetime) for r in commitments)

    deposits = _rows(client.get("/statements/portal?format=xlsx&list=deposits"), "Deposits")
    assert [(r["Value date"].date(), r["Currency"], Decimal(str(r["Amount"])),
             Decimal(str(r["Rate (per USD)"])),
             Decimal(str(r["USD"])), Decimal(str(r["Fee (USD)"])), Decimal(str(r["Net (USD)"])))
            for r in deposits] == [
        (dt.date(2017, 6, 1), "USD", Decimal("125000"), Decimal("1"), Decimal("125000"), Decimal("1250"),
         Decimal("123750")),
        (dt.date(2017, 5, 25), "USD", Decimal("-1000"), Decimal("1"), Decimal("-1000"), Decimal("-10"),
         Decimal("-990")),
        (dt.date(2017, 5, 20), "USD", Decimal("1000"), Decimal("1"), Decimal("1000"), Decimal("10"),
         Decimal("990")),
        (dt.date(2017, 5, 2), "EUR", Decimal("1000000"), Decimal("0.941"), Decimal("1062699.26"),
         Decimal("10626.99"), Decimal("1052072.27")),
    ]
    assert deposits[1]["Reason"] == "Booked to the wrong commitment"
    # The reversal names the deposit it reverses by its value date, the deposit the day
    # of its reversal: no deposit's number, which means nothing to a donor.
    assert deposits[1]["Reverses the deposit of"].date() == deposits[2]["Value date"].date()
    assert deposits[2]["Reversed on"].date() == deposits[1]["Value date"].date()
    assert "Deposit no." not in deposits[0]

    instalments = _rows(client.get("/statements/portal?format=xlsx&list=instalments"), "Instalments")
    assert [(r["Due on"].date(), Decimal(str(r["Outstanding"])), r["Status"]) for r in instalments] == [
        (line.instalment.due_on, line.outstanding, "Overdue" if line.overdue else "Not yet due")
        for line in view.instalments]
    assert instalments and instalments[0]["Status"] == "Overdue"


def test_portal_downloads_ignore_another_donors_id(client, login_as, fund):
    sweden, evil = fund
    login_as("donor")
    for which in ("commitments", "deposits", "instalments"):
        response = client.get(f"/statements/portal?format=xlsx&list={which}&donor_id={evil.id}")
        text = _all_text(response)
        assert sweden.name in text
        assert "EVIL" not in text and "HYPERLINK" not in text and "55555555" not in text


def test_only_donor_users_have_a_portal(client, login_as, fund):
    for role in ("admin", "mptf_officer", "srsg_staff", "auditor"):
        login_as(role)
        assert client.get("/statements/portal").status_code == 403


def test_a_donor_without_any_money_yet_sees_empty_lists(client, login_as, db):
    login_as("donor")
    page = client.get("/statements/portal").get_data(as_text=True)
    assert "No commitment yet." in page and "No deposit yet." in page
    assert "No instalment is outstanding." in page


def test_portal_shows_the_donors_own_dashboard_with_charts(client, login_as, fund):
    import json
    import re

    sweden, _evil = fund
    login_as("donor")
    page = client.get("/statements/portal").get_data(as_text=True)
    assert "Your contributions at a glance" in page
    blocks = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S)
    assert blocks, "no chart data on the portal"
    charts = " ".join(json.dumps(json.loads(b)) for b in blocks)
    # Sweden's net deposits are in its charts; the other donor's never are.
    assert "1052072.27" in charts.replace(",", "") or "1052072.27" in page.replace(",", "")
    for text in ("55555555", "444444.44", "EVIL"):
        assert text not in charts, text


def test_a_commitment_without_a_reference_is_named_by_its_date_not_its_number(client, login_as, fund):
    """A donor knows its commitments by its own reference, or by the day it made them:
    Trustfund's number for one ("#12") means nothing to it, on the portal, the
    statement and their .xlsx."""
    import re

    sweden, _evil = fund
    unnamed = data.commitment(sweden, "20000.00", committed_on=dt.date(2017, 3, 9), reference="",
                              instalments=[(dt.date(2017, 4, 1), "20000.00")])
    data.deposit(unnamed, "5000.00", value_date=dt.date(2017, 5, 3))
    data.db.session.commit()
    login_as("donor")
    number = f"#{unnamed.id}"
    for url in ("/statements/portal", f"/statements/{sweden.id}?from=2017-01-01&to=2017-12-31",
                f"/statements/{sweden.id}?from=2017-01-01&to=2017-12-31&print=1"):
        words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(url).get_data(as_text=True)))
        assert number not in words, url
        assert "Commitment of 9 Mar 2017" in words, url  # its deposit's (and instalment's) row
    commitments = _rows(client.get("/statements/portal?format=xlsx&list=commitments"), "Commitments")
    assert [r["Reference"] for r in commitments if r["Committed on"].date() == dt.date(2017, 3, 9)] == [None]
    deposits = _rows(client.get("/statements/portal?format=xlsx&list=deposits"), "Deposits")
    assert "Commitment of 9 Mar 2017" in {r["Commitment"] for r in deposits}
    instalments = _rows(client.get("/statements/portal?format=xlsx&list=instalments"), "Instalments")
    assert "Commitment of 9 Mar 2017" in {r["Commitment"] for r in instalments}
    for which in ("commitments", "deposits", "instalments"):
        assert number not in _all_text(client.get(f"/statements/portal?format=xlsx&list={which}")), which
