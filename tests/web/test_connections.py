"""Database connections (trustfund/connections.py): on PostgreSQL a connection idle
for longer than DB_PING_AFTER_IDLE_SECONDS is pinged before use and a dead one is
replaced without failing the request; one in steady use is not pinged."""
from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def other_app(another_app, backend):
    if backend != "postgresql":
        pytest.skip("SQLite connections are files: nothing to ping")
    return another_app


def _signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _pings(app, monkeypatch):
    from trustfund.extensions import db

    with app.app_context():
        dialect = db.engine.dialect
    seen = []
    original = dialect.do_ping

    def counting(dbapi_connection):
        seen.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counting)
    return seen


def test_a_connection_idle_too_long_is_pinged_and_a_dead_one_replaced(other_app, db, users, monkeypatch):
    from trustfund.extensions import db as ext_db

    app = other_app(DB_PING_AFTER_IDLE_SECONDS=0)
    client = _signed_in(app, users["mptf_officer"])
    assert client.get("/donors/").status_code == 200
    with app.app_context():
        pids = {ext_db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()}
        ext_db.session.remove()
    # The server ends that connection (a restart, a dropped socket): the pool does not know.
    with db.engine.connect() as conn:
        for pid in pids:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    pings = _pings(app, monkeypatch)
    response = client.get("/donors/")
    assert response.status_code == 200
    assert pings  # the idle connection was checked, found dead and replaced


def test_a_connection_in_steady_use_is_not_pinged(other_app, users, monkeypatch):
    app = other_app(DB_PING_AFTER_IDLE_SECONDS=60)
    client = _signed_in(app, users["mptf_officer"])
    assert client.get("/donors/").status_code == 200
    pings = _pings(app, monkeypatch)
    for _ in range(5):
        assert client.get("/donors/").status_code == 200
    assert pings == []
