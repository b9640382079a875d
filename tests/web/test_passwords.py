"""Invitations and password resets (issue 20): single-use links sent by email, kept
hashed; a reset asked for an unknown address is answered like a known one; setting a
password ends the user's sessions; the password policy."""
from __future__ import annotations

import datetime as dt
import re
import statistics
import time

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, second_admin_confirms
from trustfund.audit import utcnow
from trustfund.auth.models import PasswordToken, ResetRequest, User
from trustfund.mail.models import OutboxMessage

BASE = "https://trustfund.test.example"
LINK = re.compile(re.escape(BASE) + r"(/password/\d+/[A-Za-z0-9_-]+)")
NEW = "violet harbour seven lanterns"
ANSWER = "If an account has this address, a link to choose a new password is on its way to it."


def _link(smtp_server, address: str) -> str:
    [mail] = smtp_server.to(address)
    return LINK.search(mail.get_body(preferencelist=("plain",)).get_content()).group(1)


def _send(runner) -> str:
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return result.output


def _invite(client, login_as, email="new.person@example.org", name="Nadia Haddad"):
    login_as("admin")
    answer = client.post("/admin/users/new", data={"email": email, "name": name, "role": "auditor",
                                                   "donor_id": 0, "active": "y", "password": ""})
    assert answer.status_code == 302
    client.post("/logout")


def _login(client, email: str, password: str) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def _set(client, path: str, password: str = NEW, confirm: str | None = None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def test_an_invited_user_chooses_a_password_with_the_link_once(app, client, login_as, db, runner,
                                                               smtp_server):
    _invite(client, login_as)
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.org"))
    assert _login(client, user.email, PASSWORD) == 200  # no password anyone knows
    assert "1 message(s) sent" in _send(runner)
    [mail] = smtp_server.to("new.person@example.org")
    assert mail["Subject"] == "Your Trustfund account: choose your password"
    path = _link(smtp_server, "new.person@example.org")
    token = db.session.scalar(sa.select(PasswordToken).where(PasswordToken.user_id == user.id))
    assert token.expires_at - token.created_at == dt.timedelta(hours=72)
    secret = path.rsplit("/", 1)[1]
    stored = db.session.execute(sa.select(PasswordToken.__table__)).all() + db.session.execute(
        sa.select(OutboxMessage.__table__)).all()
    assert not any(secret in str(value) for row in stored for value in row)  # hashed, and wiped once sent

    page = client.get(path)
    assert page.status_code == 200 and b"new.person@example.org" in page.data
    assert _set(client, path).status_code == 302
    assert _login(client, "new.person@example.org", NEW) == 302
    client.post("/logout")
    again = client.get(path)
    assert again.status_code == 404 and b"This link is no longer valid" in again.data
    refused = _set(client, path, "another fine long passphrase")
    assert refused.status_code == 200 and b"This link is no longer valid" in refused.data
    assert _login(client, "new.person@example.org", NEW) == 302
    assert "1 message(s) sent" in _send(runner)  # the password-changed notice
    assert [m["Subject"] for m in smtp_server.to("new.person@example.org")][1] == \
        "Your Trustfund password was changed"


def test_forgot_password_answers_alike_for_known_and_unknown_addresses(app, client, db, users, runner,
                                                                       smtp_server):
    users["auditor"].locale = "es"
    db.session.commit()
    answers = [client.post("/password/forgot", data={"email": email}, follow_redirects=True)
               for email in ("AUDITOR@test.example", "nobody@test.example")]
    assert [a.status_code for a in answers] == [200, 200]
    assert ANSWER.encode() in answers[0].data and ANSWER.encode() in answers[1].data
    assert answers[0].request.path == answers[1].request.path == "/login"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResetRequest)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert "1 message(s) sent" in _send(runner)
    assert [m["To"] for m in smtp_server.messages] == ["auditor@test.example"]
    assert smtp_server.messages[0]["Subject"] == "Trustfund: elija una contraseña nueva"
    token = db.session.scalar(sa.select(PasswordToken))
    assert token.expires_at - token.created_at == dt.timedelta(hours=1)
    assert "0 message(s) sent" in _send(runner)  # each request answered once


