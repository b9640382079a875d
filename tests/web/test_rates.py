"""UN operational rates: the officer keeps them; everyone on staff reads them."""
import datetime as dt
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import second_officer_confirms_rates
from tests.factories.contributions import counts
from tests.pages import error_beside
from trustfund.audit import AuditEntry
from trustfund.contributions.models import ExchangeRate


def test_officer_adds_corrects_and_lists_rates(app, db, client, login_as):
    login_as("mptf_officer")
    form = client.get("/contributions/rates/new").get_data(as_text=True)
    assert "EUR — Euro" in form and "CHF — Swiss Franc" in form and ">USD —" not in form
    for currency, month, rate in (("EUR", "2018-05", "0.941"), ("EUR", "2018-06", "0.857"),
                                  ("JPY", "2018-05", "109.66")):
        response = client.post("/contributions/rates/new", data={"currency": currency, "month": month,
                                                                 "rate": rate})
        assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeRate)) == 0  # proposed only
    second_officer_confirms_rates(app)
    rate = db.session.scalar(sa.select(ExchangeRate).where(ExchangeRate.currency == "EUR",
                                                           ExchangeRate.rate == Decimal("0.941")))
    response = client.post(f"/contributions/rates/{rate.id}/edit", data={
        "currency": "EUR", "month": "2018-05", "rate": "0.9415", "version": rate.version})
    assert response.status_code == 302
    second_officer_confirms_rates(app)
    db.session.expire_all()
    assert db.session.get(ExchangeRate, rate.id).rate == Decimal("0.9415")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("exchange_rate.%"))
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.action == "exchange_rate.update"
    assert (entry.before["rate"], entry.after["rate"]) == ("0.941", "0.9415")
    html = client.get("/contributions/rates?currency=EUR").get_data(as_text=True)
    assert '"num">0.9415<' in html and '"num">0.857<' in html and '"num">109.66<' not in html
    assert "May 2018" in html
    book = load_workbook(io.BytesIO(client.get("/contributions/rates?currency=EUR&format=xlsx").data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [(r[0], r[2]) for r in rows[1:]] == [("EUR", 0.857), ("EUR", 0.9415)]


def test_the_xlsx_lists_the_rates_in_the_pages_order(app, db, client, login_as):
    """Newest month first, a month's currencies in order, on the page as in its .xlsx."""
    login_as("mptf_officer")
    for currency, month, rate in (("JPY", "2018-05", "109.66"), ("EUR", "2018-05", "0.941"),
                                  ("EUR", "2018-06", "0.857"), ("JPY", "2018-06", "110.05")):
        assert client.post("/contributions/rates/new", data={
            "currency": currency, "month": month, "rate": rate}).status_code == 302
    second_officer_confirms_rates(app)
    html = client.get("/contributions/rates").get_data(as_text=True)
    shown = [html.index(f'"num">{rate}<') for rate in ("0.857", "110.05", "0.941", "109.66")]
    assert shown == sorted(shown)
    book = load_workbook(io.BytesIO(client.get("/contributions/rates?format=xlsx").data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [(r[0], r[2]) for r in rows[1:]] == [("EUR", 0.857), ("JPY", 110.05), ("EUR", 0.941),
                                                ("JPY", 109.66)]


@pytest.mark.parametrize("data, field, message", [
    ({"currency": "USD"}, "currency", "Not a valid choice"),
    ({"currency": ""}, "currency", "Choose a currency"),
    ({"rate": "0"}, "rate", "greater than zero"),
    ({"rate": "-0.9"}, "rate", "greater than zero"),
    ({"rate": "abc"}, "rate", "such as 0.941."),
    ({"rate": ""}, "rate", "Enter the rate."),
    ({"rate": "0.1234567"}, "rate", "at most 6 decimal places"),
    ({"month": ""}, "month", "required"),
    ({"month": "May 2018"}, "month", "Enter the month as YYYY-MM, for example 2018-05."),
])
def test_bad_rates_are_refused_beside_the_field(app, db, client, login_as, data, field, message):
    login_as("mptf_officer")
    form = {"currency": "EUR", "month": "2018-05", "rate": "0.941"}
    form.update(data)
    before = counts()
    response = client.post("/contributions/rates/new", data=form)
    assert response.status_code == 200
    assert message in error_beside(response.get_data(as_text=True), field)
    assert counts() == before


def test_only_the_officer_changes_rates(app, db, client, login_as):
    for role in ("admin", "srsg_staff", "auditor", "donor"):
        login_as(role)
        assert client.post("/contributions/rates/new", data={"currency": "EUR", "month": "2018-05",
                                                             "rate": "0.9"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeRate)) == 0
    login_as("srsg_staff")
    assert client.get("/contributions/rates").status_code == 200
    login_as("donor")
    assert client.get("/contributions/rates").status_code == 403


def test_a_rate_entered_under_the_wrong_month_moves_to_the_right_one(app, db, client, login_as):
    """EUR 0.941 was entered under April 2018 by mistake: corrected to May, April has no
    rate any more (its commitments are "without a rate" again), May has 0.941, and
    the audit trail says what moved. A month that has its own rate is not overwritten."""
    from trustfund.contributions.rates import rate_for

    login_as("mptf_officer")
    for month, rate in (("2018-04", "0.941"), ("2018-06", "0.857")):
        assert client.post("/contributions/rates/new", data={"currency": "EUR", "month": month,
                                                             "rate": rate}).status_code == 302
    second_officer_confirms_rates(app)
    wrong = db.session.scalar(sa.select(ExchangeRate).where(ExchangeRate.rate == Decimal("0.941")))
    response = client.post(f"/contributions/rates/{wrong.id}/edit", data={
        "currency": "EUR", "month": "2018-05", "rate": "0.941", "version": wrong.version})
    assert response.status_code == 302
    second_officer_confirms_rates(app)
    db.session.expire_all()
    assert rate_for("EUR", dt.date(2018, 4, 15)) is None
    assert rate_for("EUR", dt.date(2018, 5, 15)) == Decimal("0.941")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeRate)) == 2
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("exchange_rate.%"))
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.action == "exchange_rate.update"
    assert (entry.before["month"], entry.after["month"]) == ("2018-04-01", "2018-05-01")

    moved = db.session.get(ExchangeRate, wrong.id)
    before = counts()
    response = client.post(f"/contributions/rates/{moved.id}/edit", data={
        "currency": "EUR", "month": "2018-06", "rate": "0.941", "version": moved.version})
    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), "month") == \
        "June 2018 already has a EUR rate, 0.857: correct that one."
    assert counts() == before
    assert rate_for("EUR", dt.date(2018, 6, 1)) == Decimal("0.857")


def test_adding_a_rate_for_a_month_that_has_one_does_not_replace_it(app, db, client, login_as):
    """"Add a rate" for a month that already has one (a colleague added it meanwhile,
    or the officer did not look) is refused beside the month: that month's rate is
    corrected on its own form, against the version seen. The same rate again changes
    nothing and is no error (a form sent twice)."""
    from trustfund.contributions.rates import rate_for

    login_as("mptf_officer")
    assert client.post("/contributions/rates/new", data={"currency": "EUR", "month": "2018-06",
                                                         "rate": "0.857"}).status_code == 302
    second_officer_confirms_rates(app)
    before = counts()
    response = client.post("/contributions/rates/new", data={"currency": "EUR", "month": "2018-06",
                                                             "rate": "0.941"})
    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), "month") == \
        "June 2018 already has a EUR rate, 0.857: correct that one."
    db.session.expire_all()
    assert counts() == before and rate_for("EUR", dt.date(2018, 6, 1)) == Decimal("0.857")
    assert client.post("/contributions/rates/new", data={"currency": "EUR", "month": "2018-06",
                                                         "rate": "0.857"}).status_code == 302
    assert counts() == before
