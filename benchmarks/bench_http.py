"""Requests per second of a logged-in dashboard under gunicorn (2 workers), beside a
hello-world Flask app under the same gunicorn, in the same run: information, not a
budget (what users feel is measured by bench_pages.py and bench_load.py).

    .venv/bin/python benchmarks/bench_http.py [--scale 100] [--seconds 15] [--rounds 3]
        [--threads 4] [--role mptf_officer] [--backends sqlite,postgresql] [--pg-url URL]
        [--no-write]

gunicorn serves `wsgi:app` (TRUSTFUND_CONFIG=production) on 127.0.0.1 and a free
port; the session cookie of the role's demo user is signed with the run's
SECRET_KEY. loadgen.py, in another process, sends requests from `--threads`
threads, only to 127.0.0.1: `--seconds` per server, in `--rounds` rounds in which
hello-world and each dashboard take turns (2 s of warm-up each first, not
counted), so that a change of a shared machine's speed during the run weighs on
all of them alike. Writes docs/performance.md section "http".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from common import (
    PYTHON,
    ROOT,
    app_env,
    gunicorn,
    header,
    log,
    make_app,
    postgres,
    sqlite_db,
    write_section,
)

HERE = Path(__file__).resolve().parent
ROLE_EMAILS = {
    "mptf_officer": "officer@trustfund.demo",
    "srsg_staff": "srsg@trustfund.demo",
    "admin": "admin@trustfund.demo",
    "auditor": "auditor@trustfund.demo",
}


def load(port: int, path: str, cookie: str, seconds: float, threads: int) -> dict:
    command = [
        PYTHON,
        str(HERE / "loadgen.py"),
        "--port",
        str(port),
        "--path",
        path,
        "--seconds",
        str(seconds),
        "--threads",
        str(threads),
    ]
    if cookie:
        command += ["--cookie", cookie]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        raise RuntimeError(f"loadgen failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def session_cookie(url: str, role: str) -> str:
    """The signed session cookie of the role's demo user, as the login would set it."""
    import sqlalchemy as sa

    from trustfund.auth.models import User
    from trustfund.extensions import db

    app = make_app(url)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == ROLE_EMAILS[role]))
        if user is None:
            raise RuntimeError(f"no demo user {ROLE_EMAILS[role]} in the database")
        # What login_user stores, including the session identifier Flask-Login checks
        # (remote address and User-Agent: loadgen sends none, from 127.0.0.1);
        # without it every response would re-sign and send the cookie again.
        from flask_login.utils import _create_identifier

        with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            identifier = _create_identifier()
        value = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": user.get_id(), "_fresh": True, "_id": identifier}
        )
        db.session.remove()
        db.engine.dispose()
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def warm(port: int, path: str, cookie: str, threads: int) -> None:
    """2 s of load, not counted: templates compiled, connections opened, pages kept."""
    load(port, path, cookie, 2, threads)


def combine(runs: list[dict]) -> dict:
    """Several timed runs of one server as one: requests over the summed time; the
    median of the runs' p50 and the worst p95."""
    ok, errors = sum(r["ok"] for r in runs), sum(r["errors"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    return {"ok": ok, "errors": errors, "seconds": seconds, "rps": ok / seconds if seconds else 0.0,
            "p50_ms": sorted(r["p50_ms"] for r in runs)[len(runs) // 2],
            "p95_ms": max(r["p95_ms"] for r in runs), "each": [r["rps"] for r in runs]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--role", default="mptf_officer", choices=sorted(ROLE_EMAILS))
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    args.seconds = min(args.seconds, 60.0)
    args.rounds = max(1, min(args.rounds, 10))
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    with ExitStack() as stack:
        # Every server starts first; then the loads take turns, round after round,
        # so that a change of the machine's speed during the run (a shared machine)
        # weighs on hello-world and on the dashboards alike.
        targets = [("hello", stack.enter_context(gunicorn("hello_app:app", HERE, dict(os.environ))),
                    "/", "")]
        urls = {}
        if "sqlite" in backends:
            urls["SQLite"] = sqlite_db(args.scale)[0]
        if "postgresql" in backends:
            urls["PostgreSQL"] = stack.enter_context(postgres(args.scale, args.pg_url))[0]
        for backend, url in urls.items():
            cookie = session_cookie(url, args.role)
            targets.append((backend, stack.enter_context(gunicorn("wsgi:app", ROOT, app_env(url))),
                            "/dashboard/", cookie))
        for _name, port, path, cookie in targets:
            warm(port, path, cookie, args.threads)
        runs: dict[str, list[dict]] = {name: [] for name, *_ in targets}
        for turn in range(args.rounds):
            for name, port, path, cookie in targets:
                data = load(port, path, cookie, args.seconds / args.rounds, args.threads)
                runs[name].append(data)
                log(f"    round {turn + 1}, {name} {path}: {data['rps']:.1f} requests/s "
                    f"({data['ok']:,} ok, {data['errors']} errors), p95 {data['p95_ms']:.0f} ms")
    hello = combine(runs.pop("hello"))
    results = {name: combine(r) for name, r in runs.items()}
    lines = [
        "| Served | Requests/s | OK | Errors | p50 ms | p95 ms | Ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    lines.append(
        f"| hello-world Flask app | {hello['rps']:.1f} | {hello['ok']:,} | {hello['errors']} | "
        f"{hello['p50_ms']:.0f} | {hello['p95_ms']:.0f} | reference |"
    )
    for backend, data in results.items():
        ratio = data["rps"] / hello["rps"] if hello["rps"] else 0
        verdict = f"{ratio:.3f} of hello-world"
        lines.append(
            f"| /dashboard/ as {args.role}, {backend} | {data['rps']:.1f} | {data['ok']:,} | "
            f"{data['errors']} | {data['p50_ms']:.0f} | {data['p95_ms']:.0f} | {verdict} |"
        )
    argv_text = " ".join(argv if argv is not None else sys.argv[1:])
    body = "\n".join(
        [
            header(f"python benchmarks/bench_http.py {argv_text}".strip()),
            "",
            f"gunicorn, 2 sync workers, 127.0.0.1; load from another process with {args.threads} threads, "
            f"{args.seconds:.0f} s per server in {args.rounds} rounds taking turns (hello-world, then "
            f"each dashboard, {args.seconds / args.rounds:.0f} s each, after 2 s of warm-up each), so that "
            "a drift of the shared machine's speed weighs on all alike; "
            f"database `seed-demo --scale {args.scale}`. Requests/s of each round: "
            + "; ".join(f"{name} " + ", ".join(f"{x:.0f}" for x in data["each"])
                        for name, data in [("hello-world", hello), *results.items()]) + ". "
            f"Load average when done: {os.getloadavg()[0]:.1f}. The load generator shares the 2 cores with "
            "the workers, which caps hello-world's figure more than the dashboard's.",
            "",
            "\n".join(lines),
            "",
            "Information only: no budget (the ratio to hello-world was withdrawn by issue 16).",
        ]
    )
    if args.no_write:
        print(body)
    else:
        write_section("http", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
