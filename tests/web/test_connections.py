"""Database connections: on PostgreSQL each connection is checked as it leaves the pool
(SQLAlchemy's pool_pre_ping) and a dead one replaced, so a database restart or a
dropped socket between requests fails no request."""
from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture
def other_app(another_app, backend):
    if backend != "postgresql":
        pytest.skip("SQLite connections are files: nothing to ping")
    return another_app()


def _signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def test_a_connection_the_server_ended_is_replaced_without_failing_a_request(other_app, db, users):
    from trustfund.extensions import db as ext_db

    client = _signed_in(other_app, users["mptf_officer"])
    assert client.get("/donors/").status_code == 200
    with other_app.app_context():
        pids = {ext_db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()}
        ext_db.session.remove()
    # The server ends that connection (a restart, a dropped socket): the pool does not know.
    with db.engine.connect() as conn:
        for pid in pids:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    for _ in range(3):
        assert client.get("/donors/").status_code == 200
