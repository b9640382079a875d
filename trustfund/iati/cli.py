"""`flask --app trustfund export`: the .xlsx registers of statements/cli.py, and the
IATI file: `export iati --out FILE [--as-of DATE]` writes it, `export iati --validate
FILE` checks a file against the IATI 2.03 schema and rules (validate.py)."""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from .. import clock
from ..exports import DATE_FROM, DATE_TO, DONOR_ID
from ..extensions import db
from ..params import COMMAND_DATE, COMMAND_ID
from ..statements.cli import (
    ExportCommand,
    RegisterChoice,
    check_folder,
    listed,
    refuse_filters_not_applied,
    written,
)
from ..statements.cli import export as xlsx_export
from .generator import activities_file, publisher
from .validate import validate

IATI = "iati"


class ExportChoice(RegisterChoice):
    """The registers, and `iati`."""

    @property
    def choices(self):  # type: ignore[override]
        return tuple(sorted((*super().choices, IATI)))

    @choices.setter
    def choices(self, _value) -> None:
        pass


class IatiExportCommand(ExportCommand):
    def format_epilog(self, ctx, formatter) -> None:
        super().format_epilog(ctx, formatter)
        with formatter.section("IATI"):
            formatter.write_dl([(IATI, "The fund as one IATI 2.03 activity file (.xml): --out FILE "
                                       "[--as-of DATE], or --validate FILE.")])


@click.command("export", cls=IatiExportCommand)
@with_appcontext
@click.argument("register_name", metavar="REGISTER", type=ExportChoice())
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
              help="The file to write (replaced if it exists): .xlsx, or .xml for iati.")
@click.option("--donor", "donor_id", type=COMMAND_ID, default=None,
              help="Donor id (required by the statement and the my_* registers).")
@click.option("--from", "date_from", type=COMMAND_DATE, default=None,
              help="First day of the period, YYYY-MM-DD.")
@click.option("--to", "date_to", type=COMMAND_DATE, default=None,
              help="Last day of the period, YYYY-MM-DD.")
@click.option("--as-of", "as_of", type=COMMAND_DATE, default=None,
              help="iati: report what is dated up to this day (default: today), YYYY-MM-DD.")
@click.option("--validate", "to_validate", type=click.Path(exists=True, dir_okay=False), default=None,
              help="iati: check FILE against the IATI 2.03 schema and rules instead of writing one.")
@click.pass_context
def export(ctx, register_name: str, out: str | None, donor_id, date_from, date_to, as_of, to_validate):
    """Write the export REGISTER to an .xlsx file, with the same rows and figures as
    the page's "Download .xlsx" (as a user who may see everything); or, for `iati`,
    the fund's IATI 2.03 activity file."""
    if register_name == IATI:
        given = [option for option, value in (("--donor", donor_id), ("--from", date_from), ("--to", date_to))
                 if value is not None]
        if given:
            raise click.UsageError(f"The iati export does not filter by {listed(given, 'or')}: it takes "
                                   "--out and --as-of (the file reports what is dated up to that day), "
                                   "or --validate FILE.")
        if to_validate:
            return _validate(to_validate)
        if not out:
            raise click.UsageError("Missing option '--out' (or give --validate FILE).")
        check_folder(out)
        return _write_iati(out, as_of.date() if as_of else clock.today())
    if as_of or to_validate:
        raise click.UsageError("--as-of and --validate are for the iati export only.")
    if not out:
        raise click.UsageError("Missing option '--out'.")
    # Refused here too, so that the usage line is this command's, not the one it invokes.
    refuse_filters_not_applied(register_name, {DONOR_ID: donor_id, DATE_FROM: date_from, DATE_TO: date_to})
    ctx.invoke(xlsx_export, register_name=register_name, out=out, donor_id=donor_id,
               date_from=date_from, date_to=date_to)


def _reads_no_database(params: dict) -> bool:
    """`export iati --validate FILE` checks a file: the database need not be upgraded
    (cli.on_upgraded_database), nor even exist."""
    return params.get("register_name") == IATI and bool(params.get("to_validate"))


export.reads_no_database = _reads_no_database


def _write_iati(out: str, as_of: dt.date) -> None:
    today = clock.today()
    if as_of > today:
        raise click.ClickException(f"--as-of {as_of} is in the future: IATI files report what happened.")
    try:
        content = activities_file(as_of)
    finally:
        db.session.rollback()
    problems = validate(content, today)
    if problems:  # never write a file the standard refuses
        raise click.ClickException("The file would not be valid:\n  " + "\n  ".join(problems))
    def write(partial: str) -> None:
        with open(partial, "wb") as handle:
            handle.write(content)

    written(out, write)
    click.echo(f"Wrote {out}: the fund's IATI {publisher().identifier} activity as of {as_of}, "
               f"{content.count(b'<transaction ')} transactions; valid against IATI 2.03.")
    if publisher().is_placeholder:
        click.echo("Warning: the reporting organisation's identifier is a placeholder; set "
                   "TRUSTFUND_IATI_ORG_REF before publishing.")


def _validate(path: str) -> None:
    with open(path, "rb") as handle:
        problems = validate(handle.read(), clock.today())
    if problems:
        click.echo(f"{path}: {len(problems)} problem(s):")
        for problem in problems:
            click.echo(f"  - {problem}")
        raise SystemExit(1)
    click.echo(f"{path}: valid (IATI 2.03 schema and the rules of trustfund/iati/validate.py).")
