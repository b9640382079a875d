"""Server time of each main page at scale N: its first view after a change of the
data, and its warm views.

    .venv/bin/python benchmarks/bench_pages.py [--scale 100] [--requests 30]
        [--backends sqlite,postgresql] [--pg-url URL] [--rebuild] [--no-write]

Builds (or reuses) the scale-N SQLite database and seeds a throwaway PostgreSQL
server, then, with Flask's test client logged in as the page's role, requests
each page: `--requests` first views after a change (the worker's figure cache,
trustfund.cache, emptied before each: nothing kept, as the first viewer after any
change of the data is served), then, after 2 warm-up requests, `--requests` warm
views (at most --page-seconds per page for each). Server time is the wall time of
client.get() (the whole WSGI request: routing, login, queries, templates).
Budgets at N=100, on each backend: p95 of the first views ≤ 100 ms, p95 of the
warm views ≤ 30 ms. For information: SQL statements per request (a
before_cursor_execute listener), also on a scale-2 database (a count that grows
with the rows is an N+1). Pages whose endpoint does not exist yet are listed as
missing. Writes the table to docs/performance.md (section "pages").
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from common import (
    HTTPS,
    header,
    log,
    make_app,
    percentile,
    postgres,
    sqlite_db,
    write_section,
)

COLD_P95_BUDGET_MS = 100
WARM_P95_BUDGET_MS = 30
BUDGETS: list[str] = []  # the last run's budget lines, for run_all.py
ROLE_EMAILS = {
    "mptf_officer": "officer@trustfund.demo",
    "srsg_staff": "srsg@trustfund.demo",
    "admin": "admin@trustfund.demo",
    "auditor": "auditor@trustfund.demo",
    "donor": "scale-donor@trustfund.demo",
}


@dataclass
class Page:
    label: str
    role: str
    endpoint: str
    kwargs: Callable[[dict], dict] = lambda _ids: {}
    query: Callable[[dict], dict] = lambda _ids: {}
    listed: bool = True  # one of the main pages (issue 16's budgets)


@dataclass
class Result:
    url: str = ""
    status: int = 0
    error: str = ""
    times_ms: list[float] = field(default_factory=list)  # warm views
    statements: int = 0
    # The first view after a change: each request with the worker's figure cache
    # emptied (trustfund.cache), as the first viewer after any change of the data sees it.
    cold_ms: list[float] = field(default_factory=list)
    cold_statements: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 0.95)

    @property
    def cold_median(self) -> float:
        return statistics.median(self.cold_ms)

    @property
    def cold_p95(self) -> float:
        return percentile(self.cold_ms, 0.95)


PAGES = [
    Page("Dashboard", "mptf_officer", "dashboard.home"),
    Page("Dashboard", "srsg_staff", "dashboard.home"),
    Page("Dashboard", "admin", "dashboard.home"),
    Page("Dashboard", "auditor", "dashboard.home"),
    Page("Donor portal (donor with ~2,000 deposits)", "donor", "statements.portal"),
    Page("Donors list", "mptf_officer", "donors.index"),
    Page(
        "Donors list, filtered",
        "mptf_officer",
        "donors.index",
        query=lambda _i: {"type": "member_state", "saa": "signed"},
    ),
    Page(
        "Donors list, search", "mptf_officer", "donors.index", query=lambda _i: {"q": "Scale 0421"}
    ),
    Page("Deposits list", "mptf_officer", "contributions.deposits"),
    Page(
        "Deposits, currency and dates",
        "mptf_officer",
        "contributions.deposits",
        query=lambda _i: {"currency": "EUR", "date_from": "2020-01-01", "date_to": "2022-12-31"},
    ),
    Page(
        "Deposits, donor type and earmark, by USD",
        "mptf_officer",
        "contributions.deposits",
        query=lambda _i: {"donor_type": "member_state", "earmark": "none", "sort": "-usd"},
    ),
    Page(
        "Deposits of one donor",
        "mptf_officer",
        "contributions.deposits",
        query=lambda i: {"donor": i["big_donor"]},
    ),
    Page(
        "Statement, donor with ~2,000 deposits",
        "mptf_officer",
        "statements.statement",
        kwargs=lambda i: {"donor_id": i["big_donor"]},
    ),
    Page(
        "Statement, same donor, as the donor",
        "donor",
        "statements.statement",
        kwargs=lambda i: {"donor_id": i["big_donor"]},
    ),
    Page("Grant review queue", "srsg_staff", "travel.queue"),
    Page(
        "Grant review queue, one event",
        "srsg_staff",
        "travel.queue",
        query=lambda i: {"event": i["open_event"]},
    ),
    Page("Pools", "mptf_officer", "contributions.pools"),
    Page("Contributions list", "mptf_officer", "contributions.index", listed=False),
    Page("Travel grants list", "srsg_staff", "travel.grants", listed=False),
    Page("Events", "srsg_staff", "travel.events", listed=False),
    Page("Participation reports", "srsg_staff", "travel.reports", listed=False),
    Page("Donor balances (all donors)", "mptf_officer", "statements.index", listed=False),
    Page("Exchange rates", "mptf_officer", "contributions.rates", listed=False),
    Page("Audit trail", "auditor", "admin.audit", listed=False),
    Page("New commitment, donor found by name", "mptf_officer", "contributions.new_commitment",
         query=lambda _i: {"donor_name": "Scale 04"}, listed=False),
    Page("New commitment for a donor", "mptf_officer", "contributions.new_commitment",
         query=lambda i: {"donor": i["big_donor"]}, listed=False),
    # Pages a colleague measured at scale on 2026-12-08 (the thirty-sixth session), not
    # among the budgets' main pages before: measured here since, for information.
    Page("A donor's page (donor with ~2,000 deposits)", "mptf_officer", "donors.view",
         kwargs=lambda i: {"donor_id": i["big_donor"]}, listed=False),
    Page("A commitment's page (the most deposits)", "mptf_officer", "contributions.commitment",
         kwargs=lambda i: {"commitment_id": i["big_commitment"]}, listed=False),
    Page("An event's page (the most grants)", "srsg_staff", "travel.event",
         kwargs=lambda i: {"event_id": i["busiest_event"]}, listed=False),
    Page("Search, a country's name", "mptf_officer", "search.results", query=lambda _i: {"q": "Germany"},
         listed=False),
    Page("Deposits list, page 1,000", "mptf_officer", "contributions.deposits",
         query=lambda _i: {"page": 1000}, listed=False),
    Page("Closing page", "admin", "closure.closing", listed=False),
]


def ids_of_interest() -> dict[str, Any]:
    import datetime as dt

    import sqlalchemy as sa

    from trustfund.auth.models import User
    from trustfund.contributions.models import Deposit
    from trustfund.extensions import db
    from trustfund.travel.models import Event, TravelGrant

    donor_id = db.session.scalar(sa.select(User.donor_id).where(User.email == ROLE_EMAILS["donor"]))
    big = (
        donor_id,
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Deposit).where(Deposit.donor_id == donor_id)
        ),
    )
    event = db.session.execute(
        sa.select(TravelGrant.event_id, sa.func.count())
        .join(Event)
        .where(TravelGrant.status == "requested", Event.start_on >= dt.date.today())
        .group_by(TravelGrant.event_id)
        .order_by(sa.func.count().desc())
        .limit(1)
    ).first()
    busiest = db.session.scalar(sa.select(TravelGrant.event_id).group_by(TravelGrant.event_id)
                                .order_by(sa.func.count().desc()).limit(1))
    biggest = db.session.scalar(sa.select(Deposit.commitment_id).group_by(Deposit.commitment_id)
                                .order_by(sa.func.count().desc()).limit(1))
    return {
        "big_donor": big[0] if big else 0,
        "big_donor_deposits": big[1] if big else 0,
        "open_event": event[0] if event else 0,
        "busiest_event": busiest or 0,
        "big_commitment": biggest or 0,
    }


def measure(url: str, requests: int, page_seconds: float, warmup: int = 2,
            cold: int | None = None) -> tuple[dict, dict]:
    """{page index: Result} for every page whose endpoint exists; and the ids used."""
    import sqlalchemy as sa
    from flask import url_for

    from trustfund import cache
    from trustfund.auth.models import User
    from trustfund.extensions import db

    cold = requests if cold is None else cold
    app = make_app(url)
    with app.app_context():
        ids = ids_of_interest()
        users = {
            role: db.session.scalar(sa.select(User).where(User.email == email))
            for role, email in ROLE_EMAILS.items()
        }
        session_ids = {role: (u.get_id() if u else None) for role, u in users.items()}
        engine = db.engine
        urls = {}
        with app.test_request_context():
            for index, page in enumerate(PAGES):
                if page.endpoint in app.view_functions:
                    urls[index] = url_for(page.endpoint, **page.kwargs(ids), **page.query(ids))
        db.session.remove()
    from flask import got_request_exception

    errors: list[str] = []
    got_request_exception.connect(
        lambda _s, exception, **_k: errors.append(
            f"{type(exception).__name__}: {str(exception).splitlines()[0][:120] if str(exception) else ''}"
        ),
        app,
        weak=False,
    )
    app.logger.disabled = True  # the error is reported in the table, not as a traceback
    counter = {"n": 0}
    sa.event.listen(
        engine, "before_cursor_execute", lambda *a, **k: counter.__setitem__("n", counter["n"] + 1)
    )
    results: dict[int, Result] = {}
    clients = {}
    for index, page_url in urls.items():
        role = PAGES[index].role
        if session_ids.get(role) is None:
            continue
        if role not in clients:
            client = app.test_client()
            with client.session_transaction(base_url=HTTPS) as session:
                session["_user_id"] = session_ids[role]
                session["_fresh"] = True
            clients[role] = client
        client = clients[role]
        result = Result(url=page_url)
        client.get(page_url, base_url=HTTPS)  # the client's session and the code are loaded
        began = time.perf_counter()
        while cold and len(result.cold_ms) < cold and (
            len(result.cold_ms) < 5 or time.perf_counter() - began < page_seconds
        ):
            cache.clear(app)
            counter["n"] = 0
            t0 = time.perf_counter()
            response = client.get(page_url, base_url=HTTPS)
            result.cold_ms.append((time.perf_counter() - t0) * 1000)
            result.cold_statements = max(result.cold_statements, counter["n"])
            result.status = response.status_code
            if response.status_code != 200:
                result.error = errors[-1] if errors else ""
                break
        for _ in range(warmup if result.status in (0, 200) else 0):
            client.get(page_url, base_url=HTTPS)
        began = time.perf_counter()
        while result.status in (0, 200) and len(result.times_ms) < requests and (
            len(result.times_ms) < 5 or time.perf_counter() - began < page_seconds
        ):
            counter["n"] = 0
            t0 = time.perf_counter()
            response = client.get(page_url, base_url=HTTPS)
            result.times_ms.append((time.perf_counter() - t0) * 1000)
            result.statements = counter["n"]
            result.status = response.status_code
            if response.status_code != 200:
                result.error = errors[-1] if errors else ""
                break
        results[index] = result
        log(
            f"    {PAGES[index].label} [{role}] {page_url}: HTTP {result.status} {result.error}"
            + (f"; first view after a change: median {result.cold_median:.0f} ms, p95 "
               f"{result.cold_p95:.0f} ms, {result.cold_statements} statements" if result.cold_ms else "")
            + (f"; warm: median {result.median:.0f} ms, p95 {result.p95:.0f} ms, "
               f"{result.statements} statements" if result.times_ms else "")
        )
    with app.app_context():
        db.engine.dispose()
    return results, ids


def verdict(page_results: list[tuple[str, Result]]) -> str:
    misses = []
    for backend, r in page_results:
        if r.status != 200:
            misses.append(f"HTTP {r.status} on {backend}" + (f" ({r.error})" if r.error else ""))
            continue
        if r.cold_ms and r.cold_p95 > COLD_P95_BUDGET_MS:
            misses.append(f"first view p95 {r.cold_p95:.0f} ms on {backend}")
        if r.p95 > WARM_P95_BUDGET_MS:
            misses.append(f"warm p95 {r.p95:.0f} ms on {backend}")
    if not page_results:
        return "not measured"
    return "met" if not misses else "**not met**: " + "; ".join(misses)


def table(runs: dict[str, dict[int, Result]], small: dict[int, Result], scale: int) -> str:
    backends = list(runs)
    head = ["Page", "Role", "Request"]
    for b in backends:
        head += [f"{b} first view p95 ms (median)", f"{b} warm p95 ms (median)", f"{b} SQL first / warm"]
    head += ["SQL at N=2", "Budget"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    missing = []
    for index, page in enumerate(PAGES):
        got = [(b, runs[b][index]) for b in backends if index in runs[b]]
        if not got:
            exists = any(index in r for r in runs.values())
            missing.append(
                f"- {page.label} (`{page.endpoint}`, as {page.role}): "
                f"{'the page does not exist yet' if not exists else 'not measured'}."
            )
            continue
        url = got[0][1].url
        cells = [page.label + ("" if page.listed else " *"), page.role, f"`{url}`"]
        for b in backends:
            r = runs[b].get(index)
            if r is None:
                cells += ["–", "–", "–"]
            elif r.status != 200:
                cells += [f"HTTP {r.status}", "–", "–"]
            else:
                cells += [f"{r.cold_p95:.0f} ({r.cold_median:.0f})" if r.cold_ms else "–",
                          f"{r.p95:.0f} ({r.median:.0f})", f"{r.cold_statements} / {r.statements}"]
        s = small.get(index)
        cells.append(str(s.statements) if s and s.status == 200 else "–")
        cells.append(verdict(got))
        lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join(lines)
    text += (
        f"\n\nBudgets per page at N={scale}, on each backend: the first view after a change of the "
        f"data (the worker's figure cache emptied before each request: every figure computed from "
        f"the data) p95 ≤ {COLD_P95_BUDGET_MS} ms; warm views p95 ≤ {WARM_P95_BUDGET_MS} ms. "
        "SQL statements per request (first view / warm view; and a warm view at N=2, where a "
        "count that grows with the rows would show) are information.\n"
        "Pages marked * are measured against the same budgets though not among the main pages."
    )
    if missing:
        text += "\n\nNot measured (endpoint missing when this ran):\n" + "\n".join(missing)
    return text


def budget_lines(runs: dict[str, dict[int, Result]]) -> list[str]:
    """One line per budget, met or not, with the worst figure (make bench prints them)."""
    lines = []
    for label, attribute, budget in (("first view after a change", "cold_p95", COLD_P95_BUDGET_MS),
                                     ("warm view", "p95", WARM_P95_BUDGET_MS)):
        for backend, results in runs.items():
            measured = [(getattr(r, attribute), PAGES[i]) for i, r in results.items()
                        if r.status == 200 and (r.cold_ms if attribute == "cold_p95" else r.times_ms)]
            failed = [PAGES[i].label for i, r in results.items() if r.status != 200]
            if not measured:
                continue
            worst, page = max(measured, key=lambda item: item[0])
            met = worst <= budget and not failed
            lines.append(f"{'met' if met else 'NOT MET'}: pages, {label}, {backend}: worst p95 "
                         f"{worst:.0f} ms ({page.label}, {page.role}); budget {budget} ms"
                         + (f"; failed: {', '.join(failed)}" if failed else ""))
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--page-seconds", type=float, default=10.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url", default=None, help="use this PostgreSQL database (already seeded)"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the SQLite database")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/performance.md")
    parser.add_argument("--pages", default="", help="only the pages whose label or role contains one "
                        "of these comma-separated words (case-insensitive); implies --no-write")
    args = parser.parse_args(argv)
    if args.pages:
        words = [w.strip().lower() for w in args.pages.split(",") if w.strip()]
        PAGES[:] = [p for p in PAGES if any(w in f"{p.label} {p.role}".lower() for w in words)]
        args.no_write = True
    runs: dict[str, dict[int, Result]] = {}
    notes = []
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "sqlite" in backends:
        log("SQLite:")
        url, built = sqlite_db(args.scale, args.rebuild)
        if built:
            notes.append(f"SQLite seed-demo --scale {args.scale}: {built:.1f} s.")
        runs["SQLite"], ids = measure(url, args.requests, args.page_seconds)
    if "postgresql" in backends:
        log("PostgreSQL:")
        with postgres(args.scale, args.pg_url) as (url, built):
            if built:
                notes.append(f"PostgreSQL seed-demo --scale {args.scale}: {built:.1f} s.")
            runs["PostgreSQL"], ids = measure(url, args.requests, args.page_seconds)
    log("Scale 2 (statement counts only):")
    small_url, _ = sqlite_db(2)
    small, _ids = measure(small_url, 1, 1.0, warmup=1, cold=0)
    BUDGETS[:] = budget_lines(runs)
    for line in BUDGETS:
        log(line)
    body = "\n".join(
        [
            header(
                "python benchmarks/bench_pages.py "
                + " ".join(argv if argv is not None else __import__("sys").argv[1:])
            ),
            "",
            f"Database: `seed-demo --scale {args.scale}`; the statement pages show donor #{ids['big_donor']} "
            f"({ids['big_donor_deposits']:,} deposits). {' '.join(notes)}",
            f"Each page: {args.requests} first views after a change, then {args.requests} warm views after "
            f"2 warm-up ones (fewer when a page takes more than {args.page_seconds:.0f} s for either), "
            "Flask test client, production config. Load average "
            f"when done: {__import__('os').getloadavg()[0]:.1f} on {__import__('os').cpu_count()} cores "
            "(a shared machine: under load every time stretches).",
            "",
            table(runs, small, args.scale),
        ]
    )
    if not args.no_write:
        write_section("pages", body)
    else:
        print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
