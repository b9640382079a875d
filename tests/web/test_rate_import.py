"""Monthly UN operational rates from one .xlsx or CSV file: the preview writes nothing,
confirming writes every rate (each audited, and the import), a bad row refuses them
all, a currency and month twice is refused; the deposit import's checks guard the
workbook."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.factories import browser_of
from tests.factories.contributions import commitment
from tests.pages import error_beside, error_beside_reason, table_rows
from tests.security.helpers import changed_counts, table_counts
from trustfund.audit import AuditEntry
from trustfund.contributions import confirmed
from trustfund.contributions.models import ExchangeRate, RateImport

D = Decimal
HEADER = ("Currency", "Month", "Rate")


def workbook(rows, header=HEADER, sheet="Rates", first_sheet=None) -> bytes:
    book = Workbook()
    if first_sheet is not None:  # another sheet first: the one named Rates is read
        book.active.title = first_sheet
        book.active.append(["Notes"])
        ws = book.create_sheet(sheet)
    else:
        ws = book.active
        ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def csv_file(text: str, encoding="utf-8-sig") -> bytes:
    return text.encode(encoding)


def _upload(client, data: bytes, name="rates.xlsx"):
    # The multipart body is encoded here, in memory: Werkzeug's test client spools a
    # body over 500 KB to a temporary file that it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post("/contributions/rates/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _preview(client, data: bytes, name="rates.xlsx"):
    answer = _upload(client, data, name)
    assert answer.status_code == 302, _problems(answer.get_data(as_text=True)) or error_beside(
        answer.get_data(as_text=True), "file")
    location = answer.headers["Location"]
    assert re.fullmatch(r"/contributions/rates/import/[\w-]{40,}", location), location
    return location, client.get(location).get_data(as_text=True)


def _problems(html: str) -> list[tuple[str, ...]]:
    return [tuple(r) for r in table_rows(html, "rates-errors")] if 'id="rates-errors"' in html else []


def _rates() -> dict[tuple[str, str], Decimal]:
    from trustfund.extensions import db

    return {(r.currency, f"{r.month:%Y-%m}"): r.rate for r in db.session.scalars(sa.select(ExchangeRate))}


@pytest.fixture
def colleague(app, officer):
    """The second MPTF officer, in a browser of their own: a rates file takes two."""
    return browser_of(app, "mptf_officer2")


@pytest.fixture
def officer(app, db, client, login_as):
    commitment("KWD", "100000.000", reference="KW-1")  # the fund uses the dinar and the yen
    commitment("JPY", "10000000", reference="JP-1")
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    confirmed.set_rate(None, "JPY", dt.date(2018, 5, 1), "109.66")
    db.session.commit()
    login_as("mptf_officer")
    return client


GOOD = [("EUR", "2018-05", 0.941),        # already on file, the same: left as it is
        ("EUR", dt.date(2018, 6, 1), "0.857"),  # a month typed 2018-06 that Excel made a date
        ("JPY", "2018-05", 110.25),       # on file at 109.66: a correction
        ("KWD", "2018-06", 0.30195),      # five decimals
        ("chf", "2018-06-01", "0.99")]    # lower case and a first of the month are understood


def test_the_preview_writes_nothing_and_confirming_writes_every_rate(app, db, officer, colleague):
    before = table_counts(db)
    location, page = _preview(officer, workbook(GOOD))
    # Only the file is kept (and said: the audit trail, a message to the other officers).
    assert changed_counts(before, table_counts(db)) == {"rate_import": (0, 1), "audit_entry": (5, 6),
                                                        "outbox_message": (0, 1)}
    assert [[" ".join(c.split()) for c in r] for r in table_rows(page, "rates-corrected")] == [
        ["4", "JPY", "May 2018", "109.66", "110.25"]]
    assert [r[1:] for r in table_rows(page, "rates-new")] == [
        ["EUR", "June 2018", "0.857"], ["KWD", "June 2018", "0.30195"], ["CHF", "June 2018", "0.99"]]
    assert [r[1:] for r in table_rows(page, "rates-unchanged")] == [["EUR", "May 2018", "0.941"]]
    assert "Record 4 rates" not in page and "another MPTF officer confirms these rates" in page
    assert _rates()[("JPY", "2018-05")] == D("109.66")
    # Its uploader cannot confirm it; another MPTF officer does, from the rates page.
    refused = officer.post(location + "/confirm", data={"seen": "x"})
    assert "You uploaded this file: another MPTF officer must confirm it." in refused.get_data(as_text=True)
    listed = colleague.get("/contributions/rates").get_data(as_text=True)
    assert 'id="waiting-rate-files"' in listed and location in listed
    assert "Rates file rates.xlsx (5 rates), uploaded by mptf_officer on" in listed
    assert "Record 4 rates" in colleague.get(location).get_data(as_text=True)

    done = _confirm(colleague, location)
    assert done.status_code == 302 and done.headers["Location"] == "/contributions/rates"
    rates_page = colleague.get("/contributions/rates").get_data(as_text=True)
    assert "4 rates imported: 3 new, 1 corrected." in rates_page
    assert _rates() == {("EUR", "2018-05"): D("0.941"), ("EUR", "2018-06"): D("0.857"),
                        ("JPY", "2018-05"): D("110.25"), ("KWD", "2018-06"): D("0.30195"),
                        ("CHF", "2018-06"): D("0.99")}
    actions = [e.action for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))][-5:]
    assert sorted(actions[:4]) == ["exchange_rate.create"] * 3 + ["exchange_rate.update"]
    assert actions[4] == "exchange_rate.import"
    # Posted once: a second confirmation records nothing.
    before = table_counts(db)
    again = colleague.post(location + "/confirm", data={"seen": "x"})
    assert again.status_code == 200
    assert "This file has already been imported or withdrawn." in again.get_data(as_text=True)
    assert changed_counts(before, table_counts(db)) == {}


def test_the_import_reads_as_a_sentence_in_the_audit_trail(app, db, officer, colleague, login_as):
    location, _page = _preview(officer, workbook(GOOD), name="june-rates.xlsx")
    _confirm(colleague, location)
    login_as("auditor")
    html = officer.get("/admin/audit", query_string={"action": "exchange_rate.import"}).get_data(as_text=True)
    assert "4 rates imported by mptf_officer2 from june-rates.xlsx: 3 new, 1 corrected." in html
    html = officer.get("/admin/audit", query_string={"action": "rate_import.upload"}).get_data(as_text=True)
    assert ("mptf_officer uploaded the rates file june-rates.xlsx; it waits for a second MPTF officer."
            in html)


def test_a_csv_file_with_semicolons_and_a_byte_order_mark(app, db, officer, colleague):
    text = "Currency;Month;Rate\r\nEUR;2018-07;0.861\r\nJPY;2018-07;\"110.5\"\r\n;;\r\n"
    location, _page = _preview(officer, csv_file(text), name="july.csv")
    assert _confirm(colleague, location).status_code == 302
    assert (_rates()[("EUR", "2018-07")], _rates()[("JPY", "2018-07")]) == (D("0.861"), D("110.5"))


POINT = "Write the rate with a point before its decimals, such as 0.941."


@pytest.mark.parametrize("row, column, message", [
    (("EUR", "2018-07", "0"), "Rate", "The rate must be greater than zero."),
    (("EUR", "2018-07", "-0.9"), "Rate", POINT),
    (("EUR", "2018-07", "0,861"), "Rate", POINT),
    (("EUR", "2018-07", "1e3"), "Rate", POINT),
    (("EUR", "2018-07", "０.８６"), "Rate", POINT),
    (("EUR", "2018-07", "0.1234567"), "Rate", "A rate has at most 6 decimal places."),
    (("EUR", "2018-07", ""), "Rate", "Enter the rate."),
    (("EUR", "July 2018", "0.86"), "Month", "Write the month as YYYY-MM"),
    (("EUR", "2018-13", "0.86"), "Month", "Write the month as YYYY-MM"),
    (("EUR", dt.date(2018, 7, 15), "0.86"), "Month", "Write the month as YYYY-MM"),
    (("EUR", "1901-01", "0.86"), "Month", "Choose a month between 1945 and 2100."),
    (("USD", "2018-07", "1"), "Currency", "The US dollar is always at rate 1"),
    (("DDM", "2018-07", "1.7"), "Currency", "“DDM” is not the code of a current currency"),
    (("EURO", "2018-07", "0.86"), "Currency", "not the code of a current currency"),
    (("EUR", "2018-06", "0.86"), "Month", "EUR for June 2018 is already on row 2 of this file."),
])
def test_one_bad_row_refuses_every_row(app, db, officer, row, column, message):
    rows = [("EUR", "2018-06", "0.857"), ("JPY", "2018-06", "110.1"), row]
    before = table_counts(db)
    answer = _upload(officer, workbook(rows))
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    problems = _problems(html)
    assert [(r, c) for r, c, _m in problems] == [("4", column)] and message in problems[0][2], problems
    assert "Nothing was imported: 1 problem" in html
    assert changed_counts(before, table_counts(db)) == {}  # not even the file is kept


def test_a_file_that_is_not_a_table_of_rates_is_refused_beside_the_field(app, db, officer):
    before = table_counts(db)
    for data, name, message in (
            (b"Currency,Month,Rate\nEUR,2018-07,0.86\n", "rates.txt", "Upload an .xlsx workbook or a .csv"),
            (b"\x89PNG\r\n\x1a\n", "rates.xlsx", "This is not an .xlsx workbook."),
            ("Currency,Month,Rate\nEUR,2018-07,0.86\n".encode("utf-16"), "rates.csv", "not in UTF-8"),
            (b"Currency,Month,Rate\nEUR,2018-07,0.8\x006\n", "rates.csv", "not a CSV file of text"),
            (b"Currency,Month,Rate\n" + b"EUR,2018-07,0.86\n" * 150_000, "rates.csv", "larger than 2 MB"),
            (b"Currency,Month,Rate\n\"EUR,2018-07,0.86\n", "rates.csv", "could not be read"),
            (b"Money,When,Rate\nEUR,2018-07,0.86\n", "rates.csv", "The header row has no “Currency” column."),
            (b"Currency,Month,Rate\n", "rates.csv", "The file has no rates below its header row."),
            (workbook([("EUR", "2018-07", 0.86)] * 0), "rates.xlsx", "no rates below its header row")):
        answer = _upload(officer, data, name)
        assert answer.status_code == 200, (name, message)
        assert message in error_beside(answer.get_data(as_text=True), "file"), (name, message)
    assert changed_counts(before, table_counts(db)) == {}


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app, db, officer):
    """The workbook goes through the deposit import's checks: a sheet that unpacks to
    hundreds of MB is refused from the zip's directory."""
    data, out = workbook([("EUR", "2018-07", 0.86)]), io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            xml = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, tail = xml.split(b"</sheetData>")
                with target.open(info.filename, "w", force_zip64=True) as stream:
                    stream.write(head)
                    for _ in range(300):
                        stream.write(b"<row><c t=\"inlineStr\"><is><t>EUR</t></is></c></row>" * 20_000)
                    stream.write(b"</sheetData>" + tail)
            else:
                target.writestr(info, xml)
    bomb = out.getvalue()
    assert len(bomb) < 3 * 1024 * 1024
    before = table_counts(db)
    answer = _upload(officer, bomb)
    assert "unpack" in error_beside(answer.get_data(as_text=True), "file")
    assert changed_counts(before, table_counts(db)) == {}


