"""The outbox: one row per message to a person, written in the transaction of the
change that causes it (DESIGN.md §6c), sent later by `flask --app trustfund send-mail`."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import SECRET, utcnow
from ..extensions import db

PENDING, SENT, FAILED = "pending", "sent", "failed"
STATUSES = (PENDING, SENT, FAILED)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The person it is for (None: an address that is no account's); the address and
    # language are those of the moment it was written.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # The account's role and donor when it was written: a message of its role's work
    # (a digest, another donor's statement) is not sent once either changed
    # (mail.sender.undeliverable). Plain values: mail sits below the accounts and donors.
    written_for_role: Mapped[str | None] = mapped_column(sa.String(20))
    written_for_donor_id: Mapped[int | None]
    to_address: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(10))
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(255))
    # A body may hold a single-use link (invitation, password reset): kept out of the
    # audit trail, never shown on the outbox page, and wiped once sent (`sensitive`).
    body_text: Mapped[str] = mapped_column(sa.Text, info=SECRET)
    body_html: Mapped[str] = mapped_column(sa.Text, info=SECRET)
    sensitive: Mapped[bool] = mapped_column(default=False)
    # When the single-use link it carries dies: not sent, nor sent again, after that.
    link_expires_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})", name="status"),
        sa.CheckConstraint("attempts >= 0", name="attempts"),
        # The sender's question: what is pending and due.
        sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"


class MailDigest(db.Model):
    """When a person last got a digest of a kind: digests go out at most once per
    their interval (trustfund/notifications/digests.py)."""

    __tablename__ = "mail_digest"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    last_sent_at: Mapped[dt.datetime]
