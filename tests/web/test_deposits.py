"""Recording and reversing deposits through the real forms."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import second_officer_confirms_rates, second_officer_confirms_reversal
from tests.factories.contributions import (
    commitment,
    counts,
    deposit,
    donor,
    pool,
    pool_figures,
    sweden,
    un_rate,
)
from tests.pages import error_beside, post_and_confirm, post_entry, text
from trustfund.contributions import confirmed
from trustfund.contributions.models import Commitment, Deposit

D = Decimal


def _post_deposit(client, c, **data):
    form = {"value_date": "2018-05-10", "amount": "", "rate": "", "rate_note": "", "bank_reference": ""}
    form.update(data)
    return post_entry(client, f"/contributions/commitments/{c.id}/deposits/new", form)


def test_design_example_through_the_rates_and_deposit_forms(app, db, client, login_as):
    login_as("mptf_officer")
    response = client.post("/contributions/rates/new", data={"currency": "EUR", "month": "2018-05",
                                                             "rate": "0.941"})
    assert response.status_code == 302
    second_officer_confirms_rates(app)  # a month's UN rate takes two MPTF officers
    c = commitment("EUR", "1000000.00")
    form = client.get(f"/contributions/commitments/{c.id}/deposits/new").get_data(as_text=True)
    assert 'name="rate"' in form and "contributions.js" in form
    response = _post_deposit(client, c, amount="1,000,000.00", bank_reference="SEB 2018-05-10/77")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("EUR\u00a01,000,000.00 at 0.941 = USD\u00a01,062,699.26, fee USD\u00a010,626.99, "
            "net USD\u00a01,052,072.27") in page
    for seen in ("USD\u00a01,062,699.26", "USD\u00a010,626.99", "USD\u00a01,052,072.27", "SEB 2018-05-10/77"):
        assert seen in page
    d = db.session.scalar(sa.select(Deposit))
    assert (d.rate, d.usd_amount, d.fee, d.net, d.rate_note) == (
        D("0.941"), D("1062699.26"), D("10626.99"), D("1052072.27"), "")
    assert pool("UNEARMARKED").available == D("1052072.27")


def test_rate_lookup_gives_the_months_rate(app, db, client, login_as):
    login_as("mptf_officer")
    client.post("/contributions/rates/new", data={"currency": "CHF", "month": "2017-11", "rate": "0.995"})
    second_officer_confirms_rates(app)
    assert client.get("/contributions/rates/lookup?currency=CHF&date=2017-11-30").get_json() == {
        "rate": "0.995", "month": "November 2017"}
    assert client.get("/contributions/rates/lookup?currency=CHF&date=2017-12-01").get_json()["rate"] is None
    assert client.get("/contributions/rates/lookup?currency=USD&date=2017-12-01").get_json()["rate"] == "1"
    assert client.get("/contributions/rates/lookup?currency=CHF&date=nonsense").get_json()["rate"] is None


@pytest.mark.parametrize("data, field, message", [
    ({"amount": "1000.5", "rate": "110.25", "rate_note": "bank"}, "amount", "JPY amounts have no decimals."),
    ({"amount": "0", "rate": "110.25", "rate_note": "bank"}, "amount", "greater than zero"),
    ({"amount": "-100", "rate": "110.25", "rate_note": "bank"}, "amount", "greater than zero"),
    ({"amount": "lots", "rate": "110.25", "rate_note": "bank"}, "amount", "Enter a number"),
    ({"amount": "1000", "rate": "0", "rate_note": "bank"}, "rate", "greater than zero"),
    ({"amount": "1000", "rate": "-110", "rate_note": "bank"}, "rate", "greater than zero"),
    ({"amount": "1000", "rate": "110.25"}, "rate_note", "say where this rate comes from"),
    ({"amount": "1000"}, "rate", "no UN operational rate for JPY in May 2018"),
    ({"amount": "1000", "value_date": "2999-01-01", "rate": "110", "rate_note": "x"}, "value_date",
     "cannot be in the future"),
    ({"amount": "1000", "value_date": "", "rate": "110", "rate_note": "x"}, "value_date", "required"),
    ({"amount": "1000", "value_date": "10/05/2018", "rate": "110", "rate_note": "x"}, "value_date",
     "Enter the date as YYYY-MM-DD"),
    ({"amount": "100000001", "rate": "110", "rate_note": "x"}, "amount", "past the commitment"),
])
def test_bad_deposits_are_refused_beside_the_field_and_write_nothing(app, db, client, login_as, data,
                                                                      field, message):
    login_as("mptf_officer")
    c = commitment("JPY", "100000000")
    un_rate("JPY", dt.date(2018, 4, 1), "110.8")  # April's: a typed rate of May is held to it
    before, figures = counts(), pool_figures()
    response = _post_deposit(client, c, **data)
    assert response.status_code == 200
    assert message in error_beside(response.get_data(as_text=True), field)
    assert counts() == before and pool_figures() == figures


def test_a_typed_rate_in_a_currency_without_any_un_rate_waits_for_the_rates_of_two_officers(
        app, db, client, login_as):
    """With no UN rate of its currency at all, an officer's typed rate has nothing to be
    checked against: one officer alone would decide the dollars the pool is credited
    (CHF 100,000 at 0.0001 is USD 1 billion). Refused beside the rate, nothing written;
    once two officers have set a month's UN rate, the deposit is recorded near it."""
    login_as("mptf_officer")
    c = commitment("CHF", "100000.00")
    before, figures = counts(), pool_figures()
    response = _post_deposit(client, c, amount="100000.00", rate="0.0001", rate_note="Bank advice")
    assert response.status_code == 200
    assert ("There is no UN operational rate for CHF yet, and a deposit's rate is held to one. Propose the "
            "UN rate of May 2018 on the exchange rates page") in error_beside(response.get_data(as_text=True),
                                                                               "rate")
    assert counts() == before and pool_figures() == figures
    client.post("/contributions/rates/new", data={"currency": "CHF", "month": "2018-04", "rate": "0.975"})
    waiting = _post_deposit(client, c, amount="100000.00", rate="0.97", rate_note="Bank advice")
    # The rate waits for a second officer: still nothing to check against.
    assert "no UN operational rate for CHF yet" in error_beside(waiting.get_data(as_text=True), "rate")
    second_officer_confirms_rates(app)
    response = _post_deposit(client, c, amount="100000.00", rate="0.0001", rate_note="Bank advice")
    assert "from 0.8775 to 1.0725" in error_beside(response.get_data(as_text=True), "rate")
    assert counts()["deposit"] == before["deposit"]
    response = _post_deposit(client, c, amount="100000.00", rate="0.97", rate_note="Bank advice")
    assert response.status_code == 302
    d = db.session.scalar(sa.select(Deposit))
    assert (d.rate, d.usd_amount) == (D("0.97"), D("103092.78"))


