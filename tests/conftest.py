"""Fixtures: the app on SQLite and on a throwaway PostgreSQL server, a clean
database per test with the fund's base data, clients logged in as each role."""
from __future__ import annotations

import os
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from tests.pg import PostgresServer, PostgresUnavailable
from tests.redis_server import RedisServer, RedisUnavailable

# The tests' own dt.date.today() is the app's "today" for a user without a time zone
# (trustfund/clock.py: UTC) on any machine, whatever its local zone.
os.environ["TZ"] = "UTC"
time.tzset()

BACKENDS = ["sqlite", "postgresql"]
if os.environ.get("TRUSTFUND_TEST_BACKENDS"):
    BACKENDS = os.environ["TRUSTFUND_TEST_BACKENDS"].split(",")


@pytest.fixture(scope="session")
def pg_server():
    if os.environ.get("TEST_POSTGRES_URL"):
        yield None
        return
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable as why:
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    yield server
    server.stop()


# Login throttling counts in Redis in production, and so in every app the tests make:
# a throwaway server is started before any app (the configuration reads
# RATELIMIT_STORAGE_URI from the environment when it is imported).
_REDIS: dict = {"server": None, "url": None, "why": None, "saved": None}


def pytest_configure(config):
    _REDIS["saved"] = os.environ.get("RATELIMIT_STORAGE_URI")
    if os.environ.get("TEST_REDIS_URL"):
        _REDIS["url"] = os.environ["TEST_REDIS_URL"]
    else:
        try:
            server = RedisServer()
            server.start()
        except RedisUnavailable as why:
            _REDIS["why"] = str(why)
        else:
            _REDIS["server"], _REDIS["url"] = server, server.url
    if _REDIS["url"]:
        os.environ["RATELIMIT_STORAGE_URI"] = _REDIS["url"]
    else:  # the throttling tests skip and say why (redis_url)
        os.environ.pop("RATELIMIT_STORAGE_URI", None)


def pytest_unconfigure(config):
    if _REDIS["server"] is not None:
        _REDIS["server"].stop()
    if _REDIS["saved"] is None:
        os.environ.pop("RATELIMIT_STORAGE_URI", None)
    else:
        os.environ["RATELIMIT_STORAGE_URI"] = _REDIS["saved"]


@pytest.fixture(scope="session")
def redis_url():
    """The test Redis server's URL, which every app of the tests counts logins in."""
    if not _REDIS["url"]:
        pytest.skip(f"Redis tests skipped: {_REDIS['why']}")
    return _REDIS["url"]


@pytest.fixture(scope="session")
def shared_ratelimit_storage():
    """A shared storage URI for apps made with the production configuration, which
    refuses memory: the test Redis server (a placeholder where there is none)."""
    return _REDIS["url"] or "redis://127.0.0.1:1/0"


@pytest.fixture(scope="session")
def _smtp_server():
    from tests.smtp_server import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(app, _smtp_server):
    """A real SMTP server (aiosmtpd) the app's sender talks to, emptied for the test:
    `smtp_server.messages` are the messages it accepted."""
    _smtp_server.clear()
    saved = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = _smtp_server.port
    yield _smtp_server
    app.config["MAIL_PORT"] = saved
    _smtp_server.clear()


@pytest.fixture(scope="session")
def sqlite_dir():
    with tempfile.TemporaryDirectory(prefix="trustfund-sqlite-") as folder:
        yield folder


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, request, sqlite_dir):
    if backend == "sqlite":
        return f"sqlite:///{os.path.join(sqlite_dir, 'test.sqlite3')}"
    if os.environ.get("TEST_POSTGRES_URL"):
        return os.environ["TEST_POSTGRES_URL"]
    server = request.getfixturevalue("pg_server")
    return server.url("trustfund_test")


@pytest.fixture
def empty_database_url(backend, request, sqlite_dir):
    """A new, empty database on the backend (no table at all): for migrations and
    the production setup."""
    if backend == "sqlite":
        return f"sqlite:///{os.path.join(sqlite_dir, f'migr-{uuid.uuid4().hex}.sqlite3')}"
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("TEST_POSTGRES_URL given: no server to create a fresh database in")
    return server.createdb(f"migr_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def _app(database_url):
    from trustfund import create_app
    from trustfund.extensions import db
    from trustfund.maintenance.schema import stamp_head

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        stamp_head()  # as `flask db upgrade` leaves it: the commands run on no other schema
    # A worker checks the schema at its first request (maintenance/schema.py): done here,
    # so that no test's counted statements depend on being its process's first request.
    assert app.test_client().get("/login").status_code == 200
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own app context (and so their
    own database session and Flask-Login state), as in production, even while
    the test itself holds an app context: each request runs in a thread of its own,
    which starts with no context (contextvars are per thread). After each request
    the test's session is expired, so that what the test reads next comes fresh
    from the database."""

    def open(self, *args, **kwargs):
        from trustfund.extensions import db

        # Read the whole body and close it (streamed files among them), as a browser would.
        kwargs.setdefault("buffered", True)
        if not has_app_context():
            return super().open(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="request") as worker:
            response = worker.submit(super().open, *args, **kwargs).result()
        db.session.expire_all()
        return response


def wipe(db) -> None:
    """Empty every table of data (the schema stays, and the data version's row, as in
    any database: the next commit replaces its token)."""
    kept = {"data_version"}
    tables = [t for t in db.metadata.sorted_tables if t.name not in kept]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables)
                                 + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture
def app(_app):
    """The app with a clean database holding the fund's base data: countries,
    objectives and pools, settings, one user per role and a donor with its user."""
    from tests.factories import seed_base
    from trustfund.extensions import db, limiter

    with _app.app_context():
        wipe(db)
        seed_base()
        db.session.commit()
        db.session.remove()
    limiter.reset()
    _app.test_client_class = IsolatedClient
    ctx = _app.test_request_context()
    ctx.push()
    yield _app
    ctx.pop()
    with _app.app_context():
        db.session.remove()


@pytest.fixture
def db(app):
    from trustfund.extensions import db as _db

    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    from tests.factories import base_users

    return base_users()


@pytest.fixture
def login_as(app, client):
    """login_as("mptf_officer") logs the test client in as that base user (or a
    given User) and returns the user."""
    from tests.factories import log_in

    def _login(who, c=None):
        return log_in(c or client, who)

    return _login


@pytest.fixture
def cached(app):
    """The per-worker figure cache (trustfund.cache, on in every test as in
    production) emptied before and after the test: for tests that count what a
    first view computes."""
    from trustfund import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def another_app(database_url):
    """another_app(**config): a separate app on the test database, for a setting that
    differs or a route added for the test (routes cannot be added to an app that
    has served requests); its connections are closed after the test."""
    from trustfund import create_app
    from trustfund.extensions import db

    made = []

    def make(**config):
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, **config})
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
