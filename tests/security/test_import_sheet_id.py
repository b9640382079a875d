"""The deposits import's safety scan and calamine read the same sheet (a colleague's
review of the uploads).

The scan took a sheet's relationship id from the first attribute whose name ended in
"}id", whatever its namespace; calamine takes r:id. A <sheet> carrying z:id="rId1" (a
foreign namespace) before r:id="rIdX" made the scan check the small sheet1 while
calamine read xl/hidden/big.xml, which the scan never saw (parts outside
xl/worksheets/ were handed on unscanned): every bound of the scan (Excel's last row,
MAX_CELLS, error cells) was skipped, and a 5 KB file with one cell at XFD1048576 made
calamine ask for 512 GB and abort the worker process. Such a file is refused as
damaged now, and calamine is handed only the scanned sheet and the parts it needs."""
from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from tests.security.test_import_attacks import (  # noqa: F401  (fixtures)
    beside_file,
    commitment,
    officer_client,
    workbook,
)

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


def test_a_sheet_too_wide_behind_a_second_id_is_refused(app, db, officer_client, commitment):  # noqa: F811
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
