"""Pledges and commitments through the real forms, and the contributions list."""
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories.contributions import (
    commitment,
    commitment_form,
    counts,
    deposit,
    donor,
    objective,
    sweden,
)
from tests.pages import error_beside, post_and_confirm, post_entry, text
from trustfund.contributions import confirmed
from trustfund.contributions.models import Commitment, Instalment, Pledge

D = Decimal


def test_commitment_with_instalments_through_the_form(app, db, client, login_as):
    login_as("mptf_officer")
    page = client.get(f"/contributions/commitments/new?donor={sweden().id}").get_data(as_text=True)
    assert "Kingdom of Sweden (Signed)" in page and 'id="saa-alert"' not in page
    response = post_entry(client, "/contributions/commitments/new", commitment_form(
        sweden().id, currency="SEK", amount="9,000,000.00", objective_id=str(objective(1).id),
        reference="SE-MCS00-2018", **{"instalments-0-due_on": "2018-06-30", "instalments-0-amount": "4500000",
                                      "instalments-1-due_on": "2018-12-31",
                                      "instalments-1-amount": "4,500,000.00"}))
    assert response.status_code == 302
    c = db.session.scalar(sa.select(Commitment))
    assert (c.currency, c.amount, c.reference, c.objective_id) == ("SEK", D("9000000.00"), "SE-MCS00-2018",
                                                                   objective(1).id)
    assert [(i.due_on, i.amount) for i in c.instalments] == [
        (dt.date(2018, 6, 30), D("4500000.00")), (dt.date(2018, 12, 31), D("4500000.00"))]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "SEK" in page and "9,000,000.00" in page and "overdue" in page.lower()


@pytest.mark.parametrize("status, label", [("not_started", "Not started"), ("draft_shared", "Draft shared"),
                                           ("under_negotiation", "Under negotiation"), ("closed", "Closed")])
def test_commitment_without_a_signed_saa_is_refused_naming_the_status(app, db, client, login_as, status,
                                                                       label):
    login_as("mptf_officer")
    waiting = donor("Kingdom of Morocco", status=status, country="MA")
    page = client.get(f"/contributions/commitments/new?donor={waiting.id}").get_data(as_text=True)
    # A closed SAA is never signed again: its words do not ask for a signature.
    said = "is closed, and a closed SAA is not signed again" if status == "closed" else f"“{label}”"
    assert 'id="saa-alert"' in page and said in text(page)
    before = counts()
    response = post_entry(client, "/contributions/commitments/new", commitment_form(waiting.id))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    message = error_beside(html, "donor_id")
    assert "Kingdom of Morocco" in message and said in message
    assert ("signed SAA" in message) == (status != "closed")
    assert counts() == before


@pytest.mark.parametrize("data, field, message", [
    ({"currency": ""}, "currency", "Choose a currency"),
    ({"currency": "XXY"}, "currency", "Not a valid choice"),
    ({"amount": ""}, "amount", "Enter an amount."),
    ({"amount": "12.345"}, "amount", "EUR amounts have at most 2 decimal places."),
    ({"currency": "JPY", "amount": "100.5"}, "amount", "JPY amounts have no decimals."),
    ({"amount": "0"}, "amount", "greater than zero"),
    ({"committed_on": "2999-01-01"}, "committed_on", "cannot be in the future"),
    ({"committed_on": ""}, "committed_on", "required"),
    ({"donor_id": "0"}, "donor_id", "Choose the donor."),
    ({"objective_id": "999"}, "objective_id", "Not a valid choice"),
    ({"instalments-0-due_on": "2018-06-01", "instalments-0-amount": "1000000.01"}, "instalments",
     "more than the commitment"),
    ({"instalments-0-due_on": "2018-06-01", "instalments-0-amount": ""}, "instalments-0-amount",
     "Instalment 1: Enter an amount."),
    ({"instalments-0-due_on": "", "instalments-0-amount": "5"}, "instalments-0-due_on",
     "Instalment 1: enter the due date."),
    ({"instalments-0-due_on": "2018-01-01", "instalments-0-amount": "5"}, "instalments-0-due_on",
     "before the commitment's date"),
    # an empty row first: the refused one is named by its own row, beside its own field
    ({"instalments-0-due_on": "", "instalments-0-amount": "", "instalments-1-due_on": "2018-06-01",
      "instalments-1-amount": "12x"}, "instalments-1-amount", "Instalment 2: "),
])
def test_bad_commitments_are_refused_beside_the_field_and_write_nothing(app, db, client, login_as, data,
                                                                         field, message):
    login_as("mptf_officer")
    before = counts()
    response = post_entry(client, "/contributions/commitments/new", commitment_form(sweden().id, **data))
    assert response.status_code == 200
    assert message in error_beside(response.get_data(as_text=True), field)
    assert counts() == before


