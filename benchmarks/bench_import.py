"""Importing deposits: `flask --app trustfund import-deposits` of 100,000 rows against
openpyxl's read-only mode merely reading the same file; and 10,000 rows through the
page (upload, preview, confirm) against gunicorn's default worker timeout.

    .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--page-rows 10000]
        [--backends sqlite,postgresql] [--pg-url URL] [--repeat 1] [--no-write]

Each backend gets a database of its own (SQLite in a temporary folder; PostgreSQL a
new database on the server of --pg-url, else on a throwaway server), with the demo
fund (`seed-demo`) and three commitments to import into (USD, EUR at the table
rate, JPY at a rate with a note; a third earmarked). The workbook's rows spread over
them with a bank reference each. Timed:
- openpyxl: a whole process in which load_workbook(read_only=True) reads every
  row's values, just before each import (the same load on the machine for both);
- command: the whole `flask --app trustfund import-deposits FILE` process (start-up
  included) on a fresh database, then `flask --app trustfund check` must pass;
  best of --repeat, for both;
- page: the officer's upload, preview and confirmation of a --page-rows workbook
  through Flask's test client with the production configuration, each request
  timed (gunicorn kills a request after 30 s by default).
Budgets: the command's rows per second >= 0.5 x openpyxl's reading; each page
request < 30 s. Writes docs/performance.md section "import".
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from common import FLASK, HTTPS, ROOT, app_env, create_schema, header, log, make_app, write_section

RATIO_BUDGET = 0.5
PAGE_BUDGET_S = 30.0
BUDGETS: list[str] = []  # the last run's budget lines, for run_all.py
OFFICER = "officer@trustfund.demo"
COMMITMENTS = (("BENCH-USD", "USD", None), ("BENCH-EUR", "EUR", None), ("BENCH-JPY", "JPY", 1))


def make_workbook(path: Path, rows: int, tag: str) -> None:
    """`rows` deposits over the bench commitments, each with a bank reference of its own."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("Deposits")
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference",
                  "Separate transfer note"])
    for i in range(rows):
        day = dt.date(2018, 5, 1) + dt.timedelta(days=i % 28)
        kind = i % 3
        if kind == 0:
            sheet.append(["BENCH-USD", day, 100 + (i % 997) / 100, "USD", None, None, f"{tag}-{i}", None])
        elif kind == 1:
            sheet.append(["BENCH-EUR", day, 250 + (i % 991) / 100, "EUR", None, None, f"{tag}-{i}", None])
        else:
            sheet.append(["BENCH-JPY", day, 10000 + i % 9973, "JPY", 110.5, "Donor's bank rate",
                          f"{tag}-{i}", None])
    wb.save(path)


READ = """
import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1], read_only=True, data_only=True)
for _row in book["Deposits"].iter_rows(values_only=True):
    pass
"""


