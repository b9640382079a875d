"""Importing deposits from .xlsx: every row checked, all rows or none; the page shows
what the import will do before anything is recorded, and records it once confirmed;
the same import from the command line."""
import datetime as dt
import io
import re
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from tests.factories.contributions import (
    commitment,
    counts,
    deposit,
    donor,
    pool_figures,
    sweden,
)
from tests.pages import error_beside, table_rows
from tests.sql_log import untimed
from trustfund.audit import AuditEntry
from trustfund.auth.models import User
from trustfund.contributions import confirmed, services
from trustfund.contributions.models import Commitment, Deposit, DepositImport
from trustfund.errors import DomainError

D = Decimal
HEADER = ("Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference",
          "Separate transfer note")


def workbook(rows, header=HEADER) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Deposits")
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(client, data: bytes, name="deposits.xlsx"):
    return client.post("/contributions/deposits/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _preview(client, data: bytes):
    """Upload a clean file: its preview's address and page."""
    response = _upload(client, data)
    assert response.status_code == 302, _problems(response.get_data(as_text=True))
    location = response.headers["Location"]
    assert re.fullmatch(r"/contributions/deposits/import/[\w-]{40,}", location), location
    return location, client.get(location).get_data(as_text=True)


def _seen(html: str) -> str | None:
    """The fingerprint the preview's confirmation carries (None on a page without it)."""
    found = re.search(r'name="seen"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="seen"', html)
    return found.group(1) if found else None


def _confirm(client, location):
    """Confirm as a browser does: the preview page's form, with what it showed."""
    seen = _seen(client.get(location).get_data(as_text=True))
    return client.post(location + "/confirm", data={} if seen is None else {"seen": seen})


def _import(client, data: bytes):
    location, _page = _preview(client, data)
    response = _confirm(client, location)
    assert response.status_code == 302, _problems(response.get_data(as_text=True))
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _problems(html: str) -> list[tuple[str, str, str]]:
    if 'id="import-errors"' not in html:
        return []
    return [tuple(row) for row in table_rows(html, "import-errors")]


def _written() -> dict[str, int]:
    """Rows of the tables an import writes (the kept upload aside)."""
    return {name: rows for name, rows in counts().items()}


def _setup():
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    # April's UN rates: a typed rate of May is held to them (May has none).
    confirmed.set_rate(None, "CHF", dt.date(2018, 4, 1), "0.975")
    confirmed.set_rate(None, "JPY", dt.date(2018, 4, 1), "109.9")
    eur = commitment("EUR", "1500000.00", reference="SE-EUR-1")
    chf = commitment("CHF", "100000.00", who=donor(), reference="CH-1", objective_number=1)
    jpy = commitment("JPY", "50000000", reference="SE-JPY")
    return eur, chf, jpy


GOOD_ROWS = [
    ("SE-EUR-1", dt.datetime(2018, 5, 10), 1000000, "EUR", None, None, "SEB/1", None),  # table rate 0.941
    ("ch-1", "2018-05-11", 50000.5, None, 0.97, "Bank rate", "UBS/2", None),
    ("#{jpy}", dt.date(2018, 5, 12), 11050000, "JPY", 110.5, "Donor's rate", "+41-UBS/3", None),
    (None, None, None, None, None, None, None, None),  # a blank row is skipped
    ("SE-EUR-1", "2018-05-13", "250,000.00", "EUR", "0.941", "", "", None),
]


def _good_rows(jpy):
    return [tuple(f"#{jpy.id}" if v == "#{jpy}" else v for v in row) for row in GOOD_ROWS]


def test_the_preview_shows_what_the_import_will_do_and_writes_nothing(app, db, client, login_as):
    login_as("mptf_officer")
    _eur, _chf, jpy = _setup()
    before, figures = _written(), pool_figures()
    location, page = _preview(client, workbook(_good_rows(jpy)))
    assert "4 deposits" in page and "Record 4 deposits" in page
    assert table_rows(page, "import-currencies") == [
        ["CHF", "1", "CHF 50,000.50", "51,546.91", "515.47", "51,031.44"],
        ["EUR", "2", "EUR 1,250,000.00", "1,328,374.07", "13,283.74", "1,315,090.33"],
        ["JPY", "1", "JPY 11,050,000", "100,000.00", "1,000.00", "99,000.00"],
        ["All (USD)", "4", "", "USD 1,479,920.98", "USD 14,799.21", "USD 1,465,121.77"]]
    by_pool = {row[0]: row[1:] for row in table_rows(page, "import-pools")}
    assert by_pool == {"Un-earmarked": ["3", "1,428,374.07", "14,283.74", "1,414,090.33"],
                       next(k for k in by_pool if k.startswith("1.")): ["1", "51,546.91", "515.47",
                                                                        "51,031.44"]}
    assert [row[0] for row in table_rows(page, "import-rows")] == ["2", "3", "4", "6"]
    # Neither the upload nor its preview recorded anything: only the file is kept.
    assert _written() == before and pool_figures() == figures
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DepositImport)) == 1
    # The same preview, again (but for the CSRF tokens' signing second).
    assert untimed(client.get(location).get_data(as_text=True)) == untimed(page)


