"""A deposit reversed after a closed year fixed its donor's share of that year's spending
leaves the donor's balance below zero: the note under it names that cause beside
interest. (Found by a colleague's review: it said the spending "was paid from the
fund's interest and other income" in a fund that had earned none.)"""
from __future__ import annotations

import datetime as dt

from tests.factories import base_users
from tests.factories import statements as data
from tests.factories.statements import D
from trustfund import demo
from trustfund.closure.years import close_year
from trustfund.contributions import confirmed
from trustfund.statements import shares

NOTE = "was paid from the fund’s interest and other income"  # the old note's claim


def test_a_balance_below_zero_with_no_interest_in_the_fund_is_not_blamed_on_interest(client, login_as, db,
                                                                                      users):
    sweden, other = demo.demo_donor(), data.donor("Other donor")
    mine = data.deposit(data.commitment(sweden, "100000.00"), "100000.00", fee_rate="0",
                        value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(other, "100000.00"), "100000.00", fee_rate="0",
                 value_date=dt.date(2017, 5, 2))
    data.spend(data.pool(), "100000.00", reconciled_on=dt.date(2017, 7, 1))
    db.session.commit()
    close_year(base_users()["admin"], 2017, report_reference="Annual report 2017")
    db.session.commit()
    confirmed.reverse_deposit(users["mptf_officer"], mine, "Booked to the wrong donor")
    db.session.commit()
    today = shares.position_on(dt.date.today())
    assert today.balance(sweden.id) == D("-50000.00")  # its 2017 share stays (closed year)
    login_as("donor")
    portal = client.get("/statements/portal").get_data(as_text=True)
    assert "-USD\xa050,000.00" in portal
    assert NOTE not in portal  # no interest, no other income: the note's reason is false
    assert "or a deposit was reversed after the closing of a year in which its money was spent" in portal
