"""Reading what a page shows: the error beside a field, a dashboard's tables and charts."""
from __future__ import annotations

import html as html_module
import json
import re
from decimal import Decimal as D
from html.parser import HTMLParser


def words(html: str) -> str:
    """Markup as a reader reads it: tags dropped, entities read, white space folded."""
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def text(page) -> str:
    """A page (a response, or its HTML) as a reader reads it: words()."""
    return words(page if isinstance(page, str) else page.get_data(as_text=True))


def error_beside(html: str, field: str) -> str:
    """The text of the error shown beside a field (macros.field renders it)."""
    match = re.search(rf'id="{field}-errors">(.*?)</div>\s*</div>', html, re.DOTALL)
    assert match, f"no error beside {field}"
    return html_module.unescape(re.sub(r"<[^>]+>", "", match.group(1)).strip())


def reason_required(html: str, action: str) -> bool:
    """Whether the reason field of the form posting to `action` (a waiting change's
    Refuse) is marked required: the browser asks for it, a screen reader says so."""
    import lxml.html

    [form] = lxml.html.fromstring(html).xpath("//form[@action=$action]", action=action)
    [reason] = form.xpath(".//textarea[@name='reason'] | .//input[@name='reason']")
    return reason.get("required") is not None


def error_beside_reason(html: str, action: str) -> str | None:
    """The error shown beside the reason field of the form posting to `action` (a
    waiting change's Refuse: templates/_second_person.html; a grant's decisions),
    inside that very form: the text the reason's field names as its description, marked invalid; None
    when that reason field shows no error."""
    import lxml.html

    [form] = lxml.html.fromstring(html).xpath("//form[@action=$action]", action=action)
    [reason] = form.xpath(".//textarea[@name='reason'] | .//input[@name='reason']")
    described = reason.get("aria-describedby")
    if described is None:
        assert "is-invalid" not in reason.get("class", "")
        assert not form.xpath(".//*[contains(@class, 'invalid-feedback')]")
        return None
    assert "is-invalid" in reason.get("class") and reason.get("aria-invalid") == "true"
    [error] = form.xpath(".//*[@id=$id]", id=described)
    assert "invalid-feedback" in error.get("class") and error.getprevious() is reason
    return " ".join(error.text_content().split())


class Tables(HTMLParser):
    """The dashboard's tables: {table id: {"keys": [...], "rows": [[text...]], "totals": [...]}}."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, dict] = {}
        self._table = None
        self._part = None
        self._row = None
        self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id", "").startswith("table-"):
            self._table = self.tables.setdefault(attrs["id"][6:], {"keys": [], "rows": [], "totals": []})
        elif self._table is None:
            return
        elif tag in ("thead", "tbody", "tfoot"):
            self._part = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []
            if self._part == "thead":
                self._table["keys"].append(attrs.get("data-key"))

    def handle_endtag(self, tag):
        if self._table is None:
            return
        if tag in ("th", "td") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._part == "tbody":
                self._table["rows"].append(self._row)
            elif self._part == "tfoot":
                self._table["totals"] = self._row
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def charts(html: str) -> dict[str, dict]:
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script type="application/json" id="chart-([a-z_]+)-data">(.*?)</script>', html, re.DOTALL)}


def number(text: str) -> D:
    return D(text.replace(",", ""))


def figure(text: str) -> D:
    """An amount as a page shows it ("$1,187,699.26", "USD 1,187,699.26", "-990.00")."""
    return D(re.sub(r"[^\d.\-]", "", text.replace("\u2212", "-")))


def cell(html: str, element_id: str) -> str:
    """The text of the table cell with this id."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</td>', html, re.DOTALL)
    assert match, f"no #{element_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def sheets_of(response) -> dict[str, list[dict]]:
    """A downloaded .xlsx as {sheet title: its rows, each {header: value}}."""
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    found = {}
    for sheet in load_workbook(io.BytesIO(response.data)).worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        found[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]] if rows else []
    return found


def trail_entries(client, action: str) -> list[str]:
    """The audit trail page's entries of `action`, newest first, each as a reader reads it."""
    page = client.get(f"/admin/audit?action={action}").get_data(as_text=True)
    trail = page.split('class="list-unstyled audit-trail"')[1].split("</ol>")[0]
    return [words(part) for part in trail.split('audit-entry">')[1:]]


