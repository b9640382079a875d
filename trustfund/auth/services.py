"""Authentication: one answer for every failed login."""
from __future__ import annotations

import sqlalchemy as sa

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
