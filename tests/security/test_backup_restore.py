"""`flask --app trustfund backup FILE` and `restore FILE`: a consistent copy while
the application runs, brought back table for table; anything that is not a
Trustfund backup is refused before it replaces a single row."""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import threading
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.security.helpers import table_counts, table_rows
from trustfund.maintenance.backup import known_revisions


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory):
    """An SQLite file with the schema stamped at the migrations' head revision (as
    `flask db upgrade` leaves it) and the demo fund loaded; built once, copied per test."""
    from flask_migrate import stamp

    from trustfund import create_app, demo
    from trustfund.extensions import db

    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        stamp()
        demo.seed()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # the last connection checkpoints the WAL: one self-contained file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def file_app(tmp_path, seeded_file):
    """An app on its own copy of the seeded SQLite file."""
    from trustfund import create_app
    from trustfund.extensions import db

    live = tmp_path / "live.sqlite3"
    shutil.copyfile(seeded_file, live)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{live}"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _rows(app):
    from trustfund.extensions import db

    with app.app_context():
        rows = table_rows(db, db.engine)
        db.session.remove()
        db.engine.dispose()
    return rows


def _rows_of_file(app, path):
    from trustfund.extensions import db

    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with app.app_context():
            return table_rows(db, engine)
    finally:
        engine.dispose()


