"""The deposits import reads the "Value date" column when the file has one, not a
looser alias ("Date", a bank's booking date) that happens to come first. (Found by a
colleague's review: the booking date was the value date, and May's rate applied.)"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.factories.contributions import commitment
from tests.factories.workbooks import deposits_workbook
from trustfund.contributions import confirmed
from trustfund.contributions.importer import plan_import


def test_the_value_date_column_wins_over_a_date_column_before_it(app, db):
    # A bank statement: booking date first, then the value date; the officer adds the commitment.
    confirmed.set_rate(None, "EUR", dt.date(2018, 4, 1), "0.900")
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    commitment("EUR", "1500000.00", reference="SE-EUR-1")
    data = deposits_workbook([(dt.date(2018, 5, 2), "SE-EUR-1", dt.date(2018, 4, 28), 1000)],
                             ("Date", "Commitment", "Value date", "Amount"))
    result = plan_import(data)
    assert result.ok, result.errors
    figures = result.planned[0].figures
    # The deposit's value date is the one in the "Value date" column, and April's UN rate applies.
    assert figures.value_date == dt.date(2018, 4, 28)
    assert (figures.rate, figures.usd) == (Decimal("0.900"), Decimal("1111.11"))
