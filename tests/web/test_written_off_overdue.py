"""What the fund's closing wrote off of a commitment counts like a deposit against its
instalments, in order of due date: a write-off of the whole rest leaves no instalment
overdue, a partial one lowers what is overdue by its amount, earliest instalments
first. The donor's portal (page and .xlsx), the staff dashboard (page and .xlsx), the
contributions list (page, its overdue filter and .xlsx) and the commitment's page all
say the same."""
import io

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from tests.pages import Tables, table_rows
from trustfund.closure.confirmed_write_offs import write_off
from trustfund.contributions.models import Commitment

REFERENCE = "SE-2017-EUR"


@pytest.fixture
def sweden(db, users):
    """Sweden's EUR commitment of 1,500,000.00 with instalments of 1,000,000.00
    (30 June 2017) and 500,000.00 (31 March 2018); 1,000,000.00 deposited, so the
    second instalment is overdue."""
    sweden, _evil = data.two_donor_fund()
    return sweden


def _write_off(db, users, amount=None):
    eur = db.session.scalar(sa.select(Commitment).where(Commitment.reference == REFERENCE))
    write_off(users["mptf_officer"], eur, amount=amount, reason="Will not be paid")
    db.session.commit()
    return eur


def _sheet(response, title) -> list[dict]:
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.data))[title]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=False)) for row in ws.iter_rows(min_row=2, values_only=True)]


def _portal(client, login_as):
    login_as("donor")
    html = client.get("/statements/portal").get_data(as_text=True)
    lines = [r for r in table_rows(html, "portal-instalments") if len(r) > 1 and r[1] == REFERENCE]
    sheet = _sheet(client.get("/statements/portal?format=xlsx&list=instalments"), "Instalments")
    return html, lines, [r for r in sheet if r["Commitment"] == REFERENCE]


def _dashboard(client, login_as):
    """The staff dashboard's overdue rows of the commitment (page and .xlsx)."""
    login_as("mptf_officer")
    page = Tables(client.get("/dashboard/").get_data(as_text=True)).tables["overdue"]["rows"]
    sheet = _sheet(client.get("/dashboard/?format=xlsx"), "Overdue instalments")
    return ([r for r in page if len(r) > 1 and r[1] == REFERENCE],
            [r for r in sheet if r["Commitment"] == REFERENCE])


def _contributions(client, login_as, sweden):
    """The officer's contributions list of Sweden (status cell of the commitment), its
    overdue filter, and its .xlsx."""
    login_as("mptf_officer")
    html = " ".join(client.get(f"/contributions/?donor={sweden.id}").get_data(as_text=True).split())
    overdue_only = client.get(f"/contributions/?donor={sweden.id}&status=overdue").get_data(as_text=True)
    download = client.get(f"/contributions/?format=xlsx&donor={sweden.id}")
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    mine = [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if REFERENCE in r]
    return html, overdue_only, mine[0]


def test_before_any_write_off_the_second_instalment_is_overdue(sweden, client, login_as):
    """The starting point the other tests change (so that they can fail)."""
    html, lines, sheet = _portal(client, login_as)
    assert [line[-2:] for line in lines] == [["500,000.00", "Overdue"]]
    assert [r["Outstanding"] for r in sheet] == [500000]
    page, sheet = _dashboard(client, login_as)
    assert [r[5] for r in page] == ["500,000.00"] and [r["Not yet deposited"] for r in sheet] == [500000]
    html, overdue_only, row = _contributions(client, login_as, sweden)
    assert "Overdue: EUR 500,000.00" in html and REFERENCE in overdue_only and row["Overdue"] == 500000


def test_a_write_off_of_the_whole_rest_leaves_nothing_overdue(sweden, db, users, client, login_as):
    eur = _write_off(db, users)
    html, lines, sheet = _portal(client, login_as)
    assert lines == [] and sheet == []
    # Sweden's other commitment has no schedule: what it owes is under Commitments.
    assert "instalment is overdue" not in html and "No instalment of a schedule is due or overdue." in html

    page, sheet = _dashboard(client, login_as)
    assert page == [] and sheet == []

    html, overdue_only, row = _contributions(client, login_as, sweden)
    assert "Overdue: EUR" not in html and REFERENCE not in overdue_only
    assert row["Overdue"] in (None, 0) and row["Status"] != "Overdue"

    commitment = client.get(f"/contributions/commitments/{eur.id}").get_data(as_text=True)
    assert "An instalment is overdue" not in commitment
    assert [r[-1] for r in table_rows(commitment.replace('class="table table-sm w-auto"',
                                                          'id="schedule" class="table table-sm w-auto"', 1),
                                      "schedule")] == ["Paid", "Written off"]


def test_a_partial_write_off_lowers_what_is_overdue_by_its_amount(sweden, db, users, client, login_as):
    _write_off(db, users, amount="200000.00")
    html, lines, sheet = _portal(client, login_as)
    # Due on, commitment, currency, instalment, cumulative due, covered by deposits,
    # written off, outstanding, status.
    assert [line[3:] for line in lines] == [["500,000.00", "1,500,000.00", "0.00", "200,000.00",
                                             "300,000.00", "Overdue"]]
    assert [(r["Written off"], r["Outstanding"], r["Status"]) for r in sheet] == [(200000, 300000, "Overdue")]
    assert "1 instalment is overdue." in html

    page, sheet = _dashboard(client, login_as)
    assert [r[5] for r in page] == ["300,000.00"] and [r["Not yet deposited"] for r in sheet] == [300000]

    html, overdue_only, row = _contributions(client, login_as, sweden)
    assert "Overdue: EUR 300,000.00" in html and REFERENCE in overdue_only and row["Overdue"] == 300000
