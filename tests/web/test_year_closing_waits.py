"""A year is not closed while a change dated in it waits for a second person: once
closed, the change could never be confirmed (a closed year refuses it), and the
year's stored figures would be kept without it. December's interest proposed by one
officer was lost so, without a word to the admin (a colleague's review of the
year-end)."""
import datetime as dt

import sqlalchemy as sa

from tests.factories import statements as data
from tests.pages import text
from trustfund.contributions import interest_changes
from trustfund.fund.models import AccountingYear

WAITS = ("Changes dated in 2017 wait for a second person: 1 interest entry. Confirm, refuse or withdraw them "
         "first: once 2017 is closed, none of them could be confirmed, and its figures would be kept without "
         "them.")


def test_a_year_with_interest_waiting_is_not_closed_until_it_is_decided(app, db, client, login_as, users):
    c = data.commitment(data.donor("Alpha"), "100000.00")
    data.deposit(c, "100000.00", value_date=dt.date(2017, 5, 2))
    proposal = interest_changes.propose(users["mptf_officer"], value_date=dt.date(2017, 12, 31),
                                        usd_amount="812.40", note="Interest Q4 2017")
    interest_changes.propose(users["mptf_officer"], value_date=dt.date(2018, 1, 31),
                             usd_amount="100.00", note="Interest January 2018")  # 2018: no matter
    db.session.commit()
    login_as("admin")
    assert WAITS in text(client.get("/fund/years/2017/close").get_data(as_text=True))
    answer = client.post("/fund/years/2017/close", data={"report_reference": "Annual report 2017"},
                         follow_redirects=True)
    assert WAITS in text(answer.get_data(as_text=True))
    assert db.session.scalar(sa.select(AccountingYear.year)) is None
    # The second officer confirms it: the year closes, with December's interest in it.
    interest_changes.confirm(users["mptf_officer2"], proposal.id)
    db.session.commit()
    page = text(client.get("/fund/years/2017/close").get_data(as_text=True))
    assert "wait for a second person" not in page
