"""The .xlsx downloads as users working in the UN languages read them (a colleague's
review): the About sheet names the fund in the reader's language; a sheet title too
long for Excel is cut after a whole word, and the About sheet counts the rows of the
sheet by the title the workbook has; the file's name carries the reader's own day
and hour; the import template's amounts have their currency's number format."""
from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from babel.messages.pofile import read_po

from tests.factories import contributions as c
from trustfund import demo
from trustfund.fund.status import FUND_NAME

LANGS = ["fr", "es", "ru", "zh", "ar"]


def _catalog(lang):
    with open(f"trustfund/translations/{lang}/LC_MESSAGES/messages.po", "rb") as f:
        return {m.id: m.string for m in read_po(f) if isinstance(m.id, str) and m.string}


def _book(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def _speak(db, user, lang):
    user.locale = lang
    db.session.commit()


@pytest.mark.parametrize("lang", LANGS)
def test_the_about_sheet_names_the_fund_in_the_readers_language(client, login_as, db, lang):
    """Every download's About sheet starts with the fund's name (fund/status.py
    _fund_in_exports): it writes the record's English name, while the statements,
    PDFs and pages name the standard fund in the reader's language
    (fund_name_in_words)."""
    user = login_as("mptf_officer")
    _speak(db, user, lang)
    about = _book(client.get("/contributions/pools?format=xlsx")).worksheets[-1]
    label, value = next(about.iter_rows(values_only=True))
    translated = _catalog(lang)[FUND_NAME]
    assert value == f"{translated} (MCS00)", (lang, label, value)


@pytest.mark.parametrize("lang", ["fr", "es", "ru", "ar"])
def test_every_rows_in_label_names_a_sheet_of_the_workbook(client, login_as, db, lang):
    """The dashboard's sheet titles are cut at Excel's 31 characters mid-word in four
    languages ("Délégués financés par manifesta", "Fondos disponibles por fondo co",
    "Сторнирования, ожидающие решени", "المندوبون المموَّلون حسب الاجتم"), and the About
    sheet then counts the rows of a sheet ("Lignes dans Délégués financés par
    manifestation") that the workbook does not have."""
    demo.seed()
    db.session.commit()
    user = login_as("admin")
    _speak(db, user, lang)
    wb = _book(client.get("/dashboard/?format=xlsx"))
    names = set(wb.sheetnames)
    rows_in = _catalog(lang)["Rows in %(sheet)s"]
    prefix = rows_in.split("%(sheet)s")[0]
    suffix = rows_in.split("%(sheet)s")[1]
    about = wb.worksheets[-1]
    named = [label[len(prefix):len(label) - len(suffix)] for label, _v in about.iter_rows(values_only=True)
             if isinstance(label, str) and label.startswith(prefix) and label.endswith(suffix)]
    assert named
    missing = [n for n in named if n not in names]
    assert not missing, (lang, missing, sorted(names))
    cut = [n for n in names if n.endswith("…")]
    # A cut title ends after a whole word of its full title (French: "… par…").
    assert all(len(n) <= 31 for n in names)
    if lang in ("fr", "es"):
        assert cut, sorted(names)


def test_the_file_name_stamp_is_not_the_next_day_for_a_user_in_new_york(client, login_as, db, monkeypatch):
    """The file name's stamp is utcnow() with no zone: an officer in New York (UTC-5)
    downloading at 21:00 on 6 December gets "…-20261207-0200.xlsx", dated the next
    day and with an hour that is not theirs; DESIGN.md: moments are shown in the
    user's time zone."""
    import trustfund.exports as exports

    moment = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(exports, "utcnow", lambda: moment)
    user = login_as("mptf_officer")
    user.timezone = "America/New_York"
    db.session.commit()
    response = client.get("/contributions/pools?format=xlsx")
    name = re.search(r'filename="?([^";]+)', response.headers["Content-Disposition"]).group(1)
    assert "20261206-2100" in name or "UTC" in name.upper(), name


def test_the_import_templates_open_commitments_have_the_currencys_number_format(client, login_as, db):
    """The template's "Open commitments" sheet writes the amounts with no number format
    (General: 1000.5, no grouping, no second decimal), unlike every other download
    (DESIGN.md §6: a number format per currency)."""
    c.commitment(currency="EUR", amount="1000.50")
    user = login_as("mptf_officer")
    _speak(db, user, "fr")
    wb = _book(client.get("/contributions/deposits/import/template.xlsx"))
    sheet = wb.worksheets[1]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == "EUR")
    committed = row[3]
    assert committed.value == 1000.5
    assert committed.number_format == "#,##0.00", committed.number_format


def test_a_long_sheet_title_is_cut_after_a_word_and_kept_apart():
    from trustfund.exports import safe_sheet_title

    assert safe_sheet_title("Délégués financés par manifestation") == "Délégués financés par…"
    assert safe_sheet_title("Short") == "Short"
    assert safe_sheet_title("Overview", ["overview"]) == "Overview 2"
    first = safe_sheet_title("Délégués financés par pays de provenance")
    second = safe_sheet_title("Délégués financés par pays de destination", [first])
    assert second == "Délégués financés par pays… 2"
    assert len(safe_sheet_title("x" * 40)) == 31
    assert safe_sheet_title("a/b:c") == "a b c"
