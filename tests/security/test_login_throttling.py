"""Login throttling (Flask-Limiter): refused attempts are counted per account,
whatever the address they come from, and per address, whatever the account
they name; successful logins are not counted; the refusal is a clear 429 page
in the user's language. An unknown email and a wrong password are answered
alike, in words and in time."""
from __future__ import annotations

import statistics
import time

import pytest
import sqlalchemy as sa
from limits import parse

from tests.factories import PASSWORD, make_user
from trustfund.audit import AuditEntry
from trustfund.auth.models import User

TOO_MANY = b"Too many attempts. Wait a few minutes and try again."
INVALID = b"Invalid email or password."


def _limit(app, key) -> int:
    return parse(app.config[key]).amount


def _attempt(client, email, password, address="10.0.0.1", **kw):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **kw)


def _logged_in(client) -> bool:
    response = client.get("/dashboard/")
    return response.status_code == 200


def test_the_limits_are_the_configured_ones(app):
    assert _limit(app, "LOGIN_FAILURES_PER_ACCOUNT") == 5
    assert _limit(app, "LOGIN_FAILURES_PER_ADDRESS") == 20


def test_an_account_is_locked_after_repeated_failures_from_any_address(app, users):
    limit = _limit(app, "LOGIN_FAILURES_PER_ACCOUNT")
    # The failures come from as many addresses as attempts: a botnet is still stopped.
    for i in range(limit):
        response = _attempt(app.test_client(), "officer@test.example", "wrong", address=f"10.1.0.{i}")
        assert response.status_code == 200, i
        assert INVALID in response.data
    # Even the right password, from a fresh address, is now refused for this account.
    client = app.test_client()
    response = _attempt(client, "officer@test.example", PASSWORD, address="10.9.9.9")
    assert response.status_code == 429
    assert TOO_MANY in response.data
    assert response.headers.get("Retry-After")
    assert not _logged_in(client)
    # The same account in other letter case or with spaces is the same account.
    response = _attempt(app.test_client(), "  OFFICER@Test.Example ", PASSWORD, address="10.9.9.8")
    assert response.status_code == 429
    # Other accounts, from that same fresh address, are not affected.
    client = app.test_client()
    assert _attempt(client, "auditor@test.example", PASSWORD, address="10.9.9.9").status_code == 302
    assert _logged_in(client)


def test_an_address_is_locked_after_repeated_failures_on_any_accounts(app, users):
    limit = _limit(app, "LOGIN_FAILURES_PER_ADDRESS")
    per_account = _limit(app, "LOGIN_FAILURES_PER_ACCOUNT")
    # Spread over many accounts, so that no single account reaches its own limit.
    emails = [f"probe{i}@test.example" for i in range(limit)]
    for i, email in enumerate(emails):
        response = _attempt(app.test_client(), email, "wrong", address="192.0.2.7")
        assert response.status_code == 200, i
    assert limit // len(emails) < per_account
    client = app.test_client()
    response = _attempt(client, "officer@test.example", PASSWORD, address="192.0.2.7")
    assert response.status_code == 429
    assert TOO_MANY in response.data
    assert not _logged_in(client)
    # The same account from another address logs in: only the address is locked.
    client = app.test_client()
    assert _attempt(client, "officer@test.example", PASSWORD, address="192.0.2.8").status_code == 302
    assert _logged_in(client)


def test_successful_logins_are_not_counted(app, users):
    address_limit = _limit(app, "LOGIN_FAILURES_PER_ADDRESS")
    # More successful logins than either limit, from one address, on one account.
    for i in range(address_limit + 2):
        client = app.test_client()
        assert _attempt(client, "officer@test.example", PASSWORD).status_code == 302, i
        assert _logged_in(client)
    # Then the failures start counting from zero: all of them are answered normally...
    account_limit = _limit(app, "LOGIN_FAILURES_PER_ACCOUNT")
    for i in range(account_limit):
        response = _attempt(app.test_client(), "officer@test.example", "wrong")
        assert response.status_code == 200, i
    # ...and only the attempt after the limit is refused.
    assert _attempt(app.test_client(), "officer@test.example", PASSWORD).status_code == 429


def test_showing_the_login_page_is_not_an_attempt(app, users):
    client = app.test_client()
    for _ in range(_limit(app, "LOGIN_FAILURES_PER_ADDRESS") + 5):
        assert client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert _attempt(client, "officer@test.example", PASSWORD).status_code == 302


def test_throttled_attempts_write_nothing(app, db, users):
    for _ in range(_limit(app, "LOGIN_FAILURES_PER_ACCOUNT")):
        _attempt(app.test_client(), "officer@test.example", "wrong")
    officer = db.session.scalar(sa.select(User).where(User.email == "officer@test.example"))
    token, audit = officer.session_token, db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry))
    assert _attempt(app.test_client(), "officer@test.example", PASSWORD).status_code == 429
    db.session.expire_all()
    assert db.session.get(User, officer.id).session_token == token
    assert db.session.get(User, officer.id).last_login_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audit


