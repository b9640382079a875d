"""A commitment's rest written off at the fund's closing is no longer outstanding:
the donor's portal (page, dashboard, .xlsx), its statement (page and .xlsx) and the
donor's page for staff all say so, and say the same."""
import datetime as dt
import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from tests.pages import table_rows
from trustfund.closure.confirmed_write_offs import write_off
from trustfund.contributions.models import Commitment


@pytest.fixture
def written_off(db, users):
    """Sweden's EUR commitment (1,500,000.00, 1,000,000.00 deposited): its rest of
    500,000.00 written off."""
    sweden, _evil = data.two_donor_fund()
    eur = db.session.scalar(sa.select(Commitment).where(Commitment.reference == "SE-2017-EUR"))
    write_off(users["mptf_officer"], eur, reason="Will not be paid")
    db.session.commit()
    return sweden


def _row_of(html: str, reference: str) -> list[str]:
    """The cells of the commitments table's row of `reference`."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL):
        cells = [re.sub(r"<[^>]+>|\s+", " ", cell).strip()
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
        if reference in cells:
            return cells
    raise AssertionError(f"no row {reference}")


def _sheet(response, title):
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = book[title]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=False)) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_the_portal_says_nothing_is_outstanding_on_page_dashboard_and_download(client, login_as,
                                                                              written_off):
    login_as("donor")
    page = client.get("/statements/portal").get_data(as_text=True)
    # Committed on, reference, earmarking, currency, amount, deposited, written off,
    # outstanding: the row adds up (the column is there once something is written off).
    assert _row_of(page, "SE-2017-EUR")[4:] == ["1,500,000.00", "1,000,000.00", "500,000.00", "0.00"]
    eur = [row for row in table_rows(page, "table-donor_commitments") if row[0] == "EUR"]
    # Currency, commitments, committed, deposited, written off, outstanding: it adds up.
    assert eur and eur[0][2:] == ["1,500,000.00", "1,000,000.00", "500,000.00", "0.00"], eur
    rows = _sheet(client.get("/statements/portal?format=xlsx&list=commitments"), "Commitments")
    assert [(r["Written off"], r["Outstanding"]) for r in rows if r["Reference"] == "SE-2017-EUR"] == [
        (500000, 0)]


def test_the_statement_says_nothing_is_outstanding_at_the_end_on_page_and_download(client, login_as,
                                                                                  written_off):
    login_as("donor")
    today = dt.date.today().isoformat()
    url = f"/statements/{written_off.id}?from=2017-04-03&to={today}"
    page = client.get(url).get_data(as_text=True)
    # ... deposited in the period, by the end, written off by the end, outstanding at the end.
    assert _row_of(page, "SE-2017-EUR")[4:] == ["1,500,000.00", "1,000,000.00", "1,000,000.00",
                                                "500,000.00", "0.00"]
    assert "Written off by the end" in page
    rows = _sheet(client.get(url + "&format=xlsx"), "Commitments")
    assert [(r["Written off by end of period"], r["Outstanding at end of period"])
            for r in rows if r["Reference"] == "SE-2017-EUR"] == [(500000, 0)]
    # Before the day it was written off, the rest was still outstanding (and no column
    # for write-offs: there was none yet).
    before = client.get(f"/statements/{written_off.id}?from=2017-04-03&to=2017-12-31").get_data(as_text=True)
    assert _row_of(before, "SE-2017-EUR")[4:] == ["1,500,000.00", "1,000,000.00", "1,000,000.00",
                                                  "500,000.00"]
    assert "Written off by the end" not in before


def test_the_donors_page_for_staff_adds_up_by_currency(client, login_as, written_off):
    login_as("mptf_officer")
    page = client.get(f"/donors/{written_off.id}").get_data(as_text=True)
    eur = [row for row in table_rows(page, "desk-currencies") if row[0] == "EUR"]
    # Currency, pledged, committed, deposited, outstanding.
    assert eur == [["EUR", "0.00", "1,500,000.00", "1,000,000.00", "0.00"]], eur


def test_the_contributions_list_calls_it_settled_as_its_filter_does(client, login_as, written_off):
    """Its rest written off, the commitment is settled, not "Partly deposited": the list,
    its .xlsx and its status filter (which counts it with the fully deposited) agree."""
    login_as("mptf_officer")
    page = client.get("/contributions/").get_data(as_text=True)
    assert "Settled (rest written off)" in _row_of(page, "SE-2017-EUR")
    assert "Partly deposited" not in _row_of(page, "SE-2017-EUR")
    settled = client.get("/contributions/?status=complete").get_data(as_text=True)
    assert "Settled (rest written off)" in _row_of(settled, "SE-2017-EUR")
    label = "Settled (fully deposited or rest written off)"
    assert re.search(r'<option[^>]*value="complete"[^>]*>' + re.escape(label) + "</option>", settled)
    assert "SE-2017-EUR" not in client.get("/contributions/?status=outstanding").get_data(as_text=True)
    rows = _sheet(client.get("/contributions/?format=xlsx"), "Commitments")
    assert [r["Status"] for r in rows if r["Reference"] == "SE-2017-EUR"] == ["Settled (rest written off)"]
