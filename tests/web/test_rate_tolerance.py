"""A rate an MPTF officer types is checked against the UN operational rate: a deposit's
(in place of its month's UN rate) and a month's UN rate (against the nearest other
month's) may differ from it by at most the admin's tolerance (10% unless two
administrators set another), so that one officer cannot credit a pool ten thousand
times the dollars by a mistyped or invented rate. Refused beside the rate, nothing
written; the deposit and rate imports refuse such a row the same way."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook

from tests.factories import browser_of, second_admin_confirms_setting, second_officer_confirms_rates
from tests.factories.contributions import commitment, counts, pool_figures
from tests.pages import error_beside, post_entry, table_rows
from trustfund.admin.models import RATE_TOLERANCE
from trustfund.contributions import confirmed
from trustfund.contributions.models import Deposit, ExchangeRate

D = Decimal


def _post_deposit(client, c, **data):
    form = {"value_date": "2018-05-10", "amount": "1000.00", "rate": "", "rate_note": "",
            "bank_reference": ""}
    form.update(data)
    return post_entry(client, f"/contributions/commitments/{c.id}/deposits/new", form)


def _eur_rates(*months_and_rates):
    for month, rate in months_and_rates:
        confirmed.set_rate(None, "EUR", month, rate)


def test_a_deposit_rate_far_from_the_months_un_rate_is_refused_beside_the_rate(app, db, client, login_as):
    _eur_rates((dt.date(2018, 5, 1), "0.941"))
    c = commitment("EUR", "1000000.00")
    db.session.commit()
    login_as("mptf_officer")
    form = client.get(f"/contributions/commitments/{c.id}/deposits/new").get_data(as_text=True)
    assert ("Filled in from the UN operational rate of the value date's month. Another rate needs a note, "
            "and may differ from it by at most 10%.") in form.replace("&#39;", "'")
    before, figures = counts(), pool_figures()
    # 0.0001 for 0.941: EUR 1,000 would have been credited as USD 10 million.
    answer = _post_deposit(client, c, rate="0.0001", rate_note="Bank advice")
    assert answer.status_code == 200
    said = error_beside(answer.get_data(as_text=True), "rate")
    assert said == ("The UN operational rate for May 2018 is 0.941: a deposit's rate may differ from it by "
                    "at most 10%, from 0.8469 to 1.0351. Check the rate: a larger difference takes a larger "
                    "tolerance, which two administrators set.")
    assert counts() == before and pool_figures() == figures
    # The edges are allowed, with the note a rate other than the UN's always needs.
    for rate in ("0.8469", "1.0351"):
        assert _post_deposit(client, c, rate=rate, rate_note="Bank advice").status_code == 302
    answer = _post_deposit(client, c, rate="1.0352", rate_note="Bank advice")
    assert "from 0.8469 to 1.0351" in error_beside(answer.get_data(as_text=True), "rate")
    assert sorted(db.session.scalars(sa.select(Deposit.rate))) == [D("0.8469"), D("1.0351")]


def test_without_a_rate_for_its_month_a_deposit_is_checked_against_the_nearest_month(app, db, client,
                                                                                       login_as):
    _eur_rates((dt.date(2018, 1, 1), "0.83"), (dt.date(2018, 9, 1), "0.86"))
    c = commitment("EUR", "1000000.00")
    db.session.commit()
    login_as("mptf_officer")
    before = counts()
    answer = _post_deposit(client, c, value_date="2018-07-16", rate="8.6", rate_note="Bank advice")
    assert error_beside(answer.get_data(as_text=True), "rate") == (
        "There is no UN operational rate for EUR in July 2018; the nearest, for September 2018, is 0.86: a "
        "deposit's rate may differ from it by at most 10%, from 0.774 to 0.946. Check the rate, or add the "
        "UN rate of July 2018 to the exchange rates: the deposit's rate is then checked against it.")
    assert counts() == before
    # April is as near to January as to September: the earlier month is the reference.
    answer = _post_deposit(client, c, value_date="2018-05-02", rate="0.7", rate_note="Bank advice")
    assert "the nearest, for January 2018, is 0.83" in error_beside(answer.get_data(as_text=True), "rate")
    assert _post_deposit(client, c, value_date="2018-07-16", rate="0.861",
                         rate_note="Bank advice: no UN rate yet").status_code == 302


def test_a_months_un_rate_far_from_the_nearest_months_is_refused(app, db, client, login_as):
    _eur_rates((dt.date(2018, 5, 1), "0.941"))
    db.session.commit()
    login_as("mptf_officer")
    before = counts()
    answer = client.post("/contributions/rates/new", data={"currency": "EUR", "month": "2018-06",
                                                           "rate": "0.0941"})
    assert answer.status_code == 200
    assert error_beside(answer.get_data(as_text=True), "rate") == (
        "The nearest month with a rate for EUR, May 2018, is at 0.941: a month's UN rate may differ from it "
        "by at most 10%, from 0.8469 to 1.0351. Check this rate and that month's: a larger difference takes "
        "a larger tolerance, which two administrators set.")
    assert counts() == before
    # A correction is checked the same way, against the other months only.
    assert client.post("/contributions/rates/new", data={"currency": "EUR", "month": "2018-06",
                                                         "rate": "0.90"}).status_code == 302
    second_officer_confirms_rates(app)
    june = db.session.scalar(sa.select(ExchangeRate).where(ExchangeRate.month == dt.date(2018, 6, 1)))
    answer = client.post(f"/contributions/rates/{june.id}/edit", data={
        "currency": "EUR", "month": "2018-06", "rate": "9.0", "version": june.version})
    assert "from 0.8469 to 1.0351" in error_beside(answer.get_data(as_text=True), "rate")
    db.session.expire_all()
    assert db.session.get(ExchangeRate, june.id).rate == D("0.9")
    # A rate moved to another month is checked against the other months only, not
    # against the rate it was: June's 0.90 moved to September at 0.81 (10% below it) is
    # 14% below May's.
    answer = client.post(f"/contributions/rates/{june.id}/edit", data={
        "currency": "EUR", "month": "2018-09", "rate": "0.81", "version": june.version})
    assert "The nearest month with a rate for EUR, May 2018, is at 0.941" in error_beside(
        answer.get_data(as_text=True), "rate")
    # May's own rate may be corrected within 10% of June's, its only other month.
    may = db.session.scalar(sa.select(ExchangeRate).where(ExchangeRate.month == dt.date(2018, 5, 1)))
    assert client.post(f"/contributions/rates/{may.id}/edit", data={
        "currency": "EUR", "month": "2018-05", "rate": "0.98", "version": may.version}).status_code == 302
    second_officer_confirms_rates(app)
    db.session.expire_all()
    assert db.session.get(ExchangeRate, may.id).rate == D("0.98")
    # A currency's first rate has nothing to be compared with.
    assert client.post("/contributions/rates/new", data={"currency": "NOK", "month": "2018-06",
                                                         "rate": "8.2"}).status_code == 302


def test_the_tolerance_is_a_setting_two_administrators_change(app, db, client, login_as):
    _eur_rates((dt.date(2018, 5, 1), "0.941"))
    c = commitment("EUR", "1000000.00")
    db.session.commit()
    login_as("admin")
    settings = client.get("/admin/settings").get_data(as_text=True)
    assert "Largest difference of a typed exchange rate from the UN operational rate" in settings
    form = client.get(f"/admin/settings/{RATE_TOLERANCE}").get_data(as_text=True)
    assert "0.1 means 10%" in form
    for value in ("1.5", "0"):
        answer = client.post(f"/admin/settings/{RATE_TOLERANCE}", data={
            "value": value, "effective_from": "2017-01-01", "version": _version(form)})
        assert error_beside(answer.get_data(as_text=True), "value") == (
            "The tolerance is a fraction above 0 and below 1: 0.1 means 10%.")
    assert client.post(f"/admin/settings/{RATE_TOLERANCE}", data={
        "value": "0.5", "effective_from": "2017-01-01", "version": _version(form)}).status_code == 302
    officer = browser_of(app, "mptf_officer")
    # Proposed by one administrator, nothing changes yet: 40% from the UN rate is refused.
    assert "at most 10%" in error_beside(_post_deposit(officer, c, rate="1.3", rate_note="Bank advice")
                                         .get_data(as_text=True), "rate")
    second_admin_confirms_setting(app, RATE_TOLERANCE)
    assert "50%" in client.get("/admin/settings").get_data(as_text=True)
    assert _post_deposit(officer, c, rate="1.3", rate_note="Bank advice").status_code == 302
    assert db.session.scalar(sa.select(Deposit.rate)) == D("1.3")


def _version(html: str) -> str:
    return re.search(r'name="version"[^>]*value="([^"]*)"', html).group(1)


def _workbook(header, rows) -> bytes:
    book = Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(list(row))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_an_imported_deposit_at_a_rate_far_from_the_un_rate_is_refused_on_its_row(app, db, client, login_as):
    _eur_rates((dt.date(2018, 5, 1), "0.941"))
    commitment("EUR", "1500000.00", reference="SE-EUR-1")
    db.session.commit()
    login_as("mptf_officer")
    before = counts()
    header = ("Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference")
    rows = [("SE-EUR-1", "2018-05-10", "1000.00", "EUR", "0.941", "", "SEB/1"),
            ("SE-EUR-1", "2018-05-11", "1000.00", "EUR", "0.0001", "Bank rate", "SEB/2")]
    answer = client.post("/contributions/deposits/import",
                         data={"file": (io.BytesIO(_workbook(header, rows)), "deposits.xlsx")})
    html = answer.get_data(as_text=True)
    if answer.status_code == 302:
        html = client.get(answer.headers["Location"]).get_data(as_text=True)
    problems = table_rows(html, "import-errors")
    assert [row[:2] for row in problems] == [["3", "Rate"]]
    assert "The UN operational rate for May 2018 is 0.941" in problems[0][2]
    assert counts() == before


def test_a_rates_file_is_checked_against_the_table_as_it_is(app, db, client, login_as):
    """Each new or corrected rate of a file against the nearest other month's as the
    table is before the file, as a rate typed alone: no row vouches for another (two
    mistyped months side by side), and a year of rates drifting more than 10% from the
    table's month takes a larger tolerance, as typing them one by one would."""
    _eur_rates((dt.date(2018, 1, 1), "0.83"))
    db.session.commit()
    login_as("mptf_officer")
    header = ("Currency", "Month", "Rate")
    answer = _upload_rates(client, _workbook(header, [
        ("EUR", "2018-02", "0.85"), ("EUR", "2018-03", "0.86"), ("EUR", "2018-04", "0.0086"),
        ("EUR", "2018-05", "0.0085")]))
    problems = table_rows(answer, "rates-errors")
    assert [row[:2] for row in problems] == [["4", "Rate"], ["5", "Rate"]]
    said = "The nearest month with a rate for EUR, January 2018, is at 0.83:"
    assert all(said in row[2] for row in problems)
    drift = [("EUR", f"2018-{month:02d}", str(D("0.83") + D("0.02") * month)) for month in range(2, 13)]
    problems = table_rows(_upload_rates(client, _workbook(header, drift)), "rates-errors")
    assert [row[0] for row in problems] == [str(row) for row in range(5, 13)]  # May (0.93) onwards
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeRate)) == 1
    answer = _upload_rates(client, _workbook(header, drift[:3]))
    assert 'id="rates-errors"' not in answer
    colleague = browser_of(app, "mptf_officer2")
    location = re.search(r'action="([^"]*)/withdraw"', answer).group(1)
    page = colleague.get(location).get_data(as_text=True)
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', page)
    assert colleague.post(location + "/confirm", data={"seen": seen.group(1)}).status_code == 302
    assert sorted(db.session.scalars(sa.select(ExchangeRate.rate))) == [D("0.83"), D("0.87"), D("0.89"),
                                                                        D("0.91")]


def test_the_deposit_forms_live_preview_says_so_beside_the_rate(app, db, client, login_as):
    _eur_rates((dt.date(2018, 5, 1), "0.941"))
    c = commitment("EUR", "1000000.00")
    db.session.commit()
    login_as("mptf_officer")
    shown = client.get(f"/contributions/commitments/{c.id}/deposits/preview?value_date=2018-05-10"
                       "&amount=1000.00&rate=0.0001&rate_note=Bank").get_json()
    assert (shown["ok"], shown["field"]) == (False, "rate")
    assert shown["problem"].startswith("The UN operational rate for May 2018 is 0.941: a deposit's rate may")


def _upload_rates(client, data: bytes) -> str:
    answer = client.post("/contributions/rates/import", data={"file": (io.BytesIO(data), "rates.xlsx")})
    if answer.status_code == 302:
        return client.get(answer.headers["Location"]).get_data(as_text=True)
    return answer.get_data(as_text=True)
