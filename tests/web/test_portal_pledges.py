"""A donor's portal lists its own pledges (a colleague's review: a donor saw its
commitments and deposits, never what it had announced): each pledge with what was
committed against it and what is still pledged, in a download equal to the page,
and nothing of another donor's."""
import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl

from tests.factories.contributions import commitment, donor, pledge, sweden
from tests.pages import table_rows


def _pledges(db):
    announced = pledge("EUR", "2000000.00", objective_number=1, who=sweden(), pledged_on=dt.date(2017, 4, 20))
    commitment("EUR", "1500000.00", objective_number=1, who=sweden(), pledge=announced)
    pledge("USD", "55555555.00", who=donor("Swiss Confederation"))  # another donor's


def test_a_donor_sees_its_pledges_and_what_was_committed_against_them(app, db, client, login_as):
    _pledges(db)
    login_as("donor")
    html = client.get("/statements/portal").get_data(as_text=True)
    rows = [[" ".join(c.split()) for c in r] for r in table_rows(html, "pledges")]
    assert rows == [["20 Apr 2017", "Objective 1", "EUR", "2,000,000.00", "1,500,000.00", "500,000.00",
                     "Partly fulfilled"]], rows
    assert "55,555,555.00" not in html and "Swiss Confederation" not in html
    sheet = openpyxl.load_workbook(io.BytesIO(
        client.get("/statements/portal?format=xlsx&list=pledges").data))["Pledges"]
    header = [c.value for c in sheet[1]]
    [row] = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert (row["Donor"], row["Pledged on"].date(), row["Currency"]) == ("Kingdom of Sweden",
                                                                         dt.date(2017, 4, 20), "EUR")
    assert [Decimal(str(row[k])) for k in ("Pledged", "Committed against it", "Pledged, not yet committed")] \
        == [Decimal("2000000"), Decimal("1500000"), Decimal("500000")]
    # Another donor's id in the address changes nothing: the download is the reader's own.
    other = donor("Swiss Confederation").id
    text = " ".join(str(c.value) for r in openpyxl.load_workbook(io.BytesIO(client.get(
        f"/statements/portal?format=xlsx&list=pledges&donor_id={other}").data))["Pledges"].iter_rows()
        for c in r)
    assert "55555555" not in text and "Kingdom of Sweden" in text


def test_a_donor_without_a_pledge_is_told_so(app, client, login_as):
    login_as("donor")
    html = client.get("/statements/portal").get_data(as_text=True)
    assert re.search(r'id="pledges-heading"[^<]*Pledges', html) and "No pledge yet." in html
