"""A reversal of an old deposit is dated today but is not 'charged the fee rate in
force on its value date' (it carries its original's fee_rate and the exact opposite fee):
it must not push the first day a new fee rate may take effect to tomorrow (a review of
the change that brought the rule)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.factories.contributions import commitment, deposit, officer
from tests.pages import error_beside
from trustfund import clock
from trustfund.admin.models import FEE_RATE
from trustfund.admin.setting_changes import form_version
from trustfund.contributions import confirmed

D = Decimal


def test_a_reversal_dated_today_does_not_refuse_a_rate_after_every_real_deposit(app, db, client, login_as):
    c = commitment("USD", "100000.00")
    original = deposit(c, D("10000.00"), value_date=dt.date(2018, 5, 10))
    reversal = confirmed.reverse_deposit(officer(), original, "Booked to the wrong donor")
    db.session.commit()
    assert reversal.value_date == clock.today()  # dated today ...
    assert reversal.fee_rate == original.fee_rate  # ... at its original's rate, not today's
    login_as("admin")
    # Every deposit actually charged a rate is of 10 May 2018: a rate from 1 Jun 2018 charges none.
    page = client.post(f"/admin/settings/{FEE_RATE}", data={
        "value": "0.02", "effective_from": "2018-06-01", "version": form_version(FEE_RATE)})
    assert page.status_code == 302, error_beside(page.get_data(as_text=True), "effective_from")