def test_duplicate_reference_refused(app, db, client, login_as):
    login_as("mptf_officer")
    commitment("USD", "10.00", reference="SE-1")
    before = counts()
    response = post_entry(client, "/contributions/commitments/new", commitment_form(sweden().id,
                                                                                   reference="se-1"))
    assert "Another commitment has the reference se-1." in error_beside(response.get_data(as_text=True),
                                                                          "reference")
    assert counts() == before


def test_pledge_whatever_the_saa_and_withdrawal_with_reason(app, db, client, login_as):
    login_as("mptf_officer")
    waiting = donor("Pan-African Parliament", status="not_started", country="ZA")
    before = counts()
    response = post_entry(client, "/contributions/pledges/new", {
        "donor_id": str(waiting.id), "currency": "USD", "amount": "250000", "objective_id": "",
        "pledged_on": "2017-10-19", "note": "Announced at the ECA meeting"})
    assert response.status_code == 302
    assert counts()["pledge"] == before["pledge"] + 1
    pledge = db.session.scalar(sa.select(Pledge))
    assert pledge.amount == D("250000.00")
    before = counts()
    response = client.post(f"/contributions/pledges/{pledge.id}/withdraw", data={"reason": "  "})
    assert "Say why the pledge is withdrawn." in error_beside(response.get_data(as_text=True), "reason")
    assert counts() == before
    post_and_confirm(client, f"/contributions/pledges/{pledge.id}/withdraw",
                     {"reason": "Board did not approve"})
    db.session.expire_all()
    pledge = db.session.get(Pledge, pledge.id)
    assert pledge.withdrawn_at is not None and pledge.withdrawn_reason == "Board did not approve"
    page = client.get("/contributions/?kind=pledges").get_data(as_text=True)
    assert "Withdrawn" in page and "Pan-African Parliament" in page


@pytest.mark.parametrize("data, field, message", [
    ({"amount": "1.5", "currency": "JPY"}, "amount", "JPY amounts have no decimals."),
    ({"amount": ""}, "amount", "Enter an amount."),
    ({"pledged_on": "2999-01-01"}, "pledged_on", "cannot be in the future"),
    ({"currency": ""}, "currency", "Choose a currency"),
])
def test_bad_pledges_are_refused_beside_the_field(app, db, client, login_as, data, field, message):
    login_as("mptf_officer")
    form = {"donor_id": str(sweden().id), "currency": "USD", "amount": "100", "objective_id": "",
            "pledged_on": "2017-10-19", "note": ""}
    form.update(data)
    before = counts()
    response = post_entry(client, "/contributions/pledges/new", form)
    assert message in error_beside(response.get_data(as_text=True), field)
    assert counts() == before


def _contributions_fixture():
    swiss = donor()
    a = commitment("EUR", "1000000.00", reference="SE-EUR", objective_number=1)
    b = commitment("CHF", "500000.00", who=swiss, reference="CH-CHF", committed_on=dt.date(2017, 6, 1),
                   instalments=[(dt.date(2017, 7, 1), "250000.00"), (dt.date(2017, 12, 1), "250000.00")])
    c = commitment("CHF", "100000.00", who=swiss, reference="CH-CHF-2", committed_on=dt.date(2018, 1, 5))
    deposit(a, D("1000000.00"), rate=D("0.941"))
    deposit(b, D("250000.00"), rate=D("0.97"), value_date=dt.date(2017, 7, 1))
    return swiss, a, b, c


