"""The closure's certified PDFs (closure/pdf.html, over statement-pdf.css) keep a donor's
200-character name without a space (the form takes 200) inside the page: their text
cells break anywhere. (Found by a colleague's review, once the statement's cells that
may break were limited to references and notes: 217 characters ran past the edge.)"""
from __future__ import annotations

import datetime as dt

from tests.factories import statements as data
from tests.pages import drawn_past_the_right_edge
from trustfund import demo
from trustfund.closure import closing_decisions, financial
from trustfund.extensions import db
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund


def _closed_fund(users, reference: str, other_name: str):
    sweden, other = demo.demo_donor(), data.donor(other_name)
    data.deposit(data.commitment(sweden, "30000.00", reference=reference), "30000.00",
                 value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(other, "10000.00"), "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()
    from trustfund.closure.final import issue_final_statements

    issue_final_statements(users["admin"])
    db.session.commit()
    return sweden, other




def test_a_long_donor_name_stays_inside_the_fund_s_certified_statement_pdf(client, login_as, db, users):
    _closed_fund(users, "SE-1", "N" * 199 + "Z")
    login_as("mptf_officer")
    answer = client.get("/fund/final-statements/fund", query_string={"format": "pdf"})
    assert answer.status_code == 200
    drawn, outside = drawn_past_the_right_edge(answer.data)
    assert "Z" in drawn
    assert outside == [], f"{len(outside)} characters drawn past the page's right edge: {outside[:5]}"
