"""Migration 0042: a rate set before it takes, from the audit trail, who set it as it
stands: the officer who confirmed its last setting, and the proposal or the rates
file that officer confirmed in that step; a rate set from the command line names
nobody; a rate corrected after a proposal names the correction's pair."""
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


def _audit(conn, eid, user_id, action, object_id=None, after=None, minutes=0):
    conn.execute(sa.text("INSERT INTO audit_entry (id, at, user_id, action, object_type, object_id, after) "
                         "VALUES (:id, :at, :u, :a, 'ExchangeRate', :o, :after)"),
                 {"id": eid, "at": AT + dt.timedelta(minutes=minutes), "u": user_id, "a": action,
                  "o": object_id, "after": json.dumps(after) if after is not None else None})


def test_each_rate_takes_who_set_it_from_the_audit_trail(empty_database_url):
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="0041")
            with db.engine.begin() as conn:
                for uid, email in ((1, "amina@un.org"), (2, "jonas@un.org"), (3, "li@un.org")):
                    _user(conn, uid, email)
                _rate(conn, 10, "EUR", "0.941")   # proposed by 1, confirmed by 2
                _rate(conn, 11, "CHF", "0.99")    # from a file of 1, confirmed by 2
                _rate(conn, 12, "JPY", "110.5")   # from the command line
                _rate(conn, 13, "GBP", "0.75")    # proposed by 1, confirmed by 2; corrected: 3, then 1
                conn.execute(sa.text(
                    "INSERT INTO rate_import (id, token, filename, content, rows, created_by_id, created_at, "
                    "posted_at, rates) VALUES (5, 'tok', 'may.csv', :c, 1, 1, :at, :posted, 1)"),
                    {"c": b"currency,month,rate", "at": AT, "posted": AT + dt.timedelta(minutes=2)})
                for pid, rid, rate, proposer, decider, minutes in ((7, 10, "0.941", 1, 2, 1),
                                                                   (8, 13, "0.7", 1, 2, 1),
                                                                   (9, 13, "0.75", 3, 1, 4)):
                    conn.execute(sa.text(
                        "INSERT INTO rate_proposal (id, currency, month, rate, proposed_by_id, proposed_at, "
                        "status, decided_by_id, decided_at, rate_id) VALUES (:id, 'X', :m, :r, :p, :at, "
                        "'confirmed', :d, :at, :rid)"),
                        {"id": pid, "m": dt.date(2018, 5, 1), "r": rate, "p": proposer, "d": decider,
                         "at": AT + dt.timedelta(minutes=minutes), "rid": rid})
                _audit(conn, 1, 2, "exchange_rate.create", "10", minutes=1)
                _audit(conn, 2, 2, "rate_proposal.confirm", "7", minutes=1)
                _audit(conn, 3, 2, "exchange_rate.create", "13", minutes=1)
                _audit(conn, 4, 2, "rate_proposal.confirm", "8", minutes=1)
                _audit(conn, 5, 2, "exchange_rate.create", "11", minutes=2)
                _audit(conn, 6, 2, "exchange_rate.import", after={"file": "may.csv"}, minutes=2)
                _audit(conn, 7, None, "exchange_rate.create", "12", minutes=3)
                _audit(conn, 8, 1, "exchange_rate.update", "13", minutes=4)
                _audit(conn, 9, 1, "rate_proposal.confirm", "9", minutes=4)
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(sa.text(
                    "SELECT id, proposed_by_id, rate_file_id, confirmed_by_id FROM exchange_rate")).all()
            who = {row.id: (row.proposed_by_id, row.rate_file_id, row.confirmed_by_id) for row in rows}
            assert who == {10: (1, None, 2), 11: (1, 5, 2), 12: (None, None, None), 13: (3, None, 1)}
        finally:
            db.session.remove()
            db.engine.dispose()
