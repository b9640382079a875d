"""More Excel error cells than the sheet's scan notes (import_workbook.MAX_ERROR_CELLS,
1,000), even in a column the import does not read (a helper VLOOKUP copied down, #N/A
on every row), refuse the sheet whole, saying why: an error cell further down in a
column the import reads cannot go unnoticed. (Found by a colleague's review: past the
first 1,000, a row of #REF! was skipped in silence and the rest of the file imported.)
Fewer are named by row and column (test_import_error_cells.py)."""
from __future__ import annotations

import datetime as dt

from tests.factories.contributions import commitment
from tests.factories.workbooks import deposits_workbook
from trustfund.contributions import confirmed
from trustfund.contributions.importer import plan_import

MANY = ("The sheet has more than 1,000 cells holding an Excel error (such as #REF! or #N/A): correct them, "
        "or delete the columns the import does not read.")


HEADER = ("Commitment", "Value date", "Amount", "Bank reference", "Donor (lookup)")


def test_a_row_of_error_cells_after_1000_helper_errors_is_not_skipped(app, db):
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    commitment("EUR", "15000000.00", reference="SE-EUR-1")
    rows = [("SE-EUR-1", "2018-05-10", 10, f"SEB/{n}", "#N/A") for n in range(1, 1002)]
    rows.append(("#REF!", "#REF!", "#REF!", "#REF!", "#N/A"))  # row 1003: a deposit Excel shows as #REF!
    rows.append(("SE-EUR-1", "2018-05-10", 10, "SEB/last", "#N/A"))
    result = plan_import(deposits_workbook(rows, HEADER))
    assert not result.ok, "the row Excel shows as #REF! was skipped as blank and the file accepted"
    assert [(e.row, e.message) for e in result.errors] == [(0, MANY)]


def test_an_error_amount_after_1000_helper_errors_is_refused_as_an_error(app, db):
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    commitment("EUR", "15000000.00", reference="SE-EUR-1")
    rows = [("SE-EUR-1", "2018-05-10", 10, f"SEB/{n}", "#N/A") for n in range(1, 1002)]
    rows.append(("SE-EUR-1", "2018-05-10", "#DIV/0!", "SEB/x", "#N/A"))  # row 1003
    result = plan_import(deposits_workbook(rows, HEADER))
    assert [(e.row, e.message) for e in result.errors] == [(0, MANY)]


def test_a_thousand_helper_errors_are_no_refusal(app, db):
    """Up to the number noted, errors in a column the import does not read refuse nothing."""
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    commitment("EUR", "15000000.00", reference="SE-EUR-1")
    rows = [("SE-EUR-1", "2018-05-10", 10, f"SEB/{n}", "#N/A") for n in range(1, 1001)]
    result = plan_import(deposits_workbook(rows, HEADER))
    assert result.ok, [str(e) for e in result.errors[:3]]
