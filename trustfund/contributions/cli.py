"""flask --app trustfund import-deposits FILE: the web import, from the command line."""
from __future__ import annotations

import gc

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

SHOWN_ERRORS = 1000


@click.command("import-deposits")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "email", default=None,
              help="Email of the MPTF officer the deposits are recorded by (for the audit trail).")
def import_deposits_command(path: str, email: str | None):
    """Import the deposits of an .xlsx workbook: all rows or none."""
    from ..auth.models import User
    from ..extensions import db
    from ..permissions import MPTF_OFFICER
    from .importer import import_deposits

    actor = None
    if email:
        actor = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
        if actor is None or actor.role != MPTF_OFFICER or not actor.active:
            raise click.ClickException(f"{email} is not an active MPTF officer.")
    # The import builds hundreds of thousands of objects that live until it ends: the
    # cyclic garbage collector would walk them all again and again for nothing (plain
    # reference counting still frees what is dropped).
    gc.disable()
    try:
        with open(path, "rb") as handle:
            result = import_deposits(actor, handle, filename=path)
    finally:
        gc.enable()
    if not result.ok:
        db.session.rollback()
        click.echo(f"Nothing imported: {result.error_count} problem(s) in {path}:", err=True)
        shown = result.errors[:SHOWN_ERRORS]
        for error in shown:
            click.echo(f"  {error}", err=True)
        if result.error_count > len(shown):
            click.echo(f"  … and {result.error_count - len(shown)} more.", err=True)
        raise SystemExit(1)
    db.session.commit()
    click.echo(f"Imported {result.imported} deposits: USD {result.usd:,} "
               f"(net USD {result.net:,} after the fee).")
