"""SQLite connections: WAL and a busy timeout on each new connection, so that
concurrent writers wait instead of failing, and foreign keys on; and `lower_text`,
SQL's lower() of every letter on both databases (SQLite's own lowers A-Z only).

(PostgreSQL connections need nothing here: SQLAlchemy's pool_pre_ping, set in
config.py, checks each one as it is taken from the pool and replaces a dead one.)
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def hold_row(session, model, row_id: int, *, write_lock_held: bool = False,
             against_references: bool = False) -> None:
    """Hold a row of `model` until the session's transaction ends: another transaction
    holding it waits until this one ends, and what this one reads next includes what
    that one committed. PostgreSQL: the row lock an UPDATE of it takes (FOR NO KEY
    UPDATE: rows inserted meanwhile that refer to it do not wait, and so cannot
    deadlock with it), or with `against_references` FOR UPDATE, which also waits for
    a transaction inserting rows that refer to it (and makes it wait), for a check of
    such rows; SQLite: the database's one write lock, taken by a write that changes
    nothing, unless the transaction holds it already (`write_lock_held`)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(model.id).where(model.id == row_id)
                        .with_for_update(key_share=not against_references))
    elif not write_lock_held:
        session.execute(sa.update(model).where(model.id == row_id).values(id=model.id)
                        .execution_options(synchronize_session=False))


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
    dbapi_connection.create_function(UNICODE_LOWER, 1, _lower, deterministic=True)


# SQLite's lower() and LIKE fold A-Z only: "émirats" would not find "Émirats Foundation".
# Each SQLite connection gets this function, Python's str.lower (not used in any index:
# an index on it could not be read by a connection without it, such as the sqlite3 shell).
UNICODE_LOWER = "trustfund_lower"


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class lower_text(FunctionElement):
    """lower(text) of every letter, for matching what a user typed in any letter case:
    PostgreSQL's lower() (which follows the database's LC_CTYPE: C.UTF-8 or a
    language's, as initdb sets it), on SQLite Python's str.lower."""

    type = sa.String()
    inherit_cache = True


@compiles(lower_text)
def _lower_text(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(lower_text, "sqlite")
def _lower_text_sqlite(element, compiler, **kw):
    return f"{UNICODE_LOWER}({compiler.process(element.clauses, **kw)})"


def holds_text(column, text: str):
    """SQL: `column` holds `text`, any letter case (accented capitals too, on SQLite as
    on PostgreSQL: lower_text on both sides), its %, _ and \\ taken literally: the
    search box and the donors' name filter."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return lower_text(column).like(lower_text(f"%{escaped}%"), escape="\\")
