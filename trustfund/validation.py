"""Text that people type: refuse the characters nobody types on purpose.

- Control characters (NUL, BEL, ESC, DEL and the C1 range): invisible, they corrupt
  exports and terminals, and PostgreSQL refuses NUL in text outright (a 500 instead
  of a message). Multi-line fields keep tab, line feed and carriage return; single-
  line fields keep only tab.
- Bidirectional embedding, override and isolate controls (U+202A-U+202E,
  U+2066-U+2069): they make text read differently from what is stored
  ("invoice\\u202egnp.exe" shows as "invoiceexe.png"). The plain direction marks
  (LRM, RLM, ALM), which Arabic text may legitimately carry, are allowed.

trustfund.forms.BaseForm, the base of every form, runs this check on every text
field (string, text area, email, hidden; never passwords, which are only hashed).
Services that take text from elsewhere (imports, commands) call `text_problem()` /
`check_text()` themselves. A query string (list filters, searches) holding a NUL is
refused with a 400 by `refuse_nul_in_query_strings`.
"""
from __future__ import annotations

import re

from flask import abort, request
from flask_babel import gettext as _
from wtforms.validators import StopValidation

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL_SINGLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_MULTI = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def text_problem(value: str | None, *, multiline: bool = False) -> str | None:
    """The message refusing `value`, or None when it is plain text."""
    if not value:
        return None
    if (_CONTROL_MULTI if multiline else _CONTROL_SINGLE).search(value):
        if not multiline and ("\n" in value or "\r" in value):
            return _("Write this on one line.")
        return _("This text contains invisible control characters: type it again without them.")
    if _BIDI.search(value):
        return _("This text contains characters that reverse the direction of the text: "
                 "type it again without them.")
    return None


def check_text(value: str | None, field: str, *, multiline: bool = False) -> str:
    """`value` if it is plain text, else a DomainError beside `field`."""
    from .errors import DomainError

    problem = text_problem(value, multiline=multiline)
    if problem:
        raise DomainError(problem, field=field)
    return value or ""


class PlainText:
    """A WTForms validator: refuses control and bidi-override characters."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        problem = text_problem(field.data if isinstance(field.data, str) else None,
                               multiline=self.multiline)
        if problem:
            raise StopValidation(problem)


def refuse_nul_in_query_strings(app) -> None:
    """A 400 for a query string holding a NUL: no one types one, and PostgreSQL
    refuses to compare text with it (a list filter would answer 500). Posted forms
    are checked field by field instead, with a message beside the field."""

    @app.before_request
    def _no_nul_in_query_string():
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
            abort(400)
