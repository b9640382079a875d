"""The fund's closing reports as PDF (issue 19 on issue 18), read back with pypdf:
the certified final statements (the fund's and each donor's) and the funding status,
A4 landscape, the fund, who issued it and when, "page N of M", and every figure of
the page to the cent; in each language with its glyphs; a donor gets its own final
statement only, 404 for another's or before they are issued."""
from __future__ import annotations

import datetime as dt
import html as html_module
import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from tests.factories import statements as data
from trustfund import demo
from trustfund.closure import closing_decisions, financial
from trustfund.extensions import db
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund

FUND_LINE = "Global Compact for Safe, Orderly and Regular Migration"


def _closed_fund(users, issue: bool = True, more_donors: int = 0):
    """Sweden (the donor user's donor) and Norway; 4,000.00 spent, 100.00 of interest;
    the pool refunded, the fund financially closed and, if `issue`, the certified
    final statements issued by the admin (named Ana Silva)."""
    sweden, other = demo.demo_donor(), data.donor("Norway (final)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(other, "10000.00"), "10000.00", fee_rate="0")
    for n in range(more_donors):
        data.deposit(data.commitment(data.donor(f"Many {n:02d}"), "500.00"), "500.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    data.interest("100.00", on=dt.date(2018, 6, 30))
    users["admin"].name = "Ana Silva"
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()
    if issue:
        from trustfund.closure.final import issue_final_statements

        issue_final_statements(users["admin"])
        db.session.commit()
    return sweden, other


def _pdf(client, url: str, **query) -> PdfReader:
    answer = client.get(url, query_string={**query, "format": "pdf"})
    assert answer.status_code == 200, answer.status_code
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    return PdfReader(io.BytesIO(answer.data))


def _text(reader) -> str:
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))


def _unescaped(found: str) -> str:
    """A figure as the page shows it, its no-break spaces as the PDF's text gives them."""
    return unicodedata.normalize("NFKC", html_module.unescape(found)).strip()