def test_confirming_records_every_row_once(app, db, client, login_as):
    login_as("mptf_officer")
    eur, _chf, jpy = _setup()
    location, _page = _preview(client, workbook(_good_rows(jpy)))
    response = _confirm(client, location)
    assert response.status_code == 302
    assert "4 deposits imported" in client.get(response.headers["Location"]).get_data(as_text=True)
    rows = db.session.scalars(sa.select(Deposit).order_by(Deposit.id)).all()
    assert [(r.currency, r.amount, r.usd_amount) for r in rows] == [
        ("EUR", D("1000000.00"), D("1062699.26")), ("CHF", D("50000.50"), D("51546.91")),
        ("JPY", D("11050000"), D("100000.00")), ("EUR", D("250000.00"), D("265674.81"))]
    assert rows[2].bank_reference == "+41-UBS/3" and rows[2].reference_key == "+41-ubs/3"
    assert db.session.get(Commitment, eur.id).deposited == D("1250000.00")
    # One audit entry per deposit, as a typed-in deposit has, and one for the import.
    created = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "deposit.create")
                                 .order_by(AuditEntry.id)).all()
    assert [int(e.object_id) for e in created] == [r.id for r in rows]
    assert created[1].after["amount"] == "50000.50" and created[1].after["rate_note"] == "Bank rate"
    # The entry record() writes for a deposit typed in: its every column (the amount at
    # the currency's decimals, as recorded, where the column reads back with three).
    from trustfund.audit import snapshot
    differ = [(k, e.after[k], snapshot(r)[k]) for e, r in zip(created, rows, strict=True)
              for k in snapshot(r) if e.after.get(k) != snapshot(r)[k]]
    assert differ and all(k == "amount" and D(a) == D(b) for k, a, b in differ), differ
    assert all(e.before is None and e.user_id is not None for e in created)
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "deposit.import")) == 1
    from trustfund.ledger_check import run_checks as problems
    assert problems() == []
    # Confirming again (a double click, another tab) records nothing more.
    before = _written()
    again = _confirm(client, location)
    assert again.status_code == 200 and "This file has already been imported." in again.get_data(as_text=True)
    assert _written() == before
    assert "This file was imported on" in client.get(location).get_data(as_text=True)


def test_the_preview_lists_every_problem_and_duplicate_and_nothing_is_kept(app, db, client, login_as):
    login_as("mptf_officer")
    eur, chf, _jpy = _setup()
    held = deposit(eur, D("1000.00"), rate=D("0.941"))
    held.bank_reference, held.reference_key = "SEB 2018/77", "seb2018/77"
    db.session.commit()
    before, figures = _written(), pool_figures()
    data = workbook([
        ("SE-EUR-1", "2018-05-10", 10, None, None, None, " seb2018/77", None),         # 2: held by a deposit
        ("SE-EUR-1", "2018-05-10", 11, None, None, None, "SEB 2018/77", "Second transfer, same advice"),
        ("SE-EUR-1", "2018-05-10", 12, None, None, None, "UBS-9", None),               # 4: fine
        ("SE-EUR-1", "2018-05-10", 13, None, None, None, " ubs -9", None),             # 5: as row 4
        ("SE-EUR-1", "2999-01-01", 14, None, None, None, "UBS-10", None),              # 6: future
    ])
    response = _upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported: 3 problems" in html, _problems(html)
    assert _problems(html) == [
        ("2", "Bank reference", f"Deposit #{held.id} (EUR 1,000.00, value date 10 May 2018) already has "
                                "this bank reference. If this is a separate transfer, say why in the "
                                "“Separate transfer note” column."),
        ("5", "Bank reference", "Row 4 of this file already has this bank reference. If this is a separate "
                                "transfer, say why in the “Separate transfer note” column."),
        ("6", "Value date", "The value date cannot be in the future.")]
    assert table_rows(html, "import-duplicates") == [
        ["2", "seb2018/77", f"Deposit #{held.id}", "Refused"],
        ["3", "SEB 2018/77", f"Deposit #{held.id}", "Recorded as a separate transfer: Second transfer, "
                                                     "same advice"],
        ["5", "ubs -9", "Row 4 of this file", "Refused"]]
    assert f'href="/contributions/deposits/{held.id}"' in html
    assert _written() == before and pool_figures() == figures
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DepositImport)) == 0
    assert chf.deposited == 0