def test_rate_override_needs_a_note(app, db, client, login_as):
    login_as("mptf_officer")
    client.post("/contributions/rates/new", data={"currency": "EUR", "month": "2018-05", "rate": "0.941"})
    second_officer_confirms_rates(app)
    c = commitment("EUR", "1000.00")
    before = counts()
    response = _post_deposit(client, c, amount="100.00", rate="0.95")
    assert "The UN operational rate for May 2018 is 0.941" in error_beside(response.get_data(as_text=True),
                                                                            "rate_note")
    assert counts() == before
    response = _post_deposit(client, c, amount="100.00", rate="0.95", rate_note="Donor's bank rate")
    assert response.status_code == 302
    d = db.session.scalar(sa.select(Deposit))
    assert (d.rate, d.rate_note, d.usd_amount) == (D("0.95"), "Donor's bank rate", D("105.26"))


def test_deposit_past_the_commitment_names_the_outstanding_amount(app, db, client, login_as):
    login_as("mptf_officer")
    c = commitment("USD", "1000.00")
    deposit(c, D("750.00"))
    before = counts()
    response = _post_deposit(client, c, amount="250.01")
    assert "only USD\u00a0250.00 is outstanding" in error_beside(response.get_data(as_text=True), "amount")
    assert counts() == before
    assert _post_deposit(client, c, amount="250.00").status_code == 302
    db.session.expire_all()
    assert db.session.get(Commitment, c.id).deposited == D("1000.00")


def test_deposit_without_an_saa_in_force_names_the_status(app, db, client, login_as):
    login_as("mptf_officer")
    c = commitment("USD", "1000.00")
    sweden().saa_status = "closed"
    db.session.commit()
    before = counts()
    html = _post_deposit(client, c, amount="10.00").get_data(as_text=True)
    assert "Kingdom of Sweden&#39;s SAA is closed, and a closed SAA is not signed again" in html
    assert 'role="alert"' in html
    assert counts() == before