def test_backup_then_restore_brings_back_every_row_of_every_table(file_app, tmp_path):
    from trustfund.auth.models import User
    from trustfund.donors.models import Donor
    from trustfund.extensions import db

    original = _rows(file_app)
    assert sum(len(rows) for rows in original.values()) > 200  # countries, users, donor, pools...
    assert original["user"] and original["donor"] and original["pool"]
    runner = file_app.test_cli_runner()
    backup_file = tmp_path / "trustfund-backup.sqlite3"

    result = runner.invoke(args=["backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    assert _rows_of_file(file_app, backup_file) == original
    with open(backup_file, "rb") as handle:
        assert handle.read(16) == b"SQLite format 3\x00"

    # Life goes on after the backup: rows are changed, added and deleted.
    with file_app.app_context():
        donor = db.session.scalar(sa.select(Donor))
        donor.name = "Changed after the backup"
        db.session.add(User(email="late@test.example", name="Late", role="auditor", password_hash="x"))
        db.session.execute(sa.delete(sa.table("saa_status_change")))
        db.session.commit()
        db.session.remove()
    changed = _rows(file_app)
    assert changed != original

    result = runner.invoke(args=["restore", str(backup_file), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert _rows(file_app) == original
    # The database as it was just before the restore is kept beside it.
    safety = sorted(tmp_path.glob("live.before-restore-*.sqlite3"))
    assert len(safety) == 1
    assert _rows_of_file(file_app, safety[0]) == changed
    # The application works on the restored database.
    with file_app.app_context():
        assert db.session.scalar(sa.select(Donor.name)) != "Changed after the backup"
        db.session.remove()


def test_restore_asks_first_and_a_no_changes_nothing(file_app, tmp_path):
    runner = file_app.test_cli_runner()
    backup_file = tmp_path / "b.sqlite3"
    assert runner.invoke(args=["backup", str(backup_file)]).exit_code == 0
    before = _rows(file_app)
    result = runner.invoke(args=["restore", str(backup_file)], input="n\n")
    assert result.exit_code == 1
    assert "Replace every record" in result.output
    assert not list(tmp_path.glob("live.before-restore-*"))
    assert _rows(file_app) == before


def test_backup_refuses_to_overwrite_a_file_unless_forced(file_app, tmp_path):
    runner = file_app.test_cli_runner()
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"precious")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert target.read_bytes() == b"precious"
    result = runner.invoke(args=["backup", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"SQLite format 3")
    assert not list(tmp_path.glob(".*partial*"))


def _sqlite_file(path, statements):
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("kind", ["text", "empty", "no_alembic", "unknown_revision", "missing_tables",
                                  "truncated"])
def test_restore_refuses_a_file_that_is_not_a_trustfund_backup(file_app, tmp_path, kind):
    runner = file_app.test_cli_runner()
    head = min(known_revisions()[1])
    bad = tmp_path / f"bad-{kind}.sqlite3"
    if kind == "text":
        bad.write_text("id,name\n1,not a database\n")
        expected = "is not an SQLite database"
    elif kind == "empty":
        bad.write_bytes(b"")
        expected = "is not an SQLite database"
    elif kind == "no_alembic":
        _sqlite_file(bad, ["CREATE TABLE donor (id INTEGER PRIMARY KEY)"])
        expected = "not a Trustfund database"
    elif kind == "unknown_revision":
        _sqlite_file(bad, ["CREATE TABLE alembic_version (version_num VARCHAR(32))",
                           "INSERT INTO alembic_version VALUES ('0123456789ab')"])
        expected = "does not know"
    elif kind == "missing_tables":
        _sqlite_file(bad, ["CREATE TABLE alembic_version (version_num VARCHAR(32))",
                           f"INSERT INTO alembic_version VALUES ('{head}')",
                           "CREATE TABLE donor (id INTEGER PRIMARY KEY)"])
        expected = "lacks tables of this application"
    else:  # a real backup cut short
        good = tmp_path / "good.sqlite3"
        assert runner.invoke(args=["backup", str(good)]).exit_code == 0
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
        expected = "damaged"
    before = _rows(file_app)
    result = runner.invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert _rows(file_app) == before
    assert not list(tmp_path.glob("live.before-restore-*"))


def test_backup_while_the_app_writes_is_a_consistent_snapshot(file_app, tmp_path):
    """A writer credits interest to the un-earmarked pool (entry and pool figure in
    one transaction, with a pause between the two statements) while backups are
    taken: in every copy the pool's figures equal the sum of its entries."""
    from trustfund.contributions import pools
    from trustfund.contributions.models import InterestEntry
    from trustfund.extensions import db
    from trustfund.maintenance.backup import backup

    stop = threading.Event()
    written = []
    errors = []

    def writer():
        with file_app.app_context():
            pool_id = pools.unearmarked_pool().id
            try:
                while not stop.is_set():
                    amount = Decimal("12.34")
                    db.session.add(InterestEntry(pool_id=pool_id, value_date=dt.date(2017, 6, 30),
                                                 usd_amount=amount, note="during backup"))
                    db.session.flush()
                    time.sleep(0.002)  # widen the window inside the transaction
                    pools.move(pool_id, interest=amount, available=amount)
                    db.session.commit()
                    written.append(amount)
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    def figures(conn):
        # Money on SQLite is an integer of minor units: exact comparisons.
        interest, available, pool_id = conn.execute(
            "SELECT interest, available, id FROM pool WHERE code = 'UNEARMARKED'").fetchone()
        total = conn.execute("SELECT COALESCE(SUM(usd_amount), 0) FROM interest_entry WHERE pool_id = ?",
                             (pool_id,)).fetchone()[0]
        during = conn.execute(
            "SELECT COUNT(*) FROM interest_entry WHERE note = 'during backup'").fetchone()[0]
        return interest, available, total, during

    with file_app.app_context():
        source = db.engine.url.database
    conn = sqlite3.connect(source)
    interest0, available0, total0, during0 = figures(conn)
    conn.close()
    assert interest0 == total0 and during0 == 0

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    snapshots = []
    try:
        deadline = time.monotonic() + 60
        mark = 0
        while len(snapshots) < 8 and time.monotonic() < deadline:
            # Let the writer commit again since the previous copy ended (one entry may
            # be committed and not yet counted), so that no two copies can be equal.
            if len(written) < mark + 2:
                time.sleep(0.005)
                continue
            target = tmp_path / f"snap-{len(snapshots)}.sqlite3"
            backup(source, target)
            snapshots.append(target)
            mark = len(written)
    finally:
        stop.set()
        thread.join(30)
    assert not errors, errors
    assert len(snapshots) == 8

    entries_seen = set()
    for snapshot in snapshots:
        conn = sqlite3.connect(snapshot)
        interest, available, total, count = figures(conn)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        assert interest == total == total0 + count * 1234, snapshot.name
        assert available == available0 + count * 1234, snapshot.name
        entries_seen.add(count)
    # The copies were taken at different moments of the writing, not all before or after it.
    assert len(entries_seen) == len(snapshots)
    assert 0 < min(entries_seen) and max(entries_seen) < len(written)


def test_backup_command_on_each_test_database(app, db, runner, backend, tmp_path):
    """On SQLite the command copies the running test database; on PostgreSQL both
    commands refuse and point to pg_dump / pg_restore, touching nothing."""
    target = tmp_path / "copy.sqlite3"
    before = table_counts(db)
    result = runner.invoke(args=["backup", str(target)])
    if backend == "postgresql":
        assert result.exit_code == 1
        assert "pg_dump" in result.output and "pg_restore" in result.output
        assert not target.exists()
        target.write_bytes(b"not used")
        result = runner.invoke(args=["restore", str(target), "--yes"])
        assert result.exit_code == 1
        assert "pg_dump" in result.output
    else:
        assert result.exit_code == 0, result.output
        engine = sa.create_engine(f"sqlite:///{target}")
        try:
            with engine.connect() as conn:
                assert table_counts(db, conn) == before
        finally:
            engine.dispose()
    assert table_counts(db) == before


@pytest.mark.parametrize("second_looks", [True, False],
                         ids=["both look after the restore", "one looks only after a change"])
def test_restore_while_a_second_app_runs_shows_the_restored_figures_in_both(file_app, tmp_path,
                                                                            second_looks):
    """Two app instances (two workers) keep dashboard figures per data version. A
    restore brings back the backup's data with the version it had: the next request of
    each shows the restored figures, and a change after the restore shows at once, in
    a worker that still keeps the figures of before the restore too (a version never
    comes back with other data, as a count or a highest id would)."""
    from trustfund import create_app
    from trustfund.auth.models import User
    from trustfund.contributions.confirmed import record_interest
    from trustfund.dashboard import travel_figures
    from trustfund.extensions import db

    second = create_app("testing", {"SQLALCHEMY_DATABASE_URI": file_app.config["SQLALCHEMY_DATABASE_URI"]})
    apps = [file_app, second]
    try:
        with file_app.app_context():
            srsg = db.session.scalar(sa.select(User).where(User.email == "srsg@trustfund.demo"))
            session_id = srsg.get_id()
            db.session.remove()
        clients = []
        for app in apps:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = session_id
                session["_fresh"] = True
            clients.append(client)

        def available() -> Decimal:  # the figure from the data itself (nothing kept)
            with file_app.app_context():
                figure = travel_figures.travel_figures().available
                db.session.remove()
            return figure

        def shown(which=(0, 1)) -> list[str]:
            pages = []
            for client in [clients[i] for i in which]:
                for _ in range(2):  # the first view keeps the figures, the second uses them
                    response = client.get("/dashboard/")
                    assert response.status_code == 200
                pages.append(response.get_data(as_text=True))
            return pages

        def usd(amount: Decimal) -> str:
            return f"{amount:,.2f}"

        def credit(amount: str) -> None:
            with file_app.app_context():
                officer = db.session.scalar(sa.select(User).where(User.email == "officer@trustfund.demo"))
                record_interest(officer, value_date=dt.date.today(), usd_amount=Decimal(amount))
                db.session.commit()
                db.session.remove()

        restored = available()
        assert all(usd(restored) in page for page in shown())
        backup_file = tmp_path / "before.sqlite3"
        assert file_app.test_cli_runner().invoke(args=["backup", str(backup_file)]).exit_code == 0

        credit("1000.00")
        later = available()
        assert later == restored + Decimal("1000.00")
        assert all(usd(later) in page for page in shown())  # both workers keep the later figures

        result = file_app.test_cli_runner().invoke(args=["restore", str(backup_file), "--yes"])
        assert result.exit_code == 0, result.output
        assert available() == restored
        looking = (0, 1) if second_looks else (0,)
        assert all(usd(restored) in page and usd(later) not in page for page in shown(looking))

        credit("2000.00")  # another change after the restore: a version never seen before
        assert available() == restored + Decimal("2000.00")
        for page in shown():
            assert usd(restored + Decimal("2000.00")) in page and usd(later) not in page
    finally:
        with second.app_context():
            db.session.remove()
            db.engine.dispose()