def test_a_marked_separate_transfer_is_recorded_with_its_note(app, db, client, login_as):
    login_as("mptf_officer")
    eur, _chf, _jpy = _setup()
    held = deposit(eur, D("1000.00"), rate=D("0.941"))
    held.bank_reference, held.reference_key = "SEB/5", "seb/5"
    db.session.commit()
    _import(client, workbook([("SE-EUR-1", "2018-05-10", 10, None, None, None, "seb/5", "Two transfers")]))
    new = db.session.scalar(sa.select(Deposit).where(Deposit.id != held.id))
    assert (new.separate_transfer, new.separate_note, new.reference_key) == (True, "Two transfers", "seb/5")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "deposit.create",
                                                          AuditEntry.object_id == str(new.id)))
    assert entry.note == "Two transfers" and entry.after["separate_transfer"] is True


def test_confirming_checks_the_ledger_again(app, db, client, login_as):
    """Someone records a deposit with the file's bank reference between the preview and
    the confirmation: nothing is imported, and the preview says why."""
    login_as("mptf_officer")
    eur, _chf, _jpy = _setup()
    location, _page = _preview(client, workbook([("SE-EUR-1", "2018-05-10", 10, None, None, None, "SEB/9",
                                                  None)]))
    meanwhile = services.record_deposit(None, eur, value_date=dt.date(2018, 5, 10), amount="5",
                                        bank_reference="seb/9")
    db.session.commit()
    before = _written()
    response = _confirm(client, location)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported: the file no longer passes" in html
    assert _problems(html)[0][:2] == ("2", "Bank reference") and f"Deposit #{meanwhile.id}" in html
    assert _written() == before
    assert db.session.scalar(sa.select(DepositImport.posted_at)) is None


