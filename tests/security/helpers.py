"""Reusable pieces for the security and reliability tests: counting and comparing
every table, walking the url_map, hostile inputs, and running work in parallel
threads, each with its own app context (and so its own database session)."""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator

import sqlalchemy as sa

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


# --- the database -------------------------------------------------------------

def tables(db) -> list[sa.Table]:
    return list(db.metadata.sorted_tables)


def table_counts(db, connection=None) -> dict[str, int]:
    """Rows in every table of the application, read fresh from the database, in one
    query (the bad-input sweep counts before and after each of many requests)."""
    def count(conn):
        parts = [sa.select(sa.literal(t.name).label("name"), sa.func.count().label("rows"))
                 .select_from(t) for t in tables(db)]
        return {name: rows for name, rows in conn.execute(sa.union_all(*parts))}

    if connection is not None:
        return count(connection)
    with db.engine.connect() as conn:
        return count(conn)


def table_rows(db, bind) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key: two databases holding the
    same records compare equal, value for value (Decimal, date, text...)."""
    def read(conn):
        result = {}
        for table in tables(db):
            order = list(table.primary_key.columns) or list(table.columns)
            result[table.name] = [tuple(row) for row in conn.execute(sa.select(table).order_by(*order))]
        return result

    if isinstance(bind, sa.engine.Connection):
        return read(bind)
    with bind.connect() as conn:
        return read(conn)


def changed_counts(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """{table: (before, after)} for the tables whose row count changed."""
    return {name: (before.get(name), after.get(name))
            for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)}


# --- routes ---------------------------------------------------------------------

def url_for_rule(rule, value: str = "1") -> str:
    """A concrete URL for a rule: every <int:...> argument is `value`, every other 'x'."""
    url = re.sub(r"<int:[^>]+>", value, rule.rule)
    return re.sub(r"<(?:[a-z]+:)?[^>]+>", "x", url)


def rules(app, methods: Iterable[str] | None = None) -> Iterator[tuple[object, str]]:
    """(rule, method) for every route except static files, restricted to `methods`."""
    wanted = set(methods) if methods else None
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if wanted is None or method in wanted:
                yield rule, method


def csrf_token_from(html: bytes | str) -> str | None:
    """The csrf_token hidden field of a rendered form (for tests with CSRF on)."""
    text = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', text)
    return match.group(1) if match else None


# --- hostile input ------------------------------------------------------------

BAD_AMOUNTS = [
    "-1", "-0.01", "0", "0.00", "1000000000000000", "1e15", "NaN", "nan", "Infinity", "-Infinity",
    "inf", "1,000.00.00", "12.345", "1.2.3", "abc", "", "   ", "1 000,00", "0x10", "1_000",
    "=1+1",
]
BAD_DATES = ["2017-02-30", "2017-13-01", "31/12/2017", "not a date", "0000-00-00", "9999-12-31",
             "2017-1-1x", ""]
BAD_CURRENCIES = ["XXX1", "EURO", "eu", "ZZZ", "", "<b>", "US$"]
LONG_TEXT = "x" * 10_000
CONTROL_TEXT = "abc\x00def\x07\x1b[31m"
BIDI_TEXT = "invoice\u202egnp.exe\u202c"
HTML_PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
                 "</textarea><svg onload=alert(1)>"]
FORMULA_PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)",
                    "=cmd|' /C calc'!A0"]
BAD_TEXTS = [LONG_TEXT, CONTROL_TEXT, BIDI_TEXT, *HTML_PAYLOADS, *FORMULA_PAYLOADS]


# --- concurrency ----------------------------------------------------------------

class Parallel:
    """Run `work(worker_index, step_index)` `steps` times in each of `workers`
    threads, each thread inside its own app context, all released at once by a
    barrier. Exceptions are collected (never swallowed): `errors` lists them with
    the worker and step, `results` the return values."""

    def __init__(self, app, workers: int, steps: int, work: Callable[[int, int], object],
                 *, expected: tuple[type[BaseException], ...] = ()):
        self.app, self.workers, self.steps, self.work = app, workers, steps, work
        self.expected = expected
        self.results: list[tuple[int, int, object]] = []
        self.refused: list[tuple[int, int, BaseException]] = []
        self.errors: list[tuple[int, int, BaseException]] = []
        self._lock = threading.Lock()

    def _run(self, index: int, barrier: threading.Barrier) -> None:
        from trustfund.extensions import db

        with self.app.app_context():
            barrier.wait()
            for step in range(self.steps):
                try:
                    value = self.work(index, step)
                except self.expected as error:
                    db.session.rollback()
                    with self._lock:
                        self.refused.append((index, step, error))
                except BaseException as error:
                    db.session.rollback()
                    with self._lock:
                        self.errors.append((index, step, error))
                else:
                    with self._lock:
                        self.results.append((index, step, value))
            db.session.remove()

    def run(self, timeout: float = 600) -> Parallel:
        barrier = threading.Barrier(self.workers)
        threads = [threading.Thread(target=self._run, args=(i, barrier), daemon=True)
                   for i in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
        stuck = [t for t in threads if t.is_alive()]
        assert not stuck, f"{len(stuck)} worker(s) still running after {timeout}s"
        return self


def assert_secure_headers(response, where=""):
    csp = csp_directives(response)
    assert csp, f"no Content-Security-Policy on {where}"
    assert csp.get("default-src") == ["'self'"], where
    assert csp.get("script-src") == ["'self'"], where  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert "'unsafe-inline'" not in csp.get("style-src", []), where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"], where
    assert csp.get("base-uri") == ["'self'"], where
    assert csp.get("form-action") == ["'self'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin",
                                                       "no-referrer"), where


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives
