"""An amount Excel computed (=B2+C2: the bank's credit plus its charges) is saved in
the workbook as the double it is, with 17 significant digits (2023.6799999999998 for
1,234.56 + 789.12), and Excel shows it as 2,023.68. The import reads it to the last
binary digit and refuses the row: "EUR amounts have at most 2 decimal places", beside a
cell that shows two. Excel itself holds 15 significant digits; read at those, the cell
is the 2,023.68 the officer sees (and the typed-in form takes)."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook

from tests.factories.contributions import commitment
from trustfund.contributions import confirmed
from trustfund.contributions.models import Deposit


def _as_excel_saves_it(shown: float, stored: str) -> bytes:
    """A deposits workbook whose Amount cell holds `stored`, as Excel writes a formula's
    double (openpyxl writes the short form; the sheet's XML is rewritten as Excel's)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Deposits"
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference",
                  "Separate transfer note"])
    sheet.append(["SE-EUR-1", dt.datetime(2018, 5, 10), shown, "EUR", None, None, "SEB/2023", None])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert f"<v>{shown!r}</v>".encode() in data
                data = data.replace(f"<v>{shown!r}</v>".encode(), f"<v>{stored}</v>".encode())
            target.writestr(info, data)
    return out.getvalue()


def test_an_amount_excel_summed_is_read_as_excel_shows_it(app, db, client, login_as):
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    commitment("EUR", "1500000.00", reference="SE-EUR-1")
    db.session.commit()
    login_as("mptf_officer")
    assert repr(1234.56 + 789.12) == "2023.6799999999998"  # what =1234.56+789.12 holds
    data = _as_excel_saves_it(2023.68, repr(1234.56 + 789.12))
    answer = client.post("/contributions/deposits/import", data={"file": (io.BytesIO(data), "bank.xlsx")},
                         content_type="multipart/form-data")
    html = answer.get_data(as_text=True)
    assert "EUR amounts have at most 2 decimal places" not in html
    assert answer.status_code == 302, html
    location = answer.headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "2,023.68" in page
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', page).group(1)
    assert client.post(location + "/confirm", data={"seen": seen}).status_code == 302
    assert db.session.scalar(sa.select(Deposit.amount)) == Decimal("2023.68")
