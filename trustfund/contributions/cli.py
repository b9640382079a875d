"""flask --app trustfund import-deposits FILE: the web import, from the command line."""
from __future__ import annotations

import gc
import io
import os

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

SHOWN_ERRORS = 1000


@click.command("import-deposits")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "email", required=True,
              help="Email of the MPTF officer the deposits are recorded by (in the audit trail).")
def import_deposits_command(path: str, email: str):
    """Import the deposits of an .xlsx workbook: all rows or none, and a file once (a
    file already imported, here or through the page, is refused: its rows without a
    bank reference would be recorded twice)."""
    from ..auth.models import User
    from ..errors import DomainError
    from ..extensions import db
    from ..permissions import MPTF_OFFICER
    from .import_uploads import posted_before, record_command_import
    from .importer import import_deposits

    actor = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if actor is None or actor.role != MPTF_OFFICER or not actor.active:
        raise click.ClickException(f"{email} is not an active MPTF officer.")
    with open(path, "rb") as handle:
        content = handle.read()
    earlier = posted_before(content)
    if earlier is not None:
        raise click.ClickException(
            f"Nothing imported: this very file was imported on {earlier.posted_at:%Y-%m-%d %H:%M} UTC "
            f"({earlier.deposits or 0} deposits); importing it again would record its deposits twice.")
    # The import builds hundreds of thousands of objects that live until it ends: the
    # cyclic garbage collector would walk them all again and again for nothing (plain
    # reference counting still frees what is dropped).
    gc.disable()
    try:
        result = import_deposits(actor, io.BytesIO(content), filename=path)
        if result.ok:
            # The same file imported meanwhile (by the page or another run) is refused here.
            record_command_import(actor, os.path.basename(path), content, result)
            db.session.flush()
    except DomainError as error:  # as the page's run(): the fund or a year closed meanwhile, ...
        db.session.rollback()
        said = error.message if "Nothing was imported" in error.message else \
            f"Nothing imported: {error.message}"
        raise click.ClickException(said) from None
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
