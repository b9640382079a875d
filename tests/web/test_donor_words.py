"""What a donor reads on its own pages says what its figures are: the portal, after the
fund's closure, what separates its balance returned from the refund paid; the portal, the
SAA's latest amendment; the statement (page, print view and PDF), what its deposits' rate
and fee are (a colleague's review)."""
from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from tests.factories import statements as data
from tests.pages import table_rows, text
from trustfund import demo
from trustfund.closure import closing_decisions, financial
from trustfund.donors.services import change_saa_status
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund


def test_the_portal_explains_its_two_refund_figures(client, login_as, db, users):
    sweden, other = demo.demo_donor(), data.donor("Norway (portal refund)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(other, "10000.00"), "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    data.interest("100.00", on=dt.date(2018, 6, 30))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()

    login_as("donor")
    html = client.get("/statements/portal").get_data(as_text=True)
    portal = text(html)
    assert "Your balance returned at the fund’s closure USD 26,707.56" in portal
    # Its balance in the pool, its part of the interest (the difference), the refund paid.
    assert [row[3:] for row in table_rows(html, "portal-refunds")] == [["26,707.56", "74.81", "26,782.37"]]
    assert "Difference from the balance" in portal
    assert "its part of the pool’s interest and other income" in portal
    statement = text(client.get(f"/statements/{sweden.id}"))
    assert "74.81" in statement  # the statement says the same difference


def test_the_portal_names_the_latest_amendment_of_the_saa(client, login_as, db, users):
    sweden = demo.demo_donor()
    change_saa_status(users["mptf_officer"], sweden, "amended", signed_on=dt.date(2018, 3, 15),
                      signatory_donor="Deputy Permanent Representative",
                      signatory_mptf="Executive Coordinator", reference="SAA-MCS00-SE-2017-A1")
    db.session.commit()

    login_as("mptf_officer")
    said = "Latest amendment signed on 15 Mar 2018, reference SAA-MCS00-SE-2017-A1"
    assert said in text(client.get(f"/donors/{sweden.id}"))  # the officers read it

    login_as("donor")
    portal = text(client.get("/statements/portal"))
    assert "Amended" in portal
    assert said in portal, "the donor's portal does not name its SAA's amendment"


def test_a_portal_without_amendment_names_none(client, login_as, db):
    demo.demo_donor()
    login_as("donor")
    assert "Latest amendment" not in text(client.get("/statements/portal"))


def test_the_statement_says_what_its_rate_and_fee_are(client, login_as, db):
    sweden = demo.demo_donor()
    data.deposit(data.commitment(sweden, "1000000.00", "EUR"), "1000000.00", rate="0.941",
                 value_date=dt.date(2017, 5, 2))
    db.session.commit()
    login_as("donor")
    for url in (f"/statements/{sweden.id}", f"/statements/{sweden.id}?print=1"):
        body = text(client.get(url))
        body = body[body.find("Statement of"):]  # the statement, not the fund's heading
        assert "(units of currency per US dollar)" in body and \
            "The Administrative Agent fee is deducted at deposit" in body, url
    pdf = PdfReader(io.BytesIO(client.get(f"/statements/{sweden.id}?format=pdf").data))
    words = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "units of currency per US dollar" in words and "Administrative Agent fee is deducted" in words
