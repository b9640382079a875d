"""The audit trail holds no secret: no entry records a session token, a password
hash or any other credential, whatever the model and however the entry was built."""
from __future__ import annotations

import json

import sqlalchemy as sa

from tests.factories import PASSWORD, base_users
from trustfund.audit import AuditEntry, is_secret_column, record, secret_by_name, snapshot
from trustfund.extensions import db as _db

# Columns whose names sound secret but whose values are not (none yet): name, why.
NOT_SECRET: dict[str, str] = {}


def _models():
    return [mapper for mapper in _db.Model.registry.mappers]


def test_every_column_that_sounds_secret_is_marked_secret(app):
    """A column named like a secret (password_hash, session_token, api_key...) must
    carry the marker (info=audit.SECRET), so that snapshots leave it out."""
    unmarked = []
    for mapper in _models():
        for column in mapper.columns:
            if secret_by_name(column.key) and not is_secret_column(column) \
                    and f"{mapper.class_.__name__}.{column.key}" not in NOT_SECRET:
                unmarked.append(f"{mapper.class_.__name__}.{column.key}")
    assert unmarked == []
    marked = {f"{m.class_.__name__}.{c.key}" for m in _models() for c in m.columns if is_secret_column(c)}
    assert {"User.password_hash", "User.session_token"} <= marked


def test_no_snapshot_of_any_model_holds_a_secret(app, db):
    """One object of every model, each column filled: the snapshot has every column
    but the secrets (and the deferred running sums, which no one enters)."""
    for mapper in _models():
        obj = mapper.class_()
        for attr in mapper.column_attrs:
            setattr(obj, attr.key, f"secret-{attr.key}" if any(is_secret_column(c) for c in attr.columns)
                    else None)
        taken = snapshot(obj)
        secrets = {a.key for a in mapper.column_attrs if any(is_secret_column(c) for c in a.columns)}
        assert not secrets & set(taken), mapper.class_.__name__
        assert "secret-" not in json.dumps(taken, default=str), mapper.class_.__name__
        assert set(taken) == {a.key for a in mapper.column_attrs if not a.deferred} - secrets - \
            {a.key for a in mapper.column_attrs if secret_by_name(a.key)}


def test_a_hand_built_before_or_after_cannot_carry_a_secret(app, db):
    user = base_users()["auditor"]
    entry = record(None, "test.secret", user, before={"session_token": "abc", "password_hash": "x",
                                                      "api_key": "k", "name": "kept"},
                   after={"session_token": "def", "name": "kept"})
    assert entry.before == {"name": "kept"} and entry.after == {"name": "kept"}


def _all_entries_text(db) -> str:
    return json.dumps([(e.before, e.after) for e in db.session.scalars(sa.select(AuditEntry))], default=str)


def test_no_entry_of_a_users_life_records_a_session_token_or_hash(app, db, client, login_as):
    """Creating a user, changing their password, deactivating them, their logins and
    logouts: none of the entries holds the token or the hash (before this, every
    admin change of a user recorded the session token before and after)."""
    from trustfund.auth.models import User

    login_as("admin")
    assert client.post("/admin/users/new", data={
        "email": "life@example.org", "name": "Life", "role": "auditor", "donor_id": "0", "active": "y",
        "password": "a long enough password"}).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "life@example.org"))
    assert client.post(f"/admin/users/{user.id}", data={
        "email": user.email, "name": "Life", "role": "auditor", "donor_id": "0", "active": "y",
        "password": "another long password", "version": user.version}).status_code == 302
    other = app.test_client()
    assert other.post("/login", data={"email": "life@example.org",
                                      "password": "another long password"}).status_code == 302
    other.post("/logout")
    officer = base_users()["mptf_officer"]
    login = app.test_client().post("/login", data={"email": officer.email, "password": PASSWORD})
    assert login.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert client.post(f"/admin/users/{user.id}", data={
        "email": user.email, "name": "Life", "role": "auditor", "donor_id": "0",
        "version": user.version}).status_code == 302  # deactivated
    db.session.expire_all()
    text = _all_entries_text(db)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.object_type == "User")) >= 3
    for secret in {db.session.get(User, user.id).session_token, db.session.get(User, user.id).password_hash,
                   db.session.get(User, officer.id).session_token}:
        assert secret not in text
    assert "session_token" not in text and "password_hash" not in text