def test_the_sheet_named_rates_is_read_and_headers_may_be_in_the_users_language(app, db, officer, users):
    location, page = _preview(officer, workbook([("EUR", "2018-08", 0.87)], first_sheet="Notes"))
    assert [r[1:] for r in table_rows(page, "rates-new")] == [["EUR", "August 2018", "0.87"]]
    users["mptf_officer"].locale = "fr"
    db.session.commit()
    french = workbook([("EUR", "2018-09", 0.88)], header=("Monnaie", "Mois", "Taux"))
    location, page = _preview(officer, french)
    assert "septembre 2018" in page


def test_a_file_headed_in_one_language_is_confirmed_by_an_officer_reading_another(app, db, officer,
                                                                                  colleague, users):
    """The help names the columns in its reader's language; the file is read again when a
    colleague confirms it, maybe in another: the headers of every language of the app are
    read in every language (a French file confirmed in English was refused: no "Currency"
    column)."""
    users["mptf_officer"].locale = "fr"
    db.session.commit()
    help_text = officer.get("/contributions/rates/import").get_data(as_text=True)
    assert "Monnaie" in help_text and "Mois" in help_text and "Taux" in help_text
    french = workbook([("EUR", "2018-09", 0.88)], header=("Monnaie", "Mois", "Taux"))
    location, _page = _preview(officer, french)
    assert _confirm(colleague, location).status_code == 302  # the colleague reads English
    assert _rates()[("EUR", "2018-09")] == D("0.88")
    # Spanish and Arabic headers as their help names them, read by an English officer
    for header in (("Moneda", "Mes", "Tipo de cambio"), ("العملة", "الشهر", "سعر الصرف")):
        users["mptf_officer"].locale = {"Moneda": "es"}.get(header[0], "ar")
        db.session.commit()
        assert all(h in officer.get("/contributions/rates/import").get_data(as_text=True) for h in header)
        location, _page = _preview(colleague, workbook([("EUR", "2018-10", 0.9)], header=header))
        assert _confirm(officer, location).status_code == 302
        assert _rates()[("EUR", "2018-10")] == D("0.9")
        db.session.execute(sa.delete(ExchangeRate).where(ExchangeRate.month == dt.date(2018, 10, 1)))
        db.session.commit()


