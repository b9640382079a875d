import re

import sqlalchemy as sa

from tests.factories import PASSWORD, make_user
from trustfund.audit import AuditEntry
from trustfund.auth.models import User


def _login(client, email, password, **kw):
    return client.post("/login", data={"email": email, "password": password}, **kw)


def test_login_and_logout(client, users):
    response = _login(client, "officer@test.example", PASSWORD)
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    response = client.post("/logout", follow_redirects=True)
    assert b"You have logged out." in response.data
    assert client.get("/dashboard/").status_code == 302


def test_email_is_case_insensitive(client, users):
    assert _login(client, "  Officer@Test.Example ", PASSWORD).status_code == 302


def test_refusals_say_the_same_and_change_nothing(app, users, db):
    make_user("mptf_officer", "gone@test.example", active=False)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    answers = []
    for email, password in [("officer@test.example", "wrong password"),
                            ("nobody@test.example", PASSWORD),
                            ("gone@test.example", PASSWORD)]:
        client = app.test_client()
        response = _login(client, email, password)
        assert response.status_code == 200
        assert b"Invalid email or password." in response.data
        answers.append(re.sub(rb'value="[^"]*"', b"", response.data))
        assert client.get("/dashboard/").status_code == 302
    assert answers[0] == answers[1] == answers[2]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_post_without_csrf_token_is_refused(app, client, users, db):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = _login(client, "officer@test.example", PASSWORD)
        assert response.status_code == 400
        assert client.get("/dashboard/").status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_next_only_goes_to_this_site(client, users):
    for bad in ["http://evil.example/", "//evil.example/x", "/\\evil.example", "https:/evil", "javascript:alert(1)"]:
        response = _login(client, "officer@test.example", PASSWORD, query_string={"next": bad})
        assert response.status_code == 302
        assert response.headers["Location"] in ("/", "http://localhost/"), bad
        client.post("/logout")
    response = _login(client, "officer@test.example", PASSWORD, query_string={"next": "/admin/audit?x=1"})
    assert response.headers["Location"].endswith("/admin/audit?x=1")


def test_deactivating_a_user_ends_their_session_at_once(client, app, users, db, login_as):
    officer = login_as("mptf_officer")
    assert client.get("/dashboard/").status_code == 200
    admin_client = app.test_client()
    login_as("admin", admin_client)
    response = admin_client.post(f"/admin/users/{officer.id}", data={
        "email": officer.email, "name": "Officer", "role": "mptf_officer", "donor_id": 0})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, officer.id).active is False
    assert client.get("/dashboard/").status_code == 302


def test_passwords_are_hashed_with_a_kdf(users):
    user = users["admin"]
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
