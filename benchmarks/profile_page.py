"""Where one page's time goes: each SQL statement with its time, and the rest.

    .venv/bin/python benchmarks/profile_page.py /dashboard/ --role mptf_officer
        [--scale 100] [--pg] [--explain] [--python] [--cold]

Requests the page three times on the scale database (SQLite, or a throwaway
PostgreSQL with --pg) and prints the third request's statements, slowest
first, with their share of the request; --cold empties the figure cache before
the third request (the first view after a change, bench_pages.py's column);
--explain adds the database's query plan of the slowest ones, --python a
cProfile of the request.
"""

from __future__ import annotations

import argparse
import time

from bench_pages import ROLE_EMAILS
from common import HTTPS, log, make_app, postgres, sqlite_db


def profile(url: str, path: str, role: str, explain: bool, python: bool, cold: bool = False) -> None:
    import sqlalchemy as sa

    from trustfund.auth.models import User
    from trustfund.extensions import db

    app = make_app(url)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == ROLE_EMAILS[role]))
        session_id = user.get_id()
        engine = db.engine
        db.session.remove()
    statements: list[list] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append([(time.perf_counter() - conn.info["t0"]) * 1000, statement, parameters])

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    client = app.test_client()
    with client.session_transaction(base_url=HTTPS) as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    for _ in range(2):
        client.get(path, base_url=HTTPS)
    if cold:
        from trustfund import cache

        cache.clear(app)
    statements.clear()
    profiler = None
    if python:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0 = time.perf_counter()
    response = client.get(path, base_url=HTTPS)
    total = (time.perf_counter() - t0) * 1000
    if profiler:
        profiler.disable()
    sql = sum(s[0] for s in statements)
    log(
        f"{path} as {role}: HTTP {response.status_code}, {total:.0f} ms, {len(statements)} statements "
        f"taking {sql:.0f} ms; {total - sql:.0f} ms elsewhere (Python, templates; on SQLite "
        "also the fetching of rows, where an aggregate does its work)"
    )
    for ms, statement, params in sorted(statements, key=lambda s: -s[0]):
        log(
            f"\n{ms:8.1f} ms  {' '.join(statement.split())[:700]}\n           params: {str(params)[:200]}"
        )
    if explain:
        with engine.connect() as conn:
            for ms, statement, params in sorted(statements, key=lambda s: -s[0])[:3]:
                prefix = (
                    "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
                )
                rows = conn.exec_driver_sql(prefix + statement, params).fetchall()
                log(f"\nPlan of the {ms:.1f} ms statement:")
                for row in rows:
                    log("   " + " | ".join(str(c) for c in row))
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        log("\nThe same, by the time spent in each function itself:")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path")
    parser.add_argument("--role", default="mptf_officer", choices=sorted(ROLE_EMAILS))
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--python", action="store_true")
    parser.add_argument("--cold", action="store_true", help="empty the figure cache first")
    args = parser.parse_args()
    if args.pg:
        with postgres(args.scale, args.pg_url) as (url, _):
            profile(url, args.path, args.role, args.explain, args.python, args.cold)
    else:
        url, _ = sqlite_db(args.scale)
        profile(url, args.path, args.role, args.explain, args.python, args.cold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