def test_another_officer_confirms_an_upload_and_its_uploader_may_withdraw_it(app, db, officer, colleague,
                                                                              login_as):
    """Nobody alone sets the rates: the file waits for a second MPTF officer, whom its
    uploader cannot be; until then its uploader may withdraw it, and then nobody
    imports it. No other role sees it or confirms it."""
    location, _page = _preview(officer, workbook([("EUR", "2018-08", 0.87)]))
    assert colleague.get(location).status_code == 200
    for role in ("admin", "auditor", "srsg_staff", "donor"):
        other = browser_of(app, role)
        assert other.get("/contributions/rates/import").status_code == 403
        assert other.get(location).status_code == 403
        assert other.post(location + "/confirm", data={"seen": "x"}).status_code == 403
    # A colleague refuses it only with a reason, said beside it; its uploader withdraws it,
    # and it is then never imported.
    answer = colleague.post(location + "/withdraw", data={"reason": ""})
    assert error_beside_reason(answer.get_data(as_text=True), location + "/withdraw") == \
        "Say why the file is refused."
    answer = officer.post(location + "/withdraw", data={}, follow_redirects=True)
    assert "Rates file withdrawn: nothing was imported." in answer.get_data(as_text=True)
    assert 'id="waiting-rate-files"' not in colleague.get("/contributions/rates").get_data(as_text=True)
    assert "This file was withdrawn on" in colleague.get(location).get_data(as_text=True)
    answer = colleague.post(location + "/confirm", data={"seen": "x"})
    assert "This file has already been imported or withdrawn." in answer.get_data(as_text=True)
    assert ("EUR", "2018-08") not in _rates()
    assert db.session.scalar(sa.select(RateImport.posted_at)) is None


