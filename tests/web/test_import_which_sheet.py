"""Without a sheet named "Deposits", the import reads the first sheet the workbook
shows, not a hidden one (a list its formulas look up), and a refusal of the header row
names the sheet it read. (Found by a colleague's review: the hidden first sheet was
read, and the officer told "the header row has no “Commitment” column" while the sheet
they saw had it in row 1.)"""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from tests.factories.contributions import commitment
from trustfund.contributions import confirmed
from trustfund.contributions.importer import plan_import


def _book(hidden_first: bool, header=("Commitment", "Value date", "Amount")) -> bytes:
    wb = Workbook()
    lists = wb.active
    lists.title = "Lists"
    if hidden_first:
        lists.sheet_state = "hidden"
    lists.append(["Donor", "Code"])
    data = wb.create_sheet("Sheet1")
    data.append(list(header))
    data.append(["SE-EUR-1", "2018-05-10", 1000])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_hidden_first_sheet_is_not_the_one_read(app, db):
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    commitment("EUR", "1500000.00", reference="SE-EUR-1")
    result = plan_import(_book(hidden_first=True))
    assert result.ok, [str(e) for e in result.errors]
    assert [p.row for p in result.planned] == [2]


def test_a_refused_header_names_the_sheet_read(app, db):
    result = plan_import(_book(hidden_first=False))
    assert not result.ok
    assert [e.message for e in result.errors][0] == \
        "The header row of the sheet “Lists” has no “Commitment” column."
