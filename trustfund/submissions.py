"""One entry per form render: a double-click or a resent form records nothing twice.

Each render of an entry form (deposit, interest, transfer, pledge, commitment, the
fund's own entries, write-off, travel grant request, event, document, statements issue)
carries a one-time token in a hidden field: a random nonce signed with the app's secret
together with the user's id and the form's purpose, so it cannot be guessed, made up, or
used by another user or on another form. The entry's request claims the nonce by
inserting it into `form_submission` (unique) as the first write of its transaction, and
notes there the id of the entry it recorded:

- a second submission of the same render finds the nonce claimed and answers with
  the entry already recorded (the route shows its page and says so): no second row;
- two submissions at the same instant both insert the nonce; the database lets one
  through and makes the other wait until it commits, then refuses it (unique
  violation), and it answers like a resent form;
- a refused entry rolls back with its claim, so the corrected form may be sent
  again with the same token.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from . import language
from .audit import SECRET, utcnow
from .errors import DomainError
from .extensions import db

_SALT = "trustfund.form-submission"
TOKEN_MAX = 300  # a signed token is about 110 characters


class FormSubmission(db.Model):
    """A form render whose entry was recorded: its nonce, who sent it, for what, and
    the id of the entry it made."""

    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, info=SECRET)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@dataclass
class Outcome:
    """What a submission did: `entry` when it recorded one now; else `earlier_id`, the
    id of the entry an earlier submission of the same render recorded."""

    entry: object | None = None
    earlier_id: int | None = None

    @property
    def repeated(self) -> bool:
        return self.entry is None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue(user, purpose: str) -> str:
    """A fresh token for one render of the `purpose` form, for this user, in the
    language the form is shown in (its numbers and dates are typed in it)."""
    return _serializer().dumps([secrets.token_urlsafe(24), int(user.id), purpose, language.code()])


def _nonce(actor, token, purpose: str) -> tuple[str, str | None]:
    """The token's nonce and the language its form was shown in (None: a token issued
    before tokens named it)."""
    refusal = DomainError(_("This form could not be verified: it was opened in another session or "
                            "has been changed. Check the values below and send it again."))
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        raise refusal
    try:
        nonce, user_id, signed_purpose, *shown_in = _serializer().loads(token)
    except (BadData, ValueError, TypeError):
        raise refusal from None
    if user_id != getattr(actor, "id", None) or signed_purpose != purpose or not isinstance(nonce, str) \
            or not 16 <= len(nonce) <= 64 or len(shown_in) > 1:
        raise refusal
    return nonce, (shown_in[0] if shown_in else None)


def _earlier(nonce: str) -> int | None:
    """The entry recorded by the submission that claimed `nonce`, if any; 0 if it
    recorded none (cannot happen: the claim and the entry commit together)."""
    row = db.session.execute(sa.select(FormSubmission.object_id).where(FormSubmission.token == nonce)).first()
    return None if row is None else (row[0] or 0)


def once(actor, token, purpose: str, operation: Callable[[], object], *, read_again: bool = False) -> Outcome:
    """Run `operation` (a service recording one entry, which has an id) for this
    render of the form, unless an earlier submission of it did; see the module's
    docstring. The claim must be the transaction's first write: a claim refused by a
    concurrent twin rolls the transaction back. A form shown in another language than
    the user's now is refused, unless its values were `read_again` (a confirmation
    page's summary showed them as read in the language now)."""
    nonce, shown_in = _nonce(actor, token, purpose)
    earlier = _earlier(nonce)
    if earlier is not None:
        return Outcome(earlier_id=earlier)
    if shown_in is not None and shown_in != language.code() and not read_again:
        # Switched in another tab: "1,500" typed on the English page would be read as
        # 1.500 in French (a KWD pledge recorded a thousandth of what was meant).
        raise DomainError(_("Your language changed since this form was shown, and the amounts and dates "
                            "you typed are now read in this language: nothing was recorded. Check them "
                            "and save again."))
    claim = FormSubmission(token=nonce, user_id=actor.id, purpose=purpose)
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:
        # The twin claimed it first and has committed (the database made us wait).
        db.session.rollback()
        earlier = _earlier(nonce)
        if earlier is None:
            raise
        return Outcome(earlier_id=earlier)
    entry = operation()
    db.session.flush()
    claim.object_id = entry.id
    db.session.flush()
    return Outcome(entry=entry)
