"""Users and their roles."""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import SECRET, utcnow
from ..extensions import db
from ..permissions import ROLES
from .hashing import hash_password, outdated, password_matches


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255), info=SECRET)
    role: Mapped[str] = mapped_column(sa.String(20))
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    # The language of the pages at the user's last sign-in (their browser's, or the
    # login page's menu): messages speak it while the user has chosen none (locale).
    seen_locale: Mapped[str | None] = mapped_column(sa.String(10))
    # The digests by email (requests awaiting decision, overdue instalments...); the
    # user turns them off in their profile. Security messages are always sent.
    digests: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The IANA time zone moments are shown in (timezones.py): set by the browser at the
    # first login, then by the user (profile) or an admin; None reads as UTC.
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    # Changes at every login and logout and on deactivation: the session cookie
    # carries it, so an old cookie stops working at once.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_hex(16),
                                               info=SECRET)
    # Renewed when the password changes (set_password), not when the same password is
    # stored again in today's hash (rehash_password): the links to set a password carry
    # it (auth.tokens), so a change, and only a change, ends those made before it.
    password_stamp: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_hex(32),
                                                server_default="", info=SECRET)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # What an admin's edit form was built from. Moved only by an admin's save
    # (admin.services.save_user), not by the user's own logins, logouts or language:
    # those would refuse an admin's save that overwrites nothing of theirs.
    version: Mapped[int] = mapped_column(default=1)

    donor = relationship("Donor", foreign_keys=[donor_id])

    __table_args__ = (
        sa.CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role"),
        # A donor user is linked to exactly one donor; nobody else is linked to one.
        sa.CheckConstraint("(role = 'donor') = (donor_id IS NOT NULL)", name="donor_link"),
    )

    def set_password(self, password: str) -> None:
        """A new password: the links made before it stop working (auth.tokens)."""
        self.set_password_hash(hash_password(password))

    def set_password_hash(self, password_hash: str) -> None:
        """A new password hashed earlier (a typed password a second admin confirmed):
        a real change, so the links made before it stop working too."""
        self.password_hash = password_hash
        self.password_stamp = secrets.token_hex(32)

    def rehash_password(self, password: str) -> None:
        """The same password, just checked, stored again in today's hash: its links
        keep working."""
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    def password_outdated(self) -> bool:
        """Whether the stored hash is of an earlier kind (auth.hashing): replaced at
        the next successful sign-in, when the password is known."""
        return outdated(self.password_hash)

    def renew_session_token(self) -> None:
        self.session_token = secrets.token_hex(16)

    # Flask-Login: the id in the session is "<id>:<token>", so that renewing the
    # token ends every session of this user.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def shown_name(self) -> str:
        """How pages name the user to colleagues: the name, or the email without one."""
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


INVITE, RESET = "invite", "reset"


class PasswordToken(db.Model):
    """A single-use link to set a password: an invitation (72 hours) or a reset (1 hour).
    Only the SHA-256 of the link's secret is kept; the link itself lives in the
    outbox message until it is sent, then is wiped."""

    __tablename__ = "password_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, info=SECRET)
    # The user's password stamp when the link was made (User.password_stamp): a link
    # made before a password change no longer works after it.
    password_stamp: Mapped[str] = mapped_column(sa.String(64), info=SECRET)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]

    user = relationship("User")

    __table_args__ = (
        sa.CheckConstraint(f"purpose IN ('{INVITE}', '{RESET}')", name="purpose"),
    )


class ResetRequest(db.Model):
    """An address typed in "Forgot your password?", answered by the sender
    (send-mail), not by the request: the request writes this one row whether the
    address is an account's or not, so that both answers take the same time."""

    __tablename__ = "reset_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[dt.datetime | None] = mapped_column(index=True)
