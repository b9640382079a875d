import re

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from tests.factories import PASSWORD, make_user, second_admin_confirms
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
        # Said of the pair, above the form: not "Password: Invalid email or password."
        # beside the password, which would say the email was right.
        page = response.data.decode()
        start = page.index('id="error-summary"')
        summary = page[start:page.index("</div>", start)]
        assert "Invalid email or password." in summary and "Password" not in summary
        assert 'aria-invalid="true"' not in page
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
    for bad in ["http://evil.example/", "//evil.example/x", "/\\evil.example", "https:/evil",
                "javascript:alert(1)"]:
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
        "email": officer.email, "name": "Officer", "role": "mptf_officer", "donor_id": 0,
        "version": officer.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, officer.id).active is False
    assert client.get("/dashboard/").status_code == 302


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters(users):
    user = users["admin"]
    # OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, 1 lane.
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


def _old_hash(db, email, password):
    """The user's password stored as it was before Argon2id (Werkzeug's scrypt)."""
    user = db.session.scalar(sa.select(User).where(User.email == email))
    user.password_hash = generate_password_hash(password, method="scrypt")
    db.session.commit()
    return user.id


def test_a_password_stored_before_still_signs_in_and_is_stored_again_in_argon2id(app, client, users, db):
    user_id = _old_hash(db, "officer@test.example", PASSWORD)
    old = db.session.get(User, user_id).password_hash
    assert old.startswith("scrypt:")

    # A wrong password: refused, and the stored hash is left as it was.
    response = _login(client, "officer@test.example", "not the password")
    assert response.status_code == 200 and b"Invalid email or password." in response.data
    db.session.expire_all()
    assert db.session.get(User, user_id).password_hash == old

    # The right one: signed in, and stored again as today's hash.
    response = _login(client, "officer@test.example", PASSWORD)
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    db.session.expire_all()
    new = db.session.get(User, user_id).password_hash
    assert new.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    client.post("/logout")
    assert _login(app.test_client(), "officer@test.example", PASSWORD).status_code == 302
    assert _login(app.test_client(), "officer@test.example", "not the password").status_code == 200


def test_an_inactive_user_with_an_old_hash_is_refused_and_nothing_is_stored(client, users, db):
    make_user("mptf_officer", "gone@test.example", active=False)
    user_id = _old_hash(db, "gone@test.example", PASSWORD)
    old = db.session.get(User, user_id).password_hash
    assert b"Invalid email or password." in _login(client, "gone@test.example", PASSWORD).data
    db.session.expire_all()
    assert db.session.get(User, user_id).password_hash == old


# --- sessions: renewed at login, ended at logout, never remembered -------------

def _session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def _user_id_in_session(client):
    with client.session_transaction() as session:
        return session.get("_user_id")


def test_login_starts_a_new_session_with_a_new_token(app, client, db, users):
    officer = users["mptf_officer"]
    old_token = officer.session_token
    client.get("/login")  # an anonymous session (CSRF token, language) exists before login
    with client.session_transaction() as session:
        session["lang"] = "fr"
        session["planted"] = "set before login"
    before = _session_cookie(client)
    assert _login(client, officer.email, PASSWORD).status_code == 302
    assert _session_cookie(client) != before
    db.session.expire_all()
    new_token = db.session.get(User, officer.id).session_token
    assert new_token != old_token and len(new_token) >= 32
    assert _user_id_in_session(client) == f"{officer.id}:{new_token}"
    with client.session_transaction() as session:
        assert "planted" not in session  # nothing of the anonymous session survives...
        assert session["lang"] == "fr"  # ...but the language chosen


def test_a_new_login_ends_the_earlier_session_of_that_user(app, users):
    first, second = app.test_client(), app.test_client()
    assert _login(first, "officer@test.example", PASSWORD).status_code == 302
    assert first.get("/dashboard/").status_code == 200
    assert _login(second, "officer@test.example", PASSWORD).status_code == 302
    assert second.get("/dashboard/").status_code == 200
    assert first.get("/dashboard/").status_code == 302


def test_a_cookie_replayed_after_logout_does_not_work(app, client, users):
    assert _login(client, "officer@test.example", PASSWORD).status_code == 302
    assert client.get("/dashboard/").status_code == 200
    stolen = _session_cookie(client)
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/dashboard/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_no_remember_me_cookie_is_ever_set(app, client, users):
    responses = [client.get("/login"), _login(client, "officer@test.example", PASSWORD),
                 client.get("/dashboard/"), client.post("/logout")]
    for response in responses:
        for header in response.headers.getlist("Set-Cookie"):
            assert header.split("=", 1)[0] == "session", header
    assert client.get_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token")) is None


def test_a_remember_cookie_cannot_bring_a_session_back(app, users, db):
    """Even a remember-me cookie signed with the app's own key is useless without
    the current session token: it dies at logout like the session."""
    from flask_login.utils import encode_cookie

    officer = users["mptf_officer"]
    old_id = officer.get_id()
    client = app.test_client()
    assert _login(client, officer.email, PASSWORD).status_code == 302
    client.post("/logout")
    for forged in (old_id, str(officer.id), f"{officer.id}:", f"{officer.id}:x"):
        thief = app.test_client()
        with app.test_request_context():
            thief.set_cookie("remember_token", encode_cookie(forged))
        assert thief.get("/dashboard/").status_code == 302, forged


def test_an_admin_setting_a_new_password_ends_the_users_sessions(app, client, login_as, users):
    assert _login(client, "officer@test.example", PASSWORD).status_code == 302
    assert client.get("/dashboard/").status_code == 200
    officer = users["mptf_officer"]
    admin_client = app.test_client()
    login_as("admin", admin_client)
    response = admin_client.post(f"/admin/users/{officer.id}", data={
        "email": officer.email, "name": "Officer", "role": "mptf_officer", "donor_id": 0,
        "active": "y", "password": "a brand new password", "version": officer.version})
    assert response.status_code == 302
    # A password typed for an officer takes effect when a second admin confirms it.
    assert client.get("/dashboard/").status_code == 200
    assert "Change confirmed" in second_admin_confirms(app, officer.email).get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 302
    assert _login(app.test_client(), "officer@test.example", "a brand new password").status_code == 302


def test_a_session_cookie_expires_after_the_session_lifetime(app, client, users, monkeypatch):
    """The signed cookie carries its time: past PERMANENT_SESSION_LIFETIME (8 hours)
    it is refused, even if nobody logged out."""
    import itsdangerous.timed

    assert _login(client, "officer@test.example", PASSWORD).status_code == 302
    assert client.get("/dashboard/").status_code == 200
    lifetime = app.permanent_session_lifetime.total_seconds()
    assert lifetime == 8 * 3600
    real_time = itsdangerous.timed.time.time

    class Later:
        @staticmethod
        def time():
            return real_time() + lifetime + 60

    monkeypatch.setattr(itsdangerous.timed, "time", Later)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_malformed_session_id_is_an_anonymous_visitor_not_an_error(app, users):
    officer = users["mptf_officer"]
    for bad in ["", "abc", "\u00b2:x", "99999999999999999999:x", f"{officer.id}:",
                f"{officer.id}:{officer.session_token}x", f":{officer.session_token}", None, 42]:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = bad
        response = client.get("/dashboard/")
        assert response.status_code == 302, bad
        assert "/login" in response.headers["Location"]
