"""Closing a year while an officer records a deposit dated in it, from two threads
each with its own application context, session and database connection (as two
gunicorn workers would), on SQLite and on PostgreSQL. The deposit's check "is the
year open?" passes before the closing; the closing then reads the year's position;
only then does the deposit write. The deposit must not slip into the closed year
unseen by its figures: it is refused as dated in a closed year, and the year's
statement and its ledger check agree with the deposits on record."""
from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from tests.factories import base_users
from tests.factories import statements as data
from tests.factories.statements import D
from tests.security.helpers import Attempt
from trustfund.auth.models import User
from trustfund.closure import years
from trustfund.contributions import ledger, services
from trustfund.contributions.models import Commitment, Deposit
from trustfund.ledger_check import run_checks
from trustfund.statements.services import statement

LAST_DAY = dt.date(2017, 12, 31)


def test_a_deposit_checked_before_the_year_closes_and_written_after_is_refused(app, db, monkeypatch):
    users = base_users()
    donor = data.donor()
    commitment = data.commitment(donor, "500000.00")
    data.deposit(commitment, "1000.00", value_date=dt.date(2017, 6, 1), fee_rate="0")
    db.session.commit()
    officer_id, commitment_id, donor_id = users["mptf_officer"].id, commitment.id, donor.id
    checked, position_read = threading.Event(), threading.Event()

    real_add, real_position = ledger.add_to_loaded_commitment, years.position_on

    def add_after_the_closing_read(c, *amounts):
        # In the deposit's thread: the year was open when checked; write once the
        # closing has read the year's position.
        checked.set()
        position_read.wait(timeout=30)
        return real_add(c, *amounts)

    def position_then_let_the_deposit_write(on):
        position = real_position(on)
        position_read.set()
        deposit.done.wait(timeout=3)  # the deposit writes now, if nothing makes it wait
        return position

    monkeypatch.setattr(ledger, "add_to_loaded_commitment", add_after_the_closing_read)
    monkeypatch.setattr(years, "position_on", position_then_let_the_deposit_write)

    def record_deposit() -> str:
        actor = db.session.get(User, officer_id)
        target = db.session.get(Commitment, commitment_id)
        db.session.commit()  # end the read; the deposit starts its own transaction
        services.record_deposit(actor, target, value_date=LAST_DAY, amount="500.00", rate="1",
                                bank_reference="LATE/2017")
        db.session.commit()
        return "recorded"

    deposit = Attempt(app, record_deposit).start()
    assert checked.wait(timeout=30)
    years.close_year(users["admin"], 2017, report_reference="Annual financial report 2017")
    db.session.commit()
    outcome = deposit.join(timeout=60)
    db.session.expire_all()

    assert outcome.startswith("refused: "), outcome
    assert "2017 is a closed year: nothing may be dated in it." in outcome
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 1
    year = statement(db.session.get(type(donor), donor_id), dt.date(2017, 1, 1), LAST_DAY)
    assert year.closing == D("1000.00")
    assert run_checks() == []
