"""The .xlsx writer (DESIGN.md §6): text stays text, numbers are exact numbers,
dates are dates, the sheet is set up for reading and printing, memory stays flat."""
import datetime as dt
import io
import os
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from trustfund.exports import Col, Sheet, build_workbook

TRICKY = [
    '=HYPERLINK("http://example.org","x")',
    "=1+1",
    "+41 22 917 1234",
    "-5",
    "@SUM(A1:A2)",
    "#N/A",
    "#DIV/0!",
    "0042",
    "1e5",
    "TRUE",
    "2017-04-03",
    " leading space",
]


@pytest.fixture(scope="module")
def app():
    """The writer needs no database: one app (for translations) on an in-memory
    SQLite, instead of the per-backend app of conftest, so that these run once."""
    from trustfund import create_app

    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with application.test_request_context():
        yield application


class Exporter:
    email = "auditor@test.example"


def _build(sheets, **kw):
    with build_workbook(sheets, what=kw.pop("what", "Test export"), user=kw.pop("user", None),
                        **kw) as handle:
        return handle.read()


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_every_user_text_is_stored_as_literal_text(app):
    cols = [Col("Name", lambda r: r)]
    data = _build([Sheet("Names", cols, iter(TRICKY))])
    ws = _open(data)["Names"]
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == TRICKY
    assert [c.data_type for c in cells] == ["s"] * len(TRICKY)
    for cell in cells:
        assert cell.quotePrefix == cell.value.startswith(("=", "+", "-", "@")), cell.value
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and 't="e"' not in sheet_xml


def test_text_xml_cannot_hold_is_cleaned_and_long_text_cut_not_refused(app):
    long = "x" * 40000
    data = _build([Sheet("T", [Col("Note", lambda r: r)], iter(["bell\x07here", long]))])
    ws = _open(data)["T"]
    assert ws["A2"].value == "bell\ufffdhere"
    assert len(ws["A3"].value) == 32767


def test_amounts_are_numbers_with_exact_digits_and_currency_formats(app):
    rows = [("USD", Decimal("1062699.26")), ("JPY", Decimal("125000000")),
            ("KWD", Decimal("9999999999999.999")), ("EUR", Decimal("-0.01"))]
    cols = [Col("Currency", lambda r: r[0]),
            Col("Amount", lambda r: r[1], "money", currency_of=lambda r: r[0]),
            Col("Rate", lambda r: Decimal("0.941"), "rate"),
            Col("Fee rate", lambda r: Decimal("0.01"), "percent")]
    data = _build([Sheet("Money", cols, rows)])
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    # The digits in the file are the Decimal's, not a float's.
    for text in ("<v>1062699.26</v>", "<v>125000000</v>", "<v>9999999999999.999</v>", "<v>-0.01</v>",
                 "<v>0.941</v>"):
        assert text in sheet_xml
    ws = _open(data)["Money"]
    formats = {row[0].value: (row[1].data_type, row[1].number_format) for row in ws.iter_rows(min_row=2)}
    assert formats == {"USD": ("n", "#,##0.00"), "JPY": ("n", "#,##0"), "KWD": ("n", "#,##0.000"),
                       "EUR": ("n", "#,##0.00")}
    assert Decimal(str(ws["B2"].value)) == Decimal("1062699.26")
    assert ws["C2"].data_type == "n" and ws["D2"].number_format == "0.00%"


def test_an_amount_is_never_taken_from_a_float(app):
    cols = [Col("Amount", lambda r: r, "money", currency="USD")]
    with pytest.raises(TypeError):
        _build([Sheet("F", cols, [0.1])])


def test_dates_and_times_are_excel_dates_in_utc(app):
    aware = dt.datetime(2017, 4, 3, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    rows = [(dt.date(2017, 4, 3), aware)]
    cols = [Col("Value date", lambda r: r[0], "date"), Col("At", lambda r: r[1], "datetime")]
    ws = _open(_build([Sheet("D", cols, rows)]))["D"]
    assert ws["A2"].is_date and ws["A2"].value == dt.datetime(2017, 4, 3)
    assert ws["A2"].number_format == "yyyy-mm-dd"
    assert ws["B2"].is_date and ws["B2"].value == dt.datetime(2017, 4, 3, 12, 30)
    with pytest.raises(TypeError):
        _build([Sheet("D", [Col("Value date", lambda r: r, "date")], ["2017-04-03"])])


def test_sheet_layout_header_filter_print_setup_and_about(app):
    rows = [("Kingdom of Sweden", Decimal("10.00"))] * 3
    cols = [Col("Donor", lambda r: r[0]), Col("USD", lambda r: r[1], "money", currency="USD")]
    data = _build([Sheet("Deposits", cols, rows, totals=["Total", Decimal("30.00")])],
                  what="Deposits of Sweden", user=Exporter(),
                  filters={"donor_id": 7, "date_from": dt.date(2017, 4, 3)})
    wb = _open(data)
    ws = wb["Deposits"]
    assert [c.value for c in ws[1]] == ["Donor", "USD"]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:B4"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert ws.column_dimensions["A"].width >= len("Kingdom of Sweden")
    assert (ws["A5"].value, ws["B5"].value, ws["A5"].font.b) == ("Total", 30, True)
    about = {row[0].value: row[1].value for row in wb["About this export"].iter_rows()}
    assert about["Exported"] == "Deposits of Sweden"
    assert about["Exported by"] == "auditor@test.example"
    assert isinstance(about["Exported at (UTC)"], dt.datetime)
    assert about["Rows in Deposits"] == 3
    assert about["Filter: donor_id"] == "7"
    assert about["Filter: date_from"] == dt.datetime(2017, 4, 3)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc to read memory use")
def test_100000_rows_stream_in_flat_memory(app):
    """Write-only mode writes each row as it comes: the process's memory after
    100,000 rows is what it was after 10,000 (a workbook held in memory would
    take hundreds of MB for this)."""
    seen = {}

    def rows():
        for i in range(100_000):
            if i in (10_000, 99_999):
                seen[i] = _rss_bytes()
            yield (i, dt.date(2017, 4, 3) + dt.timedelta(days=i % 600), Decimal(i).scaleb(-2),
                   f"=Donor {i} with a long enough name to take some room")

    cols = [Col("No.", lambda r: r[0], "int"), Col("Value date", lambda r: r[1], "date"),
            Col("USD", lambda r: r[2], "money", currency="USD"), Col("Donor", lambda r: r[3])]
    with build_workbook([Sheet("Rows", cols, rows())], what="Memory check", user=None) as handle:
        growth = seen[99_999] - seen[10_000]
        assert growth < 30 * 1024 * 1024, f"memory grew by {growth / 1e6:.1f} MB over 90,000 rows"
        wb = openpyxl.load_workbook(handle, read_only=True)
        about = {row[0]: row[1] for row in wb["About this export"].iter_rows(values_only=True)}
        wb.close()
    assert about["Rows in Rows"] == 100_000


def test_rows_are_written_as_they_come_under_tracemalloc(app):
    """tracemalloc's peak while writing 10,000 rows stays small: nothing keeps the rows."""
    import tracemalloc

    def rows():
        for i in range(10_000):
            yield (Decimal(i).scaleb(-2), f"Donor {i} " + "x" * 80)

    cols = [Col("USD", lambda r: r[0], "money", currency="USD"), Col("Donor", lambda r: r[1])]
    tracemalloc.start()
    try:
        build_workbook([Sheet("Rows", cols, rows())], what="Memory check", user=None).close()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 10,000 rows of ~100 characters held as cells would take well over 10 MB.
    assert peak < 5 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
