"""A certified final financial statement is "stored as issued (who, when, and every
figure)" and "never recomputed, whatever changes later" (closure/final.py). Its figures
and the donor's name are read from the stored content, but who signed it off is read
from the signer's account as it is named today: one admin renaming the signing admin's
account (an account's name is neither unique nor waits for a second admin) makes the
certified page, its PDF and its .xlsx name another person as the signatory."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from tests.factories import base_users, browser_of
from tests.factories import statements as data
from trustfund import demo
from trustfund.closure import closing_decisions, financial
from trustfund.closure.final import issue_final_statements
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund


def _closed_fund(db, users):
    sweden, other = demo.demo_donor(), data.donor("Norway (final)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(other, "10000.00"), "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()
    return sweden


def _signatory(book) -> str:
    about = {row[0]: row[1] for row in book["Certification"].iter_rows(min_row=2, values_only=True)}
    return about["Signed off by"]


def test_the_certified_statement_keeps_the_signatory_it_was_issued_with(app, client, login_as, db, users):
    sweden = _closed_fund(db, users)
    issue_final_statements(users["admin"])
    db.session.commit()
    login_as("auditor")
    url = f"/fund/final-statements/{sweden.id}"
    before = client.get(url).get_data(as_text=True)
    assert "as Administrative Agent, by admin on" in before
    assert _signatory(load_workbook(io.BytesIO(client.get(url + "?format=xlsx").data))) == "admin"

    # Later, another admin renames the signing admin's account (saved at once).
    admin = base_users()["admin"]
    answer = browser_of(app, "admin2").post(f"/admin/users/{admin.id}", data={
        "email": admin.email, "name": "Someone Who Never Signed", "role": "admin",
        "donor_id": 0, "active": "y", "version": admin.version}, follow_redirects=True)
    assert "saved" in answer.get_data(as_text=True)

    after = client.get(url).get_data(as_text=True)
    assert "Someone Who Never Signed" not in after, "the certified page names another signatory"
    assert "as Administrative Agent, by admin on" in after
    book = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").data))
    assert _signatory(book) == "admin"
