"""Reusable pieces for the security and reliability tests: counting and comparing
every table, walking the url_map, hostile inputs, and running work in parallel
threads, each with its own app context (and so its own database session): many
workers released at once (Parallel), or attempts whose steps the test orders
(Attempt, attempts)."""
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

def attempt(work: Callable[[], object], expected: tuple[type[BaseException], ...]) -> tuple[str, object]:
    """Call `work()` and say how it went: ("result", what it returned), ("refused", the
    error) for an `expected` exception, ("error", the error) for any other. After an
    exception the session is rolled back, as a request's would be."""
    from trustfund.extensions import db

    try:
        return "result", work()
    except expected as error:
        db.session.rollback()
        return "refused", error
    except BaseException as error:
        db.session.rollback()
        return "error", error


class Attempt:
    """`work()` attempted once in a thread of its own, inside its own request context
    (and so its own app context, session and database connection, as a gunicorn
    worker's; a request context, so that messages are translated). `work` commits
    what it wrote itself and returns what the test wants to see.

    `outcome`: work's return value; 'refused: <message>' for a DomainError (kept in
    `refusal`, with its field); 'error: <repr>' for anything else (never swallowed:
    the test's assertion on `outcome` shows it). `done` is set once the attempt is
    over, whatever its outcome; with it and its own threading.Events (or a barrier
    inside `work`) the test orders the steps of the race."""

    def __init__(self, app, work: Callable[[], object]):
        self.app, self.work = app, work
        self.outcome: object = None
        self.refusal = None
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from trustfund.errors import DomainError
        from trustfund.extensions import db

        try:
            with self.app.test_request_context():
                kind, value = attempt(self.work, (DomainError,))
                db.session.remove()
            if kind == "refused":
                self.refusal, self.outcome = value, f"refused: {value.message}"
            elif kind == "error":
                self.outcome = f"error: {value!r}"
            else:
                self.outcome = value
        finally:
            self.done.set()

    def start(self) -> Attempt:
        self._thread.start()
        return self

    def join(self, timeout: float = 60) -> object:
        """Wait for the attempt to end (failing the test if it has not by `timeout`);
        its outcome."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the attempt is still running after {timeout}s"
        return self.outcome


def attempts(app, works: Iterable[Callable[[], object]], timeout: float = 120) -> list[Attempt]:
    """Each of `works` attempted in its own thread (Attempt), all started, all ended;
    in the order of `works`."""
    started = [Attempt(app, work).start() for work in works]
    for each in started:
        each.join(timeout)
    return started


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

        kept = {"result": self.results, "refused": self.refused, "error": self.errors}
        with self.app.app_context():
            barrier.wait()
            for step in range(self.steps):
                kind, value = attempt(lambda step=step: self.work(index, step), self.expected)
                with self._lock:
                    kept[kind].append((index, step, value))
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


def all_read_before_any_decides(monkeypatch, deciders: int) -> None:
    """Make every one of `deciders` second-person answers (confirm or refuse, each in
    its own thread) read the waiting change, and pass the checks made on what it
    read, before any of them decides: `second_person.snapshot` waits at a barrier
    for all of them. The race the guarded UPDATE of `second_person.decide` must win."""
    from trustfund import second_person

    all_read = threading.Barrier(deciders, timeout=30)
    real_snapshot = second_person.snapshot

    def read_then_wait(obj):
        taken = real_snapshot(obj)
        all_read.wait()
        return taken

    monkeypatch.setattr(second_person, "snapshot", read_then_wait)


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


def record_query_names(monkeypatch) -> set[str]:
    """From now on (until the test ends), the names of the query-string parameters
    that any request's code asks for (request.args.get, [], getlist, `in`: views,
    filters and GET forms alike) are added to the returned set: the sweep of a page
    sends hostile values in each parameter its view reads, found as it reads them."""
    from flask import has_request_context, request
    from werkzeug.datastructures import ImmutableMultiDict, MultiDict

    names: set[str] = set()

    def note(self, key):
        if has_request_context() and self is request.args and isinstance(key, str):
            names.add(key)

    def wrap(method):
        def recording(self, key, *args, **kwargs):
            note(self, key)
            return method(self, key, *args, **kwargs)
        return recording

    monkeypatch.setattr(ImmutableMultiDict, "__getitem__", wrap(MultiDict.__getitem__))
    monkeypatch.setattr(ImmutableMultiDict, "getlist", wrap(MultiDict.getlist))
    monkeypatch.setattr(ImmutableMultiDict, "__contains__", wrap(dict.__contains__))
    return names
