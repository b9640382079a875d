"""The bad-input sweep: read a form's fields from the page that shows it, then post
hostile values one field at a time (every other field keeping a valid value) and
judge each answer as a user would: never a 500, a message beside the field when the
value is refused, no row written, and HTML shown escaped.

What each field holds (its *kind*) is read from the page (input type, inputmode,
select, textarea) unless the route's spec says more (required, past dates only...);
each kind has a short list of payloads with the verdict they deserve: True (a valid
value: must be accepted), False (must be refused) or None (either, but cleanly).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

from tests.pages import confirmation
from tests.security.helpers import (
    BIDI_TEXT,
    LONG_TEXT,
    changed_counts,
    table_counts,
)

# --- reading forms from a page ------------------------------------------------------


@dataclass
class PageField:
    name: str
    tag: str
    type: str = ""
    inputmode: str = ""
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class PageForm:
    action: str
    method: str
    fields: dict[str, PageField] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: PageField | None = None
        self._textarea: PageField | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = PageForm(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in ("submit", "button", "reset"):
            self._form.fields.setdefault(name, PageField(
                name, "input", a.get("type", "text"), a.get("inputmode", ""), a.get("value", "")))
        elif tag == "select" and name:
            self._select = self._form.fields.setdefault(name, PageField(name, "select"))
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = self._form.fields.setdefault(name, PageField(name, "textarea"))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(html: str) -> list[PageForm]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_for(html: str, url: str, page_url: str) -> PageForm | None:
    """The POST form of the page that posts to `url` (an empty action posts to the page)."""
    path = urlsplit(url).path
    for form in forms_on(html):
        if form.method != "post":
            continue
        target = urlsplit(form.action).path if form.action else urlsplit(page_url).path
        if target == path:
            return form
    return None


# --- what to send -----------------------------------------------------------------

HTML_SCRIPT = "<script>alert(1)</script>"
HTML_IMG = '"><img src=x onerror=alert(1)>'
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror", "<svg onload")
FORMULAS = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)"]
NUL = "abc\x00def"
BELL = "abc\x07\x1b[31mdef"
ZERO_WIDTH = "Swiss\u200bConfederation"
BAD_DATES = ["2017-02-30", "2017-13-01", "31/12/2017", "not a date", "２０１７-０６-０１",
             "0001-01-01"]
# Numbers that Python would read and nobody types: full-width and Arabic-Indic
# digits, exponents, underscores, a zero-width space inside.
LOOSE_NUMBERS = [("１２３", False), ("1e3", False), ("1E3", False), ("١٢٣", False), ("1_000", False),
                 ("1\u200b000", False)]


def future(days: int = 40) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def too_many_decimals(currency: str) -> str:
    from trustfund.money import precision

    return "12." + "3" * (precision(currency) + 1)


def payloads(kind: str, currency: str = "USD") -> list[tuple[str, object]]:
    """(value, verdict) pairs for a kind of field: a sample of the hostile inputs,
    chosen so that every class of attack meets every kind of field."""
    text_common = [(LONG_TEXT, False), (NUL, False), (BELL, False), (BIDI_TEXT, False),
                   (ZERO_WIDTH, False), (HTML_SCRIPT, True), (HTML_IMG, True)] + [(f, True) for f in FORMULAS]
    money_common = [("-1", False), ("1000000000000000", False), ("NaN", False),
                    ("Infinity", False), ("-Infinity", False), ("1,000.00.00", False),
                    (too_many_decimals(currency), False), ("abc", False), ("=1+1", False),
                    (NUL, False), (LONG_TEXT, False), (HTML_SCRIPT, False)] + LOOSE_NUMBERS
    table: dict[str, list[tuple[str, object]]] = {
        "name": text_common + [("", False), ("   ", False)],
        "text": text_common + [("", True)],
        "note": [(v, ok) for v, ok in text_common if v is not BELL] + [
            (BELL, False), ("first line\nsecond line\twith a tab", True), ("", True)],
        "reason": [(v, ok) for v, ok in text_common if v is not BELL] + [
            (BELL, False), ("first line\nsecond line", True), ("", False), ("  ", False)],
        "email": [(LONG_TEXT, False), (NUL, False), (BIDI_TEXT, False), (HTML_SCRIPT, False),
                  (FORMULAS[0], False), ("not-an-email", False), ("", True)],
        "email_required": [(LONG_TEXT, False), (NUL, False), (BIDI_TEXT, False), (HTML_SCRIPT, False),
                           (FORMULAS[0], False), ("not-an-email", False), ("", False)],
        "amount": money_common + [("0", False), ("0.00", False), ("", False)],
        "amount_optional": money_common + [("0", False), ("", True)],
        "cost": money_common + [("0", True), ("", False)],
        # A figure the rules compute, changed by hand (then a reason is needed): 0 may be either.
        "override": money_common + [("0", None), ("", True)],
        "rate": [(v, ok) for v, ok in money_common if not v.startswith("12.")] + [
            ("0", False), ("0.1234567", False), ("", False)],
        "rate_optional": [(v, ok) for v, ok in money_common if not v.startswith("12.")] + [
            ("0", False), ("0.1234567", False)],
        "number": [("-1", False), ("NaN", False), ("Infinity", False), ("1,000.00.00", False),
                   ("0.1234567", False), ("1000000000000000", False), ("abc", False), ("", False),
                   (NUL, False), (LONG_TEXT, False)] + LOOSE_NUMBERS,
        "int": [("-1", False), ("0", False), ("1000000000000000", False), ("NaN", False),
                ("Infinity", False), ("1.5", False), ("abc", False), (NUL, False), (LONG_TEXT, False),
                ("99999999999999999999", False), ("５", False), ("٥", False), ("5e0", False)],
        "int_optional": [("-1", False), ("0", True), ("", True), ("1000000000000000", False),
                         ("NaN", False), ("1.5", False), ("abc", False), (NUL, False), ("５", False)],
        "date": [(d, False) for d in BAD_DATES] + [(NUL, False), (LONG_TEXT, False), ("", False),
                                                   ("9999-12-31", None)],
        "date_optional": [(d, False) for d in BAD_DATES] + [(NUL, False), ("", True)],
        "date_past": [(d, False) for d in BAD_DATES] + [(NUL, False), (LONG_TEXT, False), ("", False),
                                                        (future(), False), ("9999-12-31", False)],
        "month": [("2017-13", False), ("not a month", False), ("9999-12", False), ("", False),
                  (NUL, False)],
        "select": [("999999", False), ("-1", False), ("NaN", False), (HTML_SCRIPT, False),
                   ("99999999999999999999", False), ("１", False),
                   (NUL, False), (LONG_TEXT, False)],
        "currency": [("XXX1", False), ("ZZZ", False), ("EURO", False), ("eu", False), ("", False),
                     (HTML_SCRIPT, False), (NUL, False)],
        "password": [(LONG_TEXT, False), ("short", False), (NUL, None), (BIDI_TEXT, None)],
        "login": [(LONG_TEXT, False), (NUL, False), (BIDI_TEXT, False), (HTML_SCRIPT, False),
                  (FORMULAS[0], False), ("", False)],
        "hidden": [("abc", None), ("-1", None), ("1000000000000000", None), (NUL, None),
                   (LONG_TEXT, None), (HTML_SCRIPT, None)],
        "lang": [("xx", None), (NUL, None), (LONG_TEXT, None), (HTML_SCRIPT, None)],
        "bool": [],
        "skip": [],
    }
    return table[kind]


def guess_kind(f: PageField) -> str:
    if f.tag == "select":
        return "select"
    if f.tag == "textarea":
        return "note"
    return {"date": "date", "month": "month", "number": "int", "email": "email", "hidden": "hidden",
            "checkbox": "bool", "password": "password", "file": "skip"}.get(
        f.type, "amount" if f.inputmode == "decimal" else "text")


def pattern(name: str) -> str:
    """instalments-3-amount and instalments-0-amount are one field to sweep."""
    return re.sub(r"-\d+-", "-0-", name)


# --- judging the answers -------------------------------------------------------------

MESSAGE = re.compile(r'class="[^"]*\b(invalid-feedback|alert alert-danger)\b')


def messages(html: str) -> list[str]:
    found = re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>\s*</div>', html, re.DOTALL)
    found += re.findall(r'class="alert alert-danger"[^>]*>(.*?)</div>', html, re.DOTALL)
    return [re.sub(r"<[^>]+>|\s+", " ", m).strip()[:160] for m in found]


@dataclass
class Answer:
    status: int
    body: str
    accepted: bool
    refused_with_message: bool
    changed: dict


@dataclass
class Sweep:
    """Posts to one form and collects what went wrong, as readable lines."""

    app: object
    db: object
    client: object
    problems: list[str] = field(default_factory=list)
    posts: int = 0

    def post(self, url: str, data: dict, *, flashes: bool = False) -> Answer:
        before = table_counts(self.db)
        response = self.client.post(url, data=data)
        self.posts += 1
        shown = ""
        found = confirmation(response.get_data(as_text=True)) if response.status_code == 200 else None
        if found is not None:
            # A decision that cannot be undone (trustfund/confirmation.py): its form's post
            # only shows what will happen, writing nothing; the user confirms it as shown.
            shown = response.get_data(as_text=True)
            written = changed_counts(before, table_counts(self.db))
            if written:
                self.problems.append(f"{url}: its confirmation page wrote rows: {written}")
            action, fields = found
            response = self.client.post(action, data=MultiDict(fields))
        changed = changed_counts(before, table_counts(self.db))
        body = response.get_data(as_text=True)
        status = response.status_code
        if status == 302:
            location = response.headers["Location"]
            page = self.client.get(location)
            follow = page.get_data(as_text=True)
            if page.status_code >= 500:
                status = page.status_code
            body = body + follow
            if flashes:
                refused = "alert alert-danger" in follow
                return Answer(status, shown + body, not refused, refused, changed)
            return Answer(status, shown + body, True, False, changed)
        return Answer(status, shown + body, False, bool(MESSAGE.search(body)), changed)

    def judge(self, what: str, answer: Answer, verdict, *, rows_allowed: bool = False) -> None:
        def problem(text: str) -> None:
            self.problems.append(f"{what}: {text}")

        if answer.status >= 500 or answer.status not in (200, 302, 400):
            problem(f"answered {answer.status}")
            return
        for marker in RAW_MARKERS:
            if marker in answer.body:
                problem(f"raw HTML {marker!r} in the page")
        if answer.accepted:
            if verdict is False:
                problem(f"accepted (rows changed: {answer.changed})")
            return
        if verdict is True:
            problem(f"refused a valid value: {messages(answer.body)[:3]}")
        if not answer.refused_with_message:
            problem("refused without a message beside the field or above the form")
        if answer.changed and not rows_allowed:
            problem(f"refused, yet rows changed: {answer.changed}")
