"""Whether the database's schema is this version's: the revision Alembic stamped in
it (`flask db upgrade` does) against the heads of migrations/. trustfund/cli.py runs
no command on another: it would end in "no such table" or "relation does not exist"."""
from __future__ import annotations

import functools

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from ..extensions import db
from .backup import known_revisions, migration_scripts

UPGRADE = "`flask --app trustfund db upgrade`"
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps


@functools.cache
def _revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(every revision of the migrations, their heads): read once per process."""
    known, heads = known_revisions()
    return frozenset(known), frozenset(heads)


def current_revisions() -> set[str]:
    """The revisions stamped in the database (none where Alembic never ran). Read as a
    plain query: Alembic's MigrationContext would log its dialect at each command."""
    with db.engine.connect() as connection:
        if not sa.inspect(connection).has_table(VERSION_TABLE):
            return set()
        return set(connection.scalars(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")))


def schema_problem() -> str | None:
    """What keeps this version from working on the database, in a sentence, or None."""
    current = current_revisions()
    known, heads = _revisions()
    if current == heads:
        return None
    if current - known:
        return (f"The database is at schema revision {', '.join(sorted(current))}, which this version of "
                "Trustfund does not know (a newer version upgraded it): run that version instead.")
    if not current:
        return ("The database has not been upgraded to Trustfund's schema (it holds no schema revision): "
                f"upgrade it first with {UPGRADE}.")
    return (f"The database is at schema revision {', '.join(sorted(current))}, older than this version's "
            f"({', '.join(sorted(heads))}): upgrade it first with {UPGRADE}.")


def stamp_head() -> None:
    """Stamp a schema made by db.create_all() as at the migrations' head, as `flask db
    upgrade` leaves it (the tests' and the benchmarks' databases are made so)."""
    with db.engine.begin() as connection:
        MigrationContext.configure(connection).stamp(migration_scripts(), "head")

