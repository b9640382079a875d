"""A cell holding an Excel error (#REF!, #N/A, #DIV/0!: a formula whose result is an
error) is refused as one, beside its row and column. (Found by a colleague's review: it
was read as an empty cell; a row of such cells was skipped in silence, the rest of the
file imported without it, and a single one refused as if the officer had left the cell
empty, "Enter an amount.")"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook

from tests.factories.contributions import commitment
from trustfund.contributions import confirmed
from trustfund.contributions.importer import plan_import


def _book(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Deposits"
    ws.append(["Commitment", "Value date", "Amount", "Bank reference"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _errors_in_row(data: bytes, row: int, columns: str, error: bytes) -> bytes:
    """The cells of `row` in `columns` made formulas whose cached result is `error`, as
    Excel saves them once the sheet they pointed at is deleted (or a VLOOKUP finds nothing)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                for letter in columns:
                    content, n = re.subn(rb'<c r="%s%d"[^>]*>.*?</c>' % (letter.encode(), row),
                                         b'<c r="%s%d" t="e"><f>#REF!B2</f><v>%s</v></c>'
                                         % (letter.encode(), row, error), content)
                    assert n == 1
            target.writestr(info, content)
    return out.getvalue()


def _setup():
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    commitment("EUR", "1500000.00", reference="SE-EUR-1")


def test_a_row_of_error_cells_is_not_skipped_in_silence(app, db):
    _setup()
    data = _book([("SE-EUR-1", "2018-05-10", 1000, "SEB/1"),
                  ("SE-EUR-1", "2018-05-11", 2000, "SEB/2"),
                  ("SE-EUR-1", "2018-05-12", 3000, "SEB/3")])
    data = _errors_in_row(data, 3, "ABCD", b"#REF!")
    result = plan_import(data)
    # Row 3 is a deposit the officer sees as #REF! in Excel: the import must not go on without it.
    assert not result.ok, [(p.row, p.figures.amount) for p in result.planned]
    assert {(e.row, e.column) for e in result.errors} == {
        (3, "commitment"), (3, "value_date"), (3, "amount"), (3, "bank_reference")}


def test_an_error_cell_is_refused_as_an_error_not_as_an_empty_cell(app, db):
    _setup()
    data = _book([("SE-EUR-1", "2018-05-10", 1000, "SEB/1")])
    data = _errors_in_row(data, 2, "C", b"#DIV/0!")
    result = plan_import(data)
    assert not result.ok
    [error] = result.errors
    assert (error.row, error.column) == (2, "amount")
    # "Enter an amount." tells the officer to fill a cell that is not empty in Excel.
    assert error.message == ("The cell holds an Excel error (such as #REF! or #N/A), not a value: correct "
                             "it in the workbook."), error.message
