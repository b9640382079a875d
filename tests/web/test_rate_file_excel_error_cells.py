"""A rates workbook whose cells hold an Excel error (#N/A of a VLOOKUP that found
nothing, #REF!): calamine reads such a cell as empty. The deposits import refuses them
by row and column ("The cell holds an Excel error"); the rates import does not look:
a row Excel shows as #N/A #N/A #N/A is skipped as blank (the preview and the import say
nothing of it, and the month stays without its rate), and a #N/A rate is refused as
"Enter the rate." beside a cell that is not empty."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook

from tests.factories.contributions import commitment
from tests.pages import table_rows
from trustfund.contributions import confirmed


def _rates_workbook(rows) -> bytes:
    """A Rates sheet; every cell written "#N/A" becomes a cell holding that Excel error
    (t="e"), as Excel saves a formula whose result is #N/A."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Rates"
    sheet.append(["Currency", "Month", "Rate"])
    for row in rows:
        sheet.append(list(row))
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>#N/A</t></is></c>',
                              rb'<c r="\1" t="e"><v>#N/A</v></c>', data)
            target.writestr(info, data)
    return out.getvalue()


def test_a_row_of_excel_errors_in_a_rates_file_is_refused_by_its_row(app, db, client, login_as):
    commitment("JPY", "10000000", reference="JP-1")
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    db.session.commit()
    login_as("mptf_officer")
    data = _rates_workbook([("EUR", "2018-06", "0.857"),
                            ("#N/A", "#N/A", "#N/A"),      # row 3: three lookups that found nothing
                            ("EUR", "2018-07", "0.861")])
    answer = client.post("/contributions/rates/import", data={"file": (io.BytesIO(data), "rates.xlsx")},
                         content_type="multipart/form-data")
    html = answer.get_data(as_text=True)
    if answer.status_code == 302:
        html = client.get(answer.headers["Location"]).get_data(as_text=True)
    problems = table_rows(html, "rates-errors") if 'id="rates-errors"' in html else []
    assert problems == [["3", column, "The cell holds an Excel error (such as #REF! or #N/A), not a value: "
                         "correct it in the workbook."] for column in ("Currency", "Month", "Rate")], \
        f"row 3 (#N/A #N/A #N/A) was not refused by its cells: {problems}, status {answer.status_code}"


def test_a_rate_cell_holding_an_excel_error_is_not_called_empty(app, db, client, login_as):
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    db.session.commit()
    login_as("mptf_officer")
    data = _rates_workbook([("EUR", "2018-06", "#N/A")])
    answer = client.post("/contributions/rates/import", data={"file": (io.BytesIO(data), "rates.xlsx")},
                         content_type="multipart/form-data")
    assert answer.status_code == 200
    assert table_rows(answer.get_data(as_text=True), "rates-errors") == [[
        "2", "Rate", "The cell holds an Excel error (such as #REF! or #N/A), not a value: correct it in the "
        "workbook."]]
