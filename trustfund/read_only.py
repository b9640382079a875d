"""Requests that only read: GET, HEAD and OPTIONS change nothing.

HTTP says so and Trustfund holds to it: a reading request that tries to write
(any statement that may change data: a flush, an INSERT, UPDATE or DELETE through
the session or a connection, a WITH statement holding or ending in one) is
refused with an error before it reaches the database, so every test that
requests a page checks the rule. Reading requests run in an ordinary transaction,
like any other, rolled back when the request ends.

What it buys: values read once can serve the whole request (memo, per_request):
a statement's apportionment of spending is computed once per page, and the data
version read last serves the next kept figure (trustfund.cache).

And a reading request sees the data of one moment: its transaction reads from one
snapshot (PostgreSQL: REPEATABLE READ, READ ONLY; SQLite in WAL mode: a
transaction begun before its first read), so a page built with several
statements never mixes the data before and after someone else's commit (a
statement's deposits and its shares, a figure and the data version it is kept
under).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .data_version import writes

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


def memo() -> dict | None:
    """The reading request's store of values read once for the whole request; None
    anywhere else (a POST, a test's or a command's own context), where the code's own
    changes must count."""
    return request.environ.setdefault(_MEMO, {}) if is_read_only() else None


def per_request(key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), once per reading request for the same key; anywhere else, each time."""
    store = memo()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def register(app: Flask) -> None:
    """Marks the app's reading requests; call before the blueprints register their
    hooks, so that it runs before any statement of the request."""

    @app.before_request
    def reading_requests_only_read():
        if request.method in READING_METHODS and request.endpoint not in (None, "static"):
            request.environ[_FLAG] = True


def _refuse_writes(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    """Checked where every statement passes (the ORM's flushes and DML,
    connection.execute, text()), before it reaches the database."""
    if writes(statement) and is_read_only():
        raise WriteInReadingRequest(f"{request.method} {request.path} sent {statement[:60]!r}")


event.listen(Engine, "before_cursor_execute", _refuse_writes)

# Sent on the driver's own cursor: the transaction's first statement, before any
# read, and not a statement of the request's (nothing for the checks above to see).
_ONE_MOMENT = {
    "postgresql": "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    "sqlite": "BEGIN",  # pysqlite begins on its own only before a write
}


def _one_moment(conn) -> None:
    """When a reading request's transaction begins: read from one snapshot."""
    statement = _ONE_MOMENT.get(conn.dialect.name)
    if statement is None or not is_read_only():
        return
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


event.listen(Engine, "begin", _one_moment)