def test_another_officer_refuses_a_file_with_a_reason(app, db, officer, colleague):
    location, _page = _preview(officer, workbook([("EUR", "2018-08", 0.87)]))
    answer = colleague.post(location + "/withdraw", data={"reason": "Not the UN's August table"},
                            follow_redirects=True)
    assert "Rates file refused: nothing was imported." in answer.get_data(as_text=True)
    page = officer.get(location).get_data(as_text=True)
    assert "This file was refused on" in page
    assert "Not the UN&#39;s August table Nothing was imported." in page
    assert 'id="waiting-rate-files"' not in officer.get("/contributions/rates").get_data(as_text=True)
    assert ("EUR", "2018-08") not in _rates()


def _seen(html: str) -> str:
    found = re.search(r'name="seen"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="seen"', html)
    assert found, "the preview's confirmation carries what it showed"
    return found.group(1)


def _confirm(client, location):
    """Confirm as a browser does: the preview page's form, with what it showed (a
    page without it, e.g. once posted or refused, posts none)."""
    page = client.get(location)
    seen = _seen(page.get_data(as_text=True)) if 'name="seen"' in page.get_data(as_text=True) else None
    return client.post(location + "/confirm", data={} if seen is None else {"seen": seen})


def test_a_confirmation_after_a_colleague_changed_a_rate_is_refused(app, db, officer, colleague):
    """The preview says the file corrects May's yen from 109.66 to 110.25. A colleague
    corrects May's yen to 111.5 before the officer confirms: confirming would overwrite
    a rate the officer never saw. Nothing is imported; the page shows the rates as they
    are now, and confirming them records the file."""
    location, page = _preview(officer, workbook([("JPY", "2018-05", 110.25), ("EUR", "2018-06", "0.857")]))
    assert [[" ".join(c.split()) for c in r] for r in table_rows(page, "rates-corrected")] == [
        ["2", "JPY", "May 2018", "109.66", "110.25"]]
    seen = _seen(colleague.get(location).get_data(as_text=True))
    confirmed.set_rate(None, "JPY", dt.date(2018, 5, 1), "111.5")  # a colleague's correction
    db.session.commit()
    before = table_counts(db)

    answer = colleague.post(location + "/confirm", data={"seen": seen})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "The rates on file changed since this preview" in html and "nothing was imported" in html
    assert changed_counts(before, table_counts(db)) == {}
    assert _rates()[("JPY", "2018-05")] == D("111.5") and ("EUR", "2018-06") not in _rates()
    assert db.session.scalar(sa.select(RateImport.posted_at)) is None
    assert [[" ".join(c.split()) for c in r] for r in table_rows(html, "rates-corrected")] == [
        ["2", "JPY", "May 2018", "111.5", "110.25"]]

    assert colleague.post(location + "/confirm", data={"seen": _seen(html)}).status_code == 302
    assert (_rates()[("JPY", "2018-05")], _rates()[("EUR", "2018-06")]) == (D("110.25"), D("0.857"))


