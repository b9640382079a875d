"""Users and their roles."""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import SECRET, utcnow
from ..extensions import db
from ..permissions import ROLES

# scrypt (Werkzeug's default) is a memory-hard KDF; the parameters are in the hash.
PASSWORD_METHOD = "scrypt"
# A hash of a random password, checked when the email is unknown so that an
# unknown email and a wrong password take the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


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
    # The IANA time zone moments are shown in (timezones.py): set by the browser at the
    # first login, then by the user (profile) or an admin; None reads as UTC.
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    # Changes at every login and logout and on deactivation: the session cookie
    # carries it, so an old cookie stops working at once.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_hex(16),
                                               info=SECRET)
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
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def renew_session_token(self) -> None:
        self.session_token = secrets.token_hex(16)

    # Flask-Login: the id in the session is "<id>:<token>", so that renewing the
    # token ends every session of this user.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def check_dummy_password(password: str) -> None:
    """Spend the time of a real check, for an unknown email."""
    check_password_hash(_DUMMY_HASH, password)
