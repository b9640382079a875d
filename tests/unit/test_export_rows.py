"""The data rows of an export are written with one reusable cell per column and
kind (export_cells.column_writer): every row must still hold its own value, type,
number format and quote prefix, exactly as if each cell were new."""
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest

from trustfund import exports
from trustfund.exports import Col, Sheet, build_workbook

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
CURRENCIES = ["USD", "JPY", "KWD", "EUR"]
PLACES = {"USD": 2, "JPY": 0, "KWD": 3, "EUR": 2}
TEXTS = ["Kingdom of Sweden", '=HYPERLINK("http://example.org","x")', "#N/A", "+41 22 917 1234",
         " leading space", "-5", "", "@SUM(A1:A2)", "0042", "bell\x07here", "TRUE"]
N = 3000


@pytest.fixture(scope="module")
def app():
    from trustfund import create_app

    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with application.test_request_context():
        yield application


def _rows():
    """Rows whose every column changes from one row to the next (and is sometimes None)."""
    for i in range(N):
        currency = CURRENCIES[i % 4]
        places = PLACES[currency]
        amount = (Decimal(i * 7919 - 5000) + Decimal("0.987654")).quantize(Decimal(1).scaleb(-places))
        if i % 97 == 0:
            amount = Decimal("9999999999999.999").quantize(Decimal(1).scaleb(-places))
        yield {
            "id": i if i % 11 else None,
            "text": TEXTS[i % len(TEXTS)] if i % 13 else None,
            "date": dt.date(2017, 4, 3) + dt.timedelta(days=i) if i % 17 else None,
            "currency": currency,
            "amount": amount if i % 19 else None,
            "usd": Decimal(i).scaleb(-2) - 5,
            "rate": Decimal(i + 1).scaleb(-6) + Decimal("0.5") if i % 23 else None,
            "share": Decimal(i % 100).scaleb(-4),
            "active": bool(i % 3) if i % 29 else None,
            "at": dt.datetime(2020, 1, 1, 12, 30, 45, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
            + dt.timedelta(minutes=i) if i % 31 else None,
            "note": f"=note {i}" if i % 2 else f"note {i}",
        }


COLUMNS = [
    Col("No.", lambda r: r["id"], "int"),
    Col("Text", lambda r: r["text"]),
    Col("Date", lambda r: r["date"], "date"),
    Col("Currency", lambda r: r["currency"]),
    Col("Amount", lambda r: r["amount"], "money", currency_of=lambda r: r["currency"]),
    Col("USD", lambda r: r["usd"], "money", currency="USD"),
    Col("Rate", lambda r: r["rate"], "rate"),
    Col("Share", lambda r: r["share"], "percent"),
    Col("Active", lambda r: r["active"], "bool"),
    Col("At", lambda r: r["at"], "datetime"),
    Col("Note", lambda r: r["note"]),
]


def _build() -> bytes:
    with build_workbook([Sheet("Rows", COLUMNS, _rows())], what="Reuse check", user=None) as handle:
        return handle.read()


def _xml_cells(data: bytes) -> dict[str, tuple]:
    """coordinate -> (type attribute, stored text) as the file holds them."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    cells = {}
    for c in ElementTree.fromstring(xml).iter(f"{{{NS['m']}}}c"):
        v = c.find("m:v", NS)
        t = c.find("m:is/m:t", NS)
        cells[c.get("r")] = (c.get("t"),
                             v.text if v is not None else (t.text or "") if t is not None else None)
    return cells


def test_every_row_holds_its_own_values_types_and_formats(app):
    _check_every_row(_build())


def _check_every_row(data: bytes) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(data))["Rows"]
    xml = _xml_cells(data)
    letters = "ABCDEFGHIJK"
    for index, row in enumerate(_rows()):
        r = index + 2
        cells = {letter: ws[f"{letter}{r}"] for letter in letters}
        # Text stays text: formula-like text keeps a quote prefix, error codes are text.
        text = row["text"]
        if text is None:
            assert cells["B"].value is None
        else:
            expected = text.replace("\x07", "\ufffd")
            assert (cells["B"].value or "") == expected, r
            assert xml[f"B{r}"] == ("inlineStr", expected or None), r  # "" is an empty text cell
            assert cells["B"].quotePrefix == expected.startswith(("=", "+", "-", "@")), r
        note = cells["K"]
        assert note.value == row["note"] and note.data_type == "s"
        assert note.quotePrefix == row["note"].startswith("="), r
        # Numbers: the exact decimal digits, the currency's format.
        if row["amount"] is None:
            assert cells["E"].value is None
        else:
            assert xml[f"E{r}"] == ("n", format(row["amount"], "f")), r
            places = PLACES[row["currency"]]
            assert cells["E"].number_format == "#,##0" + ("." + "0" * places if places else ""), r
        assert xml[f"F{r}"] == ("n", format(row["usd"].quantize(Decimal("0.01")), "f"))
        assert cells["F"].number_format == "#,##0.00"
        if row["rate"] is None:
            assert cells["G"].value is None
        else:
            assert xml[f"G{r}"] == ("n", format(row["rate"], "f")) and cells["G"].number_format == "0.000000"
        assert xml[f"H{r}"] == ("n", format(row["share"], "f")) and cells["H"].number_format == "0.00%"
        assert cells["A"].value == row["id"] and cells["A"].number_format == "General"
        assert cells["D"].value == row["currency"] and cells["D"].number_format == "General"
        assert cells["I"].value == row["active"]
        # Dates are dates; datetimes in UTC without seconds' fractions.
        if row["date"] is None:
            assert cells["C"].value is None
        else:
            assert cells["C"].is_date and cells["C"].value == dt.datetime.combine(row["date"], dt.time())
            assert cells["C"].number_format == "yyyy-mm-dd"
        if row["at"] is None:
            assert cells["J"].value is None
        else:
            utc = row["at"].astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
            assert (cells["J"].is_date and cells["J"].value == utc
                    and cells["J"].number_format == "yyyy-mm-dd hh:mm")
    assert ws.max_row == N + 1
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def test_reused_cells_write_the_same_file_as_new_cells(app, monkeypatch):
    """Should openpyxl's internals change, the writer makes a new cell per value
    (through openpyxl's own append path): the sheet and its styles are the same."""
    assert exports.reuse_cells()  # this openpyxl allows the fast path
    reused = zipfile.ZipFile(io.BytesIO(_build()))
    monkeypatch.setattr(exports, "reuse_cells", lambda: False)
    fresh = zipfile.ZipFile(io.BytesIO(_build()))
    for name in ("xl/worksheets/sheet1.xml", "xl/styles.xml"):
        assert reused.read(name) == fresh.read(name), name
    # And the About sheet differs at most by the export's time.
    def strip(xml):
        return re.sub(rb"<v>[0-9.]+</v>", b"", xml)
    assert strip(reused.read("xl/worksheets/sheet2.xml")) == strip(fresh.read("xl/worksheets/sheet2.xml"))


def test_the_fast_path_relies_on_openpyxls_private_row_method_as_it_works_today(app):
    """What export_cells relies on, pinned: append() hands each row to the sheet's own
    _values_to_row (an attribute of the sheet object can replace it) and serialises the
    cells it yields before it returns, so a cell can be reused for the next row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Pinned")
    seen = []
    original = ws._values_to_row

    def spy(values, row_idx):
        seen.append(row_idx)
        return original(values, row_idx)

    ws._values_to_row = spy
    cell = WriteOnlyCell(ws)
    cell.number_format = "0.00"  # styled: openpyxl's own loop never binds values into it
    for value in (1, 2, 3):
        cell.value = value
        ws.append([cell])
    assert seen == [1, 2, 3]
    handle = io.BytesIO()
    wb.save(handle)
    xml = zipfile.ZipFile(handle).read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r"<v>(\d)</v>", xml) == ["1", "2", "3"]


def _buffering_write_rows(self):
    """_write_rows as a later openpyxl might write it: every row kept, serialised at
    the end (a reused cell would then show its last value in every row)."""
    rows = []
    try:
        while True:
            rows.append((yield))
    except GeneratorExit:
        pass
    xf = self._writer.xf.send(True)
    with xf.element("sheetData"):
        for row_idx, row in enumerate(rows, 1):
            self._writer.write_row(xf, self._values_to_row(row, row_idx), row_idx)
    self._writer.xf.send(None)


def test_an_openpyxl_that_writes_rows_later_gets_new_cells_and_the_right_file(app, monkeypatch):
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    monkeypatch.setattr(WriteOnlyWorksheet, "_write_rows", _buffering_write_rows)
    exports.reuse_cells.cache_clear()
    try:
        assert exports.reuse_cells() is False
        _check_every_row(_build())
    finally:
        exports.reuse_cells.cache_clear()


def test_a_row_of_several_sheets_and_totals_keeps_its_cells_apart(app):
    """Two sheets written one after the other (templates per sheet) and a bold totals row."""
    usd = [Col("Donor", lambda r: r[0]), Col("USD", lambda r: r[1], "money", currency="USD")]
    first = Sheet("First", usd, [("=A", Decimal("1.10")), ("B", Decimal("2.20"))],
                  totals=["Total", Decimal("3.30")])
    second = Sheet("Second", usd, [("C", Decimal("-0.01")), ("-D", None)])
    with build_workbook([first, second], what="Two sheets", user=None) as handle:
        wb = openpyxl.load_workbook(handle)
    one, two = wb["First"], wb["Second"]
    assert [tuple(c.value for c in row) for row in one.iter_rows()] == [
        ("Donor", "USD"), ("=A", 1.1), ("B", 2.2), ("Total", 3.3)]
    assert one["A2"].quotePrefix and not one["A3"].quotePrefix
    assert one["A4"].font.b and one["B4"].font.b and not one["B3"].font.b
    assert one["B4"].number_format == "#,##0.00"
    assert [tuple(c.value for c in row) for row in two.iter_rows()] == [
        ("Donor", "USD"), ("C", -0.01), ("-D", None)]
    assert two["A3"].quotePrefix and two["A3"].data_type == "s"
