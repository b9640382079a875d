"""The fund's closure as the SRSG staff decide it (a colleague's review of the closure,
2026-12-07): the residual waiver bounds what a pool leaves unrefunded in all, not each
decision alone; the pools' column of what left them at closure does not call a residual
left unrefunded "refunded or transferred"; and the closing page's download holds what
the page shows the decisions are made from: the pools, the refunds a decision would
make, the commitments with money outstanding."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import statements as data
from tests.factories.statements import D
from tests.pages import error_beside, table_rows
from trustfund.admin.confirmed_settings import set_setting
from trustfund.admin.models import REFUND_WAIVER
from trustfund.closure import closing_decisions
from trustfund.closure.funding import funding_status
from trustfund.contributions.fund_entries import record_fund_entry
from trustfund.errors import DomainError
from trustfund.fund import services as fund_services
from trustfund.fund.entries import PoolClosing
from trustfund.fund.status import current_fund


def _settled_fund(db, users):
    a, b = data.donor("Alpha (K)"), data.donor("Beta (K)")
    data.deposit(data.commitment(a, "30000.00"), "30000.00", fee_rate="0")
    data.deposit(data.commitment(b, "10000.00", objective_number=1), "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    set_setting(users["admin"], REFUND_WAIVER, "250", dt.date(2017, 1, 1))
    db.session.commit()


def _late_income(db, users, amount: str) -> None:
    record_fund_entry(users["mptf_officer"], kind="other_income", pool_id=data.pool("OBJ1").id,
                      value_date=dt.date.today(), usd_amount=amount, description="Late bank income")
    db.session.commit()


def _refunded_then_200_waived(db, users) -> None:
    """Objective 1 refunded, then late income of 200.00 left unrefunded (within 250.00)."""
    _settled_fund(db, users)
    closing_decisions.decide(users["srsg_staff"], data.pool("OBJ1"), "refund")
    db.session.commit()
    _late_income(db, users, "200.00")
    closing_decisions.decide(users["srsg_staff"], data.pool("OBJ1"), "waived")
    db.session.commit()


def test_a_pool_leaves_unrefunded_no_more_than_the_waiver_in_all(db, users):
    """Objective 1 refunded, then late income of 200.00 left unrefunded (within 250.00),
    then 200.00 more: before, it was left unrefunded too (400.00 in all under a 250.00
    waiver, and so on in steps without end). Refused, saying what was already left."""
    _refunded_then_200_waived(db, users)
    srsg = users["srsg_staff"]
    _late_income(db, users, "200.00")
    with pytest.raises(DomainError) as refused:
        closing_decisions.decide(srsg, data.pool("OBJ1"), "waived")
    db.session.rollback()
    assert refused.value.field == "kind"
    assert refused.value.message == (
        "Only a residual balance of up to USD\xa0250.00 may be left unrefunded (an administrator's setting): "
        "this pool has already left USD\xa0200.00 unrefunded, and this balance is USD\xa0200.00.")
    closing_decisions.decide(srsg, data.pool("OBJ1"), "refund")  # the 200.00 goes to its donor
    db.session.commit()
    waived = db.session.scalar(sa.select(sa.func.sum(PoolClosing.usd_amount)).where(
        PoolClosing.pool_id == data.pool("OBJ1").id, PoolClosing.kind == "waived"))
    assert waived == D("200.00")
    assert data.pool("OBJ1").available == D("0.00")


def test_the_second_waiver_is_refused_beside_the_decision_on_the_page(client, login_as, db, users):
    """The same refusal, as the SRSG staff member sees it: beside the decision, nothing
    proposed."""
    _refunded_then_200_waived(db, users)
    _late_income(db, users, "100.00")
    pool = data.pool("OBJ1")
    login_as("srsg_staff")
    prefix = f"pool{pool.id}-"
    page = client.post(f"/fund/closing/pools/{pool.id}", data={
        f"{prefix}kind": "waived", f"{prefix}balance": "100.00", f"{prefix}note": "",
        f"{prefix}fund_name": "", f"{prefix}fund_reference": ""})
    assert page.status_code == 200
    assert "has already left USD\xa0200.00 unrefunded" in error_beside(page.get_data(as_text=True),
                                                                      f"{prefix}kind")


def test_a_residual_left_unrefunded_is_not_called_refunded_or_transferred(client, login_as, db, users):
    _refunded_then_200_waived(db, users)
    status = funding_status(dt.date.today())
    assert status.refunds + status.fund_transfers == D("10000.00")  # the 200.00 is "not refunded"
    login_as("auditor")
    html = client.get("/fund/closing").get_data(as_text=True)
    header = html.split('id="pool-balances"', 1)[1].split("</thead>", 1)[0]
    row = next(r for r in table_rows(html, "pool-balances") if r[0].startswith("1. "))  # Objective 1
    # Before, the column said "Refunded or transferred" over 10,200.00.
    assert "Refunded or transferred<" not in header
    assert "Refunded, transferred or not refunded at closure" in header
    assert row[3] == "10,200.00"


def test_the_refunds_the_closing_page_shows_are_in_its_download(client, login_as, db, users):
    """Before any decision, the page lists Alpha's planned refund of 26,000.00 and
    Beta's of 10,000.00, the pools' unspent balances and a commitment with money
    outstanding; the download held none of them (decisions and parts only)."""
    _settled_fund(db, users)
    data.commitment(data.donor("Gamma (K)"), "5000.00")
    db.session.commit()
    login_as("mptf_officer")
    html = client.get("/fund/closing").get_data(as_text=True)
    assert [(r[0], r[4]) for r in table_rows(html, "refunds-UNEARMARKED")] == [("Alpha (K)", "26,000.00")]
    book = load_workbook(io.BytesIO(client.get("/fund/closing?format=xlsx").data))
    planned = [row for row in book["Refunds a decision would make"].iter_rows(values_only=True)]
    assert planned[0][:6] == ("Pool", "Donor", "Net deposits in the pool", "Balance in the pool",
                              "Difference from the balance", "Refund (USD)")
    refunds = {(row[1], row[5]) for row in planned[1:] if row[1]}
    assert refunds == {("Alpha (K)", D("26000.00")), ("Beta (K)", D("10000.00"))}
    pools = {row[0]: row[2] for row in book["Pools"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert pools["Un-earmarked"] == D("26000.00")
    outstanding = [row for row in book["Outstanding commitments"].iter_rows(min_row=2,
                                                                                       values_only=True)]
    assert [(row[0], row[6]) for row in outstanding if row[0]] == [("Gamma (K)", D("5000.00"))]
