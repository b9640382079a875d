"""No deposit is dated before its donor signed the SAA (DESIGN §3: "Before contributing, a
donor must sign the SAA with the MPTF Office"; §4: a deposit requires a signed SAA), on
the deposit's form and in an import, as a commitment dated before it is refused (a
colleague's review of the fund's rules: both were recorded)."""
from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlencode

import sqlalchemy as sa
from openpyxl import Workbook

from tests.factories.contributions import commitment, sweden
from tests.pages import error_beside, post_entry
from trustfund.contributions.models import Deposit

REFUSED = ("Kingdom of Sweden's SAA was signed on 20 Apr 2017: money received before it is not recorded "
           "against its commitment. Check the value date.")


def _deposits(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Deposit))


def test_a_deposit_dated_before_the_saa_was_signed_is_refused_beside_its_value_date(app, db, client,
                                                                                   login_as):
    login_as("mptf_officer")
    assert sweden().saa_signed_on == dt.date(2017, 4, 20)
    c = commitment("USD", "100000.00", committed_on=dt.date(2017, 5, 1))
    url = f"/contributions/commitments/{c.id}/deposits/new"
    page = post_entry(client, url, {"value_date": "2017-04-10", "amount": "50000.00", "rate": "",
                                    "rate_note": "", "bank_reference": "SEB early"})
    assert page.status_code == 200
    assert error_beside(page.get_data(as_text=True), "value_date") == REFUSED
    assert _deposits(db) == 0
    signed_day = post_entry(client, url, {"value_date": "2017-04-20", "amount": "50000.00", "rate": "",
                                          "rate_note": "", "bank_reference": "SEB on the day"})
    assert "money received before it is not recorded" not in signed_day.get_data(as_text=True)


def test_an_imported_deposit_dated_before_the_saa_was_signed_is_refused(app, db, client, login_as):
    login_as("mptf_officer")
    commitment("USD", "100000.00", committed_on=dt.date(2017, 5, 1), reference="SE-USD-1")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Deposits")
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference",
                  "Separate transfer note"])
    sheet.append(["SE-USD-1", dt.datetime(2017, 4, 10), 50000, "USD", None, None, "SEB early", None])
    buffer = io.BytesIO()
    book.save(buffer)
    page = client.post("/contributions/deposits/import",
                       data={"file": (io.BytesIO(buffer.getvalue()), "deposits.xlsx")},
                       content_type="multipart/form-data")
    assert page.status_code == 200  # refused on the page: no preview of what would be recorded
    assert REFUSED in page.get_data(as_text=True).replace("&#39;", "'")
    assert _deposits(db) == 0


def test_the_preview_refuses_a_value_date_before_the_saa_was_signed(app, db, client, login_as):
    """The form's preview gives the refusal sending it would (it showed the deposit's
    figures, fee and net, as if it would be recorded)."""
    c = commitment("USD", "1000.00")
    login_as("mptf_officer")
    query = {"value_date": "2017-04-19", "amount": "500.00", "rate": "", "rate_note": ""}
    shown = client.get(f"/contributions/commitments/{c.id}/deposits/preview?{urlencode(query)}").get_json()
    assert shown["ok"] is False, shown
    assert (shown["field"], shown["problem"]) == ("value_date", REFUSED)
