"""The other active users of a role, and a message to each of them in their own
language: a change one of them proposed waits for another's confirmation
(admin.user_changes, closure.proposals)."""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..mail.outbox import enqueue
from .models import User


def active_in_role(role: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.role == role, User.active.is_(True)))


def others_in_role(actor, role: str) -> list[User]:
    """Every active user of `role` but `actor`."""
    return db.session.scalars(sa.select(User).where(User.role == role, User.active.is_(True),
                                                    User.id != actor.id).order_by(User.id)).all()


def tell_others(actor, role: str, kind: str, template: str, subject, /, **context) -> int:
    """A message (mail.outbox.enqueue: in the transaction, in each reader's language) to
    every other active user of `role`; how many."""
    others = others_in_role(actor, role)
    for user in others:
        enqueue(user, kind, template, subject, **context)
    return len(others)
