"""The data version: a random token that every writing transaction replaces.

One row in the table data_version holds a token. A session that commits a
transaction which wrote anything (an ORM flush, a bulk UPDATE through
session.execute such as pools.move, any INSERT/UPDATE/DELETE sent on the
session's connection) writes a new random token as the last statement before
COMMIT, in that same transaction: the new data and the new token become
visible together, or neither does. No audit entry is needed for it.

Why a random token and not a counter or the audit trail's highest id: a value
can repeat (after a rollback, after restoring a backup) with other data; a
random token of 128 bits never does. A restored database brings back the token
it had when the backup was taken, with exactly the data it had then, so a
figure kept under that token is that data's figure (see cache.keep, which keeps
a figure only if the token did not change while it was computed).

Why at commit and not at each flush: on PostgreSQL the UPDATE of the token locks
its row until COMMIT, so every writing transaction waits for the one before it
at that point. Written last, the row is held only for the instant of the
commit, and a transaction holding it waits for nothing else (no deadlock with
the pools' row locks). Until its commit a transaction sees its own changes under
the old token: cache.keep computes afresh, and keeps nothing, while the
session has written (uncommitted_writes).
"""
from __future__ import annotations

import functools
import re
import secrets
import weakref

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from .audit import SECRET
from .extensions import db

ROW_ID = 1


class DataVersion(db.Model):
    """One row: the token of the data as last committed."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(sa.String(32), info=SECRET)


_READ = sa.select(DataVersion.token).where(DataVersion.id == ROW_ID)
_table = DataVersion.__table__
_WRITE = _table.update().where(_table.c.id == ROW_ID).values(token=sa.bindparam("token"))
_CREATE = _table.insert().values(id=ROW_ID, token=sa.bindparam("token"))


def new_token() -> str:
    return secrets.token_hex(16)


@event.listens_for(DataVersion.__table__, "after_create")
def _first_token(target, connection, **_kw) -> None:
    """create_all() makes the row, as the migration does."""
    connection.execute(_CREATE, {"token": new_token()})


def current(session: Session) -> str | None:
    """The token as this session's transaction sees it (None on a database whose
    row is missing: nothing is kept then). Flushes pending changes first."""
    return session.execute(_READ).scalar_one_or_none()


# --- Which statements write --------------------------------------------------------

# What only reads, by first word. A WITH statement may hide a write in a
# data-modifying CTE (PostgreSQL: WITH x AS (UPDATE ... RETURNING ...) SELECT ...)
# or end in one (SQLite and PostgreSQL: WITH x AS (...) DELETE FROM ...): it reads
# only if none of these words appears in it but as a row-locking clause.
READING_WORDS = frozenset({"SELECT", "WITH", "EXPLAIN", "SHOW", "VALUES", "PRAGMA"})
_FIRST_WORD = re.compile(r"[\s(]*([A-Za-z]+)")
_DML_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|REPLACE|UPSERT)\b", re.IGNORECASE)
_LOCKING = re.compile(r"\bFOR\s+(NO\s+KEY\s+)?UPDATE\b", re.IGNORECASE)


@functools.lru_cache(maxsize=2048)
def writes(statement: str) -> bool:
    """Whether an SQL statement may change data. Statements repeat (the compiled
    cache hands out the same text), so the answer is kept per text."""
    match = _FIRST_WORD.match(statement)
    word = match.group(1).upper() if match else ""
    if word not in READING_WORDS:
        return True
    if word == "WITH":
        return bool(_DML_WORD.search(_LOCKING.sub(" ", statement)))
    if word == "EXPLAIN":  # EXPLAIN ANALYZE runs the statement it explains
        return bool(_DML_WORD.search(_LOCKING.sub(" ", statement)))
    return False


# The root transactions (engine level) that have sent a writing statement.
_wrote: weakref.WeakSet = weakref.WeakSet()


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if writes(statement):
        transaction = conn.get_transaction()
        if transaction is not None:
            _wrote.add(transaction)


def _session_connection(session: Session):
    """The connection of the session's transaction, or None if it has none yet."""
    if not session.in_transaction():
        return None
    return session.connection()


def uncommitted_writes(session: Session) -> bool:
    """Whether this session's transaction has changed data not yet committed (or
    holds changes not yet flushed)."""
    if session.new or session.deleted or session.dirty:
        return True
    conn = _session_connection(session)
    return conn is not None and conn.get_transaction() in _wrote


@event.listens_for(Session, "before_commit")
def _replace_token(session: Session) -> None:
    """Every session's commit: if its transaction wrote, a new token is written in
    it, after every other change (the flush below), as its last statement."""
    session.flush()
    conn = _session_connection(session)
    if conn is None or conn.get_transaction() not in _wrote:
        return
    token = new_token()
    if conn.execute(_WRITE, {"token": token}).rowcount == 0:
        conn.execute(_CREATE, {"token": token})  # a database whose row is missing (emptied)