def test_setting_a_password_ends_every_session_of_the_user(app, db, users, login_as, runner, smtp_server):
    elsewhere = app.test_client()
    login_as("auditor", elsewhere)
    assert elsewhere.get("/admin/audit").status_code == 200
    visitor = app.test_client()
    visitor.post("/password/forgot", data={"email": "auditor@test.example"})
    _send(runner)
    assert _set(visitor, _link(smtp_server, "auditor@test.example")).status_code == 302
    after = elsewhere.get("/admin/audit")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    assert _login(visitor, "auditor@test.example", PASSWORD) == 200
    assert _login(visitor, "auditor@test.example", NEW) == 302


def _reset_link(client, runner, smtp_server, email="auditor@test.example") -> str:
    client.post("/password/forgot", data={"email": email})
    _send(runner)
    return _link(smtp_server, email)


def _refused(client, path: str, db, user_id: int) -> None:
    before = db.session.get(User, user_id).password_hash
    page = client.get(path)
    assert page.status_code == 404 and b"This link is no longer valid" in page.data
    answer = _set(client, path)
    assert answer.status_code == 200 and b"This link is no longer valid" in answer.data
    db.session.expire_all()
    assert db.session.get(User, user_id).password_hash == before


def test_a_tampered_link_is_refused(client, db, users, runner, smtp_server):
    path = _reset_link(client, runner, smtp_server)
    head, secret = path.rsplit("/", 1)
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    _refused(client, f"{head}/{tampered}", db, users["auditor"].id)
    _refused(client, f"{head}/{secret[:-4]}", db, users["auditor"].id)
    assert client.get(path).status_code == 200  # the real one still works


def test_a_link_for_another_user_is_refused(client, db, users, runner, smtp_server):
    secret = _reset_link(client, runner, smtp_server).rsplit("/", 1)[1]
    officer = users["mptf_officer"]
    _refused(client, f"/password/{officer.id}/{secret}", db, officer.id)


def test_an_expired_link_is_refused(client, db, users, runner, smtp_server):
    path = _reset_link(client, runner, smtp_server)
    token = db.session.scalar(sa.select(PasswordToken))
    token.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    _refused(client, path, db, users["auditor"].id)


def test_a_link_made_before_a_password_change_is_refused(client, db, users, login_as, runner,
                                                         smtp_server):
    path = _reset_link(client, runner, smtp_server)
    auditor = users["auditor"]
    _admin_changes_the_password(client, login_as, auditor)
    _refused(client, path, db, auditor.id)


def _admin_changes_the_password(client, login_as, user: User) -> None:
    """The admin types a new password for this (auditor's) account: a real change."""
    login_as("admin")
    assert client.post(f"/admin/users/{user.id}", data={
        "email": user.email, "name": "", "role": "auditor", "donor_id": 0, "active": "y",
        "password": "an admin chose this one", "version": user.version}).status_code == 302
    client.post("/logout")


def test_a_link_made_before_a_confirmed_password_change_is_refused(app, client, db, users, login_as, runner,
                                                                    smtp_server):
    """An officer's password typed by an admin waits for a second admin; once confirmed
    it is a real change of the password, and a link asked for before it stops working."""
    officer = users["mptf_officer"]
    path = _reset_link(client, runner, smtp_server, email=officer.email)
    login_as("admin")
    assert client.post(f"/admin/users/{officer.id}", data={
        "email": officer.email, "name": officer.name or "", "role": "mptf_officer", "donor_id": 0,
        "active": "y", "password": "an admin chose this one", "version": officer.version}).status_code == 302
    client.post("/logout")
    assert client.get(path).status_code == 200  # only proposed: the link still opens
    assert second_admin_confirms(app, officer.email).status_code == 200
    _refused(client, path, db, officer.id)


def _stored_before_argon2id(db, user: User) -> User:
    """The user's password (PASSWORD) stored as it was before Argon2id: Werkzeug's scrypt."""
    from werkzeug.security import generate_password_hash

    user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
    db.session.commit()
    return user


def test_a_link_made_before_the_sign_in_that_rehashes_the_password_still_works(
        app, client, db, users, login_as, runner, smtp_server):
    """A password stored before Argon2id (Werkzeug's scrypt) is stored again at the next
    sign-in, the same password: a reset link asked for before it keeps working. A real
    change of the password (the admin's) still ends it."""
    auditor = _stored_before_argon2id(db, users["auditor"])
    path = _reset_link(client, runner, smtp_server)

    assert _login(app.test_client(), auditor.email, PASSWORD) == 302
    db.session.expire_all()
    assert db.session.get(User, auditor.id).password_hash.startswith("$argon2id$")  # stored again
    page = client.get(path)
    assert page.status_code == 200 and b"This link is no longer valid" not in page.data

    _admin_changes_the_password(client, login_as, auditor)
    _refused(client, path, db, auditor.id)