def form_token(client, url: str) -> str:
    """The one-time token (trustfund.submissions) of the entry form a fresh render
    of the page at `url` carries."""
    page = client.get(url)
    if page.status_code != 200:
        return ""  # a user who may not open the form: its post is refused anyway
    html = page.get_data(as_text=True)
    match = re.search(r'<input[^>]*name="form_token"[^>]*value="([^"]*)"', html) or \
        re.search(r'<input[^>]*value="([^"]*)"[^>]*name="form_token"', html)
    assert match, f"no form_token on {url}"
    return html_module.unescape(match.group(1))


def post_entry(client, url: str, data: dict, page: str | None = None):
    """POST an entry form as a browser does: with the token of a fresh render of its
    page (`page`, by default the form's own URL)."""
    return client.post(url, data={**data, "form_token": form_token(client, page or url)})


def delegate_form(browser, delegate_id: int) -> dict:
    """The fields of a delegate's form as its page fills them (travel.edit_delegate),
    to post back with some changed."""
    html = browser.get(f"/travel/delegates/{delegate_id}/edit").get_data(as_text=True)
    fields = {}
    for name in ("csrf_token", "seen", "name", "function", "email", "phone"):
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
            rf'value="([^"]*)"[^>]*name="{name}"', html)
        fields[name] = html_module.unescape(found.group(1)) if found else ""
    return fields


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The text of each cell of each body row of the table with this id."""
    match = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', html, re.DOTALL)
    assert match, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", match.group(1), re.DOTALL)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1) if body else "", re.DOTALL)
    return [[html_module.unescape(re.sub(r"<[^>]+>|\s+", " ", cell).strip())
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)] for row in rows]


_CONFIRM_FORM = re.compile(r'<form method="post" action="([^"]*)">(.*?)</form>', re.DOTALL)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def confirmation(html: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The form of a confirmation page (templates/_confirm.html): its action and the
    values it posts; None when the page asks for no confirmation."""
    for action, body in _CONFIRM_FORM.findall(html):
        fields = [(html_module.unescape(k), html_module.unescape(v)) for k, v in _HIDDEN.findall(body)]
        if ("confirmed", "1") in fields:
            return html_module.unescape(action), fields
    return None


def summary_of(html: str) -> str:
    """The words of a confirmation page's summary (what will happen)."""
    match = re.search(r'<section class="card mb-3"[^>]*id="confirmation">(.*?)</section>', html, re.DOTALL)
    assert match, "no confirmation summary on the page"
    return words(match.group(1))


def post_and_confirm(client, url: str, data: dict | None = None, **kwargs):
    """POST a decision as a user does: the form, then the form of the confirmation page
    it answers with. A first answer that asks for no confirmation (a refusal) is
    returned as it is. `kwargs` go to both posts (follow_redirects=True...)."""
    from werkzeug.datastructures import MultiDict

    first = client.post(url, data=data or {}, **kwargs)
    found = confirmation(first.get_data(as_text=True)) if first.status_code == 200 else None
    if found is None:
        return first
    action, fields = found
    return client.post(action, data=MultiDict(fields), **kwargs)


def propose_refund(client, pool_id: int, balance: str):
    """Propose the refund of a pool's balance as the closing page's form posts it (an
    SRSG staff member's client), through its confirmation page."""
    prefix = f"pool{pool_id}"
    fields = {"kind": "refund", "balance": balance, "note": "", "fund_name": "", "fund_reference": ""}
    return post_and_confirm(client, f"/fund/closing/pools/{pool_id}",
                            {f"{prefix}-{key}": value for key, value in fields.items()},
                            follow_redirects=True)


def drawn_past_the_right_edge(pdf: bytes) -> tuple[str, list[tuple[int, str]]]:
    """A PDF's text, and the characters drawn past its pages' right edge (page number,
    character): content a reader of the printed document never sees."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    drawn, outside = "", []
    for number in range(len(document)):
        page = document[number]
        width, _height = page.get_size()
        text = page.get_textpage()
        drawn += text.get_text_range()
        outside += [(number, text.get_text_range(i, 1)) for i in range(text.count_chars())
                    if text.get_charbox(i)[2] > width]
    return drawn, outside