def test_a_confirmation_without_what_the_preview_showed_is_refused(app, db, officer, colleague):
    """A confirmation that does not carry the preview's rates (a hand-made post, a tab
    opened before the page carried them) would set rates nobody saw: it is refused like
    a stale one, nothing is written, and the page shows the preview to confirm."""
    location, _page = _preview(officer, workbook([("JPY", "2018-05", 110.25)]))
    before = table_counts(db)
    for data in ({}, {"seen": ""}):
        answer = colleague.post(location + "/confirm", data=data)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "The rates on file changed since this preview" in html
        assert changed_counts(before, table_counts(db)) == {} and _rates()[("JPY", "2018-05")] == D("109.66")
        assert db.session.scalar(sa.select(RateImport.posted_at)) is None and _seen(html)
    assert _confirm(colleague, location).status_code == 302
    assert _rates()[("JPY", "2018-05")] == D("110.25")


def test_a_month_a_colleague_set_meanwhile_is_not_overwritten_unseen(app, db, officer, colleague):
    """The preview showed June's euro as a new rate; a colleague enters June's euro
    before the confirmation: the file would now correct it, which the page never said."""
    location, page = _preview(officer, workbook([("EUR", "2018-06", "0.857")]))
    assert [r[1:] for r in table_rows(page, "rates-new")] == [["EUR", "June 2018", "0.857"]]
    seen = _seen(colleague.get(location).get_data(as_text=True))
    confirmed.set_rate(None, "EUR", dt.date(2018, 6, 1), "0.86")
    db.session.commit()

    html = colleague.post(location + "/confirm", data={"seen": seen}).get_data(as_text=True)
    assert "The rates on file changed since this preview" in html
    assert _rates()[("EUR", "2018-06")] == D("0.86")
    assert [[" ".join(c.split()) for c in r] for r in table_rows(html, "rates-corrected")] == [
        ["2", "EUR", "June 2018", "0.86", "0.857"]]


def test_a_closed_years_rates_stay_as_they_were(app, db, officer):
    """Its figures in US dollars were reported with them: neither the form nor a file
    corrects, adds or moves away a rate of a closed year (or of a year before it)."""
    from tests.factories import base_users
    from trustfund.closure.years import close_year

    may = confirmed.set_rate(None, "EUR", dt.date(2017, 5, 1), "0.941")
    db.session.commit()
    close_year(base_users()["admin"], 2017, report_reference="Annual financial report 2017")
    db.session.commit()
    before = table_counts(db)
    refused = "is in or before a closed year: its rates stay as they were"
    for data in ({"currency": "EUR", "month": "2017-05", "rate": "0.5", "version": may.version},
                 {"currency": "EUR", "month": "2019-05", "rate": "0.5", "version": may.version}):
        page = officer.post(f"/contributions/rates/{may.id}/edit", data=data).get_data(as_text=True)
        assert refused in error_beside(page, "month")
    page = officer.post("/contributions/rates/new", data={"currency": "EUR", "month": "2017-06",
                                                          "rate": "0.9"}).get_data(as_text=True)
    assert refused in error_beside(page, "month")
    problems = _problems(_upload(officer, workbook([("EUR", "2016-12", "0.95"),
                                                    ("EUR", "2018-07", "0.86")])).get_data(as_text=True))
    assert [(row, column) for row, column, _message in problems] == [("2", "Month")]
    assert "December 2016 is in or before a closed year" in problems[0][2]
    assert changed_counts(before, table_counts(db)) == {}
    assert _rates()[("EUR", "2017-05")] == D("0.941")
    # Nor does the rates page ask for a closed year's missing months.
    listed = re.findall(r'<li data-currency="[A-Z]{3}">(.*?)</li>',
                        officer.get("/contributions/rates").get_data(as_text=True), re.DOTALL)
    assert listed and not [item for item in listed if "2017" in item], listed
    # The open year's rates are corrected as before.
    assert officer.post("/contributions/rates/new", data={"currency": "EUR", "month": "2018-07",
                                                          "rate": "0.86"}).status_code == 302
