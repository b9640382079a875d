"""`flask --app trustfund export REGISTER --out FILE [--donor ID] [--from DATE] [--to DATE]`:
any registered export, for scheduled reports. The registers are read when the
command runs (every feature's routes, which register them, are imported when the
app is created), so a register added later is listed by --help without a change here."""
from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from ..errors import DomainError
from ..exports import DATE_FROM, DATE_TO, DONOR_ID
from ..extensions import db
from ..params import COMMAND_DATE, COMMAND_ID


class RegisterChoice(click.Choice):
    """click.Choice over the names in exports.REGISTERS, read when used, not when
    the command is defined."""

    def __init__(self) -> None:
        super().__init__([], case_sensitive=True)

    @property
    def choices(self):  # type: ignore[override]
        from ..exports import REGISTERS

        return tuple(sorted(REGISTERS))

    @choices.setter
    def choices(self, _value) -> None:
        pass


class ExportCommand(click.Command):
    """Lists every register, with what it holds, at the end of --help."""

    def format_epilog(self, ctx, formatter) -> None:
        from ..exports import REGISTERS

        with formatter.section("Registers"):
            formatter.write_dl([(name, REGISTERS[name].help) for name in sorted(REGISTERS)])
        super().format_epilog(ctx, formatter)


@click.command("export", cls=ExportCommand)
@with_appcontext
@click.argument("register_name", metavar="REGISTER", type=RegisterChoice())
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The .xlsx file to write (replaced if it exists).")
@click.option("--donor", "donor_id", type=COMMAND_ID, default=None,
              help="Donor id (required by the statement and the my_* registers).")
@click.option("--from", "date_from", type=COMMAND_DATE, default=None,
              help="First day of the period, YYYY-MM-DD.")
@click.option("--to", "date_to", type=COMMAND_DATE, default=None,
              help="Last day of the period, YYYY-MM-DD.")
def export(register_name: str, out: str, donor_id: int | None, date_from, date_to):
    """Write the export REGISTER to an .xlsx file, with the same rows and figures as
    the page's "Download .xlsx" (as a user who may see everything)."""
    from ..exports import export_to_file

    filters = {DONOR_ID: donor_id,
               DATE_FROM: date_from.date() if date_from else None,
               DATE_TO: date_to.date() if date_to else None}
    refuse_filters_not_applied(register_name, filters)
    refuse_reversed_period(date_from, date_to)
    check_folder(out)
    try:
        what = written(out, lambda partial: export_to_file(register_name, filters, None, partial))
    except DomainError as error:
        raise click.ClickException(error.message) from None
    finally:
        db.session.rollback()
    click.echo(f"Wrote {out}: {what}")


def written(out: str, write):
    """`write(partial)` to a partial copy beside `out`, which replaces `out` once whole
    (what `write` returns): a file half written is never left under the name asked
    for. A folder the command may not write in, or a full disk, ends in a sentence;
    nothing is left either way."""
    partial = f"{out}.partial"
    try:
        result = write(partial)
        os.replace(partial, out)
    except OSError as error:
        _discard(partial)
        raise click.ClickException(cannot_write(out, error)) from None
    except BaseException:
        _discard(partial)
        raise
    return result


def cannot_write(out: str, error: OSError) -> str:
    return f"Could not write {out}: {error.strerror or error}. Nothing was written."


# The command's option for each filter a register may apply (exports.COMMAND_FILTERS).
OPTIONS = {DONOR_ID: "--donor", DATE_FROM: "--from", DATE_TO: "--to"}


def refuse_filters_not_applied(register_name: str, filters: dict) -> None:
    """Refuse --donor, --from or --to for a register that does not filter its rows by
    it (exports.ExportDef.applies): every row would be written under a filter the
    About sheet would name."""
    from ..exports import REGISTERS

    applies = REGISTERS[register_name].applies
    refused = [OPTIONS[key] for key, value in filters.items() if value is not None and key not in applies]
    if refused:
        takes = ["--out"] + [option for key, option in OPTIONS.items() if key in applies]
        raise click.UsageError(f"The register {register_name} does not filter by {listed(refused, 'or')}: "
                               f"it takes {listed(takes)}{' only' if len(takes) == 1 else ''}.")


def refuse_reversed_period(date_from, date_to) -> None:
    """A period that ends before it starts holds no day: refused, for every register,
    rather than an empty file whose About sheet names the impossible period."""
    if date_from is not None and date_to is not None and date_to < date_from:
        raise click.UsageError("The period must end on or after the day it starts: --to is before --from.")


def listed(words: list[str], last: str = "and") -> str:
    """"a, b and c" (or "a, b or c")."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def check_folder(out: str) -> None:
    """Refuse a file in a folder that does not exist, before anything is written."""
    folder = os.path.dirname(out)
    if folder and not os.path.isdir(folder):
        raise click.ClickException(f"The folder {folder} does not exist."
                                   if not os.path.exists(folder) else f"{folder} is not a folder.")


def _discard(path: str) -> None:
    try:
        os.remove(path)
    except OSError:  # not written, or not ours to remove
        pass


@click.command("issue-statements")
@with_appcontext
@click.option("--from", "date_from", type=COMMAND_DATE, required=True,
              help="First day of the period, YYYY-MM-DD.")
@click.option("--to", "date_to", type=COMMAND_DATE, required=True,
              help="Last day of the period, YYYY-MM-DD.")
@click.option("--donor", "donor_ids", type=COMMAND_ID, multiple=True,
              help="A donor's id (repeat for several); default: every donor.")
def issue_statements_command(date_from, date_to, donor_ids):
    """Issue the statements of a period as PDF, each stored as a document of its donor
    and shown in its portal (a period issued again replaces its earlier statements,
    which are kept)."""
    from flask import current_app

    from .issue import issue_statements

    # The statement's template builds links: a request context of the configured host.
    with current_app.test_request_context():
        try:
            issued = issue_statements(None, date_from.date(), date_to.date(), donor_ids or None)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
    click.echo(f"Issued {len(issued)} statement(s) from {date_from.date()} to {date_to.date()}.")
