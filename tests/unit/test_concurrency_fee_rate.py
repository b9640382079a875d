"""A new fee rate confirmed while a deposit dated on or after its first day is being
recorded, from parallel threads each with its own session and connection (as gunicorn
workers would): the deposit is charged the rate in force on its value date, or it is
not recorded, and the fee schedule agrees with every deposit (`flask check`). Before,
a deposit that read the old rate just before the confirmation committed kept it on a
day the schedule says 2% was in force; a confirmation that checked the deposits just
before one committed did the same. PostgreSQL only: on SQLite the deposit's form token
(its first write) takes the database's one write lock, and the confirmation waits."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import base_users
from tests.factories.contributions import commitment
from tests.security.helpers import Attempt
from trustfund.admin import services as admin_services
from trustfund.admin import setting_changes
from trustfund.admin.models import FEE_RATE, setting_on
from trustfund.auth.models import User
from trustfund.contributions import ledger
from trustfund.contributions.models import Commitment, Deposit
from trustfund.ledger_check import run_checks

FIRST_DAY, VALUE_DATE = dt.date(2018, 7, 1), dt.date(2018, 7, 5)
CHANGED = ("refused: The Administrative Agent fee rate was changed while this was being recorded: nothing "
           "was recorded. Send it again to record it at the rate now in force.")


def _set_up(db):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: one writer at a time, so no confirmation commits inside a deposit's recording")
    users = base_users()
    commitment_id = commitment("USD", "100000.00").id
    change_id = setting_changes.propose(users["admin"], FEE_RATE, "0.02", FIRST_DAY).id
    db.session.commit()
    return users["mptf_officer"].id, users["admin2"].id, commitment_id, change_id


def _deposit(db, officer_id, commitment_id):
    def work():
        officer, target = db.session.get(User, officer_id), db.session.get(Commitment, commitment_id)
        done = ledger.record_deposit(officer, target,
                                     value_date=VALUE_DATE, amount="10000.00", bank_reference="BANK/JULY")
        db.session.commit()
        return f"recorded at {done.fee_rate}"
    return work


def _confirm(db, admin_id, change_id):
    def work():
        setting_changes.confirm(db.session.get(User, admin_id), change_id)
        db.session.commit()
        return "confirmed"
    return work


def _agrees(db, outcomes):
    db.session.expire_all()
    assert setting_on(FEE_RATE, VALUE_DATE) == Decimal("0.02") or "refused" in outcomes[1], outcomes
    for deposit in db.session.scalars(sa.select(Deposit)):
        assert deposit.fee_rate == setting_on(FEE_RATE, deposit.value_date), outcomes
    assert run_checks() == []


def test_a_rate_confirmed_after_the_deposit_read_the_old_one_refuses_the_deposit(app, db, monkeypatch):
    officer_id, admin_id, commitment_id, change_id = _set_up(db)
    read, confirmed = threading.Event(), threading.Event()
    real = ledger.deposit_figures

    def read_then_wait(*args, **kwargs):
        figures = real(*args, **kwargs)
        read.set()
        confirmed.wait(timeout=10)
        return figures

    monkeypatch.setattr(ledger, "deposit_figures", read_then_wait)
    deposit = Attempt(app, _deposit(db, officer_id, commitment_id)).start()
    assert read.wait(timeout=30)
    confirmation = Attempt(app, _confirm(db, admin_id, change_id)).start()
    confirmation.join(timeout=30)
    confirmed.set()
    outcomes = [deposit.join(timeout=30), confirmation.outcome]
    assert outcomes == [CHANGED, "confirmed"], outcomes
    _agrees(db, outcomes)


def test_a_deposit_recorded_after_the_confirmation_checked_the_deposits_waits_and_is_refused(app, db,
                                                                                            monkeypatch):
    officer_id, admin_id, commitment_id, change_id = _set_up(db)
    checked = threading.Event()
    real = admin_services._check_fee_after_deposits
    holder = {}

    def check_then_let_the_deposit_try(effective_from):
        real(effective_from)
        checked.set()
        holder["deposit"].done.wait(timeout=3)  # it waits for the pools this confirmation holds

    monkeypatch.setattr(admin_services, "_check_fee_after_deposits", check_then_let_the_deposit_try)
    confirmation = Attempt(app, _confirm(db, admin_id, change_id))
    holder["deposit"] = deposit = Attempt(app, _deposit(db, officer_id, commitment_id))
    confirmation.start()
    assert checked.wait(timeout=30)
    deposit.start()
    outcomes = [deposit.join(timeout=30), confirmation.join(timeout=30)]
    assert outcomes == [CHANGED, "confirmed"], outcomes
    _agrees(db, outcomes)


def test_an_import_planned_before_a_new_fee_rate_was_confirmed_records_nothing(app, db):
    """The import reads the fee rates in its plan and writes them after: a rate confirmed
    in between (here written before the writing) is found once its pools are held."""
    import io

    from openpyxl import Workbook

    from trustfund.admin.models import Setting
    from trustfund.contributions import importer

    commitment("USD", "100000.00", reference="US-JULY")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Deposits")
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference"])
    sheet.append(["US-JULY", VALUE_DATE, "10000.00", "USD", "", "", "BANK/JULY"])
    data = io.BytesIO()
    book.save(data)
    planned = importer.plan_import(data.getvalue())
    assert planned.ok, planned.errors
    db.session.add(Setting(key=FEE_RATE, value="0.02", effective_from=FIRST_DAY))
    db.session.flush()
    result = importer.post_import(base_users()["mptf_officer"], planned)
    assert not result.ok and CHANGED.removeprefix("refused: ") in str(result.errors)
    db.session.rollback()  # as its caller does when the result is not ok
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 0
