"""The fund's own entries (issue 18): direct costs and bank charges paid from a
pool, other income credited to one, proposed by an MPTF officer with a one-time
form and recorded when a second one confirms it (tests/web/test_fund_entry_proposals.py),
reversed with a reason; the pools, the ledger check, the statements' shares
and the download all follow."""
from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import second_officer_confirms_entry
from tests.factories import statements as data
from tests.factories.statements import D
from tests.pages import confirmation, error_beside, post_and_confirm, post_entry, table_rows
from tests.security.helpers import changed_counts, table_counts
from trustfund.closure.years import close_year
from trustfund.fund.entries import FundEntry
from trustfund.fund.models import AccountingYear
from trustfund.ledger_check import run_checks
from trustfund.statements.services import statement

NEW = "/fund/entries/new"


def _funded(db):
    donor = data.donor("Sweden (costs)")
    data.deposit(data.commitment(donor, "10000.00"), "10000.00", fee_rate="0")
    db.session.commit()
    return donor


def _entry(kind="direct_cost", amount="1500.00", day="2018-03-01", pool=None):
    return {"kind": kind, "pool_id": str((pool or data.pool()).id), "value_date": day, "usd_amount": amount,
            "description": "Secretariat support, first quarter"}


def test_an_officer_records_a_direct_cost_paid_from_a_pool(app, client, login_as, db):
    donor = _funded(db)
    login_as("mptf_officer")
    assert post_entry(client, NEW, _entry()).status_code == 302
    second_officer_confirms_entry(app)
    db.session.expire_all()
    pool = data.pool()
    assert (pool.direct_costs, pool.available) == (D("1500.00"), D("8500.00"))
    assert run_checks() == []
    html = client.get("/fund/entries").get_data(as_text=True)
    assert table_rows(html, "entries")[0][1:4] == ["Direct cost", "Un-earmarked", "1,500.00"]
    # A direct cost is spending of its pool, borne by its donors.
    assert statement(donor, dt.date(2018, 1, 1), dt.date(2018, 12, 31)).share_in_period == D("1500.00")


def test_bank_charges_and_other_income(app, client, login_as, db):
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry("bank_charge", "25.50"))
    second_officer_confirms_entry(app)
    post_entry(client, NEW, _entry("other_income", "300.00"))
    second_officer_confirms_entry(app)
    db.session.expire_all()
    pool = data.pool()
    assert (pool.bank_charges, pool.other_income, pool.available) == (D("25.50"), D("300.00"), D("10274.50"))
    assert run_checks() == []
    totals = table_rows(client.get("/fund/entries").get_data(as_text=True), "entry-totals")
    assert totals == [["Direct cost", "USD 0.00"], ["Bank charge", "USD 25.50"],
                      ["Other income", "USD 300.00"]]


def test_a_cost_beyond_the_pools_available_money_is_refused_and_writes_nothing(client, login_as, db):
    _funded(db)
    login_as("mptf_officer")
    before = table_counts(db)
    page = post_entry(client, NEW, _entry(amount="10000.01"))
    assert "has only USD\u00a010,000.00 available" in error_beside(page.get_data(as_text=True), "usd_amount")
    assert changed_counts(before, table_counts(db)) == {}


def test_an_entry_dated_in_a_closed_year_is_refused_beside_its_date(client, login_as, db, users):
    _funded(db)
    close_year(users["admin"], 2017, report_reference="Annual report 2017")
    db.session.commit()
    login_as("mptf_officer")
    page = post_entry(client, NEW, _entry(day="2017-12-01"))
    assert "2017 is a closed year" in error_beside(page.get_data(as_text=True), "value_date")


def test_a_reversal_takes_the_entry_back_once(app, client, login_as, db):
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry())
    second_officer_confirms_entry(app)
    entry = db.session.scalar(sa.select(FundEntry))
    url = f"/fund/entries/{entry.id}/reverse"
    page = client.post(url, data={"reason": ""})
    assert "This field is required." in error_beside(page.get_data(as_text=True), "reason")
    assert post_and_confirm(client, url, {"reason": "Charged to the wrong fund"}).status_code == 302
    second_officer_confirms_entry(app)
    db.session.expire_all()
    assert (data.pool().direct_costs, data.pool().available) == (D("0.00"), D("10000.00"))
    assert run_checks() == []


def test_a_reversal_is_refused_before_its_confirmation(app, client, login_as, db, users):
    """Already reversed, a reversal of a reversal, today in a closed year: said on the
    form's first post, with nothing to confirm and nothing written."""
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry())
    second_officer_confirms_entry(app)
    entry = db.session.scalar(sa.select(FundEntry))
    post_and_confirm(client, f"/fund/entries/{entry.id}/reverse", {"reason": "Charged to the wrong fund"})
    second_officer_confirms_entry(app)
    reversal = db.session.scalar(sa.select(FundEntry).where(FundEntry.reverses_id == entry.id))
    before = table_counts(db)
    for target, words in ((entry, "This entry has already been reversed."),
                          (reversal, "A reversal cannot itself be reversed.")):
        html = client.post(f"/fund/entries/{target.id}/reverse",
                           data={"reason": "Twice"}).get_data(as_text=True)
        assert confirmation(html) is None and words in html
    assert changed_counts(before, table_counts(db)) == {}
    assert post_entry(client, NEW, _entry("bank_charge", "25.00")).status_code == 302
    second_officer_confirms_entry(app)
    charge = db.session.scalar(sa.select(FundEntry).where(FundEntry.kind == "bank_charge"))
    # The reversal is dated today: a year closed early (as a test may) refuses it.
    this_year = dt.date.today().year
    db.session.add(AccountingYear(year=this_year, closed_by_id=users["admin"].id, report_reference="Report"))
    db.session.commit()
    before = table_counts(db)
    html = client.post(f"/fund/entries/{charge.id}/reverse", data={"reason": "Wrong"}).get_data(as_text=True)
    assert confirmation(html) is None and f"{this_year} is a closed year" in html
    assert changed_counts(before, table_counts(db)) == {}


def test_the_download_lists_the_entries(app, client, login_as, db):
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry())
    second_officer_confirms_entry(app)
    login_as("auditor")
    response = client.get("/fund/entries?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["Fund entries"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Entry", "Value date", "Kind", "Pool", "Amount (USD)")
    assert rows[1][2:5] == ("Direct cost", "Un-earmarked", 1500)
