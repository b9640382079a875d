"""Migration 0042 on a database in use before revision 0035, when a month's rate took
one MPTF officer and a rates file was uploaded and imported by one officer: such a rate
names its confirmer only, never a rates file it did not come from (a later file its
officer confirmed, or a colleague's file of the same name; a colleague's review of the
session's diff)."""
import datetime as dt
import json

import sqlalchemy as sa

AT = dt.datetime(2017, 6, 1, 9, 0)


def _user(conn, uid, email):
    conn.execute(sa.text(
        'INSERT INTO "user" (id, email, name, password_hash, role, active, session_token, created_at, '
        "version) VALUES (:id, :email, :email, 'x', 'mptf_officer', :yes, :t, :at, 1)"),
        {"id": uid, "email": email, "yes": True, "t": f"t{uid}", "at": AT})


def _rate(conn, rid, currency, rate):
    conn.execute(sa.text("INSERT INTO exchange_rate (id, currency, month, rate, created_at, version) "
                         "VALUES (:id, :c, :m, :r, :at, 1)"),
                 {"id": rid, "c": currency, "m": dt.date(2017, 5, 1), "r": rate, "at": AT})


def _file(conn, fid, uploader, days):
    conn.execute(sa.text(
        "INSERT INTO rate_import (id, token, filename, content, rows, created_by_id, created_at, "
        "posted_at, rates) VALUES (:id, :tok, 'un-rates.csv', :c, 1, :u, :at, :at, 1)"),
        {"id": fid, "tok": f"tok{fid}", "c": b"currency,month,rate", "u": uploader,
         "at": AT + dt.timedelta(days=days)})


def _audit(conn, eid, user_id, action, object_id=None, after=None, days=0):
    conn.execute(sa.text("INSERT INTO audit_entry (id, at, user_id, action, object_type, object_id, after) "
                         "VALUES (:id, :at, :u, :a, 'ExchangeRate', :o, :after)"),
                 {"id": eid, "at": AT + dt.timedelta(days=days, seconds=1), "u": user_id, "a": action,
                  "o": object_id, "after": json.dumps(after) if after is not None else None})


def _migrate(url, fill):
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            upgrade(revision="0041")
            with db.engine.begin() as conn:
                _user(conn, 1, "amina@un.org")
                _user(conn, 2, "jonas@un.org")
                fill(conn)
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(sa.text(
                    "SELECT id, proposed_by_id, rate_file_id, confirmed_by_id FROM exchange_rate")).all()
            return {row.id: (row.proposed_by_id, row.rate_file_id, row.confirmed_by_id) for row in rows}
        finally:
            db.session.remove()
            db.engine.dispose()


def test_a_rate_one_officer_typed_is_not_credited_to_a_later_file(empty_database_url):
    def fill(conn):
        _rate(conn, 20, "EUR", "0.89")   # typed by jonas alone (before 0035), June 2017
        _audit(conn, 1, 2, "exchange_rate.create", "20", days=0)
        _rate(conn, 21, "CHF", "0.97")   # a year later: amina's file, confirmed by jonas
        _file(conn, 5, 1, days=365)
        _audit(conn, 2, 2, "exchange_rate.create", "21", days=365)
        _audit(conn, 3, 2, "exchange_rate.import", after={"file": "un-rates.csv"}, days=365)

    who = _migrate(empty_database_url, fill)
    assert who[21] == (1, 5, 2)
    # EUR was typed by jonas a year before amina's file existed: not "Rates file
    # un-rates.csv of amina, confirmed by jonas".
    assert who[20] == (None, None, 2)


def test_a_file_one_officer_imported_is_not_credited_to_a_colleague_namesake(empty_database_url):
    def fill(conn):
        _file(conn, 3, 1, days=0)        # amina uploads and imports un-rates.csv (one step, before 0035)
        _rate(conn, 19, "EUR", "0.89")
        _audit(conn, 1, 1, "exchange_rate.create", "19", days=0)
        _audit(conn, 2, 1, "exchange_rate.import", after={"file": "un-rates.csv"}, days=0)
        _file(conn, 4, 2, days=30)       # next month jonas does the same with his un-rates.csv
        _rate(conn, 20, "CHF", "0.97")
        _audit(conn, 3, 2, "exchange_rate.create", "20", days=30)
        _audit(conn, 4, 2, "exchange_rate.import", after={"file": "un-rates.csv"}, days=30)

    who = _migrate(empty_database_url, fill)
    # Jonas's own file, imported by himself: not amina's file of a month before.
    assert who[20] in ((None, None, 2), (2, 4, 2))
