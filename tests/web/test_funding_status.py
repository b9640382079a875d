"""The funding status report (issue 18), in the MPTF Gateway's layout, for any date:
sources, uses, the balance with the Administrative Agent and as a percentage of the
contributions, the balance of funds; the page and its .xlsx agree to the cent, and
today's balance of funds is the pools' available money."""
from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import load_workbook

from tests.factories import base_users, travel
from tests.factories import statements as data
from tests.factories.statements import D
from trustfund.closure.funding import funding_status
from trustfund.contributions.fund_entries import record_fund_entry
from trustfund.contributions.pools import all_pools
from trustfund.travel import decisions, reconcile


def _fund(db):
    users = base_users()
    donor = data.donor("Sweden (status)")
    data.deposit(data.commitment(donor, "200000.00"), "200000.00", value_date=dt.date(2017, 5, 2))  # fee 1%
    data.interest("1234.56", on=dt.date(2017, 9, 30))
    officer = users["mptf_officer"]
    record_fund_entry(officer, kind="other_income", pool_id=data.pool().id, value_date=dt.date(2018, 2, 1),
                      usd_amount="100.00", description="Currency gain")
    record_fund_entry(officer, kind="direct_cost", pool_id=data.pool().id, value_date=dt.date(2018, 2, 1),
                      usd_amount="5000.00", description="Secretariat")
    record_fund_entry(officer, kind="bank_charge", pool_id=data.pool().id, value_date=dt.date(2018, 2, 1),
                      usd_amount="12.34", description="Wire fees")
    data.spend(data.pool(), "3000.00", reconciled_on=dt.date(2018, 3, 1))
    event = travel.make_event(cap=5)
    grant = travel.make_request(event, "SN", "Awa Ndiaye", airfare="1000.00")
    decisions.approve_grant(users["srsg_staff2"], grant, data.pool().id)
    db.session.commit()
    return grant


def _page_figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-line="([a-z_]+)">([^<]+)<', html))


def test_the_report_in_the_gateways_layout(client, login_as, db):
    grant = _fund(db)
    status = funding_status(dt.date.today())
    assert (status.contributions, status.interest, status.other_income) == (
        D("200000.00"), D("1234.56"), D("100.00"))
    assert (status.fee, status.direct_costs, status.bank_charges, status.transfers) == (
        D("2000.00"), D("5000.00"), D("12.34"), D("3000.00"))
    assert status.balance == D("201334.56") - D("10012.34") == D("191322.22")
    assert status.percent_of_deposits == D("0.9566")
    assert status.committed == grant.total
    assert status.balance_of_funds == sum(p.available for p in all_pools())

    login_as("auditor")
    html = client.get("/fund/funding-status").get_data(as_text=True)
    figures = _page_figures(html)
    assert figures["contributions"] == "USD\u00a0200,000.00" and figures["balance"] == "USD\u00a0191,322.22"
    assert "95.66% of contributions" in html
    book = load_workbook(io.BytesIO(client.get("/fund/funding-status?format=xlsx").data))
    rows = {row[0]: row[1] for row in book["Funding status"].iter_rows(min_row=2, values_only=True)}
    assert D(str(rows["Balance with the Administrative Agent"])) == status.balance
    assert D(str(rows["Balance of funds (not yet committed)"])) == status.balance_of_funds


def test_a_past_date_counts_what_was_dated_by_then(client, login_as, db, users):
    grant = _fund(db)
    reconcile.record_travel(users["srsg_staff"], grant, ticket="900.00", dsa="800.00", terminal="100.00")
    db.session.commit()
    end_2017 = funding_status(dt.date(2017, 12, 31))
    assert (end_2017.contributions, end_2017.interest, end_2017.direct_costs, end_2017.transfers) == (
        D("200000.00"), D("1234.56"), D("0.00"), D("0.00"))
    assert end_2017.balance == D("199234.56")
    login_as("mptf_officer")
    figures = _page_figures(client.get("/fund/funding-status?on=2017-12-31").get_data(as_text=True))
    assert figures["balance"] == "USD\u00a0199,234.56"
    page = client.get("/fund/funding-status?on=2017-02-30").get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD." in page


def test_the_export_command_writes_the_report_for_a_date(runner, db, tmp_path):
    _fund(db)
    out = tmp_path / "status.xlsx"
    result = runner.invoke(args=["export", "funding_status", "--out", str(out), "--to", "2017-12-31"])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["Funding status"]
    assert sheet.cell(1, 1).value == "Funding status on 31 Dec 2017"
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Balance with the Administrative Agent"] == 199234.56
