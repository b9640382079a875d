"""The audit trail in words (trustfund/audit_text.py): documents attached to a record,
replaced, downloaded by a donor. The entries are the record's own (its History)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit_text import Book, Told


def _kind(e: Told) -> str:
    from .targets import TARGETS

    code = e.value("kind")
    for target in TARGETS.values():
        if code in target.kinds:
            return e.iso(target.kinds[code])
    return e.iso(code or "—")


def register(book: Book) -> None:
    book.action("document.upload", _l("Document attached"), "Donor",
                lambda e: _("Document “%(title)s” (%(kind)s, %(file)s) attached by %(user)s.",
                            title=e.iso(e.value("title")), kind=_kind(e), file=e.iso(e.value("filename")),
                            user=e.who), changes=False)
    book.action("document.replace", _l("Document replaced"), "Donor",
                lambda e: _("Document “%(title)s” replaced by %(user)s with a new version, %(file)s; "
                            "the older one, %(old)s, is kept.",
                            title=e.iso(e.value("title")), file=e.iso(e.value("filename")),
                            old=e.iso(e.value("filename", "before")), user=e.who), changes=False)
    book.action("document.download", _l("Document downloaded by the donor"), "Donor",
                lambda e: _("Document “%(title)s” (%(file)s) downloaded by %(user)s.",
                            title=e.iso(e.value("title")), file=e.iso(e.value("filename")), user=e.who),
                changes=False)
