"""flask --app trustfund send-mail: the outbox's sender, once or as a service (--loop)."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db


def make_send_mail_command(prepare: Sequence[Callable[[], object]]) -> click.Command:
    """The send-mail command. `prepare`: what writes messages on the sender's own
    schedule before each round (answers to reset requests, digests), given by
    trustfund/cli.py, which may import the features that write them."""

    @click.command("send-mail")
    @click.option("--loop", is_flag=True, help="Keep sending (a service), every --interval seconds.")
    @click.option("--interval", type=click.IntRange(1, 3600), default=30, show_default=True)
    @with_appcontext
    def send_mail_command(loop: bool, interval: int):
        """Send the messages of the outbox that are due (retries with backoff). Run once,
        it exits with 1 when a message failed for good (the admin's outbox page says
        why): a scheduler notices."""
        from .sender import send_due

        if not current_app.config.get("MAIL_ENABLED"):
            raise click.ClickException("Mail is switched off (TRUSTFUND_MAIL=off): nothing sent.")
        while True:
            for step in prepare:
                step()
                db.session.commit()
            report = send_due()
            if report.sent or report.retried or report.failed or not loop:
                click.echo(report.message)
            if not loop:
                if report.failed:
                    raise click.ClickException(
                        f"{report.failed} message(s) failed for good: see the outbox page.")
                return
            db.session.remove()  # a fresh session for each round of the service
            time.sleep(interval)

    return send_mail_command
