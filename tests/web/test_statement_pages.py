"""Statements on screen, in print and in .xlsx; every donor's balance for staff."""
import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from markupsafe import escape

from tests.factories import statements as data
from tests.factories.statements import EVIL
from trustfund.statements.services import FUND_START, balances, statement

END = dt.date(2017, 12, 31)
STAFF = ("admin", "mptf_officer", "srsg_staff", "auditor")


@pytest.fixture
def fund(db):
    return data.two_donor_fund()


def _cell_text(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert match, element_id
    return match.group(1)


def _sheet(wb, title):
    ws = wb[title]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=False)) for row in ws.iter_rows(min_row=2)]


def _dec(cell) -> Decimal:
    assert cell.data_type == "n", (cell.coordinate, cell.value)
    return Decimal(str(cell.value))


def test_donor_statement_page_shows_the_services_figures(client, login_as, fund):
    sweden, _evil = fund
    login_as("donor")
    s = statement(sweden, FUND_START, END)
    page = client.get(f"/statements/{sweden.id}?from=2017-04-03&to=2017-12-31").get_data(as_text=True)
    assert _cell_text(page, "opening") == "USD\u00a00.00"
    assert _cell_text(page, "net-in-period") == f"USD\u00a0{s.net_in_period:,.2f}"
    assert _cell_text(page, "share-in-period") == f"USD\u00a0{s.share_in_period:,.2f}"
    assert _cell_text(page, "closing") == f"USD\u00a0{s.closing:,.2f}"
    assert s.opening + s.net_in_period - s.share_in_period == s.closing
    assert _cell_text(page, "net-total") == f"{s.net_in_period:,.2f}"
    # 1,052,072.27 + 990.00 − 990.00 + 123,750.00
    assert s.net_in_period == Decimal("1175822.27")
    assert "Booked to the wrong commitment" in page
    assert "EVIL" not in page and "HYPERLINK" not in page
    # What the closure will do with interest, as the closure's own statements say it (not
    # "belongs to no donor", which its refund then contradicted).
    assert ("Interest earned by the fund is not part of your balance while the fund operates; at the "
            "fund’s financial closure, each pool’s interest and other income are shared among its donors "
            "in proportion to their net deposits") in page
    assert "belongs to no donor" not in page


def test_a_later_period_opens_with_the_earlier_closing(client, login_as, fund):
    sweden, _evil = fund
    login_as("donor")
    first = client.get(f"/statements/{sweden.id}?from=2017-04-03&to=2017-06-30").get_data(as_text=True)
    second = client.get(f"/statements/{sweden.id}?from=2017-07-01&to=2017-12-31").get_data(as_text=True)
    assert _cell_text(first, "closing") == _cell_text(second, "opening")
    assert _cell_text(second, "opening") != "USD\u00a00.00"


def test_a_donor_gets_404_for_another_donors_statement_in_every_form(client, login_as, fund):
    _sweden, evil = fund
    login_as("donor")
    for query in ("", "?print=1", "?format=xlsx", "?from=2017-04-03&to=2017-12-31&format=xlsx"):
        response = client.get(f"/statements/{evil.id}{query}")
        assert response.status_code == 404, query
        assert b"EVIL" not in response.data and b"HYPERLINK" not in response.data
    assert client.get("/statements/999999").status_code == 404
    assert client.get("/statements/").status_code == 403


