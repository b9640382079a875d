"""A setting's new value waiting for a second admin, confirmed by two admins at once
and by one of them twice, and two values of one setting proposed at once, from
parallel threads each with its own application context, session and database
connection (as gunicorn workers would), on SQLite and on PostgreSQL: the value is
set once, and one value waits per setting."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import base_users, make_user
from tests.security.helpers import Attempt, all_read_before_any_decides
from trustfund.admin import setting_changes
from trustfund.admin.models import CONFIRMED, OVERRUN_TOLERANCE, PENDING, Setting, SettingChange, setting_on
from trustfund.audit import AuditEntry
from trustfund.auth.models import User

ALREADY = "refused: This change was already decided: nothing was done."
WAITS = "refused: A new value of this setting already waits for another administrator. It must be " \
        "confirmed, refused or withdrawn first."


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_two_admins_confirming_one_value_at_once_set_it_once(app, db, monkeypatch):
    admin3_id = make_user("admin", "admin3@test.example").id
    users = base_users()
    change_id = setting_changes.propose(users["admin"], OVERRUN_TOLERANCE, "150", dt.date(2018, 1, 1)).id
    db.session.commit()
    deciders = [users["admin2"].id, admin3_id, users["admin2"].id]
    # Each confirmation has read the waiting value before any decides.
    all_read_before_any_decides(monkeypatch, len(deciders))

    def confirm_as(user_id):
        def work():
            done = setting_changes.confirm(db.session.get(User, user_id), change_id)
            db.session.commit()
            return done.status
        return work

    started = [Attempt(app, confirm_as(user_id)).start() for user_id in deciders]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert sorted(outcomes) == sorted([CONFIRMED, ALREADY, ALREADY]), outcomes
    db.session.expire_all()
    assert setting_on(OVERRUN_TOLERANCE, dt.date(2018, 6, 1)) == Decimal("150.00")
    assert _count(db, Setting, Setting.key == OVERRUN_TOLERANCE) == 1
    assert _count(db, AuditEntry, AuditEntry.action == "setting.set") == 1
    assert _count(db, AuditEntry, AuditEntry.action == "setting_change.confirm") == 1


def test_two_admins_proposing_a_value_of_one_setting_at_once_leave_one_waiting(app, db):
    admin3_id = make_user("admin", "admin3@test.example").id
    users = base_users()
    proposers = [(users["admin"].id, "150"), (users["admin2"].id, "200"), (admin3_id, "250")]
    # Each has looked for a waiting value, and found none, before any proposes.
    all_looked = threading.Barrier(len(proposers), timeout=30)
    real_waiting_for = setting_changes.waiting_for

    def look_then_wait(key):
        found = real_waiting_for(key)
        all_looked.wait()
        return found

    setting_changes.waiting_for = look_then_wait
    try:
        def propose_as(user_id, value):
            def work():
                done = setting_changes.propose(db.session.get(User, user_id), OVERRUN_TOLERANCE, value,
                                               dt.date(2018, 1, 1))
                db.session.commit()
                return done.status
            return work

        started = [Attempt(app, propose_as(user_id, value)).start() for user_id, value in proposers]
        outcomes = [attempt.join(timeout=60) for attempt in started]
    finally:
        setting_changes.waiting_for = real_waiting_for
    assert sorted(outcomes) == sorted([PENDING, WAITS, WAITS]), outcomes
    db.session.expire_all()
    assert _count(db, SettingChange, SettingChange.status == PENDING) == 1
    assert _count(db, AuditEntry, AuditEntry.action == "setting_change.propose") == 1
