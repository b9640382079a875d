"""Production refuses to start in debug mode, with a weak, default or short
secret, or with a protection switched off; it starts with a good secret."""
from __future__ import annotations

import secrets

import pytest

GOOD_SECRET = secrets.token_hex(32)
MAIL = {"MAIL_SERVER": "smtp.example.org", "MAIL_SENDER": "Trustfund <trustfund@example.org>",
        "EXTERNAL_URL": "https://trustfund.example.org"}


@pytest.fixture
def make_production_app(tmp_path, monkeypatch, shared_ratelimit_storage):
    from trustfund import create_app
    from trustfund.extensions import db
    from trustfund.maintenance.schema import stamp_head

    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    created = []

    def make(storage_from_environment=False, **overrides):
        settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}", **MAIL}
        if not storage_from_environment:
            settings["RATELIMIT_STORAGE_URI"] = shared_ratelimit_storage
        settings.update(overrides)
        app = create_app("production", settings)
        with app.app_context():  # a database `flask db upgrade` made: no page is served on another
            db.create_all()
            stamp_head()
        created.append(app)
        return app

    yield make
    for app in created:
        with app.app_context():
            db.engine.dispose()


def test_production_starts_with_a_random_secret(make_production_app):
    app = make_production_app(SECRET_KEY=GOOD_SECRET)
    assert app.debug is False and app.testing is False
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SEND_HSTS"] is True
    assert app.test_client().get("/login").status_code == 200


def test_production_takes_the_secret_and_the_throttling_storage_from_the_environment(
        make_production_app, monkeypatch, redis_url):
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", redis_url)
    import importlib

    import config

    importlib.reload(config)
    try:
        app = make_production_app(storage_from_environment=True)
        assert app.config["SECRET_KEY"] == GOOD_SECRET
        assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
    finally:
        monkeypatch.delenv("SECRET_KEY")
        monkeypatch.delenv("RATELIMIT_STORAGE_URI")
        importlib.reload(config)


@pytest.mark.parametrize("secret", [
    None,                                       # nothing set: the development default
    "development-only-secret-key",
    "testing-only-secret-key",
    "changeme",
    "secret",
    "",
    "x" * 31,                                   # too short
    "5f0c9e1d3a7b42c8e6f19d0a2b4c7e",           # 30 random-looking characters: too short
    "a" * 64,                                   # long but not random
    "ab" * 32,
    "0123456" * 6,
    "CHANGEME",
])
def test_production_refuses_a_weak_default_or_short_secret(make_production_app, secret):
    overrides = {} if secret is None else {"SECRET_KEY": secret}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        make_production_app(**overrides)


def test_production_refuses_debug_mode(make_production_app, monkeypatch):
    with pytest.raises(RuntimeError, match="debug"):
        make_production_app(SECRET_KEY=GOOD_SECRET, DEBUG=True)
    with pytest.raises(RuntimeError, match="debug"):
        make_production_app(SECRET_KEY=GOOD_SECRET, TESTING=True)
    # `flask run` with FLASK_DEBUG=1 would start Werkzeug's interactive debugger.
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        make_production_app(SECRET_KEY=GOOD_SECRET)


@pytest.mark.parametrize("override,message", [
    ({"WTF_CSRF_ENABLED": False}, "CSRF"),
    ({"SESSION_COOKIE_SECURE": False}, "Secure"),
    ({"SESSION_COOKIE_HTTPONLY": False}, "HttpOnly"),
    ({"RATELIMIT_ENABLED": False}, "throttling"),
    # Login failures counted in each worker's memory could be spread over the workers.
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
    ({"RATELIMIT_STORAGE_URI": ""}, "RATELIMIT_STORAGE_URI"),
    ({"RATELIMIT_STORAGE_URI": None}, "RATELIMIT_STORAGE_URI"),
])
def test_production_refuses_a_protection_switched_off(make_production_app, override, message):
    with pytest.raises(RuntimeError, match=message):
        make_production_app(SECRET_KEY=GOOD_SECRET, **override)


@pytest.mark.parametrize("override,message", [
    ({"MAIL_SERVER": ""}, "MAIL_SERVER"),
    ({"MAIL_SENDER": ""}, "MAIL_SENDER"),
    ({"MAIL_SECURITY": "tls"}, "MAIL_SECURITY"),
    # Links in messages (password resets) come from this address, never from a request.
    ({"EXTERNAL_URL": "http://trustfund.example.org"}, "TRUSTFUND_EXTERNAL_URL"),
    ({"EXTERNAL_URL": ""}, "TRUSTFUND_EXTERNAL_URL"),
])
def test_production_refuses_to_start_without_its_mail_settings(make_production_app, override, message):
    with pytest.raises(RuntimeError, match=message):
        make_production_app(SECRET_KEY=GOOD_SECRET, **override)


def test_production_starts_without_a_mail_server_when_mail_is_switched_off(make_production_app, monkeypatch):
    import importlib

    import config
    from trustfund.extensions import db
    from trustfund.maintenance.schema import stamp_head

    monkeypatch.setenv("TRUSTFUND_MAIL", "off")
    importlib.reload(config)
    try:
        app = make_production_app(SECRET_KEY=GOOD_SECRET, MAIL_SERVER="", MAIL_SENDER="", EXTERNAL_URL="")
        assert app.config["MAIL_ENABLED"] is False
        with app.app_context():  # a database `flask db upgrade` made (the commands run on no other)
            db.create_all()
            stamp_head()
        result = app.test_cli_runner().invoke(args=["send-mail"])
        assert result.exit_code != 0 and "switched off" in result.output
    finally:
        monkeypatch.delenv("TRUSTFUND_MAIL")
        importlib.reload(config)


def test_development_and_testing_do_not_need_a_secret(tmp_path):
    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.sqlite3'}"})
    assert app.debug is True
    with app.app_context():
        db.engine.dispose()


def test_production_refuses_to_load_the_demo_and_its_published_accounts(make_production_app, monkeypatch):
    """After db upgrade, setup-fund and a real admin, seed-demo under the production
    configuration stops with a message and adds nothing: the demo accounts' passwords
    are in the README."""
    import sqlalchemy as sa

    from trustfund.auth.models import User
    from trustfund.extensions import db

    app = make_production_app(SECRET_KEY=GOOD_SECRET)
    runner = app.test_cli_runner()
    monkeypatch.setenv("TRUSTFUND_PASSWORD", "correct horse battery staple zebra")
    chief = ["create-user", "--email", "chief@un.org", "--role", "admin"]
    for args in (["db", "upgrade"], ["setup-fund"], chief):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "This is the production configuration: seed-demo would add the demo's accounts" in result.output
    with app.app_context():
        assert db.session.scalars(sa.select(User.email)).all() == ["chief@un.org"]
        db.session.remove()
