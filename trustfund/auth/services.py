"""Authentication: one answer for every failed login; each user's own settings."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from ..audit import record, snapshot, utcnow
from ..errors import DomainError, check_version, stale_message
from ..extensions import db
from ..timezones import is_zone
from .demo_accounts import PUBLISHED_PASSWORDS
from .hashing import check_dummy_password
from .models import User


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. An unknown email, a
    wrong password and an inactive user are answered alike, and take the same time.
    A password stored in an earlier hash is stored again in today's (auth.hashing)."""
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))
    if user is None:
        check_dummy_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    if password in PUBLISHED_PASSWORDS and not current_app.config.get("DEMO_DATA_ALLOWED", True):
        return None  # a demo password (the README's) where no demo data belongs: answered alike

    if user.password_outdated():
        # Stored as today's hash now that the password is known; committed with the
        # sign-in. The same password: links made before it keep working.
        user.rehash_password(password)
    return user


def start_session(user: User, browser_zone: str | None = None, page_language: str | None = None) -> None:
    """A fresh session token at each login, so that no earlier cookie stays valid. A
    user without a time zone gets the one their browser reports (static/timezone.js
    on the login form), if it is a real one; the user or an admin may change it. The
    language the login page spoke (`page_language`) is kept for the messages of a user
    who has chosen none (mail.outbox.recipient_locale)."""
    user.renew_session_token()
    user.last_login_at = utcnow()
    if page_language in current_app.config["LANGUAGES"]:
        user.seen_locale = page_language
    after = {"email": user.email}
    if user.timezone is None and is_zone(browser_zone):
        user.timezone = after["timezone"] = browser_zone
    record(user, "login", user, after=after)


def end_session(user: User) -> None:
    user.renew_session_token()
    record(user, "logout", user, after={"email": user.email})


# One message per account in this time at most, however many refusals follow.
THROTTLE_NOTICE_EVERY = dt.timedelta(minutes=15)


def _pause_minutes() -> int:
    """How long a paused sign-in lasts at most: the longest window of the per-account
    limits (config.py), in minutes."""
    from flask import current_app
    from limits import parse

    return max(parse(current_app.config[key]).get_expiry() // 60
               for key in ("LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", "LOGIN_FAILURES_PER_ACCOUNT"))


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
    enqueue(user, "signin_throttled", "signin_throttled", _l("Trustfund: logging in to your account paused"),
            when=now, address=address, minutes=_pause_minutes())
    return True


def time_zone_or_error(zone: str | None, field: str = "timezone") -> str:
    if not is_zone((zone or "").strip()):
        raise DomainError(_("Choose a time zone from the list."), field=field)
    return zone.strip()


def move_version(user: User) -> None:
    """One guarded UPDATE of the version an edit of the user was built from: of two
    saves of the same version, one moves it and the other is refused (as
    admin.services does for an admin's save)."""
    moved = db.session.execute(
        sa.update(User).where(User.id == user.id, User.version == user.version)
        .values(version=User.version + 1).execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise DomainError(stale_message())
    set_committed_value(user, "version", user.version + 1)


def update_profile(user: User, *, timezone: str, digests: bool, version) -> User:
    """A user's own settings: the time zone moments are shown in, and whether the
    digests come by email (messages about the account's security are always sent).
    The form carries the version it was built from, like an admin's form of the same
    user: neither save silently replaces the other's. A new zone is a change of the
    account; the digests' choice is told by its own entry (user.preferences)."""
    check_version(user.version, version)
    zone = time_zone_or_error(timezone)
    digests = bool(digests)
    if zone == user.timezone and digests == user.digests:
        return user
    before = snapshot(user)
    user.timezone = zone
    move_version(user)
    if zone != before["timezone"]:
        record(user, "user.update", user, before=before)
    if digests != user.digests:
        user.digests = digests
        record(user, "user.preferences", user, before={"digests": not digests}, after={"digests": digests})
    return user