@pytest.fixture
def french_catalog(app, tmp_path):
    """A French catalog holding the 429 page's strings, in place of whatever
    catalogs exist, so that the test shows the page really goes through gettext."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from trustfund.extensions import babel

    catalog = Catalog(locale="fr")
    catalog.add("Too many attempts", "Trop de tentatives")
    catalog.add("Too many attempts. Wait a few minutes and try again.",
                "Trop de tentatives. Attendez quelques minutes puis réessayez.")
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    config = app.extensions["babel"]
    saved = config.translation_directories
    config.translation_directories = [str(tmp_path)]
    babel.domain_instance.cache.clear()
    yield
    config.translation_directories = saved
    babel.domain_instance.cache.clear()


def test_the_refusal_is_in_the_users_language(app, users, french_catalog):
    for _ in range(_limit(app, "LOGIN_FAILURES_PER_ACCOUNT")):
        _attempt(app.test_client(), "officer@test.example", "wrong")
    response = _attempt(app.test_client(), "officer@test.example", PASSWORD,
                        headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert response.status_code == 429
    page = response.data.decode()
    assert '<html lang="fr"' in page
    assert "Trop de tentatives. Attendez quelques minutes puis réessayez." in page
    assert TOO_MANY.decode() not in page


def _median_time(app, email, password, rounds=5) -> float:
    from trustfund.extensions import limiter

    times = []
    for _ in range(rounds):
        limiter.reset()  # time the answer, not the throttle
        client = app.test_client()
        start = time.perf_counter()
        response = _attempt(client, email, password)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
        assert INVALID in response.data
    return statistics.median(times)


def test_unknown_email_and_wrong_password_take_comparable_time(app, users):
    make_user("mptf_officer", "gone@test.example", active=False)
    _median_time(app, "officer@test.example", "warm-up")
    wrong_password = _median_time(app, "officer@test.example", "wrong password")
    unknown_email = _median_time(app, "nobody@test.example", PASSWORD)
    inactive = _median_time(app, "gone@test.example", PASSWORD)
    # A password check (scrypt) costs tens of milliseconds; skipping it for an
    # unknown email would make that answer several times faster. A generous
    # factor keeps the test steady on a busy machine.
    for name, duration in (("unknown email", unknown_email), ("inactive user", inactive)):
        ratio = duration / wrong_password
        assert 0.4 < ratio < 2.5, (name, duration, wrong_password)


def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(app, users):
    """Without a trusted proxy configured, X-Forwarded-For is the client's own
    claim: changing it at each attempt must not reset the count."""
    limit = _limit(app, "LOGIN_FAILURES_PER_ADDRESS")
    for i in range(limit):
        response = _attempt(app.test_client(), f"probe{i}@test.example", "wrong", address="192.0.2.50",
                            headers={"X-Forwarded-For": f"198.51.100.{i}"})
        assert response.status_code == 200
    response = _attempt(app.test_client(), "officer@test.example", PASSWORD, address="192.0.2.50",
                        headers={"X-Forwarded-For": "198.51.100.250"})
    assert response.status_code == 429


@pytest.fixture
def proxied_app(app, database_url):
    """The app as deployed behind one proxy (TRUSTFUND_TRUSTED_PROXIES=1)."""
    from trustfund import create_app
    from trustfund.extensions import db

    proxied = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "TRUSTED_PROXIES": 1})
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def test_behind_a_trusted_proxy_the_limit_is_per_client_not_per_proxy(proxied_app, users):
    limit = _limit(proxied_app, "LOGIN_FAILURES_PER_ADDRESS")
    proxy = "127.0.0.1"
    for i in range(limit):
        response = _attempt(proxied_app.test_client(), f"probe{i}@test.example", "wrong", address=proxy,
                            headers={"X-Forwarded-For": "203.0.113.9"})
        assert response.status_code == 200
    # That client is locked out...
    response = _attempt(proxied_app.test_client(), "officer@test.example", PASSWORD, address=proxy,
                        headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 429
    # ...but another client behind the same proxy is not.
    response = _attempt(proxied_app.test_client(), "officer@test.example", PASSWORD, address=proxy,
                        headers={"X-Forwarded-For": "203.0.113.10"})
    assert response.status_code == 302


def test_limits_on_every_request_still_apply_when_configured():
    """Trustfund's Limiter skips Flask-Limiter's check before each request while only
    routes carry limits; a default, application-wide or blueprint limit, once
    configured, is enforced on every request as Flask-Limiter enforces it."""
    from flask import Blueprint, Flask

    from trustfund.extensions import Limiter

    def app_with(**limiter_args):
        app = Flask(__name__)
        limiter = Limiter(key_func=lambda: "one address", storage_uri="memory://", **limiter_args)
        app.add_url_rule("/page", "page", lambda: "page")
        bp = Blueprint("part", __name__)
        bp.add_url_rule("/part", "part", lambda: "part")
        return app, limiter, bp

    def statuses(app, path, times=3):
        client = app.test_client()
        return [client.get(path).status_code for _ in range(times)]

    app, limiter, bp = app_with()
    app.register_blueprint(bp)
    limiter.init_app(app)
    assert not limiter.request_wide_limits()
    assert statuses(app, "/page") == [200, 200, 200]

    for args in ({"default_limits": ["2 per minute"]}, {"application_limits": ["2 per minute"]}):
        app, limiter, bp = app_with(**args)
        app.register_blueprint(bp)
        limiter.init_app(app)
        assert limiter.request_wide_limits()
        assert statuses(app, "/page") == [200, 200, 429], args

    app, limiter, bp = app_with()
    limiter.limit("2 per minute")(bp)
    app.register_blueprint(bp)
    limiter.init_app(app)
    assert statuses(app, "/part") == [200, 200, 429]
    assert statuses(app, "/page") == [200, 200, 200]
