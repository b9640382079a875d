"""GET, HEAD and OPTIONS requests only read (trustfund.read_only): one that tries
to write is refused and leaves no trace; on PostgreSQL they run without a
transaction (no BEGIN/ROLLBACK round trips), while a POST keeps its transaction."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import base_users
from trustfund.audit import AuditEntry, record
from trustfund.donors.models import Donor


def _isolation_levels(db, client, method, path, **kwargs):
    """The isolation level each statement of one request ran at."""
    levels = []

    def log(conn, *_args):
        levels.append(conn.get_execution_options().get("isolation_level", "transaction"))

    sa.event.listen(db.engine, "before_cursor_execute", log)
    try:
        response = client.open(path, method=method, **kwargs)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", log)
    return response, levels


def test_a_page_reads_without_a_transaction_on_postgresql(app, db, client, login_as):
    login_as("mptf_officer")
    response, levels = _isolation_levels(db, client, "GET", "/donors/")
    assert response.status_code == 200 and levels
    expected = "AUTOCOMMIT" if db.engine.dialect.name == "postgresql" else "transaction"
    assert set(levels) == {expected}


def test_a_form_that_changes_data_keeps_its_transaction(app, db, client, login_as):
    login_as("mptf_officer")
    response, levels = _isolation_levels(db, client, "POST", "/language",
                                         data={"lang": "fr", "next": "/donors/"})
    assert response.status_code == 302 and levels
    assert "AUTOCOMMIT" not in levels
    assert base_users()["mptf_officer"].locale == "fr"


@pytest.fixture
def writing_get(another_app):
    """A separate app (routes cannot be added to one that served requests) with a
    GET route that writes, as a careless future route might."""
    from trustfund.extensions import db

    app = another_app()

    @app.route("/careless")
    def careless():
        donor = Donor(name="Written by a GET", donor_type="philanthropic_organization")
        db.session.add(donor)
        record(None, "donor.create", donor)
        db.session.commit()
        return "written"

    @app.route("/careless-update")
    def careless_update():
        db.session.execute(sa.update(Donor).values(name="Renamed by a GET"))
        db.session.commit()
        return "written"

    return app


@pytest.mark.parametrize("path", ["/careless", "/careless-update"])
def test_a_get_that_writes_is_refused_and_leaves_no_trace(app, db, writing_get, path):
    before = db.session.execute(sa.select(Donor.name).order_by(Donor.id)).all()
    audit = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    writing_get.config["PROPAGATE_EXCEPTIONS"] = False
    response = writing_get.test_client().get(path)
    assert response.status_code == 500
    db.session.expire_all()
    assert db.session.execute(sa.select(Donor.name).order_by(Donor.id)).all() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audit
    # The same code in a POST (or a command, or a test) writes as usual.
    with writing_get.test_request_context(path, method="POST"):
        writing_get.view_functions[path.strip("/").replace("-", "_")]()
    db.session.expire_all()
    assert db.session.execute(sa.select(Donor.name).order_by(Donor.id)).all() != before


def test_a_statement_sent_past_the_orm_in_a_get_is_refused(app, db, another_app):
    """A write through connection.execute or text() escapes the ORM's checks; the
    driver-level check refuses it too (under AUTOCOMMIT it would commit at once)."""
    from trustfund.extensions import db as ext_db

    other = another_app(PROPAGATE_EXCEPTIONS=False)

    @other.route("/careless-sql")
    def careless_sql():
        ext_db.session.connection().execute(sa.text("UPDATE donor SET name = 'Renamed by SQL'"))
        ext_db.session.commit()
        return "written"

    @other.route("/reading-sql")
    def reading_sql():
        return str(ext_db.session.connection().execute(
            sa.text("SELECT count(*) FROM donor")).scalar_one())

    before = db.session.execute(sa.select(Donor.name).order_by(Donor.id)).all()
    client = other.test_client()
    assert client.get("/careless-sql").status_code == 500
    assert client.get("/reading-sql").status_code == 200
    db.session.expire_all()
    assert db.session.execute(sa.select(Donor.name).order_by(Donor.id)).all() == before


def test_pages_without_a_signed_in_user_take_no_connection(app, db, client):
    """The login page works without touching the database (a database restart
    does not take it down), and so does an unknown address."""
    checkouts = []

    def log(*_args):
        checkouts.append(1)

    sa.event.listen(db.engine, "checkout", log)
    try:
        assert client.get("/login").status_code == 200
        assert client.get("/no-such-page").status_code == 404
    finally:
        sa.event.remove(db.engine, "checkout", log)
    assert checkouts == []