def test_a_confirmation_after_the_figures_changed_is_refused(app, db, client, login_as):
    """The preview says what the import will record (a row without a rate takes the
    month's rate: EUR 10,000.00 at 0.941 is USD 10,626.99). An officer corrects May's
    rate before the confirmation: the import must not record other figures than the
    page showed. Nothing is imported; the page shows the figures as they are now, and
    confirming them records them."""
    login_as("mptf_officer")
    _setup()
    location, page = _preview(client, workbook([("SE-EUR-1", "2018-05-10", 10000, None, None, None,
                                                 "SEB/10", None)]))
    assert "10,626.99" in page
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', page) or re.search(
        r'value="([^"]*)"[^>]*name="seen"', page)
    assert seen, "the preview's confirmation carries what it showed"
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.95")  # a colleague's correction
    db.session.commit()
    before = _written()

    response = client.post(location + "/confirm", data={"seen": seen.group(1)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "The figures changed since this preview" in html
    assert "nothing was imported. The preview below shows what the file will do now" in html
    assert _written() == before and db.session.scalar(sa.select(DepositImport.posted_at)) is None
    assert "10,526.32" in html and "10,626.99" not in html

    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="seen"', html)
    assert client.post(location + "/confirm", data={"seen": seen.group(1)}).status_code == 302
    assert db.session.scalar(sa.select(Deposit.usd_amount).where(Deposit.bank_reference == "SEB/10")) \
        == D("10526.32")


def test_a_confirmation_without_what_the_preview_showed_is_refused(app, db, client, login_as):
    """A confirmation that does not carry the preview's figures (a hand-made post, a
    tab opened before the page carried them) would record figures nobody saw: it is
    refused like a stale one, nothing is written, and the page shows the preview to
    confirm."""
    login_as("mptf_officer")
    _setup()
    location, _page = _preview(client, workbook([("SE-EUR-1", "2018-05-10", 10000, None, None, None,
                                                  "SEB/11", None)]))
    before = _written()
    for data in ({}, {"seen": ""}):
        response = client.post(location + "/confirm", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "The figures changed since this preview" in html
        assert _written() == before and db.session.scalar(sa.select(DepositImport.posted_at)) is None
        assert "10,626.99" in html and _seen(html)
    assert _confirm(client, location).status_code == 302
    assert db.session.scalar(sa.select(Deposit.usd_amount).where(Deposit.bank_reference == "SEB/11")) \
        == D("10626.99")


def test_another_officer_cannot_see_or_confirm_an_upload(app, db, client, login_as):
    from tests.factories import make_user

    login_as("mptf_officer")
    _setup()
    location, _page = _preview(client, workbook([("SE-EUR-1", "2018-05-10", 10, None, None, None, "", None)]))
    login_as(make_user("mptf_officer", "second.officer@test.example"))
    assert client.get(location).status_code == 404
    assert _confirm(client, location).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 0


def test_a_file_over_the_page_limit_is_refused_with_the_command(app, db, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_PAGE_MAX_ROWS", 3)
    login_as("mptf_officer")
    _setup()
    before = _written()
    rows = [("SE-EUR-1", "2018-05-10", 10 + i, None, None, None, f"R{i}", None) for i in range(4)]
    html = _upload(client, workbook(rows)).get_data(as_text=True)
    assert error_beside(html, "file") == (
        "This workbook has 4 deposits; an import through this page may hold 3. Ask whoever runs the server "
        "to import it with the command: flask --app trustfund import-deposits FILE --user EMAIL")
    assert _written() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DepositImport)) == 0
    assert _upload(client, workbook(rows[:3])).status_code == 302


@pytest.mark.slow
def test_ten_thousand_rows_through_the_page(app, db, client, login_as):
    """The page's largest import: uploaded, previewed and confirmed (its time is measured
    by benchmarks/bench_import.py, not here)."""
    login_as("mptf_officer")
    big = commitment("USD", "1000000000.00", reference="BIG-USD")
    rows = [("BIG-USD", dt.date(2018, 5, 1) + dt.timedelta(days=i % 300), 100 + i % 97, "USD", None, None,
             f"BANK/{i}", None) for i in range(10_000)]
    location, page = _preview(client, workbook(rows))
    assert "Record 10000 deposits" in page
    total = D(sum(100 + i % 97 for i in range(10_000)))
    assert table_rows(page, "import-currencies")[0][:3] == ["USD", "10000", f"USD {total:,.2f}"]
    assert _confirm(client, location).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 10_000
    assert db.session.get(Commitment, big.id).deposited == total
    assert pool_figures()["UNEARMARKED"]["deposits_usd"] == total


def test_the_preview_shows_every_row_a_hundred_at_a_time(app, db, client, login_as):
    """Every row the import will record can be read before confirming, with its fee
    and pool: 250 rows are three pages of the preview."""
    login_as("mptf_officer")
    commitment("USD", "1000000.00", reference="US-ROWS")
    rows = [("US-ROWS", dt.date(2018, 5, 1), 100 + i, "USD", None, None, f"ROW/{i}", None)
            for i in range(250)]
    location, page = _preview(client, workbook(rows))
    first = table_rows(page, "import-rows")
    assert len(first) == 100 and first[0][0] == "2" and first[-1][0] == "101"
    assert [" ".join(cell.split()) for cell in first[0][4:]] == [
        "USD 100.00", "1", "100.00", "1.00 (1%)", "99.00", "Un-earmarked", "ROW/0"]
    assert "Rows 1 to 100 of the 250 to record" in page and "Page 1 of 3" in page
    last = client.get(location + "?page=3").get_data(as_text=True)
    assert [row[0] for row in table_rows(last, "import-rows")] == [str(n) for n in range(202, 252)]
    assert "Rows 201 to 250 of the 250 to record" in last and "Record 250 deposits" in last
    # A page past the last shows the last.
    assert table_rows(client.get(location + "?page=99").get_data(as_text=True), "import-rows")[-1][0] == "251"


def test_one_bad_row_and_nothing_is_imported_with_every_row_error_listed(app, db, client, login_as):
    login_as("mptf_officer")
    _eur, chf, _jpy = _setup()
    deposit(chf, D("99000.00"), rate=D("0.97"))
    before, figures = counts(), pool_figures()
    data = workbook([
        ("SE-EUR-1", "2018-05-10", 1000, "EUR", None, None, ""),               # fine
        ("NOPE-9", "2018-05-10", 1000, None, None, None, ""),                    # row 3: unknown
        ("SE-JPY", "2018-05-10", 1000.5, None, 110, "x", ""),                    # row 4: JPY decimals
        ("CH-1", "2018-05-10", 1000.01, None, 0.97, "x", ""),                    # row 5: past commitment
        ("SE-EUR-1", "2999-01-01", 10, None, None, None, ""),                    # row 6: future
        ("SE-EUR-1", "10 May", 10, None, None, None, ""),                        # row 7: date
        ("SE-EUR-1", "2018-05-10", 10, None, 0.95, None, ""),                    # row 8: no note
        ("SE-EUR-1", "2018-05-10", 10, "CHF", None, None, ""),                   # row 9: currency
        ("SE-EUR-1", "2018-05-10", -10, None, None, None, ""),                   # row 10: negative
        ("SE-EUR-1", "2018-04-10", 10, None, None, None, ""),                    # row 11: no rate
        (None, "2018-05-10", 10, None, None, None, ""),                          # row 12: no commitment
    ], header=HEADER[:7])
    response = _upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported: 10 problems" in html
    errors = _problems(html)
    assert [(row, column) for row, column, _ in errors] == [
        ("3", "Commitment"), ("4", "Amount"), ("5", "Amount"), ("6", "Value date"), ("7", "Value date"),
        ("8", "Rate note"), ("9", "Currency"), ("10", "Amount"), ("11", "Rate"), ("12", "Commitment")]
    assert errors[-1][2] == "Enter the commitment's reference, or # and its number (for example #12)."
    assert "JPY amounts have no decimals." in errors[1][2]
    assert "only CHF" in errors[2][2] and "1,000.00 is outstanding" in errors[2][2]
    assert counts() == before and pool_figures() == figures


def test_a_row_in_a_currency_without_any_un_rate_is_refused_saying_what_to_do_first(
        app, db, client, login_as):
    """A deposit's rate is held to the UN rate; a currency without any (GBP here) takes
    no deposit, typed rate or not, until two officers have set its first UN rate. The
    row is refused in words that fit a file as well as the form: nothing is recorded
    now, the deposit can be once the rate is confirmed."""
    login_as("mptf_officer")
    _setup()
    commitment("GBP", "10000.00", reference="UK-GBP")
    before = counts()
    data = workbook([("UK-GBP", "2018-05-10", 5000, None, 0.78, "Bank advice", "", None)])
    response = _upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported: 1 problem" in html
    [(row, column, message)] = _problems(html)
    assert (row, column) == ("2", "Rate")
    assert message == ("There is no UN operational rate for GBP yet, and a deposit's rate is held to one. "
                       "Propose the UN rate of May 2018 on the exchange rates page: once another MPTF "
                       "officer confirms it, the deposit can be recorded.")
    assert counts() == before


def test_rows_that_together_pass_the_commitment_are_refused(app, db, client, login_as):
    login_as("mptf_officer")
    _setup()
    before = counts()
    data = workbook([("CH-1", "2018-05-10", 60000, None, 0.97, "x", "", None),
                     ("CH-1", "2018-05-11", 40000.01, None, 0.97, "x", "", None)])
    html = _upload(client, data).get_data(as_text=True)
    assert "Nothing was imported: 1 problem" in html and "past the commitment" in html
    assert counts() == before


def test_files_that_are_not_xlsx_are_refused_clearly(app, db, client, login_as):
    login_as("mptf_officer")
    _setup()
    before = counts()
    html = _upload(client, b"Commitment,Value date,Amount\nSE-EUR-1,2018-05-10,10\n",
                   name="deposits.csv").get_data(as_text=True)
    assert "Upload an .xlsx workbook" in error_beside(html, "file")
    html = _upload(client, b"PK\x03\x04 this is not really a zip", name="broken.xlsx").get_data(as_text=True)
    assert "could not be read" in error_beside(html, "file")
    html = _upload(client, b"just text", name="text.xlsx").get_data(as_text=True)
    assert "This is not an .xlsx workbook" in error_beside(html, "file")
    html = _upload(client, workbook([], header=("Donor", "Amount"))).get_data(as_text=True)
    assert "The header row of the sheet “Deposits” has no “Commitment” column." in html
    assert "“Value date”" in html
    html = _upload(client, workbook([])).get_data(as_text=True)
    assert "no deposits below its header row" in error_beside(html, "file")
    html = client.post("/contributions/deposits/import", data={},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose the .xlsx file to import." in error_beside(html, "file")
    assert counts() == before


def test_template_download_lists_open_commitments(app, db, client, login_as):
    login_as("mptf_officer")
    _setup()
    response = client.get("/contributions/deposits/import/template.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert tuple(c.value for c in book["Deposits"][1]) == HEADER
    refs = [r[0] for r in book["Open commitments"].iter_rows(min_row=2, values_only=True)]
    assert sorted(refs) == ["CH-1", "SE-EUR-1", "SE-JPY"]
    login_as("auditor")
    assert client.get("/contributions/deposits/import/template.xlsx").status_code == 403


def test_the_template_filled_in_imports(app, db, client, login_as):
    login_as("mptf_officer")
    _setup()
    book = load_workbook(io.BytesIO(client.get("/contributions/deposits/import/template.xlsx").data))
    sheet = book["Deposits"]
    sheet.append(["SE-EUR-1", dt.date(2018, 5, 2), 941, "EUR", None, None, "ref"])
    buffer = io.BytesIO()
    book.save(buffer)
    _import(client, buffer.getvalue())
    assert db.session.scalar(sa.select(Deposit.usd_amount)) == D("1000.00")


def test_cli_import_all_or_nothing(app, db, runner, tmp_path):
    _setup()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 1000, None, None, None, ""),
                              ("SE-JPY", "2018-05-10", 1.5, None, 110, "x", "")], header=HEADER[:7]))
    before = counts()
    result = runner.invoke(args=["import-deposits", str(bad), "--user", "officer@test.example"])
    assert result.exit_code == 1
    assert "Nothing imported: 1 problem(s)" in result.output
    assert "Row 3, Amount: JPY amounts have no decimals." in result.output
    db.session.expire_all()
    assert counts() == before
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 1000000, None, None, None, "")], header=HEADER[:7]))
    result = runner.invoke(args=["import-deposits", str(good), "--user", "officer@test.example"])
    assert result.exit_code == 0, result.output
    assert "Imported 1 deposits: USD 1,062,699.26 (net USD 1,052,072.27" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Deposit.created_by_id)) is not None
    result = runner.invoke(args=["import-deposits", str(good), "--user", "auditor@test.example"])
    assert result.exit_code != 0 and "not an active MPTF officer" in result.output
    assert sweden() is not None


