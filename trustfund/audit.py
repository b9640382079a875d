"""The audit trail: who did what to which object, with before and after values.

record() adds the entry to the session of the change, so that both are committed
together or not at all.

The trail holds no secret: a column marked `info=SECRET` (a password hash, a
session token) never enters a snapshot, and record() drops any key of a
before/after dict that names one, or whose name says it is one (SECRET_NAME), so
that a dict built by hand cannot carry it in either. tests/unit/test_audit_secrets.py
walks every model: a column whose name looks secret must carry the marker.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .bulk import copy_rows
from .extensions import db

# mapped_column(..., info=SECRET): the column holds a secret (a credential).
SECRET = {"secret": True}
# Words of a snake_case name that say its value is a secret, marked or not.
SECRET_WORDS = frozenset({"password", "passwd", "passphrase", "token", "secret", "secrets",
                          "credential", "credentials", "apikey", "otp", "salt", "hash", "pin"})
_SECRET_PAIRS = re.compile(r"(^|_)(api|private|secret|signing)_key($|_)", re.IGNORECASE)


def is_secret_column(column) -> bool:
    return bool(column.info.get("secret"))


@functools.cache
def _secret_keys(models: int) -> frozenset[str]:
    """The attribute names of every column marked secret, in every model (`models`:
    how many there are, so that a model imported later is not missed)."""
    return frozenset(attr.key for mapper in db.Model.registry.mappers
                     for attr in mapper.column_attrs
                     if any(is_secret_column(c) for c in attr.columns))


def secret_by_name(name: str) -> bool:
    """Whether a name says its value is a secret ("password_hash", "session_token",
    "api_key"), whether or not a column of that name is marked."""
    return bool(SECRET_WORDS & set(name.lower().split("_"))) or bool(_SECRET_PAIRS.search(name))


def is_secret_key(name: str) -> bool:
    return name in _secret_keys(len(db.Model.registry.mappers)) or secret_by_name(name)


def without_secrets(values: dict | None) -> dict | None:
    if not values:
        return values
    return {k: v for k, v in values.items() if not is_secret_key(str(k))}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    # Looked up by type, or by type and id: ix_audit_entry_object below serves both (0017).
    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[str | None] = mapped_column(sa.String(60))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    note: Mapped[str | None] = mapped_column(sa.Text)

    user = db.relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj, fields: list[str] | None = None) -> dict:
    """The column values of a model object, as JSON-safe text (Decimal as string),
    without its secrets, nor its deferred columns (running sums that only the queries
    naming them read, such as a commitment's deposited_usd: not loaded for the entry,
    nor part of what someone changed)."""
    if obj is None:
        return {}
    attrs = sa.inspect(obj).mapper.column_attrs
    secret = {a.key for a in attrs if any(is_secret_column(c) for c in a.columns)}
    names = fields or [a.key for a in attrs if not a.deferred]
    return {name: _plain(getattr(obj, name)) for name in names
            if name not in secret and not is_secret_key(name)}


def record(actor, action: str, obj=None, *, before: dict | None = None,
           after: dict | None = None, note: str | None = None,
           object_type: str | None = None, object_id: Any = None) -> AuditEntry:
    """Add an audit entry for `action` on `obj` to the current session (no commit).
    `after` defaults to the object's snapshot once flushed."""
    if obj is not None:
        db.session.flush()
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
        if after is None:
            after = snapshot(obj)
    entry = AuditEntry(
        user_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "",
        object_id=None if object_id is None else str(object_id),
        before=_plain(without_secrets(before)) if before else None,
        after=_plain(without_secrets(after)) if after else None,
        note=note,
    )
    db.session.add(entry)
    return entry


def record_many(actor, action: str, object_type: str, items: list) -> int:
    """The entries record() would add for many objects at once (an import's thousands of
    deposits), written at once (bulk.copy_rows) in the current transaction: `items` are
    (object_id, after, note), `after` already JSON-safe (text for amounts and dates,
    as snapshot() gives them). Returns how many."""
    user_id, at = getattr(actor, "id", None), utcnow()
    copy_rows(AuditEntry.__table__, AUDIT_COLUMNS,
              ((at, user_id, action, object_type, str(object_id), None, after or None, note)
               for object_id, after, note in items))
    return len(items)


# The columns record_many() writes, in its rows' order (the id comes from the table).
AUDIT_COLUMNS = ["at", "user_id", "action", "object_type", "object_id", "before", "after", "note"]
