"""A donor's statement lists its share of spending only for the pools it has, or had,
money in: it listed every pool that spent anything, with "All donors' net deposits in
the pool", and a pool one other donor alone funds showed that donor's net deposits to
the cent (page, print, PDF and .xlsx; a colleague's review of a donor's view)."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pypdf

from tests.factories import statements as data
from trustfund import demo

SECRET = "122,222.43"


def test_a_pool_the_donor_never_funded_is_not_on_its_statement(client, login_as, db):
    sweden, other = demo.demo_donor(), data.donor("Quiet Foundation")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(other, "123457.00", objective_number=1), "123457.00",
                 value_date=dt.date(2017, 5, 3))  # net 122,222.43 after the 1% fee
    data.spend(data.pool("OBJ1"), "1000.00", reconciled_on=dt.date(2017, 7, 1))
    data.spend(data.pool(), "300.00", reconciled_on=dt.date(2017, 7, 1))
    db.session.commit()
    login_as("donor")
    page = client.get(f"/statements/{sweden.id}").get_data(as_text=True)
    printed = client.get(f"/statements/{sweden.id}?print=1").get_data(as_text=True)
    pdf = client.get(f"/statements/{sweden.id}?format=pdf")
    pdf_text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/statements/{sweden.id}?format=xlsx").data))
    cells = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    leaks = [where for where, found in (("page", SECRET in page), ("print", SECRET in printed),
                                        ("pdf", SECRET in pdf_text), ("xlsx", 122222.43 in cells))
             if found]
    assert not leaks, f"the other donor's net deposits ({SECRET}) are on Sweden's statement: {leaks}"
    # Its own pool is there, with its share of the 300.00 spent.
    assert "29,700.00" in page and "300.00" in page
