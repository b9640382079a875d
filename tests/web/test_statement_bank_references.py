"""A statement's deposits on the page and in its .xlsx share a key: the page shows each
deposit's bank reference, as its download does (a colleague's review as an auditor:
two deposits of one day and amount could not be told apart between the two)."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl

from tests.factories import statements as st


def test_each_bank_reference_of_the_download_is_on_the_page(client, login_as, db):
    donor = st.donor("Keyed Foundation")
    commitment = st.commitment(donor, "9000.00", reference="KEY-1")
    st.deposit(commitment, "2000.00", bank_reference="BANK-AAA", value_date=dt.date(2017, 10, 10))
    wrong = st.deposit(commitment, "2000.00", bank_reference="BANK-BBB", value_date=dt.date(2017, 10, 10))
    st.reverse(wrong, on=dt.date(2017, 10, 12), reason="Entered twice")
    db.session.commit()
    login_as("auditor")
    url = f"/statements/{donor.id}?from=2017-01-01&to=2017-12-31"
    ws = openpyxl.load_workbook(io.BytesIO(client.get(url + "&format=xlsx").data))["Deposits"]
    header = [c.value for c in ws[1]]
    refs = {row[header.index("Bank reference")] for row in ws.iter_rows(min_row=2, values_only=True)
            if row[header.index("Bank reference")]}
    assert refs == {"BANK-AAA", "BANK-BBB"}
    page = client.get(url).get_data(as_text=True)
    assert f"Reversal of #{wrong.id}" in page  # the page's key: a number the download lacks
    missing = sorted(ref for ref in refs if ref not in page)
    assert not missing, f"bank references of the download not on the page: {missing}"