def test_reversal_through_the_form_restores_every_balance(app, db, client, login_as):
    login_as("mptf_officer")
    c = commitment("EUR", "1000000.00", objective_number=1)
    first = deposit(c, D("400000.00"), rate=D("0.93"))
    figures = pool_figures()
    second = deposit(c, D("123456.78"), rate=D("0.941"))
    assert pool_figures() != figures
    before = counts()
    response = client.post(f"/contributions/deposits/{second.id}/reverse", data={"reason": ""})
    assert "Say why the deposit is reversed." in error_beside(response.get_data(as_text=True), "reason")
    assert counts() == before
    response = post_and_confirm(client, f"/contributions/deposits/{second.id}/reverse",
                                {"reason": "Credited to the wrong commitment"})
    assert response.status_code == 302
    assert counts() == {**before, "audit_entry": before["audit_entry"] + 1}  # proposed: nothing moved yet
    assert "Deposit reversed" in text(second_officer_confirms_reversal(app))
    assert pool_figures() == figures
    db.session.expire_all()
    assert db.session.get(Commitment, c.id).deposited == first.amount
    page = client.get(f"/contributions/deposits/{second.id}").get_data(as_text=True)
    assert "Credited to the wrong commitment" in page and "Reverse this deposit" not in page
    listing = client.get(f"/contributions/deposits?commitment={c.id}").get_data(as_text=True)
    assert "Reversal" in listing and "-123,456.78" in listing
    again = client.post(f"/contributions/deposits/{second.id}/reverse", data={"reason": "again"})
    assert "already been reversed" in again.get_data(as_text=True)


def test_other_roles_cannot_record_deposits(app, db, client, login_as):
    c = commitment("USD", "1000.00")
    for role in ("admin", "srsg_staff", "auditor", "donor"):
        login_as(role)
        before = counts()
        assert _post_deposit(client, c, amount="10.00").status_code == 403
        assert counts() == before


def test_deposits_list_filters_totals_and_export_agree(app, db, client, login_as):
    import io

    from openpyxl import load_workbook

    login_as("auditor")
    swiss = donor()
    eur = commitment("EUR", "1000000.00", objective_number=1)
    chf = commitment("CHF", "500000.00", who=swiss)
    usd = commitment("USD", "9999.99", who=swiss)
    deposit(eur, D("1000000.00"), rate=D("0.941"))
    deposit(chf, D("100000.00"), rate=D("0.97"), value_date=dt.date(2017, 11, 2))
    d = deposit(chf, D("0.01"), rate=D("0.97"))
    deposit(usd, D("0.03"))
    from tests.factories.contributions import officer
    confirmed.reverse_deposit(officer(), d, "test")
    db.session.commit()

    html = client.get("/contributions/deposits").get_data(as_text=True)
    # 1,062,699.26 + 103,092.78 + 0.01 - 0.01 + 0.03
    assert 'id="total-usd">USD\u00a01,165,792.07<' in html
    html = client.get(f"/contributions/deposits?donor={swiss.id}&currency=CHF").get_data(as_text=True)
    assert "103,092.78" in html and "1,062,699.26" not in html
    html = client.get("/contributions/deposits?earmark=none&date_from=2018-01-01").get_data(as_text=True)
    assert "103,092.78" not in html and "1,062,699.26" not in html and "0.03" in html
    html = client.get(f"/contributions/deposits?earmark={eur.objective_id}").get_data(as_text=True)
    assert 'id="total-net">USD\u00a01,052,072.27<' in html

    response = client.get("/contributions/deposits?format=xlsx&sort=usd")
    sheets = load_workbook(io.BytesIO(response.data))
    rows = list(sheets.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Deposit" and len(rows) == 6
    usd_column = rows[0].index("USD")
    assert [r[usd_column] for r in rows[1:]] == [-0.01, 0.01, 0.03, 103092.78, 1062699.26]
    totals = list(sheets.worksheets[1].iter_rows(values_only=True))
    assert totals[-1][0] == "All (USD)" and totals[-1][3] == 1165792.07


def test_a_rate_that_makes_the_dollars_too_large_is_refused_beside_the_amount(app, db, client, login_as):
    """EUR 9,000,000,000,000.00 is a valid amount, but at 0.89 it is worth USD
    10,112,359,550,561.80: more than any figure of the fund may hold. Refused beside the
    amount, nothing written (not a server error)."""
    login_as("mptf_officer")
    c = commitment("EUR", "9000000000000.00")
    un_rate("EUR", dt.date(2018, 5, 1), "0.9")
    before, figures = counts(), pool_figures()
    response = _post_deposit(client, c, amount="9000000000000.00", rate="0.89", rate_note="Bank advice")
    assert response.status_code == 200
    assert "The amount is too large." in error_beside(response.get_data(as_text=True), "amount")
    assert counts() == before and pool_figures() == figures
