"""Requests that only read: GET, HEAD and OPTIONS change nothing.

HTTP says so and Trustfund holds to it: a reading request that tries to write
(any statement but a SELECT: a flush, an INSERT, UPDATE or DELETE through the
session or a connection) is refused with an error before it reaches the
database, so every test that requests a page checks the rule.

What it buys:
- On PostgreSQL a signed-in user's reading request runs its statements without a transaction
  (AUTOCOMMIT): no BEGIN and no ROLLBACK, two round trips and most of the
  server's work for a warm page (downloads excepted, see below). PostgreSQL runs
  Trustfund at READ COMMITTED, where each statement of a transaction sees what was
  committed before it began, so a statement outside a transaction sees exactly the
  same. (SQLite is left as it is: its driver opens no transaction for reads, and
  there is no round trip.)
- Values read once can serve the whole request (per_request): the data version
  of trustfund.cache is read with the user and not again, a statement's
  apportionment of spending is computed once per page.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask, has_request_context, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

T = TypeVar("T")
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FLAG = "trustfund.read_only"
_MEMO = "trustfund.read_only.memo"


class WriteInReadingRequest(RuntimeError):
    """A GET, HEAD or OPTIONS request tried to change the database."""


def is_read_only() -> bool:
    """Whether this is a dispatched reading request (not a test's or a command's own
    context, not a POST)."""
    return has_request_context() and request.environ.get(_FLAG, False)


def per_request(key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), once per reading request for the same key. Anywhere else (a POST,
    a test's or a command's own context) it computes each time, so that the code's
    own changes count."""
    if not is_read_only():
        return compute()
    store = request.environ.setdefault(_MEMO, {})
    if key not in store:
        store[key] = compute()
    return store[key]


def note(key: Hashable, value: T) -> T:
    """Keep a value read by the way (the data version, read with the user) for
    per_request(key, ...) in this reading request."""
    if is_read_only():
        request.environ.setdefault(_MEMO, {})[key] = value
    return value


def register(app: Flask) -> None:
    """Call before the blueprints register theirs: the hook must run before any
    statement of the request."""

    @app.before_request
    def reading_requests_only_read():
        if request.method not in READING_METHODS or request.endpoint in (None, "static"):
            return
        request.environ[_FLAG] = True
        # Only a signed-in user's page is sure to read the database (its user, at
        # least): other pages (the login page, an anonymous redirect) take no
        # connection. A download (?format=xlsx) streams its rows through a
        # server-side cursor, which PostgreSQL opens only inside a transaction:
        # downloads keep theirs.
        if (db.engine.dialect.name == "postgresql" and request.args.get("format") != "xlsx"
                and session.get("_user_id")):
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


# What a reading request may send to the database, by first word. Checked where
# every statement passes (the ORM's flushes and DML, connection.execute, text()),
# before it reaches the database, which under AUTOCOMMIT would commit it at once.
READING_STATEMENTS = frozenset({"SELECT", "WITH", "EXPLAIN", "SHOW", "VALUES", "PRAGMA"})


def _refuse_sql(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if is_read_only() and statement.lstrip(" \t\n(").split(None, 1)[0].upper() not in READING_STATEMENTS:
        raise WriteInReadingRequest(f"{request.method} {request.path} sent {statement[:60]!r}")


event.listen(Engine, "before_cursor_execute", _refuse_sql)
