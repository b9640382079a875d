"""The audit trail's page and download: its filters as lists in words, and its rows
as sentences (trustfund/audit_text.py), the codes kept in columns of their own."""
from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from flask_babel import get_timezone
from flask_babel import gettext as _

from ..audit import AuditEntry
from ..audit_text import book, described_in_batches
from ..auth.models import User
from ..clock import day_starts_at
from ..exports import Col, Sheet
from ..extensions import db
from ..formatting import number as fmt_number


def _by_label(pairs) -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in pairs), key=lambda pair: pair[1].casefold())


def offer_choices(form) -> None:
    """The lists of the filter: every action and object the features describe, every user."""
    registry = book()
    form.action.choices = [("", _("All actions"))] + _by_label(
        (code, action.label) for code, action in registry.actions.items())
    form.object_type.choices = [("", _("All objects"))] + _by_label(
        (name, kind.label) for name, kind in registry.kinds.items())
    users = db.session.execute(sa.select(User.id, User.name, User.email))
    form.user.choices = [("", _("All users"))] + _by_label(
        (str(row.id), f"{row.name} ({row.email})" if row.name else row.email) for row in users)


# Entries in one download: about a minute of writing in a worker past it (gunicorn's
# timeout is 30 s). Past it the file holds the newest and says so, as does the page.
DOWNLOAD_LIMIT = 100_000


def download_cut(total: int) -> str | None:
    """What the download leaves out of `total` entries, in a sentence, or None."""
    if total <= DOWNLOAD_LIMIT:
        return None
    return _("The download holds the newest %(shown)s of these %(total)s entries: choose From and To "
             "for the others.", shown=fmt_number(DOWNLOAD_LIMIT), total=fmt_number(total))


def _chosen(field):
    """A filter's value, or None where the reader chose none or the form refused it (the
    refusal is shown beside it; the other filters still apply, and the page and the
    download's About sheet name only those: a refused date dropped every filter while
    the action chosen stayed on the page and in the file)."""
    return field.data if field.data and not field.errors else None


def query(form) -> sa.Select:
    """The entries the filter asks for (validated: form.validate()), newest first.
    Sign-ins and sign-outs only when asked for (the box, or choosing one of them as the
    action)."""
    statement = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    action = _chosen(form.action)
    if action:
        statement = statement.where(AuditEntry.action == action)
    elif not _chosen(form.sign_ins):
        statement = statement.where(AuditEntry.action.not_in(book().routine_actions()))
    if _chosen(form.object_type):
        statement = statement.where(AuditEntry.object_type == form.object_type.data)
    if _chosen(form.user):
        statement = statement.where(AuditEntry.user_id == int(form.user.data))
    if _chosen(form.date_from):
        # The reader's days, as the page shows the moments (clock.day_starts_at).
        statement = statement.where(AuditEntry.at >= day_starts_at(form.date_from.data))
    if _chosen(form.date_to):
        statement = statement.where(AuditEntry.at < day_starts_at(form.date_to.data + dt.timedelta(days=1)))
    return statement


def readable_filters(form) -> dict:
    """The filters as the reader chose them (labels, not codes), for the download's About sheet."""
    chosen = {}
    for select in (form.action, form.object_type, form.user):
        if _chosen(select):
            chosen[str(select.label.text)] = dict(select.choices).get(select.data, select.data)
    days = [day for day in (form.date_from, form.date_to) if _chosen(day)]
    for day in days:
        chosen[str(day.label.text)] = day.data
    if days:  # the reader's days (query), while the sheet's moments are in UTC
        chosen[_("Days in the time zone")] = str(get_timezone() or "UTC")
    if _chosen(form.sign_ins):
        chosen[str(form.sign_ins.label.text)] = _("yes")
    return chosen


def _json(values) -> str:
    """The values as recorded, as JSON (a program reads them back; Python's own text
    of a dict, None and single quotes, it cannot)."""
    return json.dumps(values, ensure_ascii=False, sort_keys=True) if values else ""


def sheet(entries) -> Sheet:
    """The download: when, who, the sentence and the object in words, then the codes
    and values as recorded, for machines and for checking."""
    def changes(d) -> str:
        return "\n".join(c.text for c in d.changes)

    cols = [Col(_("When (UTC)"), lambda d: d.entry.at, "datetime"),
            Col(_("User"), lambda d: d.email),
            Col(_("What happened"), lambda d: d.sentence, width=60),
            Col(_("Object"), lambda d: d.target.label if d.target else d.kind_label, width=40),
            Col(_("Changes"), changes, width=60),
            Col(_("Note"), lambda d: d.note),
            Col(_("Action code"), lambda d: d.entry.action),
            Col(_("Object type"), lambda d: d.entry.object_type),
            Col(_("Object id"), lambda d: d.entry.object_id),
            Col(_("Before"), lambda d: _json(d.entry.before), width=60),
            Col(_("After"), lambda d: _json(d.entry.after), width=60)]
    return Sheet(_("Audit trail"), cols, described_in_batches(entries))
