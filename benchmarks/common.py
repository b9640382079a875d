"""What the benchmarks share: the scale databases, the app on them, and writing
their figures into docs/performance.md.

The SQLite database of scale N is built once under $TRUSTFUND_BENCH_DIR
(default /tmp/trustfund-bench) and reused while the schema and the generator
are unchanged (a fingerprint file beside it says what built it). PostgreSQL
runs on a throwaway server (tests/pg.py) started for the run, and is seeded
afresh each time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DIR = Path(os.environ.get("TRUSTFUND_BENCH_DIR", "/tmp/trustfund-bench"))
DOC = ROOT / "docs" / "performance.md"
PYTHON = sys.executable
FLASK = str(Path(sys.executable).with_name("flask"))
SECRET = secrets.token_hex(32)


def log(text: str) -> None:
    print(text, flush=True)


def fingerprint() -> str:
    """The schema (every table, column and index) and the generator's source."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        dialect = db.engine.dialect
        parts = []
        for table in db.metadata.sorted_tables:
            parts.append(str(CreateTable(table).compile(dialect=dialect)))
            parts.extend(
                sorted(str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes)
            )
    for path in sorted((ROOT / "trustfund" / "demo").rglob("*.py")):
        parts.append(path.read_text(encoding="utf-8"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def create_schema(url: str) -> None:
    from trustfund import create_app
    from trustfund.extensions import db
    from trustfund.maintenance.schema import stamp_head

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        stamp_head()  # the commands (seed-demo) run on a schema at the migrations' head only
        db.session.remove()
        db.engine.dispose()


def seed(url: str, scale: int) -> float:
    """`flask --app trustfund seed-demo --scale N` on the database; returns seconds."""
    env = dict(os.environ, DATABASE_URL=url, TRUSTFUND_CONFIG="development")
    began = time.perf_counter()
    result = subprocess.run(
        [FLASK, "--app", "trustfund", "seed-demo", "--scale", str(scale)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - began
    for line in result.stdout.splitlines():
        if line.startswith("  ") and "@" not in line or "Scale data" in line:
            log("    " + line.strip())
    if result.returncode != 0:
        raise RuntimeError(f"seed-demo failed:\n{result.stdout}\n{result.stderr}")
    return seconds


def _at_head(path: Path) -> bool:
    """Whether the database file is stamped at the migrations' head: the app serves
    nothing on another revision (trustfund/schema_guard.py)."""
    import sqlite3

    from trustfund.maintenance.backup import known_revisions

    try:
        with closing(sqlite3.connect(path)) as connection:
            stamped = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.Error:
        return False
    return stamped == set(known_revisions()[1])


def sqlite_db(scale: int, rebuild: bool = False) -> tuple[str, float | None]:
    """The URL of the SQLite database of scale N, built if missing or out of date;
    and the seconds its seed-demo took (when it was built, if reused)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"scale{scale}.sqlite3"
    stamp = path.with_suffix(".fingerprint")
    url = f"sqlite:///{path}"
    wanted = fingerprint()
    timing = path.with_suffix(".seconds")
    if not rebuild and path.exists() and stamp.exists() and stamp.read_text() == wanted \
            and _at_head(path):
        log(f"  reusing {path} (schema and generator unchanged)")
        return url, float(timing.read_text()) if timing.exists() else None
    for old in BENCH_DIR.glob(f"scale{scale}.sqlite3*"):
        old.unlink()
    stamp.unlink(missing_ok=True)
    log(f"  building {path}: seed-demo --scale {scale}")
    create_schema(url)
    seconds = seed(url, scale)
    stamp.write_text(wanted)
    timing.write_text(f"{seconds:.1f}")
    log(f"  built in {seconds:.1f} s")
    return url, seconds


@contextmanager
def postgres(scale: int, url: str | None = None):
    """A PostgreSQL database of scale N on a throwaway server; yields (url, seed seconds).
    With `url` given (run_all.py shares one), that database is used as it is."""
    if url:
        yield url, None
        return
    from tests.pg import PostgresServer

    server = PostgresServer()
    server.start()
    try:
        url = server.url("trustfund_test")
        log(f"  PostgreSQL on 127.0.0.1:{server.port}: seed-demo --scale {scale}")
        create_schema(url)
        seconds = seed(url, scale)
        log(f"  built in {seconds:.1f} s")
        yield url, seconds
    finally:
        server.stop()


_redis: dict = {}


def redis_url() -> str:
    """A throwaway Redis server for login throttling's counts (tests/redis_server.py),
    started once per process and stopped when it ends; RATELIMIT_STORAGE_URI if set."""
    if os.environ.get("RATELIMIT_STORAGE_URI", "").startswith("redis"):
        return os.environ["RATELIMIT_STORAGE_URI"]
    if "url" not in _redis:
        import atexit

        from tests.redis_server import RedisServer

        server = RedisServer()
        _redis["url"] = server.start()
        atexit.register(server.stop)
    return _redis["url"]


# Mail as production has it: messages are queued in the outbox by the request that
# causes them; nothing sends them during a benchmark (no `flask send-mail` runs).
MAIL_ENV = {"MAIL_SERVER": "127.0.0.1", "MAIL_SECURITY": "none",
            "MAIL_SENDER": "Trustfund <trustfund@bench.example>",
            "TRUSTFUND_EXTERNAL_URL": "https://trustfund.bench.example"}


def make_app(url: str):
    """The app as production runs it (no debug, Secure cookies, login throttling in
    Redis, mail queued in the outbox), on the given database."""
    from trustfund import compile_templates, create_app, settle_memory

    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET,
                                     "RATELIMIT_STORAGE_URI": redis_url(),
                                     "MAIL_SERVER": MAIL_ENV["MAIL_SERVER"],
                                     "MAIL_SECURITY": MAIL_ENV["MAIL_SECURITY"],
                                     "MAIL_SENDER": MAIL_ENV["MAIL_SENDER"],
                                     "EXTERNAL_URL": MAIL_ENV["TRUSTFUND_EXTERNAL_URL"]})
    compile_templates(app)  # as wsgi.py does in each worker
    settle_memory()
    return app


# Production cookies are Secure: the test client sends them over https only.
HTTPS = "https://localhost"


def backend_name(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 30 values is the 29th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def machine() -> str:
    cpus = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = "unknown CPU"
    return f"{cpus} cores ({model}), Python {sys.version.split()[0]}"


def write_section(name: str, body: str) -> None:
    """Replace the text between <!-- bench:NAME --> and <!-- /bench:NAME --> in
    docs/performance.md (appended at the end when the markers are missing)."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _m: block, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + block + "\n"
    )
    DOC.write_text(text, encoding="utf-8")
    log(f"  wrote the '{name}' section of {DOC.relative_to(ROOT)}")


def header(command: str) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"Measured {now} on {machine()} by `{command}`."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(url: str) -> dict:
    """The environment of `gunicorn wsgi:app` as production runs it, on the database."""
    env = dict(os.environ, DATABASE_URL=url, TRUSTFUND_CONFIG="production", SECRET_KEY=SECRET,
               RATELIMIT_STORAGE_URI=redis_url(), **MAIL_ENV)
    env.pop("FLASK_DEBUG", None)
    return env


@contextmanager
def gunicorn(app_spec: str, chdir: Path, env: dict, workers: int = 2):
    """gunicorn serving app_spec with `workers` sync workers on 127.0.0.1; yields the port."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--chdir", str(chdir), "--log-level", "warning",
         app_spec],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} exited: {process.stderr.read()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn {app_spec} did not start listening")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
