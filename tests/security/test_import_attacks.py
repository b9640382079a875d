"""Hostile deposit imports: files that are not workbooks, damaged ones, wrong headers,
zip bombs, lying row numbers and dimensions, and 100,000 rows. Each gets a clear
message (beside the file field, or in the table of row problems), never a 500, and
nothing is imported: every table has the rows it had. Bombs are built here with
zipfile from one highly compressible repeated row; memory is measured with
tracemalloc around the importer and time with a clock, each against a bound.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.factories import base_users
from tests.security.form_walk import messages
from tests.security.helpers import changed_counts, table_counts
from trustfund.extensions import db

HEADER = ["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference"]
SHEET = "xl/worksheets/sheet1.xml"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
       b"\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
MB = 1024 * 1024


def workbook(rows, header=HEADER) -> bytes:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("Deposits")
    sheet.append(header)
    for row in rows:
        sheet.append([_text_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value):
    """Text that starts like a formula is typed in as text ('=...), not a formula."""
    if isinstance(value, str) and value[:1] in "=+-@":
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def rewrite(data: bytes, part: str, change, *, repeat: bytes = b"", times: int = 0) -> bytes:
    """The workbook with one part changed by `change(xml) -> xml`; with `repeat`, the
    bytes are written `times` times before the part's </sheetData>, streamed through
    the compressor (a few hundred KB of zip for hundreds of MB of XML)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            xml = source.read(info.filename)
            if info.filename != part:
                target.writestr(info, xml)
                continue
            xml = change(xml)
            if not repeat:
                target.writestr(info, xml)
                continue
            head, tail = xml.split(b"</sheetData>")
            with target.open(info.filename, "w", force_zip64=True) as stream:
                stream.write(head)
                chunk = repeat * 10_000
                for _ in range(times // 10_000):
                    stream.write(chunk)
                stream.write(b"</sheetData>" + tail)
    return out.getvalue()


def no_dimension(xml: bytes) -> bytes:
    return re.sub(rb"<dimension [^>]*/>", b"", xml)


def inline_row(*values) -> bytes:
    cells = b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % v.encode() for v in values)
    return b"<row>" + cells + b"</row>"


@pytest.fixture
def officer_client(app, login_as):
    client = app.test_client()
    login_as("mptf_officer", client)
    return client


@pytest.fixture
def commitment(app, db):
    """A USD commitment of the demo donor (SAA signed) that no test can fill."""
    from trustfund.contributions.services import record_commitment
    from trustfund.donors.models import Donor

    donor = db.session.scalar(sa.select(Donor).where(Donor.saa_status == "signed").limit(1))
    made = record_commitment(base_users()["mptf_officer"], donor, currency="USD",
                             amount=Decimal(1000000000), objective_id=None,
                             committed_on=dt.date(2017, 5, 1), reference="SE-USD")
    db.session.commit()
    return made


def upload(client, db, data: bytes, name: str = "deposits.xlsx") -> tuple[str, dict]:
    """Post the file; returns the page and the tables whose row counts changed."""
    # The multipart body is encoded here, in memory: Werkzeug's test client spools a
    # body over 500 KB to a temporary file that it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    before = table_counts(db)
    response = client.post("/contributions/deposits/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True), changed_counts(before, table_counts(db))


def beside_file(page: str) -> str:
    found = re.search(r'id="file-errors">(.*?)</div>\s*</div>', page, re.DOTALL)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else ""


def only_once(backend: str) -> None:
    """For the tests of reading a file, where the database does little (one look-up)."""
    if backend != "sqlite":
        pytest.skip("reading the file does not depend on the database: run on SQLite only")


def measured(source: bytes):
    """Run the importer on `source` as the officer; returns (result, seconds, peak MB)."""
    from trustfund.contributions.importer import import_deposits

    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    started = time.perf_counter()
    try:
        result = import_deposits(base_users()["mptf_officer"], io.BytesIO(source), filename="big.xlsx")
        seconds = time.perf_counter() - started
        peak = (tracemalloc.get_traced_memory()[1] - baseline) / MB
    finally:
        if not tracing:
            tracemalloc.stop()
        db.session.rollback()
    return result, seconds, peak


# --- not workbooks, damaged workbooks ------------------------------------------------

def _damaged_sheet() -> bytes:
    return rewrite(workbook([["SE-USD", "2017-06-01", 10]]), SHEET,
                   lambda xml: xml.replace(b"</sheetData>", b"<row><c><v>1</v></row></sheetData>"))


def _zip_of_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "Commitment,Value date,Amount\nSE-USD,2017-06-01,10\n")
    return out.getvalue()


def _corrupt_stream() -> bytes:
    """A sheet whose compressed bytes are damaged (the zip's directory is intact)."""
    data = bytearray(workbook([["SE-USD", "2017-06-01", i] for i in range(2000)]))
    start = data.find(b"PK\x03\x04", data.find(b"sheet1.xml") - 40)
    for offset in range(start + 200, start + 260):
        data[offset] ^= 0x5A
    return bytes(data)


@pytest.mark.parametrize("name, data, message", [
    ("picture.xlsx", PNG, "This is not an .xlsx workbook"),
    ("deposits.xlsx", b"Commitment,Value date,Amount\nSE-USD,2017-06-01,10\n",
     "This is not an .xlsx workbook"),
    ("empty.xlsx", b"", "This is not an .xlsx workbook"),
    ("deposits.csv", b"Commitment,Value date,Amount\n", "Upload an .xlsx workbook"),
    ("half.xlsx", workbook([["SE-USD", "2017-06-01", 10]])[:1500], "could not be read"),
    ("notes.xlsx", _zip_of_text(), "could not be read"),
    ("damaged.xlsx", _damaged_sheet(), "could not be read"),
    ("bitrot.xlsx", _corrupt_stream(), "could not be read"),
    ("<script>alert(1)</script>.xlsx", PNG, "This is not an .xlsx workbook"),
], ids=["png", "csv-renamed", "empty", "csv", "truncated", "zip-of-text", "bad-xml", "bad-deflate",
        "html-name"])
def test_what_is_not_a_readable_workbook_is_refused(app, db, officer_client, commitment, name, data,
                                                    message):
    page, changed = upload(officer_client, db, data, name)
    assert message in beside_file(page), messages(page)
    assert "<script>alert(1)" not in page
    assert changed == {}


@pytest.mark.parametrize("header, missing", [
    (["Donor", "Date", "Sum"], ["Commitment", "Amount"]),
    ([None, None, None], ["Commitment", "Value date", "Amount"]),
    (["<script>alert(1)</script>", "=cmd|' /C calc'!A0", "Amount"], ["Commitment", "Value date"]),
])
def test_wrong_headers_are_named(app, db, officer_client, commitment, header, missing):
    page, changed = upload(officer_client, db, workbook([["SE-USD", "2017-06-01", 10]], header=header))
    for column in missing:
        assert f"The header row of the sheet “Deposits” has no “{column}” column." in page
    assert "<script>alert(1)" not in page
    assert changed == {}


# --- bombs -----------------------------------------------------------------------------

def test_a_zip_bomb_is_refused_before_it_is_unpacked(app, db, officer_client, commitment):
    row = inline_row("SE-USD", "2017-06-01", "10")
    bomb = rewrite(workbook([]), SHEET, no_dimension, repeat=row, times=3_000_000)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert len(bomb) < 2 * MB and unpacked > 250 * MB  # a 300 MB sheet in a small upload
    result, seconds, peak = measured(bomb)
    assert not result.ok and result.imported == 0
    assert "unpack" in result.errors[0].message, result.errors[0].message
    assert seconds < 5 and peak < 20, (seconds, peak)
    page, changed = upload(officer_client, db, bomb)
    assert "unpack" in beside_file(page) and changed == {}


def test_shared_strings_bomb_is_refused_too(app, db, officer_client, commitment):
    """The strings table is read whole by openpyxl: it is counted like the sheets."""
    data = workbook([["SE-USD", "2017-06-01", 10]])
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
            stream.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(300):
                stream.write(b"<si><t>x</t></si>" * 65_536)
            stream.write(b"</sst>")
    result, seconds, peak = measured(out.getvalue())
    assert not result.ok and "unpack" in result.errors[0].message
    assert seconds < 5 and peak < 20, (seconds, peak)


def test_a_bomb_that_lies_about_its_size_is_read_no_further_than_it_says(app, db, officer_client,
                                                                        commitment):
    """The zip's directory says the sheet is small, the stream holds 60 MB: reading
    stops at the declared size, so the sheet ends mid-row and is refused as damaged."""
    row = inline_row("SE-USD", "2017-06-01", "10")
    honest = rewrite(workbook([]), SHEET, no_dimension, repeat=row, times=600_000)
    lying = bytearray(honest)
    entry = lying.rfind(b"PK\x01\x02", 0, lying.rfind(SHEET.encode()))
    extra = int.from_bytes(lying[entry + 30:entry + 32], "little")
    name_end = entry + 46 + int.from_bytes(lying[entry + 28:entry + 30], "little")
    if extra and lying[name_end:name_end + 2] == b"\x01\x00":  # zip64: the size is in the extra field
        lying[name_end + 4:name_end + 12] = (200_000).to_bytes(8, "little")
    else:
        lying[entry + 24:entry + 28] = (200_000).to_bytes(4, "little")
    assert zipfile.ZipFile(io.BytesIO(bytes(lying))).getinfo(SHEET).file_size == 200_000
    result, seconds, peak = measured(bytes(lying))
    assert not result.ok and result.imported == 0
    assert seconds < 20 and peak < 40, (seconds, peak)
    page, changed = upload(officer_client, db, bytes(lying))
    assert changed == {}
    assert "could not be read" in page, messages(page)


def test_a_row_number_past_excel_s_last_row_stops_the_import(app, db, officer_client, commitment):
    """Without a <dimension>, openpyxl fills the gap before row 2,000,000,000 with empty
    rows, one by one: the importer stops at Excel's 1,048,576th row."""
    huge = inline_row("SE-USD", "2017-06-01", "10").replace(b"<row>", b'<row r="2000000000">')
    data = rewrite(workbook([["SE-USD", "2017-06-01", 10]]), SHEET,
                   lambda xml: no_dimension(xml).replace(b"</sheetData>", huge + b"</sheetData>"))
    started = time.perf_counter()
    page, changed = upload(officer_client, db, data)
    assert time.perf_counter() - started < 60
    assert "1,048,576" in page, messages(page)
    assert changed == {}


def test_wide_rows_are_read_only_as_wide_as_the_header(app, db, officer_client, commitment, backend):
    """A stray cell in column AD on every row: each row is still read three cells wide,
    and each is refused for its unknown commitment."""
    only_once(backend)
    wide = b'<row><c t="inlineStr"><is><t>NOPE</t></is></c><c r="AD1"><v>1</v></c></row>'
    data = rewrite(workbook([], header=HEADER[:3]), SHEET, no_dimension, repeat=wide, times=50_000)
    result, seconds, peak = measured(data)
    assert not result.ok and result.imported == 0 and result.error_count == 50_000
    assert seconds < 60 and peak < 64, (seconds, peak)


def test_a_cell_far_to_the_right_is_refused_before_the_sheet_is_read(app, db, officer_client, commitment,
                                                                      backend):
    """A cell in column XFD on every row would make the sheet's area 50,000 x 16,384 cells
    (26 GB in the reader's grid): the file is refused from a scan of its XML, at once."""
    only_once(backend)
    wide = b'<row><c t="inlineStr"><is><t>NOPE</t></is></c><c r="XFD1"><v>1</v></c></row>'
    data = rewrite(workbook([], header=HEADER[:3]), SHEET, no_dimension, repeat=wide, times=50_000)
    result, seconds, peak = measured(data)
    assert not result.ok and result.imported == 0 and result.error_count == 1
    assert "holds more cells than an import may read (3,000,000)" in result.errors[0].message
    assert seconds < 20 and peak < 40, (seconds, peak)
    page, changed = upload(officer_client, db, data)
    assert "holds more cells than an import may read" in beside_file(page) and changed == {}


def test_one_cell_at_the_last_corner_is_refused(app, db, officer_client, commitment):
    """One cell at XFD1048576, in a file of a few KB: no reader is asked for its grid."""
    corner = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    data = rewrite(workbook([["SE-USD", "2017-06-01", 10]]), SHEET,
                   lambda xml: no_dimension(xml).replace(b"</sheetData>", corner + b"</sheetData>"))
    page, changed = upload(officer_client, db, data)
    assert "holds more cells than an import may read" in beside_file(page) and changed == {}


# --- dimensions, 100,000 rows, all or nothing ------------------------------------------------

def test_a_stale_dimension_does_not_hide_rows(app, db, officer_client, commitment):
    """The file says its data ends at row 3; it goes on to row 7, whose deposit is refused.
    Reading only to row 3 would have imported two deposits and ignored the rest."""
    rows = [["SE-USD", "2017-06-01", 10 + i, "USD"] for i in range(5)] + [["SE-USD", "2999-01-01", 10, "USD"]]
    data = rewrite(workbook(rows), SHEET,
                   lambda xml: xml.replace(b"<sheetViews>", b'<dimension ref="A1:D3"/><sheetViews>'))
    page, changed = upload(officer_client, db, data)
    assert "Nothing was imported: 1 problem" in page and "The value date cannot be in the future" in page
    assert changed == {}


def test_100000_rows_are_refused_whole_with_bounded_memory(app, db, officer_client, commitment, backend):
    """100,000 rows, each naming a commitment that does not exist: every row is read
    and refused (the first 20,000 problems kept); a row more and the file is refused
    for its size alone; through the page, it is refused naming the command."""
    only_once(backend)
    result, seconds, peak = measured(workbook([["NO-SUCH", "2017-06-01", 10, "USD"]] * 100_000))
    assert result.imported == 0 and result.error_count == 100_000
    assert len(result.errors) == 20_000
    assert "No commitment has the reference or number" in result.errors[0].message
    assert seconds < 240 and peak < 96, (seconds, peak)
    data = workbook([["NO-SUCH", "2017-06-01", 10, "USD"]] * 100_001)
    result, seconds, peak = measured(data)
    assert result.imported == 0 and result.error_count == 1
    assert "more than 100,000 deposits; split it into smaller files" in result.errors[0].message
    assert seconds < 120 and peak < 96, (seconds, peak)
    page, changed = upload(officer_client, db, data)
    assert "flask --app trustfund import-deposits FILE" in beside_file(page)
    assert changed == {}


def test_all_or_nothing_at_scale(app, db, officer_client, commitment):
    """Two thousand good rows and one bad one at the end: not one deposit, not one
    cent in a pool, not one audit entry."""
    from trustfund.contributions.models import Pool

    pools = {p.code: p.available for p in db.session.scalars(sa.select(Pool))}
    rows = [["SE-USD", dt.date(2017, 6, 1), 100, "USD", None, None, f"SEB/{i}"] for i in range(2000)]
    page, changed = upload(officer_client, db, workbook(rows + [["SE-USD", "2017-06-01", 0.001]]))
    assert "Nothing was imported: 1 problem" in page and "USD amounts have at most 2" in page
    assert changed == {}
    db.session.expire_all()
    assert {p.code: p.available for p in db.session.scalars(sa.select(Pool))} == pools
    assert db.session.get(type(commitment), commitment.id).deposited == 0


def test_hostile_text_in_cells(app, db, officer_client, commitment):
    """Text cells are text: HTML is shown escaped, a formula stays text, and a bank
    reference with a direction-reversing character is refused like a typed-in one."""
    from trustfund.contributions.models import Deposit

    good = ["SE-USD", "2017-06-01", 10, "USD", None, None, "<script>alert(1)</script>"]
    formula = ["SE-USD", "2017-06-01", 11, "USD", None, None, "=cmd|' /C calc'!A0"]
    bidi = ["SE-USD", "2017-06-01", 12, "USD", None, None, "SEB\u202e1234"]
    page, changed = upload(officer_client, db, workbook([good, formula, bidi]))
    assert "Nothing was imported: 1 problem" in page and "reverse the direction" in page
    assert "<script>alert(1)" not in page and changed == {}
    before = table_counts(db)
    response = officer_client.post("/contributions/deposits/import",
                                   data={"file": (io.BytesIO(workbook([good, formula])), "d.xlsx")},
                                   content_type="multipart/form-data")
    assert response.status_code == 302
    preview = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview and "<script>alert(1)" not in preview
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', preview) or re.search(
        r'value="([^"]*)"[^>]*name="seen"', preview)
    assert officer_client.post(response.headers["Location"] + "/confirm",
                               data={"seen": seen.group(1)}).status_code == 302
    assert changed_counts(before, table_counts(db))["deposit"] == (0, 2)
    listing = officer_client.get("/contributions/deposits").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing and "<script>alert(1)" not in listing
    references = set(db.session.scalars(sa.select(Deposit.bank_reference)))
    assert references == {"<script>alert(1)</script>", "=cmd|' /C calc'!A0"}


@pytest.mark.parametrize("rows", [
    b'<row><c><v>1</v></c><c><v>2</v></c></row><row><c r="E3"><v>3</v></c><c><v>4</v></c></row>',
    b'<row r="4"><c s="1" r="B4"><v>1</v></c></row><row><c/><c/><c><v>5</v></c></row>',
    b'<x:row r="2"><x:c r="C2"><x:v>1</x:v></x:c></x:row>',
    b"<row r='6'><c r='d6'><v>1</v></c><c><v>2</v></c></row>",
    b'<row><c t="inlineStr"><is><t>a &lt;c r="ZZ9"&gt;</t></is></c></row><row/><row><c><v>1</v></c></row>',
], ids=["implicit", "attribute-order", "prefixed", "quotes-and-case", "text-and-empty-rows"])
def test_the_scan_places_cells_where_the_reader_does(rows):
    """The used area the scan finds before calamine is given the sheet is never smaller
    than the one calamine then builds (a smaller one would let a bomb through)."""
    import python_calamine

    from trustfund.contributions import import_workbook

    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + rows
           + b"</sheetData></worksheet>")
    data = rewrite(workbook([], header=["H"]), SHEET, lambda _xml: xml)
    area = import_workbook._Area()
    for start in range(0, len(xml), 7):  # in small chunks: tags cut between two of them
        area.feed(xml[start:start + 7])
    area.finish()
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Deposits")
    last_row, last_column = sheet.end
    assert area.last_row >= last_row + 1 and area.last_column >= last_column + 1, (
        (area.last_row, area.last_column), sheet.end)
    assert (area.last_row, area.last_column) == (last_row + 1, last_column + 1)


