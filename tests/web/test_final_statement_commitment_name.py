"""A donor's certified final statement named a commitment entered without a reference by
Trustfund's internal number ("#12"), where the portal, the statement and their .xlsx name
it by its date ("Commitment of 9 Mar 2017"): the certified document was the one place a
donor read a number that means nothing to it (a colleague's review of the donor portal).
It now names it as the portal does, in the reader's language, on the page, its PDF and
its .xlsx."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from tests.factories import statements as data
from tests.pages import drawn_past_the_right_edge
from trustfund import demo
from trustfund.closure import closing_decisions, financial
from trustfund.closure.final import issue_final_statements
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund


def test_the_certified_statement_names_an_unreferenced_commitment_as_the_portal_does(
        client, login_as, db, users):
    sweden = demo.demo_donor()
    unnamed = data.commitment(sweden, "30000.00", committed_on=dt.date(2017, 3, 9), reference="")
    data.deposit(unnamed, "30000.00", value_date=dt.date(2017, 5, 2))
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()
    issue_final_statements(users["admin"])
    db.session.commit()

    login_as("donor")
    number = f"#{unnamed.id}"
    portal = client.get("/statements/portal").get_data(as_text=True)
    assert "Commitment of 9 Mar 2017" in portal and number not in portal  # as the portal names it

    page = client.get(f"/fund/final-statements/{sweden.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"<td>{number}</td>" not in html, "the certified statement shows Trustfund's commitment number"
    assert "Commitment of 9 Mar 2017" in html

    book = load_workbook(io.BytesIO(client.get(f"/fund/final-statements/{sweden.id}?format=xlsx").data))
    references = [row[0] for row in book["Commitments"].iter_rows(min_row=2, values_only=True)]
    assert number not in references and "Commitment of 9 Mar 2017" in references
    pdf = client.get(f"/fund/final-statements/{sweden.id}?format=pdf")
    assert pdf.status_code == 200
    text, _outside = drawn_past_the_right_edge(pdf.data)
    assert "Commitment of 9 Mar 2017" in text and f"{number}\n" not in text
    # In the reader's language, as issued in English.
    users["donor"].locale = "fr"
    db.session.commit()
    french = client.get(f"/fund/final-statements/{sweden.id}").get_data(as_text=True)
    assert "Engagement du 9 mars 2017" in french
