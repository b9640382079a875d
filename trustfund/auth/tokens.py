"""Invitations and password resets: single-use links, kept hashed.

A link is /password/<user id>/<secret>. The database keeps only the secret's SHA-256,
so a copy of the database opens no account. A link is refused when it is unknown,
names another user, was used, has expired, belongs to a deactivated user, or was
made before the user's password last changed."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import record, utcnow
from ..errors import DomainError
from ..extensions import db
from ..mail.links import external_url
from ..mail.outbox import enqueue
from .models import INVITE, RESET, PasswordToken, ResetRequest, User
from .passwords import check_password

VALID_FOR = {INVITE: dt.timedelta(hours=72), RESET: dt.timedelta(hours=1)}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _stamp(user: User) -> str:
    """What a link is checked against: renewed when the password changes, kept when
    the same password is stored again in today's hash at sign-in."""
    return user.password_stamp


def invalid_link_message() -> str:
    return _("This link is no longer valid: it was used already, it expired, or a newer one "
             "was sent. Ask for a new one with \u201cForgot your password?\u201d.")


def issue(user: User, purpose: str, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """A new single-use link for `user` and when it expires; every earlier link not yet
    used dies (only the newest message's link sets the password: an invitation left in
    a forwarded mailbox does not stay usable for its 72 hours once a reset is asked
    for). No commit."""
    now = now or utcnow()
    spend_links(user, now)
    secret = secrets.token_urlsafe(32)
    expires_at = now + VALID_FOR[purpose]
    db.session.add(PasswordToken(user_id=user.id, purpose=purpose, token_hash=_digest(secret),
                                 password_stamp=_stamp(user), created_at=now, expires_at=expires_at))
    db.session.flush()
    return external_url("auth.set_password", user_id=user.id, token=secret), expires_at


def invite(actor, user: User) -> None:
    """A new user without a password gets a link to choose one, valid 72 hours."""
    url, expires_at = issue(user, INVITE)
    enqueue(user, "invitation", "invitation", _l("Your Trustfund account: choose your password"),
            sensitive=True, url=url, expires_at=expires_at,
            admin=getattr(actor, "name", "") or getattr(actor, "email", "") or "")


def request_reset(email: str) -> ResetRequest:
    """"Forgot your password?": one row, whatever the address. The sender answers it
    (handle_reset_requests), so that the page's answer and its time say nothing about
    whether the address is an account's."""
    asked = ResetRequest(email=email.strip().lower()[:254])
    db.session.add(asked)
    db.session.flush()
    return asked


def handle_reset_requests(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Answer the reset requests not yet answered: an active account's address gets a
    link valid 1 hour; any other address gets nothing. Each request is claimed by one
    guarded UPDATE, then committed with its link and message. Returns the links sent."""
    now = now or utcnow()
    sent = 0
    pending = db.session.scalars(sa.select(ResetRequest.id).where(ResetRequest.handled_at.is_(None))
                                 .order_by(ResetRequest.id).limit(limit)).all()
    for request_id in pending:
        claimed = db.session.execute(
            sa.update(ResetRequest).where(ResetRequest.id == request_id, ResetRequest.handled_at.is_(None))
            .values(handled_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            db.session.rollback()
            continue
        email = db.session.scalar(sa.select(ResetRequest.email).where(ResetRequest.id == request_id))
        user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email,
                                                       User.active.is_(True)))
        if user is not None:
            url, expires_at = issue(user, RESET, now)
            enqueue(user, "password_reset", "password_reset", _l("Trustfund: choose a new password"),
                    sensitive=True, url=url, expires_at=expires_at)
            record(None, "user.reset_link_sent", user, after={"email": user.email})
            sent += 1
        db.session.commit()
    return sent


def find_token(user_id: int, secret: str, now: dt.datetime | None = None) -> PasswordToken | None:
    """The link's token if it may still be used, else None (never says why)."""
    now = now or utcnow()
    if not secret or len(secret) > 100:
        return None
    token = db.session.scalar(sa.select(PasswordToken).where(PasswordToken.token_hash == _digest(secret)))
    if token is None or token.user_id != user_id or token.used_at is not None or token.expires_at <= now:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not hmac.compare_digest(token.password_stamp, _stamp(user)):
        return None
    return token


def spend_links(user: User, now: dt.datetime | None = None) -> set[str]:
    """Spend every link of `user` not used yet: one sent before can no longer set the
    password (the password set, the email changed: the link went to the old address,
    the account deactivated: it must not open again at a reactivation). The purposes
    of those that were still valid."""
    now = now or utcnow()
    live = set(db.session.scalars(sa.select(PasswordToken.purpose).where(
        PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None), PasswordToken.expires_at > now)))
    db.session.execute(
        sa.update(PasswordToken).where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    return live


def set_password_with_token(user_id: int, secret: str, password: str,
                            page_language: str | None = None) -> User:
    """Set the password a link was sent for, once: the link is spent (guarded UPDATE),
    every session of the user ends (a new session token), and the user is told, in the
    language the link's page spoke (`page_language`) if they have chosen none (as a
    sign-in keeps it: auth.services.start_session)."""
    now = utcnow()
    token = find_token(user_id, secret, now)
    if token is None:
        raise DomainError(invalid_link_message())
    user = db.session.get(User, user_id)
    check_password(password, email=user.email, name=user.name)
    spent = db.session.execute(
        sa.update(PasswordToken).where(PasswordToken.id == token.id, PasswordToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if spent.rowcount != 1:  # spent meanwhile by another request
        raise DomainError(invalid_link_message())
    spend_links(user, now)  # the user's other links (an older invitation, another reset)
    user.set_password(password)
    user.renew_session_token()
    if page_language in current_app.config["LANGUAGES"]:
        user.seen_locale = page_language
    record(user, "user.password_set", user, after={"email": user.email, "purpose": token.purpose})
    notify_password_changed(user)
    return user


def notify_password_changed(user: User) -> None:
    """A security message (it cannot be turned off): the password changed, and when."""
    enqueue(user, "password_changed", "password_changed", _l("Your Trustfund password was changed"),
            changed_at=utcnow())
