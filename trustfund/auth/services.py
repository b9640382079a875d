"""Authentication: one answer for every failed login."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..audit import record, utcnow
from ..extensions import db
from .models import User, check_dummy_password


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. An unknown email, a
    wrong password and an inactive user are answered alike, and take the same time."""
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))
    if user is None:
        check_dummy_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def start_session(user: User) -> None:
    """A fresh session token at each login, so that no earlier cookie stays valid."""
    user.renew_session_token()
    user.last_login_at = utcnow()
    record(user, "login", user, after={"email": user.email})


def end_session(user: User) -> None:
    user.renew_session_token()
    record(user, "logout", user, after={"email": user.email})


# One message per account in this time at most, however many refusals follow.
THROTTLE_NOTICE_EVERY = dt.timedelta(minutes=15)


def notify_sign_in_throttled(email: str, address: str) -> bool:
    """A security message to the owner of the account whose sign-ins are paused after
    too many failures (nothing when the address is no active account's, and at most
    one per account every 15 minutes). The page's answer is the same either way."""
    from ..mail.models import OutboxMessage
    from ..mail.outbox import enqueue

    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower(),
                                                   User.active.is_(True)))
    if user is None:
        return False
    now = utcnow()
    recent = db.session.scalar(sa.select(OutboxMessage.id).where(
        OutboxMessage.user_id == user.id, OutboxMessage.kind == "signin_throttled",
        OutboxMessage.created_at > now - THROTTLE_NOTICE_EVERY).limit(1))
    if recent is not None:
        return False
    enqueue(user, "signin_throttled", "signin_throttled", _l("Trustfund: sign-in to your account paused"),
            when=now, address=address)
    return True


def set_preferences(user: User, *, digests: bool) -> User:
    """The user's own choices: whether they get the digests by email."""
    before = {"digests": user.digests}
    user.digests = bool(digests)
    record(user, "user.preferences", user, before=before, after={"digests": user.digests})
    return user
