"""The deposits import's columns (importer._columns): among a column's aliases the more
specific wins wherever it stands: a bank's own "Reference" column left of the officer's
"Commitment reference" is not the commitment. (Found by a colleague's review: every row
was refused as an unknown commitment.)"""
from __future__ import annotations

import datetime as dt

from tests.factories.contributions import commitment
from tests.factories.workbooks import deposits_workbook
from trustfund.contributions import confirmed
from trustfund.contributions.importer import plan_import


def test_commitment_reference_beats_a_bank_s_reference_column(app, db):
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    commitment("EUR", "1500000.00", reference="SE-EUR-1")
    data = deposits_workbook([("SEB-TRF-0001", "SE-EUR-1", "2018-05-10", 1000)],
                             ("Reference", "Commitment reference", "Value date", "Amount"))
    result = plan_import(data)
    assert result.ok, [(e.row, e.column, e.message) for e in result.errors]
