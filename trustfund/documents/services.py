"""Attaching, replacing and downloading documents. Services take the actor, write
rows in the session of the request and flush; the request commits (errors.run)."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit import record
from ..errors import DomainError
from ..extensions import db
from ..validation import check_text, normalized_name, too_long
from .content import ACCEPTED, recognise
from .models import ISSUED_KINDS, Document, DocumentContent
from .notices import tell_donor_users
from .targets import Target

TITLE_MAX = 200
NAME_MAX = 200


def _summary(document: Document) -> dict:
    return {"document_id": document.id, "kind": document.kind, "title": document.title,
            "filename": document.filename, "content_type": document.content_type,
            "size": document.size, "sha256": document.sha256}


def safe_filename(filename: str, content_type: str) -> str:
    """The name a download is offered under: the uploaded name's last part, without
    path, control or quoting characters, cut to length, keeping its extension."""
    import os
    import unicodedata

    name = os.path.basename((filename or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    name = name.replace('"', "").replace(";", "")
    # The extension recognise() checked against the content, as typed; the rest is the
    # stem, "document" when nothing of it is left (a name such as " .pdf").
    extension = next((name[-len(ext):] for ext in ACCEPTED.get(content_type, ())
                      if name.lower().endswith(ext)), os.path.splitext(name)[1])
    stem = name[:len(name) - len(extension)].strip(" .") or "document"
    return stem[:NAME_MAX - len(extension)] + extension


def _store(actor, *, target: Target, obj, kind: str, title: str, filename: str, data: bytes,
           max_bytes: int, replaces: Document | None = None, reason: str = "") -> Document:
    content_type = recognise(data, filename, max_bytes)
    document = Document(
        object_type=target.name, object_id=obj.id, donor_id=target.donor_of(obj), kind=kind,
        title=title, filename=safe_filename(filename, content_type), content_type=content_type,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=getattr(actor, "id", None),
        replaces_id=replaces.id if replaces else None, reason=reason)
    db.session.add(document)
    db.session.flush()
    db.session.add(DocumentContent(document_id=document.id, data=data))
    return document


def _title(title: str) -> str:
    title = normalized_name(title or "")
    if not title:
        raise DomainError(_("Give the document a title."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_("At most %(n)s characters.", n=TITLE_MAX), field="title")
    return title


def _with_file_problem(problems: list[DomainError], upload: tuple[str, bytes] | None,
                       max_bytes: int) -> list[DomainError]:
    """`problems` and what is wrong with the file: missing, or (when the other fields
    are refused anyway) refused by recognise(); a file with nothing else wrong is read
    once, by the attachment itself."""
    if upload is None:
        return problems + [DomainError(_("Choose the file to attach."), field="file")]
    if problems:
        filename, data = upload
        try:
            recognise(data, filename, max_bytes)
        except DomainError as error:
            return problems + [error]
    return problems


def attachable_kinds(target: Target) -> dict:
    """The kinds a person may attach to the target's records (not ISSUED_KINDS)."""
    return {kind: label for kind, label in target.kinds.items() if kind not in ISSUED_KINDS}


def issued_refusal() -> DomainError:
    return DomainError(_("A donor statement is issued by Trustfund from the ledger, never uploaded: to "
                         "correct one, issue the statement of its period again (Statements, Issue "
                         "statements)."), field="file")


def attach_problems(target: Target, *, kind: str, title: str, upload: tuple[str, bytes] | None,
                    max_bytes: int) -> list[DomainError]:
    """Everything wrong with an attachment at once, each beside its field (kind, title,
    file), so that the form is corrected in one round; [] when attach() may proceed."""
    problems = [] if kind in attachable_kinds(target) else [
        DomainError(_("Choose the kind of document."), field="kind")]
    try:
        _title(title)
    except DomainError as error:
        problems.append(error)
    return _with_file_problem(problems, upload, max_bytes)


def _reason(reason: str) -> str:
    """The reason for a new version as it is kept, or its refusal beside the field (as
    long as every other reason may be)."""
    reason = check_text((reason or "").strip(), "reason", multiline=True)
    if not reason:
        raise DomainError(_("Say why the document is replaced."), field="reason")
    if len(reason) > 2000:
        raise DomainError(too_long(2000), field="reason")
    return reason


def replace_problems(*, reason: str, upload: tuple[str, bytes] | None, max_bytes: int) -> list[DomainError]:
    """The same for a new version: its reason and its file."""
    problems = []
    try:
        _reason(reason)
    except DomainError as error:
        problems.append(error)
    return _with_file_problem(problems, upload, max_bytes)


def attach(actor, target: Target, obj, *, kind: str, title: str, filename: str, data: bytes,
           max_bytes: int, issued: bool = False) -> Document:
    """Attach a document to a record. Its kind is one of the record's short list; its type
    is read from its content (content.recognise); nothing is stored if it is refused. A
    kind of ISSUED_KINDS only as Trustfund issues it (`issued`)."""
    if kind not in (target.kinds if issued else attachable_kinds(target)):
        raise DomainError(_("Choose the kind of document."), field="kind")
    document = _store(actor, target=target, obj=obj, kind=kind, title=_title(title), filename=filename,
                      data=data, max_bytes=max_bytes)
    record(actor, "document.upload", object_type=target.audit_type, object_id=obj.id,
           after=_summary(document))
    tell_donor_users(target, document)
    return document


def replace(actor, target: Target, obj, old: Document, *, filename: str, data: bytes, reason: str,
            max_bytes: int, issued: bool = False) -> Document:
    """Replace a version by a newer one, with a reason. The old version is kept; a
    version is replaced once (a unique replaces_id: of two replacements at once, one
    passes and the other is told). A document of ISSUED_KINDS only by issuing it again
    (`issued`)."""
    if old.kind in ISSUED_KINDS and not issued:
        raise issued_refusal()
    reason = _reason(reason)
    if db.session.scalar(sa.select(Document.id).where(Document.replaces_id == old.id)):
        raise DomainError(_("This version has already been replaced: reload the page."))
    try:
        with db.session.begin_nested():
            document = _store(actor, target=target, obj=obj, kind=old.kind, title=old.title,
                              filename=filename, data=data, max_bytes=max_bytes, replaces=old, reason=reason)
    except sa.exc.IntegrityError:
        raise DomainError(_("This version has already been replaced: reload the page.")) from None
    record(actor, "document.replace", object_type=target.audit_type, object_id=obj.id,
           before=_summary(old), after=_summary(document), note=reason)
    tell_donor_users(target, document)
    return document


def content_of(document: Document) -> bytes:
    return db.session.scalar(sa.select(DocumentContent.data)
                             .where(DocumentContent.document_id == document.id))


def record_download(actor, target: Target, document: Document) -> None:
    """A donor's download is in the audit trail (staff read the records they keep)."""
    record(actor, "document.download", object_type=target.audit_type, object_id=document.object_id,
           after={"document_id": document.id, "title": document.title, "filename": document.filename})


def documents_of(target_name: str, object_id: int) -> list[Document]:
    """Every version attached to a record, the metadata only, newest first."""
    return list(db.session.scalars(
        sa.select(Document).where(Document.object_type == target_name, Document.object_id == object_id)
        .order_by(Document.id.desc())))


def donor_documents(donor_id: int) -> list[Document]:
    """The versions in force of a donor's documents (its own, its commitments' and deposits')."""
    return list(db.session.scalars(
        sa.select(Document).where(Document.donor_id == donor_id, Document.current_condition())
        .order_by(Document.uploaded_at.desc(), Document.id.desc())))
