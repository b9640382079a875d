"""Decisions that cannot be undone are confirmed first (approve, reject, reverse,
reconcile, cancel, transfer, withdraw): the form's post only shows a page saying
what will happen, in words and amounts, and nothing is written; only the post of
that page, which carries `confirmed`, does it. The confirmation is a page of its
own, so it needs no script and holds without one.

A view asks `confirmed()`; when not, it checks what it can without writing (the
feature's previews, which raise the services' own refusals) and answers
`confirm_page(...)`. The page sends back exactly the values the user saw, as they
were typed, with the language they were read in: a confirmation posted in another
language (the language menu, in another tab) would read "1,500" as 1.5 where the
page said 1,500.00, so it is not confirmed but shown again, read in the new
language, for the user to check (`confirmed` is false)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _

from . import language
from .errors import DomainError, attach
from .redirects import safe_next

CONFIRMED = "confirmed"
READ_IN = "confirmed_in"  # the language the confirmation page read the values in


def confirmed() -> bool:
    """Whether this post comes from a confirmation page, in the language the page
    read its values in."""
    return request.form.get(CONFIRMED) == "1" and request.form.get(READ_IN) == language.code()


def language_changed_warning() -> str:
    """The one wording, for the summary shown again and for the form shown back."""
    return _("Your language changed since the summary was shown, and the amounts and dates you typed are "
             "now read in this language: nothing was done. Check the summary again before you confirm.")


def _language_changed() -> bool:
    """A confirmation posted in another language than the page's (shown again)."""
    return request.form.get(CONFIRMED) == "1" and request.form.get(READ_IN) not in (None, language.code())


@dataclass
class Summary:
    """What a decision will do: a title, facts (label, value) and sentences, for the
    confirmation page. Built by each feature's previews, which write nothing."""

    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    warning: str | None = None  # something the user should weigh before confirming
    button: str | None = None  # the confirming button's words, when they depend on the outcome


class Refusals(DomainError):
    """Several refusals found at once (one per field), so that the form shows them all
    together rather than one per post."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].message, errors[0].field)
        self.errors = errors


def each(checks: dict):
    """Run every check ({name: callable}); their values by name, or Refusals naming
    every one that failed."""
    values, errors = {}, []
    for name, run_check in checks.items():
        try:
            values[name] = run_check()
        except DomainError as error:
            errors.append(error)
    if errors:
        raise Refusals(errors)
    return values


def check(form, compute):
    """compute() builds the summary of a decision or raises the refusals the service
    would raise: shown beside their fields (or above the form), and None returned. A
    confirmation posted in another language whose values, read in it, are refused
    ("1,500" in French has three decimals) says why the form is back, as the summary
    shown again says it."""
    try:
        return compute()
    except DomainError as error:
        for refusal in getattr(error, "errors", [error]):
            attach(form, refusal)
        if _language_changed():
            flash(language_changed_warning(), "warning")
        return None


def confirm_page(summary: Summary, *, form, button: str, cancel: str, crumbs: list,
                 style: str = "primary", action: str | None = None):
    """The page asking to confirm: the summary, and a form posting the values the user
    sent (every field of `form`, and where its Cancel led) with `confirmed`."""
    carried = [(f.name, value) for f in form if f.type != "CSRFTokenField" and f.name != CONFIRMED
               for value in (f.raw_data or [])]
    back = safe_next(request.form.get("back"))
    if back:
        carried.append(("back", back))
    carried.append((READ_IN, language.code()))
    return render_template("_confirm.html", summary=summary, carried=carried,
                           language_changed=language_changed_warning() if _language_changed() else None,
                           button=summary.button or button,
                           cancel=back or cancel, crumbs=crumbs, style=style,
                           action=action or url_for(request.endpoint, **(request.view_args or {})))
