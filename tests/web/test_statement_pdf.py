"""Donor statements as PDF (issue 19), read back with pypdf: A4 landscape, the donor's
name, the fund, the period, who issued it and when, "page N of M", and totals to the
cent equal to the statement page's; in Arabic (right to left) and Chinese with their
glyphs; a donor gets its own, 404 for another's; the PDF engine fetches nothing."""
from __future__ import annotations

import html as html_module
import io
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.factories import statements as data
from trustfund.extensions import db

PERIOD = {"from": "2017-01-01", "to": "2017-12-31"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"


@pytest.fixture
def fund(db):
    return data.two_donor_fund()


def _pdf(client, donor_id: int, **period):
    answer = client.get(f"/statements/{donor_id}", query_string={**PERIOD, **period, "format": "pdf"})
    assert answer.status_code == 200, answer.status_code
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    return PdfReader(io.BytesIO(answer.data))


def _text(reader) -> str:
    # Arabic comes out of a PDF in its presentation forms: NFKC gives the letters back.
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))


def _figure(page_html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', page_html)
    # As the PDF's text gives it: the amount's no-break space a space (NFKC, as _text).
    return unicodedata.normalize("NFKC", html_module.unescape(found.group(1))).strip()


def test_the_pdf_holds_the_statement_with_the_pages_totals_to_the_cent(client, login_as, fund, users):
    sweden, _evil = fund
    login_as("mptf_officer")
    users["mptf_officer"].name = "Ana Silva"
    db.session.commit()
    page = client.get(f"/statements/{sweden.id}", query_string=PERIOD).get_data(as_text=True)
    reader = _pdf(client, sweden.id)
    text = _text(reader)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(842, 595)}  # A4 landscape
    assert "Statement of Kingdom of Sweden" in text
    assert "Global Compact for Safe, Orderly and Regular Migration" in text and "MCS00" in text
    assert "Period: 1 Jan 2017 to 31 Dec 2017" in text
    assert re.search(r"Issued on \d+ \w+ \d{4} by Ana Silva", text)
    for element in ("opening", "net-in-period", "share-in-period", "closing", "usd-total", "fee-total",
                    "net-total"):
        figure = _figure(page, element)
        assert re.search(r"\d\.\d\d$", figure), (element, figure)
        assert figure in text, (element, figure)
    pages = len(reader.pages)
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in reader.pages[number - 1].extract_text()


def test_a_donors_own_copy_says_it_was_downloaded_not_issued(client, login_as, fund, users):
    """Nobody at the fund issued the copy a donor takes from the portal: it says who
    downloaded it and when, and the officer's copy still says who issued it."""
    sweden, _evil = fund
    reader_user = login_as("donor")
    reader_user.name = "Lena Berg"
    db.session.commit()
    text = _text(_pdf(client, sweden.id))
    assert re.search(r"Downloaded on \d+ \w+ \d{4} by Lena Berg", text), text[-300:]
    assert "Issued on" not in text
    # Nor does an auditor issue statements.
    login_as("auditor")
    text = _text(_pdf(client, sweden.id))
    assert re.search(r"Downloaded on \d+ \w+ \d{4} by ", text) and "Issued on" not in text


def test_a_long_statement_breaks_across_pages_with_its_table_headers_repeated(client, login_as, fund):
    sweden, _evil = fund
    commitment = data.commitment(sweden, "9000000.00", reference="MANY")
    for n in range(80):
        data.deposit(commitment, f"{1000 + n}.00", bank_reference=f"MANY-{n}")
    db.session.commit()
    login_as("auditor")
    reader = _pdf(client, sweden.id)
    assert len(reader.pages) >= 3
    # The deposits' table runs over the middle pages: its header on each of them.
    middle = [p.extract_text() for p in reader.pages[1:-1]]
    assert middle and all("Value date" in text and "MANY" in text for text in middle), middle
    pages = len(reader.pages)
    assert f"Page {pages} of {pages}" in reader.pages[-1].extract_text()


