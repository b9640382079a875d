"""SQLite connections: WAL and a busy timeout on each new connection, so that
concurrent writers wait instead of failing, and foreign keys on.

(PostgreSQL connections need nothing here: SQLAlchemy's pool_pre_ping, set in
config.py, checks each one as it is taken from the pool and replaces a dead one.)
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event


def register(engine: sa.engine.Engine) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
