"""An admin typing a new password for an account is a security act (the admin can then
sign in as that user): the audit trail says a password was typed, at once or once a
second admin confirmed it. (Found by a colleague's review: it said "Changed by
<admin>." with nothing listed: the hash is a secret, left out of every snapshot.)"""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories import base_users
from trustfund.audit import AuditEntry
from trustfund.audit_text import describe_many
from trustfund.auth.models import User


def test_a_password_typed_by_an_admin_is_said_in_the_audit_trail(app, client, login_as, db):
    login_as("admin")
    auditor = base_users()["auditor"]
    answer = client.post(f"/admin/users/{auditor.id}", data={
        "email": auditor.email, "name": auditor.name, "role": "auditor", "donor_id": 0, "active": "y",
        "version": auditor.version, "password": "a brand new long password"}, follow_redirects=True)
    assert "saved" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, auditor.id).check_password("a brand new long password")
    [entry] = db.session.scalars(sa.select(AuditEntry)
                                 .where(AuditEntry.action == "user.password_typed")).all()
    [told] = describe_many([entry])
    assert told.sentence == ("admin typed a new password for this account: its sessions ended, and it signs "
                             "in with that password until its user chooses another.")


def test_a_password_typed_for_an_officer_and_confirmed_is_said_in_the_audit_trail(app, client, login_as, db):
    from tests.factories import second_admin_confirms

    login_as("admin")
    officer = base_users()["mptf_officer"]
    client.post(f"/admin/users/{officer.id}", data={
        "email": officer.email, "name": officer.name, "role": "mptf_officer", "donor_id": 0, "active": "y",
        "version": officer.version, "password": "a brand new long password"}, follow_redirects=True)
    second_admin_confirms(app, officer.email)
    db.session.expire_all()
    assert db.session.get(User, officer.id).check_password("a brand new long password")
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("user%"))
                                 .order_by(AuditEntry.id)).all()
    told = describe_many(entries)
    words = " ".join(t.sentence + " " + " ".join(c.text for c in t.changes) for t in told)
    # Named: the admin who typed it (and could sign in with it), not admin2 who confirmed
    # the change without seeing it. (Found by a colleague's review: it named admin2.)
    assert "admin typed a new password for this account" in words, words
    assert "admin2 typed" not in words, words
