"""A statement workbook read by another spreadsheet program: LibreOffice headless
converts every sheet to CSV, quoting text cells only, so that what arrives as a
number or a date (unquoted) and what arrives as text (quoted) can be told apart."""
import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest

from tests.factories import statements as data
from tests.factories.statements import EVIL
from trustfund.statements.services import statement

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Field separator, text delimiter, UTF-8, first line, cell formats, language,
# quote all text cells, (import only), cell contents as shown: no, formulas,
# spaces, every sheet to its own file.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,false,false,false,-1"

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: Debian package "
                            "libreoffice-calc-nogui, which .ci/run installs where missing")


def parse_csv(text: str) -> list[list[tuple[str, bool]]]:
    """Rows of (value, was_quoted)."""
    rows, row, field, quoted, in_quotes, i = [], [], "", False, False, 0
    while i < len(text):
        ch = text[i]
        if in_quotes:
            if ch == '"' and text[i + 1:i + 2] == '"':
                field += '"'
                i += 1
            elif ch == '"':
                in_quotes = False
            else:
                field += ch
        elif ch == '"':
            in_quotes = quoted = True
        elif ch == ",":
            row.append((field, quoted))
            field, quoted = "", False
        elif ch == "\n":
            row.append((field, quoted))
            rows.append(row)
            row, field, quoted = [], "", False
        elif ch != "\r":
            field += ch
        i += 1
    if field or row:
        row.append((field, quoted))
        rows.append(row)
    return rows


@pytest.mark.slow
def test_libreoffice_reads_amounts_as_numbers_dates_as_dates_and_names_as_text(
        client, login_as, db, tmp_path):
    _sweden, evil = data.two_donor_fund()
    login_as("auditor")
    response = client.get(f"/statements/{evil.id}?from=2017-04-03&to=2017-12-31&format=xlsx")
    assert response.status_code == 200
    source = tmp_path / "statement.xlsx"
    source.write_bytes(response.data)
    profile = tmp_path / "lo-profile"
    completed = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", CSV_FILTER,
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stderr

    def sheet(name):
        rows = parse_csv((tmp_path / f"statement-{name}.csv").read_text(encoding="utf-8"))
        header = [value for value, _quoted in rows[0]]
        return [dict(zip(header, row, strict=False)) for row in rows[1:]]

    s = statement(evil, dt.date(2017, 4, 3), dt.date(2017, 12, 31))
    [summary] = sheet("Summary")
    assert summary["Donor"] == (EVIL, True)                       # text, literally
    for key, expected in (("Opening balance (USD)", s.opening), ("Net deposits (USD)", s.net_in_period),
                          ("Share of spending (USD)", s.share_in_period),
                          ("Closing balance (USD)", s.closing)):
        value, quoted = summary[key]
        assert not quoted, key                                    # a number
        assert Decimal(value) == expected, key
    for key, expected in (("From", "2017-04-03"), ("To", "2017-12-31")):
        assert summary[key] == (expected, False)                  # a date, formatted yyyy-mm-dd

    deposits = [row for row in sheet("Deposits") if row["Donor"] != ("Total", True)]
    assert len(deposits) == len(s.deposits) == 2
    for row, d in zip(deposits, s.deposits, strict=True):
        assert row["Value date"] == (d.value_date.isoformat(), False)
        for key, expected in (("Amount", d.amount), ("Rate (per USD)", d.rate), ("USD", d.usd_amount),
                              ("Fee (USD)", d.fee), ("Net (USD)", d.net)):
            value, quoted = row[key]
            assert not quoted, key
            assert Decimal(value) == expected, (key, value, expected)
    assert deposits[0]["Bank reference"] == ("@EVIL-BANK", True)
    assert deposits[1]["Bank reference"] == ("-EVIL-BANK", True)
    commitments = sheet("Commitments")
    assert commitments[0]["Reference"] == ("=EVIL-REF", True)
    assert commitments[0]["Committed on"] == ("2017-04-15", False)