def _figures(page_html: str, table_id: str) -> list[str]:
    """The amounts of a table of the page (its cells of class num), as shown."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page_html, re.S).group(0)
    cells = [_unescaped(c) for c in re.findall(r'<td class="num[^"]*"[^>]*>([^<]*)<', table)]
    return [c for c in cells if c]


def _check_pages(reader) -> None:
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(842, 595)}  # A4 landscape
    pages = len(reader.pages)
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in reader.pages[number - 1].extract_text()


def test_the_fund_s_certified_statement_as_pdf_holds_the_page_s_figures(client, login_as, db, users):
    _closed_fund(users)
    login_as("auditor")
    page = client.get("/fund/final-statements/fund").get_data(as_text=True)
    assert 'href="/fund/final-statements/fund?format=pdf"' in page and "Download as PDF" in page
    reader = _pdf(client, "/fund/final-statements/fund")
    text = _text(reader)
    _check_pages(reader)
    assert "Certified final financial statement of the fund" in text and FUND_LINE in text
    # Issued by whoever signed it off, on that day (not by the auditor who downloads it).
    assert re.search(r"Issued on \d+ \w+ \d{4} by Ana Silva", text), text[-300:]
    assert "signed off for the MPTF Office, as Administrative Agent, by Ana Silva" in " ".join(text.split())
    tables = ("final-funding", "final-decisions", "final-donors")
    figures = [figure for table in tables for figure in _figures(page, table)]
    assert len(figures) >= 20
    for figure in figures:
        assert re.search(r"\d\.\d\d$", figure), figure
        assert figure in text, figure
    assert "35,800.00" in text  # the refund decided: 40,000.00 less 300.00 fee, 4,000.00 spent, +100.00


def test_a_long_statement_breaks_across_pages_with_its_table_headers_repeated(client, login_as, db, users):
    _closed_fund(users, more_donors=60)
    login_as("auditor")
    page = client.get("/fund/final-statements/fund").get_data(as_text=True)
    reader = _pdf(client, "/fund/final-statements/fund")
    _check_pages(reader)
    assert len(reader.pages) >= 3
    texts = [p.extract_text() for p in reader.pages]
    with_donors = [text for text in texts if "Many " in text]
    assert len(with_donors) >= 2
    assert all("Share of spending" in text for text in with_donors)  # the donors' header on each
    assert all(f"Many {n:02d}" in "\n".join(texts) for n in range(60))
    for figure in _figures(page, "final-donors"):
        assert figure in _text(reader), figure


def test_a_donor_gets_its_own_certified_statement_as_pdf_and_no_other(client, login_as, db, users):
    sweden, other = _closed_fund(users)
    login_as("donor")
    page = client.get(f"/fund/final-statements/{sweden.id}").get_data(as_text=True)
    assert f'href="/fund/final-statements/{sweden.id}?format=pdf"' in page
    reader = _pdf(client, f"/fund/final-statements/{sweden.id}")
    text = _text(reader)
    _check_pages(reader)
    assert "Certified final financial statement of Kingdom of Sweden" in text and FUND_LINE in text
    assert re.search(r"Issued on \d+ \w+ \d{4} by Ana Silva", text)
    for element, expected in (("final-net", "29,700.00"), ("final-share", "2,992.44"),
                              ("final-income", "74.81"), ("final-refund", "26,782.37")):
        figure = _unescaped(re.search(rf'id="{element}">([^<]*)<', page).group(1))
        assert figure.endswith(expected), (element, figure)
        assert figure in text, (element, figure)
    for figure in _figures(page, "final-closing") + _figures(page, "final-commitments"):
        assert figure in text, figure
    assert "Norway" not in text
    answer = client.get(f"/fund/final-statements/{other.id}", query_string={"format": "pdf"})
    assert answer.status_code == 404
    # Staff read any donor's.
    login_as("mptf_officer")
    assert "Certified final financial statement of Norway (final)" in _text(
        _pdf(client, f"/fund/final-statements/{other.id}"))


def test_no_pdf_before_the_statements_are_issued(client, login_as, db, users):
    sweden, _other = _closed_fund(users, issue=False)
    login_as("donor")
    answer = client.get(f"/fund/final-statements/{sweden.id}", query_string={"format": "pdf"})
    assert answer.status_code == 404
    login_as("admin")
    answer = client.get("/fund/final-statements/fund", query_string={"format": "pdf"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/fund/final-statements")


def test_the_funding_status_as_pdf_holds_the_page_s_figures(client, login_as, db, users):
    _closed_fund(users, issue=False)
    user = login_as("mptf_officer")
    user.name = "Bo Chen"
    db.session.commit()
    on = {"on": "2018-12-31"}
    page = client.get("/fund/funding-status", query_string=on).get_data(as_text=True)
    assert 'href="/fund/funding-status?on=2018-12-31&amp;format=pdf"' in page
    reader = _pdf(client, "/fund/funding-status", **on)
    text = _text(reader)
    _check_pages(reader)
    assert "Funding status on 31 Dec 2018" in text and FUND_LINE in text
    assert re.search(r"Issued on \d+ \w+ \d{4} by Bo Chen", text)
    lines = dict(re.findall(r'data-line="(\w+)">([^<]*)<', page))
    assert len(lines) == 15  # every line but the two headings
    for key, figure in lines.items():
        figure = _unescaped(figure)
        assert re.search(r"\d\.\d\d$", figure), (key, figure)
        assert figure in text, (key, figure)
    assert lines["contributions"].endswith("40,000.00") and lines["interest"].endswith("100.00")
    percent = _unescaped(re.search(r'id="percent-of-contributions">([^<]*)<', page).group(1))
    assert percent in text
    login_as("donor")
    assert client.get("/fund/funding-status", query_string={"format": "pdf"}).status_code == 403


@pytest.mark.parametrize(("lang", "word"), [
    ("ar", "مصادر"), ("zh", "资金来源"), ("fr", "Provenance"), ("es", "Origen"), ("ru", "Источники"),
])
def test_each_language_with_its_glyphs(client, login_as, db, users, lang, word):
    _closed_fund(users)
    user = login_as("auditor")
    user.locale = lang
    db.session.commit()
    for url in ("/fund/final-statements/fund", "/fund/funding-status"):
        reader = _pdf(client, url)
        text = _text(reader)
        assert word in text, (lang, url, text[:400])
        assert "\ufffd" not in text and "□" not in text
        fonts = {str(font.get_object()["/BaseFont"]) for p in reader.pages
                 for font in p["/Resources"]["/Font"].get_object().values()}
        if lang == "ar":
            assert any("Arabic" in name for name in fonts), fonts
        if lang == "zh":
            assert any("CJK" in name for name in fonts), fonts


def test_the_fund_s_certified_statement_shows_the_balance_as_a_percentage_of_deposits(
        client, login_as, db, users):
    """DESIGN §6a: the balance with the Administrative Agent as a percentage of deposits,
    on the page and in the PDF as in the .xlsx: the figure stored when it was issued (here
    0.00%: every pool refunded), and a stored 0.1235 as 12.35%, as its cell shows it."""
    from decimal import Decimal

    import sqlalchemy as sa
    from openpyxl import load_workbook

    from trustfund.fund.entries import FUND_SUBJECT, FinalStatement

    _closed_fund(users)
    login_as("auditor")

    def shown() -> tuple[str, str, object]:
        page = client.get("/fund/final-statements/fund").get_data(as_text=True)
        found = re.search(r'id="final-percent-of-contributions">([^<]*)<', page)
        assert found, "no percentage on the page"
        book = load_workbook(io.BytesIO(client.get("/fund/final-statements/fund?format=xlsx").data))
        cells = {row[0].value: row for row in book["Funding status"].iter_rows(min_row=2)}
        cell = cells["Balance with the Administrative Agent"][2]
        assert cell.number_format == "0.00%"
        return _unescaped(found.group(1)), _text(_pdf(client, "/fund/final-statements/fund")), cell.value

    on_page, in_pdf, in_xlsx = shown()
    assert on_page == "0.00% of contributions" and Decimal(str(in_xlsx)) == 0
    assert on_page in in_pdf

    statement = db.session.scalar(sa.select(FinalStatement).where(FinalStatement.subject == FUND_SUBJECT))
    content = dict(statement.content)
    content["funding_status"] = [{**line, "percent": "0.1235"} if line["key"] == "balance" else line
                                 for line in content["funding_status"]]
    statement.content = content  # as if issued with a balance left (the page shows what is stored)
    db.session.commit()
    on_page, in_pdf, in_xlsx = shown()
    assert on_page == "12.35% of contributions" and Decimal(str(in_xlsx)) == Decimal("0.1235")
    assert on_page in in_pdf


def test_the_pdfs_issue_day_is_the_certifications_day_for_the_reader(client, login_as, users, monkeypatch):
    """The PDF names the day it was issued as its reader's day, as its certification line
    and the page do: it named the UTC day of the sign-off in its margins and last line,
    the day before in Tokyo (a colleague's review of the documents, 2026-12-07)."""
    from trustfund.closure import final as final_module

    _closed_fund(users, issue=False)
    # 20:30 UTC on 7 December is 05:30 on 8 December in Tokyo.
    monkeypatch.setattr(final_module, "utcnow", lambda: dt.datetime(2026, 12, 7, 20, 30))
    final_module.issue_final_statements(users["admin"])
    db.session.commit()
    reader = login_as("auditor")
    reader.timezone = "Asia/Tokyo"
    db.session.commit()
    page = client.get("/fund/final-statements/fund").get_data(as_text=True)
    assert "8 Dec 2026" in page, "the page gives the reader's day of the sign-off"
    text = unicodedata.normalize("NFKC", "\n".join(
        p.extract_text() for p in _pdf(client, "/fund/final-statements/fund").pages))
    certified = text[text.index("Certified final financial statement, signed off"):][:200]
    assert "8 Dec 2026" in certified, certified
    # The margin and the last line say when it was issued: the same day as the certification.
    assert "Issued on 7 Dec 2026" not in text, (certified, text[-120:])
    assert "Issued on 8 Dec 2026 by Ana Silva" in text
