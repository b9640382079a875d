"""A user change waiting for a second admin, confirmed by two admins one just after the
other, each in a thread of its own with its own application context, session and
database connection (as gunicorn workers would), on SQLite and on PostgreSQL. The
losing admin's page read the change as waiting; the winner's confirmation commits
(applying the change moves the user's version) before the loser's is sent. The loser
is told the change was already decided, never that it is "stale" (proposed on an
older version of the user): the version moved because the change itself was applied."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from tests.factories import make_user
from tests.security.helpers import Attempt
from trustfund.admin import user_changes
from trustfund.admin.models import CONFIRMED, PENDING, UserChange
from trustfund.audit import AuditEntry
from trustfund.auth.models import User

ALREADY = "refused: This change was already decided: nothing was done."


def test_an_admin_who_read_a_change_waiting_and_confirms_it_after_another_is_told_it_was_decided(
        app, db, users):
    auditor = users["auditor"]
    change = user_changes.submit_user(users["admin"], auditor, email=auditor.email, name=auditor.name,
                                      role="srsg_staff", donor_id=None, active=True, password=None,
                                      version=auditor.version)
    admin3_id = make_user("admin", "admin3@test.example").id
    db.session.commit()
    change_id, auditor_id, admin2_id = change.id, auditor.id, users["admin2"].id
    read, decided = threading.Event(), threading.Event()

    def loser():
        # The loser's page: the change read as waiting (the user not loaded).
        seen = db.session.get(UserChange, change_id)
        assert seen.status == PENDING
        actor = db.session.get(User, admin3_id)
        read.set()
        assert decided.wait(timeout=30)
        done = user_changes.confirm(actor, change_id)
        db.session.commit()
        return done.status

    def winner():
        assert read.wait(timeout=30)
        done = user_changes.confirm(db.session.get(User, admin2_id), change_id)
        db.session.commit()
        return done.status

    late = Attempt(app, loser).start()
    first = Attempt(app, winner).start()
    won = first.join()
    decided.set()
    lost = late.join()

    assert (won, lost) == (CONFIRMED, ALREADY)
    db.session.expire_all()
    assert db.session.get(User, auditor_id).role == "srsg_staff"
    decided_change = db.session.get(UserChange, change_id)
    assert decided_change.status == CONFIRMED and decided_change.decided_by_id == admin2_id
    updates = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "user.update", AuditEntry.object_id == str(auditor_id)))
    assert updates == 1
