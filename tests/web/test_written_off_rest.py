"""A commitment whose rest was written off is settled everywhere: its row, its page and
the "Settled" filter said so, but the list's totals per currency (page and .xlsx)
still counted the rest as outstanding, the deposit form's live preview accepted a
deposit the service then refused, and the import template listed the commitment as
open for deposits."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from trustfund.closure.confirmed_write_offs import write_off
from trustfund.contributions.models import Commitment, ExchangeRate

REFERENCE = "SE-2017-EUR"  # EUR 1,500,000.00 committed, 1,000,000.00 deposited


@pytest.fixture
def written_off(db, users):
    data.two_donor_fund()
    # The UN rate of its deposit's month: a typed rate is held to it.
    db.session.add(ExchangeRate(currency="EUR", month=dt.date(2017, 5, 1), rate=Decimal("0.941")))
    eur = db.session.scalar(sa.select(Commitment).where(Commitment.reference == REFERENCE))
    write_off(users["mptf_officer"], eur, reason="Will not be paid")
    db.session.commit()
    return eur


def _totals(html: str) -> list[list[str]]:
    section = re.search(r'<section aria-labelledby="totals-heading".*?</section>', html, re.DOTALL).group(0)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", section.split("<tbody>")[1], re.DOTALL)
    return [[re.sub(r"<[^>]+>|\s+", " ", cell).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)] for row in rows]


def test_the_totals_per_currency_say_what_the_rows_say(client, login_as, written_off):
    login_as("mptf_officer")
    page = client.get("/contributions/?currency=EUR").get_data(as_text=True)
    # Currency, number, committed, deposited, outstanding, USD received.
    [eur] = [row for row in _totals(page) if row and row[0] == "EUR"]
    assert eur[2:5] == ["1,500,000.00", "1,000,000.00", "0.00"], eur
    book = openpyxl.load_workbook(io.BytesIO(client.get("/contributions/?format=xlsx&currency=EUR").data))
    sheet = book["Totals per currency"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r["Outstanding"] for r in rows if r.get("Currency") == "EUR"] == [0], rows


def test_the_deposit_preview_knows_the_rest_was_written_off(client, login_as, written_off):
    login_as("mptf_officer")
    answer = client.get(f"/contributions/commitments/{written_off.id}/deposits/preview",
                        query_string={"value_date": "2017-05-10", "amount": "100.00", "rate": "0.941",
                                      "rate_note": "bank rate"}).get_json()
    assert answer["ok"] is False
    assert answer["field"] == "amount"
    assert "EUR\u00a00.00" in answer["problem"]


def test_the_import_template_does_not_offer_a_settled_commitment(client, login_as, written_off):
    login_as("mptf_officer")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/contributions/deposits/import/template.xlsx").data))
    listed = {cell for row in book["Open commitments"].iter_rows(values_only=True) for cell in row}
    assert REFERENCE not in listed
    assert {"SE-2017-OBJ1", "=EVIL-REF"} <= listed  # the donors' commitments still open
