"""The SQL statements a request sends: for tests that a page's statement count
stays within budget and does not grow with the rows."""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def sql_sent():
    """The list of SQL statements sent inside the block (filled as they are sent)."""
    from trustfund.extensions import db

    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


def get_logged(client, path: str) -> tuple[str, list[str]]:
    """(HTML, SQL statements sent while serving it) of a GET that must answer 200."""
    with sql_sent() as seen:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True), seen


def get_counted(client, path: str) -> tuple[str, int]:
    """(HTML, number of SQL statements) of a GET that must answer 200."""
    html, statements = get_logged(client, path)
    return html, len(statements)


def first_view_counted(client, path: str) -> tuple[str, int]:
    """get_counted() of the first view after a change: nothing kept in the worker's
    figure cache (trustfund.cache), every figure computed from the data."""
    from trustfund import cache

    cache.clear()
    return get_counted(client, path)


def untimed(page: str) -> str:
    """A page without its CSRF tokens' values, which carry the second they were
    signed: two renderings of an unchanged page compare equal across a second's turn."""
    import re

    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page)


def post_logged(client, path: str, data: dict):
    """(response, SQL statements sent while serving it) of a POST."""
    with sql_sent() as seen:
        response = client.post(path, data=data)
    return response, seen


def first_view_statements(client, path: str) -> int:
    """The number of SQL statements of a first view (nothing kept in the figure cache)
    of a page or a download (any body: get_counted reads it as text), after one view
    that loads the session and the translations."""
    from trustfund import cache

    client.get(path).get_data()
    cache.clear()
    with sql_sent() as seen:
        response = client.get(path)
        response.get_data()
    assert response.status_code == 200, (path, response.status_code)
    return len(seen)
