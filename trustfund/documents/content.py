"""What an uploaded file is, read from its content (filetype), never from its name or
the browser's word: PDF, PNG, JPEG, .xlsx and .docx only, the name's extension must
say the same type, and a PDF must open (pypdf), unencrypted and without scripts (nor an
XFA form, whose XML may hold them; opening at a page is no script)."""
from __future__ import annotations

import io
import logging
import os

import filetype
from flask_babel import gettext as _
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from ..errors import DomainError

# The types accepted: content type -> the extensions a file of that type may carry.
ACCEPTED = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
}
# What a PDF's catalog may hold that acts when the file is opened: its additional
# actions, and an opening action other than showing a page (_opens_at_a_page).
_PDF_OPEN_ACTIONS = ("/AA",)
# The kinds of action (an action dictionary's /S) that run a script or a program,
# wherever they are: a page's additional actions, a link, a form field, an outline.
_PDF_SCRIPTS = ("/JavaScript", "/Launch")
# Objects looked at, at most (a 10 MB file holds far fewer): more is a damaged file.
_PDF_MAX_OBJECTS = 1_000_000
# Entries not followed: the way back up, and a tagged PDF's logical structure.
_PDF_NOT_WALKED = frozenset({"/Parent", "/P", "/StructTreeRoot"})


def _refuse(message: str):
    raise DomainError(message, field="file")


def recognise(data: bytes, filename: str, max_bytes: int) -> str:
    """The content type of an upload, or a DomainError beside the file field."""
    accepted = _("Accepted: PDF, PNG, JPEG, Excel (.xlsx) and Word (.docx).")
    if not data:
        _refuse(_("The file is empty."))
    if len(data) > max_bytes:
        _refuse(_("The file is larger than %(size)s MB.", size=f"{max_bytes / (1024 * 1024):g}"))
    kind = filetype.guess(data)
    content_type = kind.mime if kind is not None else None
    if content_type not in ACCEPTED:
        _refuse(_("This type of file cannot be attached.") + " " + accepted)
    extension = os.path.splitext(filename or "")[1].lower()
    if extension not in ACCEPTED[content_type]:
        _refuse(_("The file's name does not match its content (a %(type)s file named %(name)s).",
                  type=ACCEPTED[content_type][0].lstrip(".").upper(), name=filename or "—"))
    if content_type == "application/pdf":
        _check_pdf(data)
    return content_type


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    # pypdf logs (and warns about) the damage it works round: a refusal says enough.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            _refuse(_("The PDF is encrypted or protected by a password: attach a copy without protection."))
        pages = len(reader.pages)
        root = reader.trailer["/Root"].get_object()
        names = root.get("/Names")
        names = names.get_object() if names is not None else {}
        scripted = "/JavaScript" in names or any(key in root for key in _PDF_OPEN_ACTIONS) \
            or not _opens_at_a_page(root.get("/OpenAction")) or _holds_an_xfa_form(root) \
            or _holds_a_script(root)
    except DomainError:
        raise
    except Exception:  # a hostile PDF breaks pypdf's parser in many ways: each is "damaged"
        _refuse(_("The PDF is damaged and cannot be read."))
    if not pages:
        _refuse(_("The PDF is damaged and cannot be read."))
    if scripted:
        _refuse(_("The PDF runs a script or an action when opened: attach a plain copy."))


def _opens_at_a_page(action) -> bool:
    """Whether the catalog's /OpenAction only shows a page (or there is none): a
    destination ([page /Fit], as pdfTeX and others write it) or a GoTo action to one.
    Any other opening action is refused; a script inside a GoTo's chain (/Next) is
    found by _holds_a_script."""
    if action is None:
        return True
    action = action.get_object()
    if isinstance(action, ArrayObject):
        return True
    return isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo"


def _holds_an_xfa_form(root) -> bool:
    """Whether the PDF holds an XFA form (/AcroForm /XFA): its XML may carry scripts
    that run when the form opens, which no walk of the PDF's objects sees."""
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    return isinstance(form, DictionaryObject) and "/XFA" in form


def _holds_a_script(root) -> bool:
    """Whether any object reachable from the catalog is a script action (a /JS, or an
    action whose /S is JavaScript or Launch): on a page's opening, a link, a field, an
    outline. Each object is looked at once; the logical structure of a tagged PDF
    (/StructTreeRoot, thousands of elements that hold no action: its annotations are
    reached through the pages) and the way back up (/Parent, /P) are not walked."""
    containers = (ArrayObject, DictionaryObject, IndirectObject)
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > _PDF_MAX_OBJECTS:
                raise ValueError("too many objects")
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if "/JS" in item or item.get("/S") in _PDF_SCRIPTS:
                return True
            stack.extend(value for name, value in item.items()
                         if name not in _PDF_NOT_WALKED and isinstance(value, containers))
        elif isinstance(item, ArrayObject):
            stack.extend(value for value in item if isinstance(value, containers))
    return False