def test_cli_import_names_its_officer_and_takes_a_file_once(app, db, client, login_as, runner, tmp_path):
    """The command records deposits by a named MPTF officer, never by nobody; the same
    file imported again, by the command or through the page, is refused (its rows
    without a bank reference would be recorded twice), nothing written."""
    _setup()
    path = tmp_path / "may.xlsx"
    path.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 1000, None, None, None, ""),
                               ("SE-EUR-1", "2018-05-11", 2000, None, None, None, "")], header=HEADER[:7]))
    before = counts()
    result = runner.invoke(args=["import-deposits", str(path)])
    assert result.exit_code == 2 and "Missing option '--user'" in result.output
    db.session.expire_all()
    assert counts() == before
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    officer = db.session.scalar(sa.select(User.id).where(User.email == "officer@test.example"))
    assert db.session.scalars(sa.select(Deposit.created_by_id)).all() == [officer, officer]
    imported = counts()
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code == 1
    assert "Nothing imported: this very file was imported on" in result.output
    assert "(2 deposits)" in result.output
    login_as("mptf_officer")
    response = _upload(client, path.read_bytes())
    assert response.status_code == 200
    refused = error_beside(response.get_data(as_text=True), "file")
    assert refused.startswith("This very file was imported on ") and "(2 deposits)" in refused
    db.session.expire_all()
    assert counts() == imported


