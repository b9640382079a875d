"""flask --app trustfund <command>."""
from __future__ import annotations

import os

import click
from flask import Flask

from .extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--role", required=True, type=click.Choice(
        ["admin", "mptf_officer", "srsg_staff", "donor", "auditor"]))
    @click.option("--donor", "donor_id", type=int, default=None, help="Donor id, for a donor user.")
    @click.option("--name", default="")
    def create_user(email: str, role: str, donor_id: int | None, name: str):
        """Create a user; the password is prompted, or taken from TRUSTFUND_PASSWORD."""
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

    @app.cli.command("seed-demo")
    @click.option("--scale", type=int, default=1, show_default=True,
                  help="Generate a fund N times the demo size (bulk inserts).")
    def seed_demo(scale: int):
        """Load the demo fund and one demo account per role (idempotent)."""
        from .demo import DEMO_ACCOUNTS, seed

        created = seed(scale=scale)
        db.session.commit()
        click.echo("Demo data loaded." if created else "Demo data already present; nothing added.")
        if scale > 1:
            from .demo_scale import generate, vacuum

            click.echo(f"Generating scale data (N={scale}) ...")
            report = generate(scale, echo=click.echo)
            db.session.commit()
            if report.added:
                vacuum()
            click.echo(report.message)
        click.echo("Demo accounts (email / password / role):")
        for email, password, role in DEMO_ACCOUNTS:
            click.echo(f"  {email:32} {password:24} {role}")

    @app.cli.command("check")
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


    from .commands import register as register_feature_commands

    register_feature_commands(app)