def test_an_old_hash_s_link_sets_the_password_after_the_sign_in_that_rehashed_it(
        app, client, db, users, runner, smtp_server):
    auditor = _stored_before_argon2id(db, users["auditor"])
    path = _reset_link(client, runner, smtp_server)
    assert _login(app.test_client(), auditor.email, PASSWORD) == 302
    assert _set(client, path).status_code == 302
    assert _login(app.test_client(), auditor.email, NEW) == 302
    assert _login(app.test_client(), auditor.email, PASSWORD) == 200


def test_a_second_link_and_the_first_after_the_second_is_used(client, db, users, runner, smtp_server):
    first = _reset_link(client, runner, smtp_server)
    smtp_server.clear()
    second = _reset_link(client, runner, smtp_server)
    assert first != second
    assert _set(client, second).status_code == 302
    _refused(client, first, db, users["auditor"].id)


@pytest.mark.parametrize("password,message", [
    ("short one", "Use at least 12 characters."),
    ("auditor@test.example", "Choose a password other than your email address."),
    ("password1234", "This password is too common or too easy to guess"),
    ("qwertyuiop123", "This password is too common or too easy to guess"),
    ("auditor12345", "This password is too common or too easy to guess"),
])
def test_the_password_policy_refuses_beside_the_field_and_keeps_the_link(
        client, db, users, runner, smtp_server, password, message):
    path = _reset_link(client, runner, smtp_server)
    answer = _set(client, path, password)
    assert answer.status_code == 200 and message.encode() in answer.data
    assert b'id="password-errors"' in answer.data
    assert client.get(path).status_code == 200  # not spent
    assert _set(client, path).status_code == 302


def test_two_different_passwords_are_refused(client, db, users, runner, smtp_server):
    path = _reset_link(client, runner, smtp_server)
    answer = _set(client, path, NEW, NEW + "!")
    assert b"The two passwords differ." in answer.data


def test_an_admin_typed_password_follows_the_policy_too(client, login_as, db):
    login_as("admin")
    page = client.post("/admin/users/new", data={"email": "typed@example.org", "role": "auditor",
                                                 "donor_id": 0, "password": "password1234"})
    assert b"This password is too common or too easy to guess" in page.data
    assert db.session.scalar(sa.select(User).where(User.email == "typed@example.org")) is None


def test_forgot_password_is_throttled_per_address_typed(app, client, db):
    for _ in range(3):
        assert client.post("/password/forgot", data={"email": "auditor@test.example"}).status_code == 302
    assert client.post("/password/forgot", data={"email": "auditor@test.example"}).status_code == 429
    assert client.post("/password/forgot", data={"email": "officer@test.example"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResetRequest)) == 4


def test_known_and_unknown_addresses_take_the_same_time(app, client, db, users):
    """Both answers write the same one row (the sender answers later); measured in
    pairs, in turn first and second, so that the machine's load falls on both alike."""
    app.config["PASSWORD_RESETS_PER_ACCOUNT"] = app.config["PASSWORD_RESETS_PER_ADDRESS"] = "1000 per hour"

    def timed(email: str) -> float:
        start = time.perf_counter()
        assert client.post("/password/forgot", data={"email": email}).status_code == 302
        return time.perf_counter() - start

    try:
        timed("warm-up@test.example")
        differences, every = [], []
        for i in range(30):
            pair = [("known", "auditor@test.example"), ("unknown", f"nobody{i}@test.example")]
            taken = {kind: timed(email) for kind, email in (pair if i % 2 else pair[::-1])}
            differences.append(taken["known"] - taken["unknown"])
            every.extend(taken.values())
    finally:
        app.config["PASSWORD_RESETS_PER_ACCOUNT"] = "3 per hour"
        app.config["PASSWORD_RESETS_PER_ADDRESS"] = "10 per hour"
    typical = statistics.median(every)
    assert abs(statistics.median(differences)) < max(0.35 * typical, 0.004), (differences, typical)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordToken)) == 0
