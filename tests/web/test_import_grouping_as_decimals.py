"""An amount typed as text in a file, with a group separator from another convention
("250.000" is 250,000 in most of Europe), is refused beside the amount: it was read as
decimals whose extra digits are zeros and recorded 1000 times too small, JPY 250 for
"250.000", EUR 1.25 for "1.250" (the rule "no more decimals than the currency has"
compared the value, not the digits written). (Found by a colleague's review.)"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.factories.contributions import commitment
from tests.factories.workbooks import deposits_workbook
from trustfund.contributions import confirmed
from trustfund.contributions.importer import plan_import


@pytest.mark.parametrize("currency, committed, rate, text", [
    ("JPY", "50000000", "109.9", "250.000"),    # meant: JPY 250,000
    ("EUR", "1500000.00", "0.941", "1.250"),    # meant: EUR 1,250
])
def test_an_amount_with_more_decimal_digits_than_its_currency_is_refused(app, db, currency, committed,
                                                                         rate, text):
    confirmed.set_rate(None, currency, dt.date(2018, 5, 1), rate)
    commitment(currency, committed, reference="C-1")
    result = plan_import(deposits_workbook([("C-1", "2018-05-10", text)]))
    assert not result.ok, [(p.row, str(p.figures.amount)) for p in result.planned]
    assert [(e.row, e.column) for e in result.errors] == [(2, "amount")]
