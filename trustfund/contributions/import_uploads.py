"""Imports through the page (issue 17: see before you post): an uploaded workbook
whose preview shows no problem is kept with a token; the preview page shows what
it will do; confirming posts it, once."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit import utcnow
from ..errors import DomainError
from ..extensions import db
from ..formatting import date as fmt_date
from ..formatting import number as fmt_number
from ..seen import fingerprint, require_unchanged
from .importer import ImportResult, plan_import, post_import
from .models import DepositImport


class ImportRefused(DomainError):
    """The kept file no longer imports cleanly (someone recorded a deposit since its
    preview): nothing was imported; its preview shows why."""


def posted_before(content: bytes, exclude_id: int | None = None) -> DepositImport | None:
    """An import already posted of this very file, byte for byte (the same file uploaded
    again, in another tab or thinking the first had failed)."""
    query = (sa.select(DepositImport).where(DepositImport.posted_at.is_not(None),
                                            sa.func.length(DepositImport.content) == len(content))
             .order_by(DepositImport.posted_at))
    if exclude_id is not None:
        query = query.where(DepositImport.id != exclude_id)
    return next((upload for upload in db.session.scalars(query) if upload.content == content), None)


def already_imported(earlier: DepositImport) -> DomainError:
    count = earlier.deposits or 0
    return DomainError(ngettext(
        "This very file was imported on %(date)s (%(count)s deposit): importing it again would record "
        "its deposits twice. Nothing was imported.",
        "This very file was imported on %(date)s (%(count)s deposits): importing it again would record "
        "its deposits twice. Nothing was imported.",
        count, date=fmt_date(earlier.posted_at), count=fmt_number(count)), field="file")


def keep_upload(actor, filename: str, content: bytes, rows: int) -> DepositImport:
    """Keep a workbook whose preview showed no problem, for its officer to confirm; not
    a file already imported (rows without a bank reference would be recorded twice)."""
    earlier = posted_before(content)
    if earlier is not None:
        raise already_imported(earlier)
    upload = DepositImport(token=secrets.token_urlsafe(32), filename=(filename or "")[:255],
                           content=content, rows=rows, created_by_id=actor.id)
    db.session.add(upload)
    db.session.flush()
    return upload


def record_command_import(actor, filename: str, content: bytes, result: ImportResult) -> DepositImport:
    """The record of a workbook imported by the command (import-deposits), in the
    transaction of its deposits, as a confirmed page import is kept: the page and the
    command then refuse the same file again (posted_before)."""
    upload = DepositImport(token=secrets.token_urlsafe(32), filename=(filename or "")[:255], content=content,
                           rows=result.imported, created_by_id=actor.id, posted_at=utcnow(),
                           deposits=result.imported)
    db.session.add(upload)
    db.session.flush()
    earlier = posted_before(content, exclude_id=upload.id)  # imported meanwhile by the page or another run
    if earlier is not None:
        raise already_imported(earlier)
    return upload


def figures_seen(result: ImportResult) -> str:
    """A fingerprint of what a preview shows the import will record, row by row (its
    commitment, pool, date, amount, rate, USD, fee and net): the confirmation carries
    it, and the import is refused if the same file would now record other figures."""
    return fingerprint((planned.commitment.id, planned.pool_id, planned.figures.value_date,
                        str(planned.figures.amount), str(planned.figures.rate), str(planned.figures.usd),
                        str(planned.figures.fee), str(planned.figures.net)) for planned in result.planned)


def stale_figures_message() -> str:
    return _("The figures changed since this preview (a colleague set or corrected a month's rate, or "
             "the fee): nothing was imported. The preview below shows what the file will do now; "
             "confirm again to record it.")


def confirm_upload(actor, upload: DepositImport, seen: str | None) -> ImportResult:
    """Post a kept workbook, all rows or none, at most once: marking it posted is one
    guarded UPDATE in the transaction of its deposits, so a second confirmation (a
    double click, another tab) finds it posted and records nothing. Its rows are
    checked again against the ledger as it is now, and refused when their figures are
    no longer those the preview showed (`seen`: a month's rate or the fee corrected
    meanwhile)."""
    marked = db.session.execute(
        sa.update(DepositImport).where(DepositImport.id == upload.id, DepositImport.posted_at.is_(None))
        .values(posted_at=utcnow()).execution_options(synchronize_session=False)).rowcount == 1
    if not marked:
        raise DomainError(_("This file has already been imported."))
    earlier = posted_before(upload.content, exclude_id=upload.id)  # uploaded twice, both previewed
    if earlier is not None:
        raise already_imported(earlier)
    plan = plan_import(upload.content, filename=upload.filename, actor=actor)
    result = post_import(actor, plan, filename=upload.filename)
    if not result.ok:
        raise ImportRefused(_("Nothing was imported: the file no longer passes every check (see below)."))
    require_unchanged(seen, figures_seen(plan), stale_figures_message())
    db.session.execute(sa.update(DepositImport).where(DepositImport.id == upload.id)
                       .values(deposits=result.imported).execution_options(synchronize_session=False))
    db.session.expire(upload)
    return result
