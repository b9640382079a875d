"""Importing deposits from .xlsx: every row checked, all rows or none; the same
import from the command line."""
import datetime as dt
import io
from decimal import Decimal

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
from trustfund.contributions import services
from trustfund.contributions.models import Commitment, Deposit

D = Decimal
HEADER = ("Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference")


def workbook(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Deposits"
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(client, data: bytes, name="deposits.xlsx"):
    return client.post("/contributions/deposits/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _setup():
    services.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    eur = commitment("EUR", "1500000.00", reference="SE-EUR-1")
    chf = commitment("CHF", "100000.00", who=donor(), reference="CH-1")
    jpy = commitment("JPY", "50000000", reference="SE-JPY")
    return eur, chf, jpy


def test_a_good_file_is_imported_whole(app, db, client, login_as):
    login_as("mptf_officer")
    eur, _chf, jpy = _setup()
    data = workbook([
        ("SE-EUR-1", dt.datetime(2018, 5, 10), 1000000, "EUR", None, None, "SEB/1"),  # table rate 0.941
        ("ch-1", "2018-05-11", 50000.5, None, 0.97, "Bank rate", "UBS/2"),
        (f"#{jpy.id}", dt.date(2018, 5, 12), 11050000, "JPY", 110.5, "Donor's rate", "+41-UBS/3"),
        (None, None, None, None, None, None, None),  # a blank row is skipped
        ("SE-EUR-1", "2018-05-13", "250,000.00", "EUR", "0.941", "", ""),
    ])
    response = _upload(client, data)
    assert response.status_code == 302
    flashed = client.get("/contributions/deposits").get_data(as_text=True)
    assert "4 deposits imported" in flashed
    rows = db.session.scalars(sa.select(Deposit).order_by(Deposit.id)).all()
    assert [(r.currency, r.amount, r.usd_amount) for r in rows] == [
        ("EUR", D("1000000.00"), D("1062699.26")), ("CHF", D("50000.50"), D("51546.91")),
        ("JPY", D("11050000"), D("100000.00")), ("EUR", D("250000.00"), D("265674.81"))]
    assert rows[2].bank_reference == "+41-UBS/3"
    db.session.expire_all()
    assert db.session.get(Commitment, eur.id).deposited == D("1250000.00")
    from trustfund.ledger_check import run_checks as problems
    assert problems() == []


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
    ])
    response = _upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported: 9 problems" in html
    import re
    table = re.search(r'id="import-errors">(.*?)</table>', html, re.DOTALL).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.DOTALL)]
    errors = [tuple(cells[i:i + 3]) for i in range(0, len(cells), 3)]
    assert [(row, column) for row, column, _ in errors] == [
        ("3", "Commitment"), ("4", "Amount"), ("5", "Amount"), ("6", "Value date"), ("7", "Value date"),
        ("8", "Rate note"), ("9", "Currency"), ("10", "Amount"), ("11", "Rate")]
    assert "JPY amounts have no decimals." in errors[1][2]
    assert "only CHF" in errors[2][2] and "1,000.00 is outstanding" in errors[2][2]
    assert counts() == before and pool_figures() == figures


def test_rows_that_together_pass_the_commitment_are_refused(app, db, client, login_as):
    login_as("mptf_officer")
    _setup()
    before = counts()
    data = workbook([("CH-1", "2018-05-10", 60000, None, 0.97, "x", ""),
                     ("CH-1", "2018-05-11", 40000.01, None, 0.97, "x", "")])
    html = _upload(client, data).get_data(as_text=True)
    assert "Nothing was imported: 1 problem" in html and "past the commitment" in html
    assert counts() == before


def test_files_that_are_not_xlsx_are_refused_clearly(app, db, client, login_as):
    from tests.pages import error_beside

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
    assert "The header row has no “Commitment” column." in html and "“Value date”" in html
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
    assert _upload(client, buffer.getvalue()).status_code == 302
    assert db.session.scalar(sa.select(Deposit.usd_amount)) == D("1000.00")


def test_cli_import_all_or_nothing(app, db, runner, tmp_path):
    _setup()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 1000, None, None, None, ""),
                              ("SE-JPY", "2018-05-10", 1.5, None, 110, "x", "")]))
    before = counts()
    result = runner.invoke(args=["import-deposits", str(bad)])
    assert result.exit_code == 1
    assert "Nothing imported: 1 problem(s)" in result.output
    assert "Row 3, Amount: JPY amounts have no decimals." in result.output
    db.session.expire_all()
    assert counts() == before
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 1000000, None, None, None, "")]))
    result = runner.invoke(args=["import-deposits", str(good), "--user", "officer@test.example"])
    assert result.exit_code == 0, result.output
    assert "Imported 1 deposits: USD 1,062,699.26 (net USD 1,052,072.27" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Deposit.created_by_id)) is not None
    result = runner.invoke(args=["import-deposits", str(good), "--user", "auditor@test.example"])
    assert result.exit_code != 0 and "not an active MPTF officer" in result.output
    assert sweden() is not None


def test_row_cap_and_memory_release(app, db, client, login_as, monkeypatch):
    from trustfund.contributions import importer

    login_as("mptf_officer")
    _setup()
    monkeypatch.setattr(importer, "RELEASE_EVERY", 1)  # let go of every recorded row at once
    rows = [("SE-EUR-1", "2018-05-10", 941, None, None, None, f"ref {i}") for i in range(4)]
    assert _upload(client, workbook(rows)).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 4
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    before = counts()
    html = _upload(client, workbook(rows)).get_data(as_text=True)
    assert "more than 3 deposits; split it into smaller files" in html
    assert counts() == before


def test_numeric_cells_are_exact_whatever_the_users_language(app, db, client, login_as):
    """A number cell is a number: 1.005 stays one and five thousandths for a user
    reading the site in Spanish, where "1.005" typed as text would mean 1005."""
    login_as("mptf_officer")
    with client.session_transaction() as session:
        session["lang"] = "es"
    kwd = commitment("KWD", "10.000", reference="KW-1")
    response = _upload(client, workbook([("KW-1", "2018-05-10", 1.005, "KWD", 0.302, "Banco", "")]))
    assert response.status_code == 302
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
    response = _upload(client, workbook([("SE-EUR-1", dt.date(2018, 5, 10), 1000, "EUR", None, None, "")]))
    assert response.status_code in (200, 302)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 1