def openpyxl_read(path: Path) -> float:
    """Seconds of a whole process in which openpyxl's read-only mode reads every row's
    values (timed like the command: from the process's start to its end)."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", READ, str(path)], capture_output=True, check=True)
    return time.perf_counter() - began


def prepare(url: str) -> None:
    """The demo fund and the bench commitments on an empty database."""
    import sqlalchemy as sa

    env = dict(os.environ, DATABASE_URL=url, TRUSTFUND_CONFIG="development")
    create_schema(url)
    subprocess.run([FLASK, "--app", "trustfund", "seed-demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    from trustfund import create_app
    from trustfund.auth.models import User
    from trustfund.contributions import confirmed, services
    from trustfund.contributions.models import ExchangeRate, Objective
    from trustfund.demo import recording_the_story
    from trustfund.demo.contributions import demo_rate
    from trustfund.donors.models import Donor
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        officer = db.session.scalar(sa.select(User).where(User.email == OFFICER))
        donor = db.session.scalar(sa.select(Donor).where(Donor.saa_status == "signed").order_by(Donor.id))
        # May 2018's UN rate for EUR, unless the demo's rates file already has it: a
        # rate near its neighbours (a month's rate far from them is refused).
        may = dt.date(2018, 5, 1)
        if db.session.scalar(sa.select(ExchangeRate.id).where(ExchangeRate.currency == "EUR",
                                                              ExchangeRate.month == may)) is None:
            confirmed.set_rate(officer, "EUR", may, str(demo_rate("EUR", may)))
        # The demo fund's end date (2018) has passed: its commitments are recorded as the
        # demo records its story (deposits on them are taken after the end date anyway).
        with recording_the_story():
            for reference, currency, objective in COMMITMENTS:
                objective_id = db.session.scalar(
                    sa.select(Objective.id).where(Objective.number == objective)) if objective else None
                services.record_commitment(officer, donor, currency=currency, amount="9000000000000",
                                           objective_id=objective_id, committed_on=dt.date(2018, 5, 1),
                                           reference=reference)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def run_command(url: str, path: Path) -> float:
    """Seconds of the whole `flask --app trustfund import-deposits` process."""
    env = app_env(url)  # production, as gunicorn runs it (login throttling in Redis)
    began = time.perf_counter()
    done = subprocess.run([FLASK, "--app", "trustfund", "import-deposits", str(path), "--user", OFFICER],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"import-deposits failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    log(f"    command: {done.stdout.strip()} in {seconds:.1f} s")
    return seconds


def check(url: str) -> None:
    env = app_env(url)  # production, as gunicorn runs it (login throttling in Redis)
    done = subprocess.run([FLASK, "--app", "trustfund", "check"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"flask check failed after the import:\n{done.stdout[-3000:]}")


def commands(backend: str, pg_url: str | None, folder: Path, path: Path, repeat: int) -> tuple[float, float]:
    """(best command seconds, best openpyxl seconds): each import on a fresh database,
    openpyxl reading the same file just before it, so that both meet the same load."""
    best_command = best_read = None
    for _ in range(repeat):
        with database(backend, pg_url, folder) as url:
            prepare(url)
            read = openpyxl_read(path)
            seconds = run_command(url, path)
            check(url)
        log(f"    openpyxl read it in {read:.1f} s just before")
        best_command = seconds if best_command is None else min(best_command, seconds)
        best_read = read if best_read is None else min(best_read, read)
    return best_command, best_read


def through_the_page(url: str, path: Path) -> dict[str, float]:
    """Seconds of the upload, the preview and the confirmation, as the officer."""
    import sqlalchemy as sa

    from trustfund.auth.models import User
    from trustfund.extensions import db

    app = make_app(url)
    with app.app_context():
        user_id = db.session.scalar(sa.select(User).where(User.email == OFFICER)).get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction(base_url=HTTPS) as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    form = client.get("/contributions/deposits/import", base_url=HTTPS).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    times = {}
    began = time.perf_counter()
    # Over https, Flask-WTF also wants the Referer of a page of this site.
    referer = {"Referer": HTTPS + "/contributions/deposits/import"}
    response = client.post("/contributions/deposits/import", base_url=HTTPS, headers=referer,
                           content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(path.read_bytes()), path.name)})
    times["upload"] = time.perf_counter() - began
    if response.status_code != 302:
        raise RuntimeError(f"the upload was refused ({response.status_code})")
    preview_url = response.headers["Location"]
    began = time.perf_counter()
    preview = client.get(preview_url, base_url=HTTPS)
    times["preview"] = time.perf_counter() - began
    page = preview.get_data(as_text=True)
    if "Record " not in page:
        raise RuntimeError("the preview offers no confirmation")
    # The confirmation carries the fingerprint of the figures the preview showed, as
    # the officer's browser sends it (a confirmation without it is refused).
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', page) or re.search(
        r'value="([^"]*)"[^>]*name="seen"', page)
    if seen is None:
        raise RuntimeError("the preview carries no fingerprint of its figures")
    began = time.perf_counter()
    response = client.post(preview_url + "/confirm", base_url=HTTPS, headers=referer,
                           data={"csrf_token": token, "seen": html.unescape(seen.group(1))})
    times["confirm"] = time.perf_counter() - began
    if response.status_code != 302:
        raise RuntimeError(f"the confirmation was refused ({response.status_code})")
    with app.app_context():
        db.engine.dispose()
    log("    page: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
    return times


@contextmanager
def database(backend: str, pg_url: str | None, folder: Path):
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'import.sqlite3'}"
        return
    import sqlalchemy as sa

    if pg_url is None:
        from tests.pg import PostgresServer

        server = PostgresServer()
        server.start()
        try:
            yield server.url("trustfund_test")
        finally:
            server.stop()
        return
    name = f"bench_import_{secrets.token_hex(4)}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--page-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--scale", type=int, default=None, help="ignored (run_all.py passes it)")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    lines, verdicts = [], []
    reads = []
    BUDGETS.clear()
    with tempfile.TemporaryDirectory(prefix="trustfund-import-") as tmp:
        folder = Path(tmp)
        big, page = folder / f"deposits-{args.rows}.xlsx", folder / f"deposits-{args.page_rows}.xlsx"
        make_workbook(big, args.rows, "BIG")
        make_workbook(page, args.page_rows, "PAGE")
        for backend in backends:
            label = "SQLite" if backend == "sqlite" else "PostgreSQL"
            log(f"{label}:")
            seconds, read = commands(backend, args.pg_url, folder, big, args.repeat)
            reads.append(read)
            with database(backend, args.pg_url, folder) as url:
                prepare(url)
                times = through_the_page(url, page)
            ratio = read / seconds
            slowest = max(times.values())
            met = ratio >= RATIO_BUDGET and slowest < PAGE_BUDGET_S
            verdicts.append(met)
            page_times = " / ".join(f"{times[k]:.1f}" for k in ("upload", "preview", "confirm"))
            lines.append(f"| {label} | {args.rows:,} | {read:.1f} | {seconds:.1f} | "
                         f"{args.rows / seconds:,.0f} | {ratio:.2f} | {page_times} | "
                         f"{'met' if met else '**not met**'} |")
            BUDGETS.append(f"{'met' if met else 'NOT MET'}: import, {label}: {args.rows:,} rows at "
                           f"{ratio:.2f} of openpyxl's reading rows/s (budget {RATIO_BUDGET}); "
                           f"slowest page request ({args.page_rows:,} rows) {slowest:.1f} s "
                           f"(budget {PAGE_BUDGET_S:.0f} s)")
            log(f"  {label}: {ratio:.2f} x openpyxl's reading; slowest page request {slowest:.1f} s: "
                f"budget {'met' if met else 'NOT met'}")
    argv_text = " ".join(argv if argv is not None else sys.argv[1:])
    body = "\n".join([
        header(f"python benchmarks/bench_import.py {argv_text}".strip()),
        "",
        f"A {args.rows:,}-row workbook (three commitments, one earmarked, in USD, EUR and JPY; a bank "
        f"reference each). The reference: a process in which openpyxl's read-only mode reads every row, "
        f"run just before each import; the command is timed whole (its start-up included), on a fresh "
        f"database each time, best of {args.repeat}; `flask --app trustfund check` passes after it. "
        f"The page imports {args.page_rows:,} rows. Load average when done: {os.getloadavg()[0]:.1f} (a "
        "shared machine: both figures stretch under load, their ratio less).",
        "",
        f"| Backend | Rows | openpyxl read s | Command s | Rows/s | × openpyxl's rows/s | Page upload / "
        f"preview / confirm s ({args.page_rows:,} rows) | Budget |",
        "|---|---|---|---|---|---|---|---|",
        *lines,
        "",
        f"Budget: the command's rows per second ≥ {RATIO_BUDGET} × openpyxl's reading of the same file; "
        f"each page request under gunicorn's default timeout ({PAGE_BUDGET_S:.0f} s).",
    ])
    if args.no_write:
        print(body)
    else:
        write_section("import", body)
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