def test_cli_a_problem_after_rows_were_written_leaves_nothing(app, db, runner, tmp_path, monkeypatch):
    """The command writes each deposit as soon as its row is checked: a problem found
    after two batches were written still leaves nothing, and every problem is listed."""
    from trustfund.contributions import importer

    _setup()
    monkeypatch.setattr(importer, "BATCH", 2)
    path = tmp_path / "late.xlsx"
    path.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 100, None, None, None, "A/1"),
                               ("SE-EUR-1", "2018-05-11", 100, None, None, None, "A/2"),
                               ("SE-EUR-1", "2018-05-12", 100, None, None, None, "A/3"),
                               ("SE-EUR-1", "2018-05-13", 100, None, None, None, "A/4"),
                               ("SE-JPY", "2018-05-14", 1.5, None, 110, "x", "A/5"),
                               ("SE-EUR-1", "2018-05-15", 100, None, None, None, "A/6"),
                               ("SE-EUR-1", "2018-05-16", 100, None, None, None, "a/2")], header=HEADER[:7]))
    before, figures = counts(), pool_figures()
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code == 1
    assert "Nothing imported: 2 problem(s)" in result.output
    assert "Row 6, Amount: JPY amounts have no decimals." in result.output
    assert "Row 8, Bank reference: Row 3 of this file already has this bank reference." in result.output
    db.session.expire_all()
    assert counts() == before and pool_figures() == figures
    assert db.session.scalar(sa.select(Commitment.deposited).where(Commitment.reference == "SE-EUR-1")) == 0


def test_cli_refuses_a_reference_twice_in_one_file(app, db, runner, tmp_path):
    _setup()
    path = tmp_path / "twice.xlsx"
    path.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 100, None, None, None, "FT 123", None),
                               ("SE-EUR-1", "2018-05-11", 100, None, None, None, "ft123", None)]))
    before = counts()
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code == 1
    assert "Row 3, Bank reference: Row 2 of this file already has this bank reference." in result.output
    db.session.expire_all()
    assert counts() == before


