"""The deposits .xlsx marks a reversed deposit, as the list does ("Reversed", linking
to its reversal): its row names the reversal and its date (a colleague's review as an
auditor). Only the reversal's own row said which deposit it reverses: filtered to a
period that ends before the reversal, the file showed the reversed deposit as a plain
standing deposit."""
from __future__ import annotations

import io

import openpyxl

from tests.factories import statements as st


def _rows(response, sheet):
    ws = openpyxl.load_workbook(io.BytesIO(response.data))[sheet]
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, row, strict=False)) for row in ws.iter_rows(min_row=2, values_only=True)]


def _pair(db):
    return st.reversed_pair("Traced Foundation", "TRACE-1", "KEPT-A", "WRONG-A")[2:]


def test_the_page_marks_the_reversed_deposit(client, login_as, db):
    _kept, wrong, reversal = _pair(db)
    login_as("auditor")
    page = client.get("/contributions/deposits").get_data(as_text=True)
    assert f'title="Reversed by #{reversal.id}"' in page  # the page says it


def test_the_deposits_download_marks_the_reversed_deposit_too(client, login_as, db):
    _kept, wrong, reversal = _pair(db)
    login_as("auditor")
    header, rows = _rows(client.get("/contributions/deposits?format=xlsx"), "Deposits")
    original = next(r for r in rows if r["Deposit"] == wrong.id)
    # Some cell of the reversed deposit's own row must say it was reversed, and by which
    # entry (or when): today every cell but the reversal's row is silent.
    assert original["Reversed by deposit"] == reversal.id
    assert original["Reversed on"].date() == reversal.value_date
    kept_row = next(r for r in rows if r["Deposit"] == _kept.id)
    assert kept_row["Reversed by deposit"] is None and kept_row["Reversed on"] is None


def test_a_period_before_the_reversal_still_shows_the_deposit_reversed_in_the_download(client, login_as, db):
    """Filtered to the deposit's own month, the reversal (dated 1 Jun 2017) is not in the
    file at all: nothing in the file then tells the auditor the deposit was reversed."""
    _kept, wrong, reversal = _pair(db)
    login_as("auditor")
    url = f"/contributions/deposits?date_to={wrong.value_date.isoformat()}"
    page = client.get(url).get_data(as_text=True)
    header, rows = _rows(client.get(url + "&format=xlsx"), "Deposits")
    assert [r["Deposit"] for r in rows if r["Deposit"] == reversal.id] == []  # the reversal is out
    original = next(r for r in rows if r["Deposit"] == wrong.id)
    assert original["Reversed by deposit"] == reversal.id, original
    assert "Reversed" in page
