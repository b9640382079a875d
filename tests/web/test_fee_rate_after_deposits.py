"""A new fee rate takes effect after the value date of every deposit recorded (a
colleague's recomputation of the fund's figures): a rate confirmed from 1 Jan 2018
after a deposit of 1 Jun 2018 had been charged 1% left that deposit at 1% while the
fee schedule said 2% was in force that day, and the next deposit of the same day,
same amount, was charged 2%. A recorded fee is money recorded: never charged again."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import second_admin_confirms_setting
from tests.factories.contributions import commitment, deposit
from tests.pages import error_beside, text
from trustfund.admin.models import FEE_RATE, PENDING, SettingChange, setting_on
from trustfund.admin.setting_changes import form_version

D = Decimal
REFUSED = ("Deposits are recorded up to 1 Jun 2018, each charged the fee rate in force on its value date: "
           "a new rate takes effect after that day. Choose a later day.")


def _propose(client, day: str):
    return client.post(f"/admin/settings/{FEE_RATE}", data={"value": "0.02", "effective_from": day,
                                                           "version": form_version(FEE_RATE)})


def test_a_fee_rate_from_a_day_deposits_were_charged_is_refused_beside_its_day(app, db, client, login_as):
    deposit(commitment("USD", "100000.00"), D("10000.00"), value_date=dt.date(2018, 6, 1))
    db.session.commit()
    login_as("admin")
    for day in ("2018-01-01", "2018-06-01"):
        page = _propose(client, day)
        assert page.status_code == 200
        assert REFUSED in error_beside(page.get_data(as_text=True), "effective_from")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SettingChange)) == 0
    assert _propose(client, "2018-06-02").status_code == 302  # the next day: it waits


def test_a_deposit_recorded_while_a_rate_waits_refuses_its_confirmation(app, db, client, login_as):
    login_as("admin")
    assert _propose(client, "2018-01-01").status_code == 302
    charged = deposit(commitment("USD", "100000.00"), D("10000.00"), value_date=dt.date(2018, 6, 1))
    assert charged.fee == D("100.00")  # 1%: the new rate waits
    db.session.commit()
    assert REFUSED in text(second_admin_confirms_setting(app, FEE_RATE))
    db.session.expire_all()
    assert setting_on(FEE_RATE, dt.date(2018, 6, 1)) == D("0.01")
    assert db.session.scalar(sa.select(SettingChange.status)) == PENDING  # it still waits, to be refused