def test_the_row_cap(app, db, runner, tmp_path, monkeypatch):
    from trustfund.contributions import importer

    _setup()
    rows = [("SE-EUR-1", "2018-05-10", 941, None, None, None, f"ref {i}") for i in range(4)]
    path = tmp_path / "four.xlsx"
    path.write_bytes(workbook(rows, header=HEADER[:7]))
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    before = counts()
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code == 1 and "more than 3 deposits; split it into smaller files" in result.output
    db.session.expire_all()
    assert counts() == before


def test_numeric_cells_are_exact_whatever_the_users_language(app, db, client, login_as):
    """A number cell is a number: 1.005 stays one and five thousandths for a user
    reading the site in Spanish, where "1.005" typed as text would mean 1005."""
    login_as("mptf_officer")
    with client.session_transaction() as session:
        session["lang"] = "es"
    kwd = commitment("KWD", "10.000", reference="KW-1")
    confirmed.set_rate(None, "KWD", dt.date(2018, 4, 1), "0.301")
    db.session.commit()
    _import(client, workbook([("KW-1", "2018-05-10", 1.005, "KWD", 0.302, "Banco", "")], header=HEADER[:7]))
    row = db.session.scalar(sa.select(Deposit))
    assert (row.amount, row.rate, row.usd_amount) == (D("1.005"), D("0.302"), D("3.33"))
    assert kwd.reference == "KW-1"


def test_headers_work_in_english_whatever_the_language_and_refusals_name_the_template_header(
        app, db, client, login_as):
    user = login_as("mptf_officer")
    user.locale = "fr"
    db.session.commit()
    eur, _chf, _jpy = _setup()
    before = counts()
    missing_amount = workbook([("SE-EUR-1", dt.date(2018, 5, 10), 1000)],
                              header=("Commitment", "Value date", "Sum"))
    page = _upload(client, missing_amount).get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert "Amount" in page  # the header the file must have, as the template writes it
    assert counts() == before
    _import(client, workbook([("SE-EUR-1", dt.date(2018, 5, 10), 1000, "EUR", None, None, "")],
                             header=HEADER[:7]))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 1


# --- References as the officer wrote them -----------------------------------------
# An import finds a commitment by its reference as the officer wrote it, case and
# Unicode forms aside, on SQLite too (whose lower() folds ASCII letters only): a
# reference with an accented capital is found, two references that differ only by such
# a letter are one reference (the second refused), and a row never lands on the other
# donor's commitment. A commitment named by anything but ASCII digits after "#" is
# refused beside its row, never a server error.

@pytest.fixture
def _officer(db, login_as):
    login_as("mptf_officer")
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    db.session.commit()


def test_a_reference_with_an_accented_capital_is_found(client, db, _officer):
    austria = commitment("EUR", "100000.00", reference="ÖSTERREICH-2018")
    db.session.commit()
    location, _page = _preview(client, workbook([("Österreich-2018", "2018-05-10", 1000, "EUR", None, None,
                                                  "AT/1", None)]))
    assert _confirm(client, location).status_code == 302
    assert db.session.scalar(sa.select(Deposit.commitment_id)) == austria.id


def test_references_that_differ_by_an_accented_capital_are_one(client, db, _officer):
    swiss = commitment("EUR", "100000.00", who=donor(), reference="É-2018")
    with pytest.raises(DomainError) as refused:
        commitment("EUR", "100000.00", reference="é-2018")  # another donor's
    assert refused.value.message == "Another commitment has the reference é-2018."
    db.session.rollback()
    location, _page = _preview(client, workbook([("é-2018", "2018-05-10", 1000, "EUR", None, None,
                                                  "X/1", None)]))
    assert _confirm(client, location).status_code == 302
    assert db.session.scalar(sa.select(Deposit.commitment_id)) == swiss.id


def test_a_full_width_reference_is_the_reference(client, db, _officer):
    sweden = commitment("EUR", "100000.00", reference="SE-2018")
    location, _page = _preview(client, workbook([("ＳＥ-2018", "2018-05-10", 1000, "EUR", None, None,
                                                  "SE/1", None)]))
    assert _confirm(client, location).status_code == 302
    assert db.session.scalar(sa.select(Deposit.commitment_id)) == sweden.id


@pytest.mark.parametrize("name", ["#²", "#١"])
def test_a_commitment_named_with_other_digits_is_refused_beside_its_row(client, db, _officer, name):
    commitment("EUR", "100000.00", reference="SE-EUR-1")
    response = _upload(client, workbook([(name, "2018-05-10", 1000, "EUR", None, None, "A/1", None)]))
    assert response.status_code == 200
    [(row, column, message)] = _problems(response.get_data(as_text=True))
    assert (row, column) == ("2", "Commitment")
    assert name in message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 0