def test_contributions_list_filters_totals_overdue_and_export(app, db, client, login_as):
    login_as("srsg_staff")
    swiss, _a, _b, _c = _contributions_fixture()
    html = client.get("/contributions/").get_data(as_text=True)
    for shown in ("SE-EUR", "CH-CHF", "CH-CHF-2", "1,062,699.26", "Overdue: CHF"):
        assert shown in html
    # CHF totals: committed 600,000; deposited 250,000; outstanding 350,000.
    assert "600,000.00" in html and "350,000.00" in html
    html = client.get(f"/contributions/?donor={swiss.id}&status=overdue").get_data(as_text=True)
    assert "CH-CHF<" in html and "CH-CHF-2" not in html and "SE-EUR" not in html
    html = client.get("/contributions/?earmark=none&currency=CHF&date_from=2018-01-01").get_data(as_text=True)
    assert "CH-CHF-2" in html and "CH-CHF<" not in html
    html = client.get("/contributions/?status=complete").get_data(as_text=True)
    assert "SE-EUR" in html and "CH-CHF" not in html
    html = client.get("/contributions/?donor_type=philanthropic_organization").get_data(as_text=True)
    assert "No commitments match." in html

    response = client.get(f"/contributions/?format=xlsx&donor={swiss.id}&sort=date")
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert [r[header.index("Reference")] for r in rows[1:]] == ["CH-CHF", "CH-CHF-2"]
    assert [r[header.index("Outstanding")] for r in rows[1:]] == [250000, 100000]
    assert rows[1][header.index("Status")] == "Overdue" and rows[1][header.index("Overdue")] == 250000
    totals = list(book.worksheets[1].iter_rows(values_only=True))
    assert totals[1][:5] == ("CHF", 2, 600000, 250000, 350000)
    # The page's last line, all currencies received in USD, closes the sheet too.
    page = client.get(f"/contributions/?donor={swiss.id}").get_data(as_text=True)
    received = re.search(r"All currencies, received in USD</th><td[^>]*>([^<]+)</td>", page).group(1)
    assert totals[-1][0] == "All currencies, received in USD"
    assert f"USD\u00a0{Decimal(str(totals[-1][5])):,.2f}" == received
    about = {r[0]: r[1] for r in book["About this export"].iter_rows(values_only=True)}
    assert about["Exported"] == "Commitments"
    assert about["Filter: Donor"] == "Swiss Confederation"


def test_contributions_paging_and_sorting(app, db, client, login_as):
    app.config["PAGE_SIZE"] = 2
    try:
        login_as("auditor")
        _contributions_fixture()
        first = client.get("/contributions/?sort=-date").get_data(as_text=True)
        second = client.get("/contributions/?sort=-date&page=2").get_data(as_text=True)
        assert "Page 1 of 2" in first and "Page 2 of 2" in second
        assert "CH-CHF-2" in first and "CH-CHF<" in first and "SE-EUR" not in first
        assert "SE-EUR" in second and "CH-CHF" not in second
        # Totals cover every page, not only the one shown.
        assert "600,000.00" in second
    finally:
        app.config["PAGE_SIZE"] = 50


def test_commitment_page_shows_schedule_deposits_and_reversals(app, db, client, login_as):
    from tests.factories.contributions import officer

    login_as("auditor")
    _swiss, _a, b, _c = _contributions_fixture()
    d = deposit(b, D("1000.00"), rate=D("0.97"))
    confirmed.reverse_deposit(officer(), d, "Duplicate bank advice")
    db.session.commit()
    html = client.get(f"/contributions/commitments/{b.id}").get_data(as_text=True)
    assert "Duplicate bank advice" in html and "Overdue" in html and "Paid" in html
    assert 'id="outstanding">CHF' in html and "250,000.00" in html
    assert "Record a deposit" not in html  # the auditor only reads
    assert client.get("/contributions/commitments/999999").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Instalment)) == 2
