"""Writing many rows at once, in the current transaction (an import of 100,000
deposits and their audit entries).

PostgreSQL: COPY through psycopg, which loads the rows as one stream; an executemany
there is one INSERT statement a row. Elsewhere (SQLite): one executemany INSERT.
Each value goes through its column's type first, as an INSERT would (Money's exact
scaling, JSON as text), so the rows are exactly those the ORM would write.
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from psycopg import sql

from .extensions import db


def insert_rows(table: sa.Table, rows: list[dict]) -> None:
    """INSERT `rows` (dicts with the same keys, one per column given) into `table`."""
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    names = list(rows[0])
    processors = [_processor(table.c[name].type, dialect) for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in names))
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([process(row[name]) if process else row[name]
                                for name, process in zip(names, processors, strict=True)])
    finally:
        cursor.close()


def _processor(column_type, dialect):
    if isinstance(column_type, sa.JSON):
        # As SQLAlchemy writes a JSON value: None is JSON null, not SQL NULL.
        return json.dumps
    return column_type.bind_processor(dialect)
