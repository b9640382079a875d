"""Writing many rows at once, in the current transaction (an import of 100,000
deposits and their audit entries).

PostgreSQL: COPY through psycopg, which loads the rows as one stream (an executemany
there is a statement a row). SQLite: one executemany of the compiled INSERT. Either
way each value goes through its column's type first, as an INSERT through SQLAlchemy
would (Money's exact scaling, JSON as text): the rows are exactly those the ORM would
write, without SQLAlchemy building a parameter dictionary for each of them.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from operator import itemgetter

import psycopg
import sqlalchemy as sa
from psycopg import sql

from .extensions import db


def insert_rows(table: sa.Table, rows: list[dict]) -> None:
    """INSERT `rows` (dicts with the same keys, one per column given) into `table`."""
    if not rows:
        return
    names = list(rows[0])
    pick = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    copy_rows(table, names, map(pick, rows))


def copy_rows(table: sa.Table, names: list[str], rows: Iterable[Sequence]) -> None:
    """INSERT `rows`, each a sequence of values in `names` order, into `table`. On
    PostgreSQL they stream through one COPY: `rows` may be a generator, and the server
    writes the rows already sent (their index entries, their checks) while the next
    ones are built, instead of waiting for a whole list."""
    connection = db.session.connection()
    dialect = connection.dialect
    # The columns whose type converts their values (Money's exact scaling, JSON as text).
    converted = [(index, process) for index, name in enumerate(names)
                 if (process := _processor(table.c[name].type, dialect)) is not None]

    def values(row: Sequence) -> tuple:
        out = list(row)
        for index, process in converted:
            out[index] = process(out[index])
        return tuple(out)

    if dialect.name == "postgresql":
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in names))
        cursor = connection.connection.driver_connection.cursor()
        try:
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(values(row))
        except psycopg.IntegrityError as error:
            # The driver's own error, past SQLAlchemy: raised as SQLAlchemy would raise it,
            # so that callers see one kind (a bank reference recorded meanwhile).
            raise sa.exc.IntegrityError(statement.as_string(cursor), None, error) from error
        finally:
            cursor.close()
        return
    rows = [values(row) for row in rows]
    if not rows:
        return
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
    if not dialect.positional or list(compiled.positiontup) != names:
        connection.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
        return
    connection.exec_driver_sql(str(compiled), rows)


# SQLite's page cache while many rows are written (its default, 2 MB, is far smaller
# than the indexes a large import updates: pages go out and come back): 64 MB.
SQLITE_CACHE_KB = 65536


@contextmanager
def many_rows():
    """Around the writing of many rows: on SQLite, a larger page cache for this
    connection, given back afterwards."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _processor(column_type, dialect):
    if isinstance(column_type, sa.JSON):
        # As SQLAlchemy writes a JSON value: None is JSON null, not SQL NULL.
        return _json
    # The type as this dialect uses it, a TypeDecorator's too: Money's own conversion then the
    # dialect's (none for an integer or NUMERIC), never the generic Numeric's (a float).
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _json(value) -> str:
    return "null" if value is None else json.dumps(value)