# The deposits import's safety scan and calamine read the same sheet (a colleague's
# review of the uploads).
#
# The scan took a sheet's relationship id from the first attribute whose name ended in
# "}id", whatever its namespace; calamine takes r:id. A <sheet> carrying z:id="rId1" (a
# foreign namespace) before r:id="rIdX" made the scan check the small sheet1 while
# calamine read xl/hidden/big.xml, which the scan never saw (parts outside
# xl/worksheets/ were handed on unscanned): every bound of the scan (Excel's last row,
# MAX_CELLS, error cells) was skipped, and a 5 KB file with one cell at XFD1048576 made
# calamine ask for 512 GB and abort the worker process. Such a file is refused as
# damaged now, and calamine is handed only the scanned sheet and the parts it needs.
REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ROOT = Path(__file__).resolve().parents[2]


def hostile(corner_row: bytes, corner_ref: bytes) -> bytes:
    """A clean one-deposit workbook whose sheet entry points calamine (r:id) at an
    unscanned part holding one far cell, and the scan (z:id, first) at the clean sheet."""
    src = zipfile.ZipFile(io.BytesIO(workbook([["SE-USD", "2017-06-01", 10]])))
    parts = {n: src.read(n) for n in src.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/hidden/big.xml"] = re.sub(rb"<dimension [^>]*/>", b"", sheet).replace(
        b"</sheetData>", b'<row r="%s"><c r="%s"><v>1</v></c></row></sheetData>' % (corner_row, corner_ref))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdX" Type="' + REL + b'/worksheet" Target="/xl/hidden/big.xml"/>'
        b"</Relationships>")
    parts["xl/workbook.xml"] = re.sub(
        rb'<sheet ([^>]*?)(\w+):id="(rId\d+)"',
        lambda m: b'<sheet xmlns:z="urn:z" ' + m.group(1) + b'z:id="' + m.group(3) + b'" '
        + m.group(2) + b':id="rIdX"', parts["xl/workbook.xml"], count=1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_sheet_too_wide_behind_a_second_id_is_refused(app, db, officer_client, commitment):
    """200 rows x 16,384 columns = 3.3 million cells, over MAX_CELLS, behind the
    second id: the file is refused, not kept for its preview."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(hostile(b"200", b"XFD200")),
                                                           filename="deposits.xlsx")})
    response = officer_client.post("/contributions/deposits/import", data=body,
                                   content_type=f"multipart/form-data; boundary={boundary}")
    # It was: 302 to the preview, the file kept as a clean one-deposit import.
    assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
    assert "could not be read; it may be damaged" in beside_file(response.get_data(as_text=True))


def test_one_cell_at_the_last_corner_behind_a_second_id_does_not_kill_the_process():
    """Run in a child process (its address space capped at 4 GB): the file must be
    refused with a message, not abort the interpreter (exit code 134, SIGABRT)."""
    data = hostile(b"1048576", b"XFD1048576")
    code = textwrap.dedent("""
        import sys, resource
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
        from trustfund import create_app
        from trustfund.errors import DomainError
        from trustfund.contributions.import_workbook import open_sheet
        app = create_app("testing")
        with app.test_request_context():
            try:
                open_sheet(sys.stdin.buffer.read())
            except DomainError as error:
                print("REFUSED:", error.message)
            else:
                print("READ")
    """)
    child = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, cwd=ROOT,
                           timeout=120)
    assert child.returncode == 0, (child.returncode, child.stderr.decode(errors="replace")[:200])
    assert b"REFUSED: The workbook could not be read; it may be damaged" in child.stdout, child.stdout


def _with_workbook_xml(change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(workbook([["SE-USD", "2017-06-01", 10]])))
    parts = {n: src.read(n) for n in src.namelist()}
    parts["xl/workbook.xml"] = change(parts["xl/workbook.xml"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_two_sheets_of_one_name_are_refused(app):
    """Two sheets named Deposits: the scan and the reader could each take another."""
    from trustfund.contributions.import_workbook import open_sheet
    from trustfund.errors import DomainError

    data = _with_workbook_xml(lambda xml: re.sub(rb"(<sheet [^>]*/>)", rb"\1\1", xml, count=1))
    with app.test_request_context():
        try:
            open_sheet(data)
        except DomainError as error:
            assert "could not be read; it may be damaged" in error.message
        else:
            raise AssertionError("a workbook with two sheets of one name was read")


def test_an_ordinary_workbook_is_still_read(app):
    from trustfund.contributions.import_workbook import open_sheet

    with app.test_request_context():
        sheet = open_sheet(workbook([["SE-USD", "2017-06-01", 10]]))
    assert sheet.name == "Deposits"