@pytest.mark.parametrize(("lang", "words"), [
    ("ar", ["الموجز", "الرصيد"]),
    ("zh", ["报表", "余额"]),
    ("fr", ["Relevé", "Solde"]),
    ("ru", ["Выписка", "Период"]),
    ("es", ["Estado", "Saldo"]),
])
def test_each_language_with_its_glyphs(client, login_as, fund, users, lang, words):
    sweden, _evil = fund
    reader_user = login_as("donor")
    reader_user.locale = lang
    db.session.commit()
    reader = _pdf(client, sweden.id)
    text = _text(reader)
    for word in words:
        assert word in text, (lang, word, text[:400])
    assert "Kingdom of Sweden" in text
    # Every glyph drawn from a font that has it: no .notdef boxes (U+FFFD once extracted).
    assert "\ufffd" not in text and "□" not in text
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in (page["/Resources"]["/Font"].get_object()).values()
             for font in [font.get_object()]}
    if lang == "ar":
        assert any("Arabic" in name for name in fonts), fonts
    if lang == "zh":
        assert any("CJK" in name for name in fonts), fonts
    if lang in ("ar", "zh"):
        _picture(reader, f"statement-{lang}")


def _picture(reader, name: str) -> None:
    """A picture of the first page, kept under test-artifacts/pdf/ for a person to look at."""
    import pypdfium2
    from pypdf import PdfWriter

    first = PdfWriter()
    first.add_page(reader.pages[0])
    buffer = io.BytesIO()
    first.write(buffer)
    image = pypdfium2.PdfDocument(buffer.getvalue())[0].render(scale=1.5).to_pil()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / f"{name}.png")
    assert image.convert("L").getextrema()[0] < 100  # something dark was drawn: text, not a blank page


def test_another_donors_statement_answers_404(client, login_as, fund):
    _sweden, evil = fund
    login_as("donor")
    answer = client.get(f"/statements/{evil.id}", query_string={**PERIOD, "format": "pdf"})
    assert answer.status_code == 404


def test_the_pdf_engine_fetches_nothing_but_the_apps_static_files(app):
    import os

    from trustfund.statements.pdf import base_url, static_file

    with app.test_request_context():
        from flask import current_app, url_for

        folder, static = os.path.realpath(current_app.static_folder), url_for("static", filename="")
        base = base_url()
        assert static_file(f"{base}static/statement-pdf.css", folder, static, base).startswith(b"/*")
        for url in ("https://fonts.googleapis.com/css?family=Noto", "http://example.org/static/x.css",
                    "file:///etc/passwd", f"{base}static/../../config.py", f"{base}etc/passwd"):
            with pytest.raises(ValueError):
                static_file(url, folder, static, base)


def test_a_link_drawn_in_the_pdf_leads_to_the_site(client, login_as, fund):
    """A word linked to its glossary entry (the share of spending's heading) points to
    the site the donor signs in to (EXTERNAL_URL), not to an address that exists
    nowhere."""
    sweden, _evil = fund
    login_as("donor")
    reader = _pdf(client, sweden.id)
    links = [str(annotation.get_object()["/A"]["/URI"]) for page in reader.pages
             for annotation in page.get("/Annots") or () if "/A" in annotation.get_object()]
    assert "https://trustfund.test.example/help/glossary#term-share" in links
    assert all(link.startswith("https://trustfund.test.example/") for link in links), links


def test_a_long_name_without_a_space_stays_inside_the_page(client, login_as, fund):
    """A donor's 200-character name without a space breaks at the page's edge: every
    character of the first page is drawn inside it (122 ran past the edge)."""
    import pypdfium2

    sweden, _evil = fund
    sweden.name = "X" * 199 + "Z"
    db.session.commit()
    login_as("mptf_officer")
    answer = client.get(f"/statements/{sweden.id}", query_string={**PERIOD, "format": "pdf"})
    page = pypdfium2.PdfDocument(answer.data)[0]
    width, _height = page.get_size()
    text = page.get_textpage()
    assert "Z" in text.get_text_range()
    assert [i for i in range(text.count_chars()) if text.get_charbox(i)[2] > width] == []
