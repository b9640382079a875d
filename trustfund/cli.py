"""flask --app trustfund <command>: every command, registered here by plain imports."""
from __future__ import annotations

import copy
import functools
import os

import click
from flask import Flask
from flask.cli import with_appcontext

from .auth.tokens import handle_reset_requests
from .closure.cli import close_fund_command
from .contributions.cli import import_deposits_command
from .extensions import db
from .iati.cli import export
from .mail.cli import make_send_mail_command
from .maintenance.cli import backup_command, restore_command
from .maintenance.schema import schema_problem
from .notifications.digests import grant_request_digests, officer_digests
from .params import COMMAND_ID
from .permissions import ROLES
from .statements.cli import issue_statements_command


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--donor", "donor_id", type=COMMAND_ID, default=None, help="Donor id, for a donor user.")
@click.option("--name", default="")
@with_appcontext
def create_user(email: str, role: str, donor_id: int | None, name: str):
    """Create a user at once (the direct way for whoever runs the server: an admin or
    another account with power over money made from the pages waits for a second
    admin); the password is prompted, or taken from TRUSTFUND_PASSWORD."""
    from .admin.services import save_user
    from .errors import DomainError

    password = os.environ.get("TRUSTFUND_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:
        raise click.ClickException("The password needs at least 12 characters.")
    try:
        user = save_user(None, None, email=email, name=name, role=role, donor_id=donor_id,
                         active=True, password=password)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.email} ({user.role}).")


@click.command("setup-fund")
@with_appcontext
def setup_fund():
    """Load the fund's reference data (idempotent): the three objectives and their
    pools, the un-earmarked pool, the fee and terminal-expense settings, and the
    countries with their LDC periods. No account and no demo figure."""
    from .reference import load_reference_data

    added = load_reference_data()
    db.session.commit()
    if any(added.values()):
        click.echo("Reference data loaded: " + ", ".join(f"{n} {what}" for what, n in added.items()) + ".")
    else:
        click.echo("Reference data already present; nothing added.")


@click.command("seed-demo")
@click.option("--scale", type=int, default=1, show_default=True,
              help="Generate a fund N times the demo size (bulk inserts).")
@with_appcontext
def seed_demo(scale: int):
    """Load the demo fund and one demo account per role (idempotent). Refused under the
    production configuration: the demo accounts' passwords are published."""
    from flask import current_app

    from . import demo
    from .demo import scale as scale_data

    if not current_app.config.get("DEMO_DATA_ALLOWED"):
        raise click.ClickException(
            "This is the production configuration: seed-demo would add the demo's accounts, whose "
            "passwords the README publishes. Load the demo into a development database "
            "(TRUSTFUND_CONFIG=development) instead.")

    created = demo.seed(scale=scale)
    db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present; nothing added.")
    if scale > 1:
        click.echo(f"Generating scale data (N={scale}) ...")
        report = scale_data.generate(scale, echo=click.echo)
        db.session.commit()
        click.echo(report.message)
    demo.run_to_closure()
    db.session.commit()
    if scale > 1:
        closed = scale_data.close_years()
        db.session.commit()
        if closed:
            click.echo(f"Closed the accounting years {closed[0]}-{closed[-1]} of the scale data.")
        if report.added:
            scale_data.vacuum()  # last: after the story's and the closings' writes
    click.echo("The demo fund is operationally closed (its end date, 31 December 2018, has passed) and "
               "2017 is closed; flask --app trustfund close-fund --dry-run shows the refunds of its "
               "financial closure.")
    click.echo("Demo accounts (email / password / role):")
    for email, password, role in demo.DEMO_ACCOUNTS:
        click.echo(f"  {email:32} {password:24} {role}")


@click.command("check")
@with_appcontext
def check():
    """Verify every ledger invariant on this database; exit 1 with a report if any fails."""
    from .ledger_check import run_checks

    problems = run_checks()
    if problems:
        click.echo(f"{len(problems)} problem(s) found:")
        for problem in problems:
            click.echo(f"  - {problem}")
        raise SystemExit(1)
    click.echo("Ledger check passed: every invariant holds.")


# Before each round of the sender: answers to "Forgot your password?", then the digests
# whose time has come.
send_mail_command = make_send_mail_command((handle_reset_requests, grant_request_digests, officer_digests))

COMMANDS = (create_user, setup_fund, seed_demo, check, import_deposits_command, export, backup_command,
            restore_command, issue_statements_command, close_fund_command, send_mail_command)


# Commands for a database at any schema revision, or none: they copy or replace the
# database file (a backup is taken before an upgrade). `flask db ...` is Flask-Migrate's.
ANY_SCHEMA = (backup_command, restore_command)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command if command in ANY_SCHEMA else on_upgraded_database(command))


def on_upgraded_database(command: click.Command) -> click.Command:
    """`command` (a copy: the original stays as it is), refused with a sentence that says
    to run `flask db upgrade` when the database's schema is not this version's, instead of
    ending in the database's "no such table". Checked when it runs, not for --help, nor
    when the command says that these options read no database (`reads_no_database`)."""
    run = command.callback
    reads_no_database = getattr(command, "reads_no_database", None)

    @with_appcontext
    @functools.wraps(run)
    def checked(*args, **kwargs):
        if reads_no_database is not None and reads_no_database(kwargs):
            return run(*args, **kwargs)
        problem = schema_problem()
        if problem:
            raise click.ClickException(problem)
        return run(*args, **kwargs)

    command = copy.copy(command)
    command.callback = checked
    return command
