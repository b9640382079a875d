"""The entry forms' one-time tokens, for every feature's views (trustfund.submissions
keeps the rule): each render gets a fresh token; a submission runs its service once;
a resent form answers with the entry its first submission recorded."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from . import submissions
from .errors import run


def fresh_token(form, purpose: str) -> None:
    """Give this render of the form its own one-time token (also after a refusal:
    the refused submission claimed nothing, so either token would do)."""
    form.form_token.data = submissions.issue(current_user, purpose)


def run_once(form, purpose: str, operation) -> submissions.Outcome | None:
    """errors.run() of the entry's service, once per render of the form: None when
    refused (the message is beside its field), else what was done."""
    from .confirmation import confirmed

    read_again = confirmed()  # the confirmation page showed the values as read in the language now
    return run(form, lambda: submissions.once(current_user, form.form_token.data, purpose, operation,
                                              read_again=read_again))


def already_recorded(endpoint: str, **args):
    """The answer to a form sent again: the page of the entry recorded the first time."""
    return already_recorded_at(url_for(endpoint, **args))


def already_recorded_at(url: str):
    """already_recorded(), to a page known by its address (a document's record's)."""
    flash(_("This form had already been sent, and its entry is shown here. Nothing was recorded "
            "a second time."), "warning")
    return redirect(url)
