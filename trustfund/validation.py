"""Text that people type: refuse the characters nobody types on purpose.

- Control characters (NUL, BEL, ESC, DEL and the C1 range): invisible, they corrupt
  exports and terminals, and PostgreSQL refuses NUL in text outright (a 500 instead
  of a message). Multi-line fields keep tab, line feed and carriage return; single-
  line fields keep only tab.
- Bidirectional embedding, override and isolate controls (U+202A-U+202E,
  U+2066-U+2069): they make text read differently from what is stored
  ("invoice\\u202egnp.exe" shows as "invoiceexe.png"). The plain direction marks
  (LRM, RLM, ALM), which Arabic text may legitimately carry, are allowed.
- Every other invisible format character (Unicode category Cf: zero-width space
  and joiners, soft hyphen, word joiner, byte order mark, ...): "Swiss\\u200bConfederation"
  looks like a donor already there and is not the same text.

Names of people and organisations (donors, delegates, events, users) are also
NFKC-normalised (`normalized_name`: full-width "Ｓｗｉｓｓ" is "Swiss") and a donor's
name has a key (`name_key`, the Unicode TR39 skeleton kept by the `disarm`
library) under which names that look alike are equal: "Swiss Confederatіon" with
a Cyrillic і has the key of "Swiss Confederation".

trustfund.forms.BaseForm, the base of every form, runs this check on every text
field (string, text area, email, hidden; never passwords, which are only hashed).
Services that take text from elsewhere (imports, commands) call `text_problem()` /
`check_text()` themselves. A query string (list filters, searches) holding a NUL is
refused with a 400 by `refuse_nul_in_query_strings`.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from disarm import skeleton_key
from flask import abort, request
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms.validators import StopValidation

from .formatting import number
from .money import DIRECTION_MARKS  # LRM, RLM, ALM: the marks Arabic (and Hebrew) text may carry
from .params import iso_date

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL_SINGLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_MULTI = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def _invisible_format(value: str) -> bool:
    # No ASCII character is a format character (Cf): most text is done at once.
    if value.isascii():
        return False
    return any(unicodedata.category(c) == "Cf" and c not in DIRECTION_MARKS for c in value)


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
    if _invisible_format(value):
        return _("This text contains invisible characters (such as a zero-width space): "
                 "type it again without them.")
    return None


def too_long(limit: int) -> str:
    """The message for text longer than `limit` characters (plural-aware: 1 character,
    2000 characters; Russian and Arabic have more forms)."""
    return ngettext("At most %(count)s character.", "At most %(count)s characters.", limit,
                    count=number(limit))


def strict_date(text) -> dt.date:
    """A date typed or read as text (an import's cell): YYYY-MM-DD, or a date and a
    valid time as a spreadsheet writes one, in range (params.iso_date). Anything
    else raises ValueError: "2017-06-01T99:99 garbage" is not 1 June 2017."""
    value = iso_date(text, with_time=True)
    if value is None:
        raise ValueError(f"not a date: {str(text)[:40]!r}")
    return value


def normalized_name(value: str | None) -> str:
    """A name as stored: NFKC (compatibility characters become the plain ones they
    stand for), runs of white space made one space, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def name_key(value: str | None) -> str:
    """The key under which names that look alike are equal: the Unicode TR39
    skeleton (disarm.skeleton_key, lower case, spaces collapsed) of the name in
    capitals. Capitals first, so that the key is the same whatever the case: TR39
    maps a capital I to l (they look alike), so "KINGDOM" and "Kingdom" would
    otherwise differ. The price: i and l share a key, and a name that differs from a
    donor's only there needs the officer's confirmation."""
    return skeleton_key(normalized_name(value).upper())


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


def refuse_json_bodies(app) -> None:
    """A 400 (the bad-request page) for a request whose body is JSON: every form of
    Trustfund is an HTML form. Flask-WTF would read a JSON body as the form, while
    what else reads a request reads its form fields (login throttling counts refused logins by request.form's
    email): a login sent as JSON went uncounted on its account."""

    @app.before_request
    def _no_json_body():
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.is_json:
            abort(400)