# --- The same file twice ---------------------------------------------------------
# A file uploaded again (another tab, or thinking the first had failed) is refused: its
# rows without a bank reference would be recorded twice.

NO_BANK_REFERENCE = [("SE-EUR-1", "2018-05-10", 1000, "EUR", None, None, None, None),
                     ("SE-EUR-1", "2018-05-11", 2000, "EUR", None, None, None, None)]


def test_a_file_already_imported_is_refused_beside_the_file(client, db, _officer):
    c = commitment("EUR", "100000.00", reference="SE-EUR-1")
    data = workbook(NO_BANK_REFERENCE)
    _import(client, data)
    response = _upload(client, data)
    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), "file").startswith(
        "This very file was imported on ")
    assert "(2 deposits): importing it again would record its deposits twice." in \
        error_beside(response.get_data(as_text=True), "file")
    db.session.expire_all()
    assert db.session.get(Commitment, c.id).deposited == Decimal("3000.000")


def test_the_same_file_previewed_twice_is_imported_once(client, db, _officer):
    c = commitment("EUR", "100000.00", reference="SE-EUR-1")
    data = workbook(NO_BANK_REFERENCE)
    first, _page = _preview(client, data)
    second, _page = _preview(client, data)  # another tab, before the first was confirmed
    assert _confirm(client, first).status_code == 302
    before = _written()
    refused = _confirm(client, second)
    assert refused.status_code == 200
    assert "importing it again would record its deposits twice. Nothing was imported." in \
        refused.get_data(as_text=True)
    assert _written() == before
    db.session.expire_all()
    assert db.session.get(Commitment, c.id).deposited == Decimal("3000.000")


def test_a_file_changed_since_is_another_file(client, db, _officer):
    c = commitment("EUR", "100000.00", reference="SE-EUR-1")
    _import(client, workbook(NO_BANK_REFERENCE))
    _import(client, workbook(NO_BANK_REFERENCE[:1]))  # the first row again, on its own: a new file
    db.session.expire_all()
    assert db.session.get(Commitment, c.id).deposited == Decimal("4000.000")


# `flask --app trustfund import-deposits` refuses what the page refuses, in words (a
# colleague's review of the commands): a financially closed fund ended in the guard's
# traceback; on SQLite a deposit recorded on the page while the command read its next
# ids took one of them, and the command ended in an IntegrityError.
def test_import_into_a_financially_closed_fund_is_refused_with_a_sentence_not_a_traceback(
        app, db, runner, tmp_path):
    """The page's confirmation answers "The fund is financially closed..." (run() catches the
    guard's DomainError); the command lets the guard's FundClosed escape as a traceback."""
    _setup()
    db.session.commit()
    db.session.execute(sa.text("UPDATE fund SET status = 'financially_closed', financially_closed_at = :t"),
                       {"t": dt.datetime(2019, 6, 1)})
    db.session.commit()
    path = tmp_path / "late.xlsx"
    path.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 1000, None, None, None, "")], header=HEADER[:7]))
    before = counts()
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    db.session.rollback()
    assert counts() == before
    assert result.exit_code == 1
    # A clean refusal (click.ClickException -> SystemExit(1)), not an uncaught exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "The fund is financially closed" in result.output, result.output


def test_a_deposit_recorded_on_the_page_during_a_command_import_does_not_crash_it(
        app, db, runner, tmp_path, monkeypatch, backend):
    """On SQLite the command's import took the next deposit ids as max(id) + 1 before its
    transaction held the write lock (pysqlite begins a transaction at the first write;
    the page's confirmation writes DepositImport first, the command did not): an
    officer's deposit on the page at that moment took the same id."""
    from tests.factories.contributions import commitment, deposit
    from trustfund.contributions import importer

    _setup()
    other = commitment("USD", "5000.00", reference="US-1")
    db.session.commit()
    path = tmp_path / "may.xlsx"
    path.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 1000, None, None, None, "")], header=HEADER[:7]))
    original = importer._new_ids
    workers = []
    other_id = other.id

    def new_ids_then_a_page_deposit(count):
        ids = original(count)

        def page():  # another worker, its own session
            with app.app_context():
                from trustfund.contributions.models import Commitment
                deposit(db.session.get(Commitment, other_id), "100.00")
                db.session.remove()

        worker = threading.Thread(target=page)
        worker.start()
        worker.join(timeout=1)  # it waits for the import's write lock (SQLite) or is done (PostgreSQL)
        workers.append(worker)
        return ids

    monkeypatch.setattr(importer, "_new_ids", new_ids_then_a_page_deposit)
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    workers[0].join(timeout=60)
    db.session.expire_all()
    from trustfund.contributions.models import Deposit
    # the file's deposit and the page's
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 2
