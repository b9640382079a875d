"""Migration 0042: a rate set before it takes, from the audit trail, who set it as it
stands: the officer who confirmed its last setting, and the proposal or the rates
file that officer confirmed in that step; a rate set from the command line names
nobody; a rate corrected after a proposal names the correction's pair. On a
database in use before revision 0035, when a month's rate took one MPTF officer and
a rates file was uploaded and imported by one officer, such a rate names its
confirmer only, never a rates file it did not come from (a later file its officer
confirmed, or a colleague's file of the same name; a colleague's review of the
session's diff)."""
import datetime as dt
import json

import sqlalchemy as sa

AT = dt.datetime(2026, 12, 1, 9, 0)


def _user(conn, uid, email):
    conn.execute(sa.text(
        'INSERT INTO "user" (id, email, name, password_hash, role, active, session_token, created_at, '
        "version) VALUES (:id, :email, :email, 'x', 'mptf_officer', :yes, :t, :at, 1)"),
        {"id": uid, "email": email, "yes": True, "t": f"t{uid}", "at": AT})


def _rate(conn, rid, currency, rate):
    conn.execute(sa.text("INSERT INTO exchange_rate (id, currency, month, rate, created_at, version) "
                         "VALUES (:id, :c, :m, :r, :at, 1)"),
                 {"id": rid, "c": currency, "m": dt.date(2018, 5, 1), "r": rate, "at": AT})


def _file(conn, fid, uploader, name, posted):
    conn.execute(sa.text(
        "INSERT INTO rate_import (id, token, filename, content, rows, created_by_id, created_at, "
        "posted_at, rates) VALUES (:id, :tok, :name, :c, 1, :u, :at, :posted, 1)"),
        {"id": fid, "tok": f"tok{fid}", "name": name, "c": b"currency,month,rate", "u": uploader, "at": AT,
         "posted": posted})


def _audit(conn, eid, user_id, action, object_id=None, after=None, at=AT):
    conn.execute(sa.text("INSERT INTO audit_entry (id, at, user_id, action, object_type, object_id, after) "
                         "VALUES (:id, :at, :u, :a, 'ExchangeRate', :o, :after)"),
                 {"id": eid, "at": at, "u": user_id, "a": action,
                  "o": object_id, "after": json.dumps(after) if after is not None else None})


def _migrated(url, fill) -> dict[int, tuple]:
    """{rate id: (proposed by, rates file, confirmed by)} after upgrading a database at
    0041 that `fill` gave officers 1, 2 and 3 and its rates."""
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            upgrade(revision="0041")
            with db.engine.begin() as conn:
                for uid, email in ((1, "amina@un.org"), (2, "jonas@un.org"), (3, "li@un.org")):
                    _user(conn, uid, email)
                fill(conn)
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(sa.text(
                    "SELECT id, proposed_by_id, rate_file_id, confirmed_by_id FROM exchange_rate")).all()
            return {row.id: (row.proposed_by_id, row.rate_file_id, row.confirmed_by_id) for row in rows}
        finally:
            db.session.remove()
            db.engine.dispose()


def _minutes(n):
    return AT + dt.timedelta(minutes=n)


def test_each_rate_takes_who_set_it_from_the_audit_trail(empty_database_url):
    def fill(conn):
        _rate(conn, 10, "EUR", "0.941")   # proposed by 1, confirmed by 2
        _rate(conn, 11, "CHF", "0.99")    # from a file of 1, confirmed by 2
        _rate(conn, 12, "JPY", "110.5")   # from the command line
        _rate(conn, 13, "GBP", "0.75")    # proposed by 1, confirmed by 2; corrected: 3, then 1
        _file(conn, 5, 1, "may.csv", _minutes(2))
        for pid, rid, rate, proposer, decider, minutes in ((7, 10, "0.941", 1, 2, 1), (8, 13, "0.7", 1, 2, 1),
                                                           (9, 13, "0.75", 3, 1, 4)):
            conn.execute(sa.text(
                "INSERT INTO rate_proposal (id, currency, month, rate, proposed_by_id, proposed_at, "
                "status, decided_by_id, decided_at, rate_id) VALUES (:id, 'X', :m, :r, :p, :at, "
                "'confirmed', :d, :at, :rid)"),
                {"id": pid, "m": dt.date(2018, 5, 1), "r": rate, "p": proposer, "d": decider,
                 "at": _minutes(minutes), "rid": rid})
        _audit(conn, 1, 2, "exchange_rate.create", "10", at=_minutes(1))
        _audit(conn, 2, 2, "rate_proposal.confirm", "7", at=_minutes(1))
        _audit(conn, 3, 2, "exchange_rate.create", "13", at=_minutes(1))
        _audit(conn, 4, 2, "rate_proposal.confirm", "8", at=_minutes(1))
        _audit(conn, 5, 2, "exchange_rate.create", "11", at=_minutes(2))
        _audit(conn, 6, 2, "exchange_rate.import", after={"file": "may.csv"}, at=_minutes(2))
        _audit(conn, 7, None, "exchange_rate.create", "12", at=_minutes(3))
        _audit(conn, 8, 1, "exchange_rate.update", "13", at=_minutes(4))
        _audit(conn, 9, 1, "rate_proposal.confirm", "9", at=_minutes(4))

    assert _migrated(empty_database_url, fill) == {10: (1, None, 2), 11: (1, 5, 2), 12: (None, None, None),
                                                   13: (3, None, 1)}


def _day(n):
    return AT + dt.timedelta(days=n, seconds=1)


def test_a_rate_one_officer_typed_is_not_credited_to_a_later_file(empty_database_url):
    def fill(conn):
        _rate(conn, 20, "EUR", "0.89")   # typed by jonas alone (before 0035)
        _audit(conn, 1, 2, "exchange_rate.create", "20", at=_day(0))
        _rate(conn, 21, "CHF", "0.97")   # a year later: amina's file, confirmed by jonas
        _file(conn, 5, 1, "un-rates.csv", AT + dt.timedelta(days=365))
        _audit(conn, 2, 2, "exchange_rate.create", "21", at=_day(365))
        _audit(conn, 3, 2, "exchange_rate.import", after={"file": "un-rates.csv"}, at=_day(365))

    who = _migrated(empty_database_url, fill)
    assert who[21] == (1, 5, 2)
    assert who[20] == (None, None, 2)  # not "Rates file un-rates.csv of amina, confirmed by jonas"


def test_a_file_one_officer_imported_is_not_credited_to_a_colleague_namesake(empty_database_url):
    def fill(conn):
        _file(conn, 3, 1, "un-rates.csv", AT)   # amina uploads and imports it (one step, before 0035)
        _rate(conn, 19, "EUR", "0.89")
        _audit(conn, 1, 1, "exchange_rate.create", "19", at=_day(0))
        _audit(conn, 2, 1, "exchange_rate.import", after={"file": "un-rates.csv"}, at=_day(0))
        _file(conn, 4, 2, "un-rates.csv", AT + dt.timedelta(days=30))  # jonas, a month later
        _rate(conn, 20, "CHF", "0.97")
        _audit(conn, 3, 2, "exchange_rate.create", "20", at=_day(30))
        _audit(conn, 4, 2, "exchange_rate.import", after={"file": "un-rates.csv"}, at=_day(30))

    # Jonas's own file, imported by himself: not amina's file of a month before.
    assert _migrated(empty_database_url, fill)[20] in ((None, None, 2), (2, 4, 2))
