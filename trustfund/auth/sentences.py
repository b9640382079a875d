"""The audit trail in words (trustfund/audit_text.py): user accounts, sign-ins and sign-outs."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit_text import Book, Field, Target
from ..extensions import db
from ..permissions import ROLE_LABELS
from .models import User


def load_users(keys: list[str]) -> dict[str, Target]:
    ids = [int(k) for k in keys if k.isdigit()]
    rows = db.session.execute(sa.select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {str(row.id): Target(row.name or row.email, "admin.edit_user", {"user_id": row.id})
            for row in rows}


# A user account's fields as the trail names them (also those of a change to one
# waiting for a second admin: admin/sentences.py).
ACCOUNT_FIELDS = {
    "email": Field(_l("Email")),
    "name": Field(_l("Name")),
    "role": Field(_l("Role"), "choice", choices=ROLE_LABELS),
    "donor_id": Field(_l("Donor"), "ref", ref="donor"),
    "active": Field(_l("Active"), "bool"),
    "timezone": Field(_l("Time zone")),
}


def register(book: Book) -> None:
    book.reference("user", load_users)
    book.object("User", _l("User account"), ACCOUNT_FIELDS, reference="user",
                hidden=("created_at", "last_login_at", "locale", "seen_locale", "digests"))
    book.action("login", _l("Logged in"), "User",
                lambda e: _("%(user)s logged in.", user=e.who), changes=False, routine=True)
    book.action("logout", _l("Logged out"), "User",
                lambda e: _("%(user)s logged out.", user=e.who), changes=False, routine=True)
    book.action("user.preferences", _l("Email choices changed"), "User",
                lambda e: _("%(user)s turned the digests by email on.", user=e.who) if e.value("digests")
                else _("%(user)s turned the digests by email off.", user=e.who), changes=False)
    book.action("user.password_set", _l("Password chosen with a link"), "User",
                lambda e: _("%(user)s chose a new password with a link sent by email.", user=e.who),
                changes=False)
    book.action("user.reset_link_sent", _l("Password reset link sent"), "User",
                lambda e: _("A link to choose a new password was sent to %(email)s.",
                            email=e.iso(e.value("email"))), changes=False)
