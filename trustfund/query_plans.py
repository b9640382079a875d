"""Hints to SQLite's query planner, written so that PostgreSQL reads the same SQL.

SQLite chooses its plan from its indexes and, where it has them, its statistics;
for a list sorted by one column and filtered on a joined table's column of a few
values (a donor's type, a pool's code), it starts from the filter's index, reads
every matching row (a quarter of 100,000 deposits) and sorts them all for a page of
50. Read in the sort's own index order instead, it stops after the page's rows.
SQLite's documented way to take a condition out of the choice of an index is the
unary "+" before the column (https://sqlite.org/optoverview.html, "Disqualifying
WHERE clause terms using unary-+"): the condition still filters, it no longer
drives the plan. PostgreSQL has no unary "+" on text and plans from statistics of
its own: it gets the bare column.
"""
from __future__ import annotations

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class not_indexed(ColumnElement):  # lower case: used like a SQL function
    """`column`, which SQLite must not use an index for (a filter, not an access path)."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column):
        self.column = column
        self.type = column.type


@compiles(not_indexed)
def _bare(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(not_indexed, "sqlite")
def _unary_plus(element, compiler, **kw):
    return "+" + compiler.process(element.column, **kw)
