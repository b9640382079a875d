"""What a donor reads under the deposits (statement and portal) is true of every row:
it said every deposit was "at the UN operational rate of exchange of the value date's
month", of a deposit recorded at a rate agreed for it (the bank's conversion, typed
with a note) and of a reversal dated months later at its deposit's rate."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from tests.factories.contributions import commitment, deposit, officer, un_rate
from tests.pages import words
from trustfund.contributions.confirmed import reverse_deposit

NOTE = ("US dollars at the rate recorded with each deposit (units of currency per US dollar): the UN "
        "operational rate of exchange of its value date’s month, unless another rate was agreed for it. "
        "A reversal is shown as a negative entry, at its deposit’s rate. The Administrative Agent fee is "
        "deducted at deposit.")
OLD_CLAIM = "US dollars at the UN operational rate of exchange of the value date’s month"


def _deposits(db):
    un_rate("EUR", dt.date(2018, 5, 1), "0.941")
    c = commitment("EUR", "2000.00", committed_on=dt.date(2018, 5, 2))
    typed = deposit(c, D("1000.00"), rate="0.95", value_date=dt.date(2018, 5, 10),
                    note="The bank's conversion on the day")
    at_un_rate = deposit(c, D("1000.00"), value_date=dt.date(2018, 5, 11))
    reversal = reverse_deposit(officer(), at_un_rate, "Entered against the wrong commitment")
    db.session.commit()
    assert (typed.rate, typed.usd_amount) == (D("0.95"), D("1052.63"))  # not May's 0.941: 1,062.70
    assert reversal.rate == D("0.941") and reversal.value_date.year > 2018
    return c


def test_the_statement_says_each_deposit_is_at_its_recorded_rate(app, db, client, login_as):
    c = _deposits(db)
    login_as("donor")
    page = words(client.get(f"/statements/{c.donor_id}").get_data(as_text=True))
    assert "1,052.63" in page and "-1,062.70" in page
    assert NOTE in page and OLD_CLAIM not in page


def test_the_portal_says_each_deposit_is_at_its_recorded_rate(app, db, client, login_as):
    _deposits(db)
    login_as("donor")
    page = words(client.get("/statements/portal").get_data(as_text=True))
    assert "1,052.63" in page and "-1,062.70" in page
    assert NOTE in page and OLD_CLAIM not in page
