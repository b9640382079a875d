"""A currency's months in one rates file are never compared with each other: the
form refuses a month's UN rate further than the admin's tolerance (10%) from the
nearest other month's, but a rates file for a currency the table has no rate for yet
sets NOK May at 8.2 and NOK June at 0.082 (a slipped decimal point) side by side, and
every NOK deposit of June then takes a hundred times its dollars without a note."""
from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import Workbook

from tests.factories import second_officer_confirms_rates
from tests.factories.contributions import commitment
from tests.pages import error_beside, table_rows
from trustfund.contributions.models import ExchangeRate


def _rates_file(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Rates"
    sheet.append(["Currency", "Month", "Rate"])
    for row in rows:
        sheet.append(list(row))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _nok_rates(db) -> dict[str, str]:
    db.session.expire_all()
    return {f"{r.month:%Y-%m}": str(r.rate) for r in db.session.scalars(
        sa.select(ExchangeRate).where(ExchangeRate.currency == "NOK"))}


def test_the_form_refuses_the_second_month_a_hundred_times_off(app, db, client, login_as):
    """What typing the two months does (the reference behaviour)."""
    commitment("NOK", "1000000.00", reference="NO-1")
    db.session.commit()
    login_as("mptf_officer")
    assert client.post("/contributions/rates/new", data={"currency": "NOK", "month": "2018-05",
                                                         "rate": "8.2"}).status_code == 302
    second_officer_confirms_rates(app)
    answer = client.post("/contributions/rates/new", data={"currency": "NOK", "month": "2018-06",
                                                           "rate": "0.082"})
    assert answer.status_code == 200
    assert "The nearest month with a rate for NOK, May 2018, is at 8.2" in error_beside(
        answer.get_data(as_text=True), "rate")
    assert _nok_rates(db) == {"2018-05": "8.2"}


def _upload(client, rows):
    return client.post("/contributions/rates/import",
                       data={"file": (io.BytesIO(_rates_file(rows)), "rates.xlsx")},
                       content_type="multipart/form-data")


def test_a_rates_file_cannot_set_two_months_a_hundred_times_apart(app, db, client, login_as):
    commitment("NOK", "1000000.00", reference="NO-1")
    db.session.commit()
    login_as("mptf_officer")
    answer = _upload(client, [("NOK", "2018-05", "8.2"), ("NOK", "2018-06", "0.082")])
    assert answer.status_code == 200, "the file was kept for a second officer to confirm"
    problems = table_rows(answer.get_data(as_text=True), "rates-errors")
    assert [row[:2] for row in problems] == [["2", "Rate"], ["3", "Rate"]], problems
    june = problems[1][2]
    assert june.startswith("The nearest month with a rate for NOK, May 2018, is at 8.2: a month's "
                           "UN rate may differ from it by at most 10%, from 7.38 to 9.02."), june
    assert _nok_rates(db) == {}
    # Two months of a new currency within the tolerance of each other are kept for a colleague.
    assert _upload(client, [("NOK", "2018-05", "8.2"), ("NOK", "2018-06", "8.31")]).status_code == 302
    # One month alone has nothing to be held to, as the first typed in.
    assert _upload(client, [("SEK", "2018-05", "8.7")]).status_code == 302
