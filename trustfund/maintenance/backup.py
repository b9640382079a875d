"""Online backup and restore of the SQLite database.

The copy is made with SQLite's backup API in a single step: it reads the
database inside one read transaction, so the copy is a consistent snapshot of
one moment even while the application keeps writing (in WAL mode writers are
not blocked while it runs). A restore checks the file first (an SQLite
database, intact, holding this application's schema at a revision its
migrations know), keeps a safety copy of the current database, then writes the
backup into the live file through the same API, under SQLite's own locking, so
that no process ever sees half a database.

PostgreSQL is backed up with its own tools (pg_dump / pg_restore); see README.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

PG_ADVICE = (
    "This database is PostgreSQL: back it up with PostgreSQL's own tools, for example "
    "`pg_dump --format=custom --file FILE \"$DATABASE_URL\"`, and bring it back with "
    "`pg_restore --clean --if-exists --no-owner --single-transaction --dbname \"$DATABASE_URL\" FILE` "
    "(see the README's Security section)."
)


class BackupError(Exception):
    """The backup or restore was refused; the message says why and what to do."""


@dataclass
class Summary:
    path: Path
    revision: str | None
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def database_file(url: str | sa.engine.URL) -> Path:
    """The SQLite file behind a database URL; refuses other databases."""
    url = sa.engine.make_url(url)
    if url.get_backend_name() == "postgresql":
        raise BackupError(PG_ADVICE)
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"Backup and restore handle SQLite databases only, not {url.get_backend_name()}.")
    name = url.database or ""
    if name in ("", ":memory:") or url.query.get("mode") == "memory":
        raise BackupError("This is an in-memory SQLite database: there is no file to back up or restore.")
    return Path(name).resolve()


def migration_scripts():
    """Alembic's ScriptDirectory of this application's migrations."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def known_revisions() -> tuple[set[str], set[str]]:
    """(every revision of this application's migrations, the head revisions)."""
    script = migration_scripts()
    return {rev.revision for rev in script.walk_revisions()}, set(script.get_heads())


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
    return sqlite3.connect(str(path), timeout=30)


def _table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def _revision(conn: sqlite3.Connection) -> str | None:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
    if not has_table:
        return None
    rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    return rows[0][0] if len(rows) == 1 else None


def _integrity(conn: sqlite3.Connection) -> str:
    return ", ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))


def backup(source: Path, target: Path, *, overwrite: bool = False) -> Summary:
    """Copy the database at `source` to `target` as one consistent snapshot.
    The copy is written beside the target and renamed into place only once it is
    complete and intact, so a failed backup never leaves a partial file behind."""
    source, target = Path(source).resolve(), Path(target).resolve()
    if not source.is_file():
        raise BackupError(f"There is no database at {source}.")
    if target == source:
        raise BackupError("The backup file cannot be the database itself.")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} already exists; choose another name or pass --force to replace it.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    src = _connect(source)
    try:
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(dst)  # pages=-1: the whole database in one step, one snapshot
            # A self-contained file: no -wal/-shm companions to carry along.
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = _integrity(dst)
            if problems != "ok":
                raise BackupError(f"The copy failed its integrity check: {problems}")
            summary = Summary(target, _revision(dst), _table_counts(dst))
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return summary


def inspect_backup(path: Path, expected_tables: set[str] | None = None) -> Summary:
    """Check that `path` is an intact SQLite database of this application, at a
    revision its migrations know; refuse anything else before it replaces data."""
    path = Path(path).resolve()
    if not path.is_file():
        raise BackupError(f"There is no file at {path}.")
    with open(path, "rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not an SQLite database.")
    conn = _connect(path, read_only=True)
    try:
        try:
            problems = _integrity(conn)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is damaged or not a readable SQLite database ({error}).") from None
        if problems != "ok":
            raise BackupError(f"{path} is damaged (integrity check: {problems}).")
        revision = _revision(conn)
        tables = _table_counts(conn)
    finally:
        conn.close()
    if revision is None:
        raise BackupError(f"{path} holds no alembic_version: it is not a Trustfund database.")
    revisions, heads = known_revisions()
    if revision not in revisions:
        raise BackupError(f"{path} is at revision {revision}, which this version of Trustfund "
                          "does not know: it comes from another application or a newer version.")
    if revision in heads and expected_tables:
        missing = sorted(expected_tables - set(tables))
        if missing:
            raise BackupError(f"{path} lacks tables of this application: {', '.join(missing)}.")
    return Summary(path, revision, tables)


def restore(backup_file: Path, database: Path, *, expected_tables: set[str] | None = None,
            now: dt.datetime | None = None) -> tuple[Summary, Path | None]:
    """Replace the database at `database` by the backup; returns the backup's
    summary and the safety copy made of the database first (None if there was
    no database)."""
    backup_file, database = Path(backup_file).resolve(), Path(database).resolve()
    if backup_file == database:
        raise BackupError("The backup file is the database itself.")
    summary = inspect_backup(backup_file, expected_tables)
    if not database.parent.is_dir():  # a new machine: DATABASE_URL's folder not made yet
        raise BackupError(f"The folder {database.parent} does not exist: make it, then restore.")
    safety = None
    if database.exists():
        stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        suffix = database.suffix or ".sqlite3"
        safety = database.with_name(f"{database.stem}.before-restore-{stamp}{suffix}")
        counter = 1
        while safety.exists():
            counter += 1
            safety = database.with_name(f"{database.stem}.before-restore-{stamp}-{counter}{suffix}")
        backup(database, safety)
    src = _connect(backup_file, read_only=True)
    try:
        dst = _connect(database)
        try:
            src.backup(dst)
            problems = _integrity(dst)
            if problems != "ok":
                raise BackupError(f"The restored database failed its integrity check: {problems}; "
                                  f"the previous one is kept at {safety}.")
        finally:
            dst.close()
    finally:
        src.close()
    return summary, safety
