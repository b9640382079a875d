"""GET, HEAD and OPTIONS requests only read (trustfund.read_only): one that tries
to write, by any statement that may change data (data-modifying CTEs included), is
refused and leaves no trace; they run in an ordinary transaction, like a POST."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import base_users
from trustfund.audit import AuditEntry, record
from trustfund.data_version import writes
from trustfund.donors.models import Donor


def _transactions(db, client, method, path, **kwargs):
    """(response, [whether each statement ran inside a transaction])."""
    inside = []

    def log(conn, *_args):
        inside.append(conn.in_transaction()
                      and conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT")

    sa.event.listen(db.engine, "before_cursor_execute", log)
    try:
        response = client.open(path, method=method, **kwargs)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", log)
    return response, inside


@pytest.mark.parametrize("path", ["/donors/", "/contributions/deposits?format=xlsx"])
def test_a_page_and_a_download_read_in_an_ordinary_transaction(app, db, client, login_as, path):
    login_as("mptf_officer")
    response, inside = _transactions(db, client, "GET", path)
    assert response.status_code == 200 and inside and all(inside)


def test_a_form_that_changes_data_keeps_its_transaction(app, db, client, login_as):
    login_as("mptf_officer")
    response, inside = _transactions(db, client, "POST", "/language",
                                     data={"lang": "fr", "next": "/donors/"})
    assert response.status_code == 302 and inside and all(inside)
    assert base_users()["mptf_officer"].locale == "fr"


WRITING_SQL = [
    "UPDATE donor SET name = 'x'",
    "  (DELETE FROM donor)",
    "insert into donor (name) values ('x')",
    "WITH gone AS (DELETE FROM donor RETURNING id) SELECT count(*) FROM gone",
    "WITH renamed AS (\n  UPDATE donor SET name = 'x' RETURNING id\n) SELECT * FROM renamed",
    "with src as (select 1 as id) insert into donor (id) select id from src",
    "WITH old AS (SELECT id FROM donor) DELETE FROM donor WHERE id IN (SELECT id FROM old)",
    "WITH x AS (SELECT 1) MERGE INTO donor USING x ON true WHEN MATCHED THEN DELETE",
    "EXPLAIN ANALYZE UPDATE donor SET name = 'x'",
    "CREATE TABLE t (id int)", "TRUNCATE donor",
]
READING_SQL = [
    "SELECT donor.name FROM donor WHERE donor.id = ?",
    ("WITH totals AS (SELECT donor_id, sum(net) AS net FROM deposit GROUP BY donor_id) "
     "SELECT * FROM totals"),
    "SELECT id FROM pool WHERE id = 1 FOR UPDATE",
    "WITH p AS (SELECT id FROM pool) SELECT id FROM p FOR NO KEY UPDATE",
    "SELECT updated_at, deleted_flag, inserted FROM t",
]


@pytest.mark.parametrize("statement", WRITING_SQL)
def test_statements_that_may_write_are_recognised(statement):
    assert writes(statement) is True


@pytest.mark.parametrize("statement", READING_SQL)
def test_statements_that_only_read_are_recognised(statement):
    assert writes(statement) is False


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


# A write the ORM does not see: plain SQL, and data-modifying CTEs that begin with WITH
# like a query (PostgreSQL runs an UPDATE inside a WITH; both run WITH ... UPDATE).
SQL_WRITES = {
    "plain UPDATE": "UPDATE donor SET name = 'Renamed by SQL'",
    "CTE ending in an UPDATE": "WITH d AS (SELECT id FROM donor) "
                               "UPDATE donor SET name = 'Renamed by a CTE' WHERE id IN (SELECT id FROM d)",
    "data-modifying CTE": "WITH renamed AS (UPDATE donor SET name = 'Renamed inside a CTE' RETURNING id) "
                          "SELECT count(*) FROM renamed",
}


@pytest.mark.parametrize("sql", SQL_WRITES.values(), ids=SQL_WRITES.keys())
def test_a_statement_sent_past_the_orm_in_a_get_is_refused(app, db, another_app, sql):
    """A write through connection.execute or text() escapes the ORM's checks; the
    driver-level check refuses it too, CTEs included."""
    from trustfund.extensions import db as ext_db

    if "RETURNING id) SELECT" in sql and db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no data-modifying CTEs")
    other = another_app(PROPAGATE_EXCEPTIONS=False)

    @other.route("/careless-sql")
    def careless_sql():
        ext_db.session.connection().execute(sa.text(sql))
        ext_db.session.commit()
        return "written"

    @other.route("/reading-sql")
    def reading_sql():
        return str(ext_db.session.connection().execute(
            sa.text("WITH d AS (SELECT id FROM donor) SELECT count(*) FROM d")).scalar_one())

    before = db.session.execute(sa.select(Donor.name).order_by(Donor.id)).all()
    client = other.test_client()
    assert client.get("/careless-sql").status_code == 500
    assert client.get("/reading-sql").status_code == 200
    db.session.expire_all()
    assert db.session.execute(sa.select(Donor.name).order_by(Donor.id)).all() == before
    # The same statement in a POST writes: the refusal is the guard's, not the database's.
    with other.test_request_context("/careless-sql", method="POST"):
        careless_sql()
    db.session.expire_all()
    assert db.session.execute(sa.select(Donor.name).order_by(Donor.id)).all() != before


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


def test_a_page_shows_one_moment_while_others_commit(app, db, another_app):
    """A page built with several statements shows the data of one moment: a change
    someone else commits while the page is being built is not half in it (it is in
    the next page), on SQLite as on PostgreSQL."""
    import threading

    from trustfund.extensions import db as ext_db

    donor = db.session.scalar(sa.select(Donor).order_by(Donor.id).limit(1))
    donor_id, before = donor.id, donor.contact_name
    db.session.commit()
    engine = db.engine
    other = another_app()

    def someone_else_renames():
        with engine.begin() as conn:
            conn.execute(sa.update(Donor).where(Donor.id == donor_id)
                         .values(contact_name="Renamed meanwhile"))

    def contact() -> str:
        return ext_db.session.execute(sa.select(Donor.contact_name).where(Donor.id == donor_id)).scalar_one()

    @other.route("/contact-twice")
    def contact_twice():
        first = contact()
        writer = threading.Thread(target=someone_else_renames)
        writer.start()
        writer.join()
        return f"{first}|{contact()}"

    client = other.test_client()
    assert client.get("/contact-twice").get_data(as_text=True) == f"{before}|{before}"
    # The commit happened: the next page shows it throughout.
    assert client.get("/contact-twice").get_data(as_text=True) == "Renamed meanwhile|Renamed meanwhile"


def test_a_reading_request_s_settings_end_with_its_transaction(db, another_app, backend):
    """On PostgreSQL a reading request's transaction is REPEATABLE READ, READ ONLY;
    the next transaction on the same pooled connection, outside a reading request,
    has the connection's own settings again and writes."""
    if backend != "postgresql":
        pytest.skip("SQLite has no isolation levels to set")
    from trustfund.extensions import db as ext_db

    other = another_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 1,
                                                   "max_overflow": 0})
    settings = sa.text("SELECT current_setting('transaction_isolation'), "
                       "current_setting('transaction_read_only'), pg_backend_pid()")

    @other.route("/settings")
    def transaction_settings():
        return "|".join(str(value) for value in ext_db.session.execute(settings).one())

    client = other.test_client()
    reading = client.get("/settings").get_data(as_text=True)
    assert reading.split("|")[:2] == ["repeatable read", "on"]
    with other.app_context():  # a command's transaction, on the same connection
        isolation, read_only, pid = ext_db.session.execute(settings).one()
        ext_db.session.execute(sa.update(Donor).where(Donor.id == -1).values(name="x"))
        ext_db.session.commit()
    assert (isolation, read_only, str(pid)) == ("read committed", "off", reading.split("|")[2])
    assert client.get("/settings").get_data(as_text=True) == reading
