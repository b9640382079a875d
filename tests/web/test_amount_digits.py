"""An amount reaches the .xlsx as the page shows it: a spreadsheet keeps a number as
a double, 15 significant digits, so a KWD amount of 16 (KWD 1,234,567,890,123.457,
which 10^13 allowed) read KWD 1,234,567,890,123.460 in Excel and LibreOffice while
the page said .457. A currency's amounts stay below 10^(15 − its decimals): such an
amount is refused beside its field, and the largest one taken is exported exactly
(a colleague's review of the currencies of 0 and 3 decimals)."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories.contributions import sweden, un_rate
from tests.pages import error_beside, post_entry
from trustfund.contributions.models import Commitment
from trustfund.money import MoneyError, parse_amount


def _as_a_spreadsheet_shows(value) -> Decimal:
    """A cell's figure as Excel or LibreOffice keep it: a double, 15 significant digits."""
    return Decimal(format(float(value), ".15g"))


def _commit(client, donor, amount: str, reference: str):
    return post_entry(client, "/contributions/commitments/new", {
        "donor_id": str(donor.id), "currency": "KWD", "amount": amount, "objective_id": "",
        "committed_on": "2018-05-01", "reference": reference})


def test_a_kwd_amount_of_sixteen_digits_is_refused_beside_the_amount(app, db, client, login_as):
    login_as("mptf_officer")
    response = _commit(client, sweden(), "1,234,567,890,123.457", "KW-BIG")
    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), "amount") == "The amount is too large."
    assert db.session.scalar(sa.select(Commitment).where(Commitment.reference == "KW-BIG")) is None


def test_the_largest_kwd_amount_taken_reaches_the_statement_xlsx_to_its_last_decimal(app, db, client,
                                                                                    login_as):
    login_as("mptf_officer")
    donor = sweden()
    un_rate("KWD", dt.date(2018, 5, 1), "0.302")
    amount, exact = "999,999,999,999.999", Decimal("999999999999.999")
    assert _commit(client, donor, amount, "KW-MAX").status_code == 302
    commitment = db.session.scalar(sa.select(Commitment).where(Commitment.reference == "KW-MAX"))
    response = post_entry(client, f"/contributions/commitments/{commitment.id}/deposits/new", {
        "value_date": "2018-05-10", "amount": amount, "rate": "0.302", "rate_note": "",
        "bank_reference": "NBK/1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    period = "?date_from=2018-01-01&date_to=2018-12-31"
    assert amount in client.get(f"/statements/{donor.id}{period}").get_data(as_text=True)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/statements/{donor.id}{period}&format=xlsx").data))
    sheet = book["Deposits"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if "KWD" in r)
    assert _as_a_spreadsheet_shows(row[header.index("Amount")]) == exact


@pytest.mark.parametrize(("currency", "largest", "refused"), [
    ("JPY", "9999999999999", "10000000000000"),          # 13 digits, as before (10^13)
    ("USD", "9999999999999.99", "10000000000000.00"),    # 15 digits
    ("KWD", "999999999999.999", "1000000000000.000"),    # 15 digits, where 10^13 took 17
], ids=["JPY", "USD", "KWD"])
def test_each_currency_takes_amounts_of_at_most_fifteen_digits(app, currency, largest, refused):
    with app.test_request_context():
        assert parse_amount(largest, currency) == Decimal(largest)
        with pytest.raises(MoneyError, match="too large"):
            parse_amount(refused, currency)
