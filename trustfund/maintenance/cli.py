"""flask --app trustfund backup FILE / restore FILE."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from .backup import BackupError, backup, database_file, known_revisions, restore


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it already exists.")
def backup_command(file: Path, force: bool):
    """Copy the SQLite database to FILE as one consistent snapshot, while the
    application keeps running. (PostgreSQL: use pg_dump, see the README.)"""
    try:
        source = database_file(db.engine.url)
        summary = backup(source, file, overwrite=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {source} to {summary.path}: {len(summary.tables)} tables, "
               f"{summary.rows} rows, schema revision {summary.revision or 'none'}.")

@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool):
    """Replace the SQLite database by the backup FILE, after checking that FILE
    is an intact Trustfund database; a safety copy of the current database is
    kept beside it."""
    try:
        target = database_file(db.engine.url)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if not yes:
        click.confirm(f"Replace every record in {target} by the contents of {file}?", abort=True)
    # Let go of our own connections; other processes keep theirs and see the
    # restored data at their next transaction.
    db.session.remove()
    db.engine.dispose()
    try:
        summary, safety = restore(file, target,
                                  expected_tables={t.name for t in db.metadata.sorted_tables})
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.engine.dispose()
    if safety is not None:
        click.echo(f"The database as it was before is kept at {safety}.")
    click.echo(f"Restored {target} from {summary.path}: {len(summary.tables)} tables, "
               f"{summary.rows} rows, schema revision {summary.revision}.")
    if summary.revision is not None:
        _, heads = known_revisions()
        if summary.revision not in heads:
            click.echo("The backup is at an older schema revision: run "
                       "`flask --app trustfund db upgrade` now.")
