"""Imports through the page (issue 17: see before you post): an uploaded workbook
whose preview shows no problem is kept with a token; the preview page shows what
it will do; confirming posts it, once."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit import utcnow
from ..errors import DomainError
from ..extensions import db
from .importer import ImportResult, plan_import, post_import
from .models import DepositImport


class ImportRefused(DomainError):
    """The kept file no longer imports cleanly (someone recorded a deposit since its
    preview): nothing was imported; its preview shows why."""


def keep_upload(actor, filename: str, content: bytes, rows: int) -> DepositImport:
    """Keep a workbook whose preview showed no problem, for its officer to confirm."""
    upload = DepositImport(token=secrets.token_urlsafe(32), filename=(filename or "")[:255],
                           content=content, rows=rows, created_by_id=actor.id)
    db.session.add(upload)
    db.session.flush()
    return upload


def confirm_upload(actor, upload: DepositImport) -> ImportResult:
    """Post a kept workbook, all rows or none, at most once: marking it posted is one
    guarded UPDATE in the transaction of its deposits, so a second confirmation (a
    double click, another tab) finds it posted and records nothing. Its rows are
    checked again against the ledger as it is now."""
    marked = db.session.execute(
        sa.update(DepositImport).where(DepositImport.id == upload.id, DepositImport.posted_at.is_(None))
        .values(posted_at=utcnow()).execution_options(synchronize_session=False)).rowcount == 1
    if not marked:
        raise DomainError(_("This file has already been imported."))
    plan = plan_import(upload.content, filename=upload.filename)
    result = post_import(actor, plan, filename=upload.filename)
    if not result.ok:
        raise ImportRefused(_("Nothing was imported: the file no longer passes every check (see below)."))
    db.session.execute(sa.update(DepositImport).where(DepositImport.id == upload.id)
                       .values(deposits=result.imported).execution_options(synchronize_session=False))
    db.session.expire(upload)
    return result