@pytest.mark.parametrize("role", STAFF)
def test_staff_open_any_donors_statement(client, login_as, fund, role):
    _sweden, evil = fund
    login_as(role)
    response = client.get(f"/statements/{evil.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert str(escape(EVIL)) in page
    assert "487,156.77" in page            # its JPY deposit, net of the fee


def test_print_view_is_the_statement_fitted_to_a4_landscape(client, login_as, fund, app):
    sweden, _evil = fund
    login_as("donor")
    page = client.get(f"/statements/{sweden.id}?from=2017-04-03&to=2017-12-31&print=1").get_data(as_text=True)
    s = statement(sweden, FUND_START, END)
    assert _cell_text(page, "closing") == f"USD\u00a0{s.closing:,.2f}"
    assert "statement-print.css" in page and "data-print" in page
    assert '<form class="row' not in page     # no period picker on paper
    css = client.get("/static/statement-print.css").get_data(as_text=True)
    assert "size: A4 landscape" in css


def test_bad_periods_are_refused_beside_the_field_and_the_default_is_shown(client, login_as, fund):
    sweden, _evil = fund
    login_as("donor")
    page = client.get(f"/statements/{sweden.id}?from=2018-01-01&to=2017-01-01").get_data(as_text=True)
    assert "The period must end on or after the day it starts." in page
    assert "is-invalid" in page
    page = client.get(f"/statements/{sweden.id}?from=03/04/2017").get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD, for example 2018-05-10." in page
    assert _cell_text(page, "opening") == "USD\u00a00.00"
    # A refused period gives the page with its message, not a download.
    response = client.get(f"/statements/{sweden.id}?from=2018-01-01&to=2017-01-01&format=xlsx")
    assert response.mimetype == "text/html"


def test_statement_workbook_equals_the_statement_to_the_cent(client, login_as, fund):
    _sweden, evil = fund
    login_as("mptf_officer")
    s = statement(evil, FUND_START, END)
    response = client.get(f"/statements/{evil.id}?from=2017-04-03&to=2017-12-31&format=xlsx")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["Summary", "Commitments", "Deposits", "Shares of spending", "About this export"]

    [summary] = _sheet(wb, "Summary")
    assert summary["Donor"].value == EVIL and summary["Donor"].data_type == "s"
    assert summary["From"].is_date and summary["From"].value.date() == FUND_START
    assert summary["To"].value.date() == END
    assert [_dec(summary[k]) for k in ("Opening balance (USD)", "Net deposits (USD)",
                                      "Share of spending (USD)", "Closing balance (USD)")] == [
        s.opening, s.net_in_period, s.share_in_period, s.closing]

    commitments = _sheet(wb, "Commitments")
    assert [(c["Reference"].value, c["Currency"].value, _dec(c["Amount"]),
             _dec(c["Deposited by end of period"]),
             _dec(c["Outstanding at end of period"])) for c in commitments] == [
        (line.commitment.reference, line.commitment.currency, line.commitment.amount, line.deposited,
         line.outstanding) for line in s.commitments]
    assert commitments[0]["Reference"].value == "=EVIL-REF" and commitments[0]["Reference"].data_type == "s"
    assert commitments[0]["Amount"].number_format == "#,##0"            # JPY has no decimals

    *deposits, total = _sheet(wb, "Deposits")
    assert [(d["Value date"].value.date(), _dec(d["Amount"]), _dec(d["Rate (per USD)"]), _dec(d["USD"]),
             _dec(d["Fee (USD)"]), _dec(d["Net (USD)"])) for d in deposits] == [
        (d.value_date, d.amount, d.rate, d.usd_amount, d.fee, d.net) for d in s.deposits]
    assert (_dec(total["USD"]), _dec(total["Fee (USD)"]), _dec(total["Net (USD)"])) == (
        s.usd_in_period, s.fees_in_period, s.net_in_period)
    assert [d["Bank reference"].value for d in deposits] == ["@EVIL-BANK", "-EVIL-BANK"]

    *shares, share_total = _sheet(wb, "Shares of spending")
    assert [(_dec(p["Pool spending in period (USD)"]), _dec(p["Share of spending in period (USD)"]))
            for p in shares] == [(line.spending_in_period, line.share_in_period) for line in s.shares]
    assert _dec(share_total["Share of spending in period (USD)"]) == s.share_in_period

    about = {row[0].value: row[1].value for row in wb["About this export"].iter_rows()}
    assert about["Exported by"] == "officer@test.example"
    # The file names the fund it is about, wherever it goes next.
    from trustfund.reference import FUND_CODE, FUND_NAME

    assert about["Fund"] == f"{FUND_NAME} ({FUND_CODE})"
    assert about["Filter: Donor"] == evil.name


def test_staff_see_every_donors_balance_and_download_it(client, login_as, fund):
    sweden, evil = fund
    login_as("auditor")
    page = client.get("/statements/?from=2017-04-03&to=2017-12-31").get_data(as_text=True)
    _, _, lines = balances(FUND_START, END)
    by_name = {line.name: line for line in lines}
    assert f"{by_name[sweden.name].closing:,.2f}" in page
    assert f"{by_name[EVIL].closing:,.2f}" in page
    assert f'href="/statements/{evil.id}?from=2017-04-03&amp;to=2017-12-31"' in page
    response = client.get("/statements/?from=2017-04-03&to=2017-12-31&format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    *rows, total = _sheet(wb, "Donor balances")
    assert {r["Donor"].value: (_dec(r["Opening balance (USD)"]), _dec(r["Net deposits (USD)"]),
                               _dec(r["Share of spending (USD)"]), _dec(r["Closing balance (USD)"]))
            for r in rows} == {
        line.name: (line.opening, line.net_in_period, line.share_in_period, line.closing) for line in lines}
    # All the spending is borne by the donors, to the cent.
    assert _dec(total["Share of spending (USD)"]) == Decimal("123456.78") + Decimal("98765.43")
    for line in lines:
        assert line.closing == statement(db_donor(line.donor_id), FUND_START, END).closing


def db_donor(donor_id):
    from trustfund.donors.models import Donor
    from trustfund.extensions import db

    return db.session.get(Donor, donor_id)


def test_the_statement_shows_each_rate_with_all_its_decimals(client, login_as, fund):
    """A rate of six decimals (0.941234 EUR per USD) is printed whole on the
    statement and the deposits pages, not cut to Babel's default three decimals."""
    sweden, _evil = fund
    import sqlalchemy as sa

    from trustfund.contributions.models import Commitment
    from trustfund.extensions import db

    commitment = db.session.scalar(sa.select(Commitment).where(Commitment.reference == "SE-2017-EUR"))
    data.deposit(commitment, "1000.00", rate="0.941234", value_date=dt.date(2017, 6, 1))
    db.session.commit()
    login_as("mptf_officer")
    for url in (f"/statements/{sweden.id}?from=2017-04-03&to=2017-12-31",
                f"/contributions/deposits?donor={sweden.id}"):
        page = client.get(url).get_data(as_text=True)
        assert ">0.941234<" in page, url
        assert ">0.941<" in page, url  # the May deposit's rate, without trailing zeros


def test_the_default_period_starts_at_the_funds_start_as_its_record_holds_it(client, login_as, fund, db,
                                                                              users):
    """The fund's page may correct the fund's start: the statements' default period
    and the words beside the field follow it."""
    from trustfund.fund.services import update_fund
    from trustfund.fund.status import current_fund

    sweden, _evil = fund
    login_as("donor")
    page = client.get(f"/statements/{sweden.id}").get_data(as_text=True)
    assert "Default: 3 Apr 2017, the fund" in page and 'value="2017-04-03"' in page
    record = current_fund()
    update_fund(users["admin"], record, name=record.name, code=record.code, start_on=dt.date(2017, 5, 2),
                version=record.version)
    db.session.commit()
    page = client.get(f"/statements/{sweden.id}").get_data(as_text=True)
    assert "Default: 2 May 2017, the fund" in page and 'value="2017-05-02"' in page
