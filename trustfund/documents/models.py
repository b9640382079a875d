"""A document's metadata row, and its content in a table apart: lists and pages read
the metadata only, never the bytes (DocumentContent is read by a download alone).

The content is stored in the database (bytea on PostgreSQL, BLOB on SQLite), in the
transaction of the upload: a backup carries it, a rolled-back request leaves nothing,
and several application machines need no shared disk.

A replacement is a new row pointing to the version it replaces (`replaces_id`,
unique: a version is replaced once, so two replacements at once cannot both pass);
the old version stays, readable by staff and the auditor."""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import utcnow
from ..extensions import db
from ..formatting import date as fmt_date

# Kinds that only Trustfund writes (statements.issue, from the ledger): nobody attaches
# one by hand or replaces it with a file of their own (a donor would read a statement
# no ledger backs, and no longer the one issued); the correction is to issue it again.
ISSUED_KINDS = frozenset({"statement"})

# An issued statement's file names its period in digits (statements.issue).
_STATEMENT_FILE = re.compile(r"statement-(\d{4}-\d{2}-\d{2})-(\d{4}-\d{2}-\d{2})\.pdf")


def statement_filename(date_from: dt.date, date_to: dt.date) -> str:
    return f"statement-{date_from.isoformat()}-{date_to.isoformat()}.pdf"


def statement_title(date_from: dt.date, date_to: dt.date) -> str:
    """An issued statement's title, in the language speaking now."""
    return _("Statement from %(start)s to %(end)s", start=fmt_date(date_from), end=fmt_date(date_to))


class Document(db.Model):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the document supports: a target of trustfund/documents/targets.py and its id.
    object_type: Mapped[str] = mapped_column(sa.String(30))
    object_id: Mapped[int]
    # The donor whose record it is (none for a travel grant): a donor user reads its own.
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(200))
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # why it replaces the older version

    uploaded_by = relationship("User", lazy="joined")
    replaces = relationship("Document", remote_side=[id], foreign_keys=[replaces_id],
                            backref=sa.orm.backref("replaced_by", uselist=False))

    __table_args__ = (
        sa.Index("ix_document_object", "object_type", "object_id"),
        sa.CheckConstraint("size > 0", name="size_positive"),
    )

    @property
    def issued(self) -> bool:
        """Written by Trustfund (ISSUED_KINDS): replaced only by issuing it again."""
        return self.kind in ISSUED_KINDS

    @property
    def shown_title(self) -> str:
        """The title as its reader reads it: an issued statement's is made from its
        period (its file's name) in the language speaking now, each donor user's own
        in lists and in their messages, whoever issued it and in whichever language;
        any other document's as it was typed."""
        found = _STATEMENT_FILE.fullmatch(self.filename or "") if self.kind == "statement" else None
        if found is None:
            return self.title
        try:
            start, end = (dt.date.fromisoformat(part) for part in found.groups())
        except ValueError:
            return self.title
        return statement_title(start, end)

    @classmethod
    def current_condition(cls):
        """The versions in force: those no other version replaces."""
        newer = sa.orm.aliased(cls)
        return ~sa.exists().where(newer.replaces_id == cls.id)


class DocumentContent(db.Model):
    """The bytes of one version, read only to be downloaded."""

    __tablename__ = "document_content"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("document.id"), primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
