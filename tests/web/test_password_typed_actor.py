"""The audit entry "typed a new password for this account" must name the admin who
typed it (who can sign in as the user), not the second admin who confirmed the change
without ever seeing the password."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories import base_users, second_admin_confirms
from trustfund.audit import AuditEntry
from trustfund.audit_text import describe_many


def test_the_password_typed_entry_names_the_admin_who_typed_it(app, client, login_as, db):
    typist = login_as("admin")
    officer = base_users()["mptf_officer"]
    client.post(f"/admin/users/{officer.id}", data={
        "email": officer.email, "name": officer.name, "role": "mptf_officer", "donor_id": 0, "active": "y",
        "version": officer.version, "password": "a brand new long password"}, follow_redirects=True)
    second_admin_confirms(app, officer.email)
    db.session.expire_all()
    [entry] = db.session.scalars(sa.select(AuditEntry)
                                 .where(AuditEntry.action == "user.password_typed")).all()
    [told] = describe_many([entry])
    assert entry.user_id == typist.id, told.sentence
