"""How the app's database connections are set up and checked.

SQLite: WAL and a busy timeout on each new connection, so that concurrent
writers wait instead of failing, and foreign keys on.

Other databases (PostgreSQL): a connection that has waited in the pool for more
than DB_PING_AFTER_IDLE_SECONDS (10 s by default) is pinged before it is handed
out; a dead one (the server restarted, a firewall dropped the idle socket) is
discarded and another one taken, so no request fails for it. SQLAlchemy's own
`pool_pre_ping` pings at every checkout: a round trip per request, which was a
seventh of a warm page's CPU (benchmarks/bench_http.py). A connection in steady
use comes back within milliseconds and is not pinged; if the server goes away
while it is in use, SQLAlchemy sees the disconnection, the request fails, and
every older connection of the pool is replaced.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event

PING_AFTER_IDLE_SECONDS = 10.0
_RETURNED = "trustfund.returned_at"


def register(app: Flask, engine: sa.engine.Engine) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        return
    idle = float(app.config.get("DB_PING_AFTER_IDLE_SECONDS", PING_AFTER_IDLE_SECONDS))
    dialect = engine.dialect

    def stamp(_dbapi_connection, record) -> None:
        """A new connection, or one back in the pool: idle from now."""
        record.info[_RETURNED] = time.monotonic()

    def checkout(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get(_RETURNED, 0.0) < idle:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                # The pool discards this connection and hands out another.
                raise sa.exc.DisconnectionError(f"idle connection found dead: {error}") from error
            raise

    event.listen(engine, "connect", stamp)
    event.listen(engine, "checkin", stamp)
    event.listen(engine, "checkout", checkout)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and a busy timeout, so that concurrent writers wait instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
