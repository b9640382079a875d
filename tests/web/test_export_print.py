"""Excel that prints (issue 19): every registered export, present and future, prints on
A4 landscape, as wide as the page, with its header row on every page; its "About this
export" sheet on one page; long labels wrapped, not cut. Checked in the workbook, and
by printing every register to PDF with LibreOffice and reading the pages back (pypdf)."""
from __future__ import annotations

import io
import shutil
import subprocess

import openpyxl
import pytest
from pypdf import PdfReader
from werkzeug.exceptions import HTTPException

from tests.factories import statements as data
from trustfund.errors import DomainError
from trustfund.exports import REGISTERS, build_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# A label longer than any column is wide (60 characters at most).
LONG_NAME = ("International Foundation for the Safe, Orderly and Regular Migration of Workers "
             "and their Families Worldwide")
A4_LANDSCAPE = (842, 595)  # points, as PDF pages measure them (297 x 210 mm)


@pytest.fixture
def fund(db):
    sweden, evil = data.two_donor_fund()
    data.donor(LONG_NAME)
    from trustfund.extensions import db as database

    database.session.commit()
    return sweden, evil


def _workbooks(sweden, users) -> dict[str, bytes]:
    """Every register's workbook (the donor's own registers as the donor), by name."""
    made = {}
    for name in sorted(REGISTERS):
        user = users["donor"] if name.startswith("my_") else users["auditor"]
        # The statement is one donor's; every other register lists everything it holds.
        filters = {"donor_id": sweden.id, "donor": sweden.id} if name == "statement" else {}
        try:
            sheets, what = REGISTERS[name].build(dict(filters), user)
        except (HTTPException, DomainError):
            continue
        with build_workbook(sheets, what=what, user=user, filters=filters) as handle:
            made[name] = handle.read()
    return made


def test_every_export_is_set_to_print_on_a4_landscape_with_its_header_on_each_page(fund, users):
    sweden, _evil = fund
    made = _workbooks(sweden, users)
    assert {"statement", "donors", "deposits", "grants", "my_deposits"} <= set(made)
    for name, content in made.items():
        wb = openpyxl.load_workbook(io.BytesIO(content))
        *sheets, about = wb.worksheets
        assert about.title == "About this export", name
        for ws in wb.worksheets:
            setup = ws.page_setup
            assert (setup.paperSize, setup.orientation, setup.fitToWidth) == (9, "landscape", 1), (
                name, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage, (name, ws.title)
        for ws in sheets:
            assert ws.page_setup.fitToHeight == 0, (name, ws.title)  # as many pages as the rows need
            assert ws.print_title_rows == "$1:$1", (name, ws.title)
            assert all(cell.alignment.wrap_text for cell in ws[1] if cell.value), (name, ws.title)
        assert about.page_setup.fitToHeight == 1, name
    donors = openpyxl.load_workbook(io.BytesIO(made["donors"])).worksheets[0]
    [long_cell] = [c for row in donors.iter_rows() for c in row if c.value == LONG_NAME]
    assert long_cell.alignment.wrap_text
    assert donors.row_dimensions[long_cell.row].height > 15  # its lines: printed whole, not cut
    short = [c for row in donors.iter_rows(min_row=2) for c in row if c.value == sweden.name]
    assert short and not short[0].alignment.wrap_text  # only what is longer than its column


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: Debian package "
                                           "libreoffice-calc-nogui, which .ci/run installs where missing")
def test_libreoffice_prints_every_register_on_a4_landscape(fund, users, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("printing a workbook does not depend on the database: SQLite only")
    sweden, _evil = fund
    made = _workbooks(sweden, users)
    for name, content in made.items():
        (tmp_path / f"{name}.xlsx").write_bytes(content)
    completed = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), *(str(tmp_path / f"{n}.xlsx") for n in made)],
        capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr
    for name in made:
        pages = PdfReader(tmp_path / f"{name}.pdf").pages
        sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages}
        assert sizes == {A4_LANDSCAPE}, (name, sizes)
        texts = [p.extract_text() for p in pages]
        # The About sheet, printed last, on one page: its first and last lines together.
        about = [i for i, text in enumerate(texts) if "Exported at (UTC)" in text]
        assert about == [len(pages) - 1], (name, about)
        assert "Trustfund, UN MPTF Office" in texts[-1], name
    # The long name is printed whole, wrapped within its column, not cut at its edge.
    donors = "".join(PdfReader(tmp_path / "donors.pdf").pages[0].extract_text().split())
    assert "".join(LONG_NAME.split()) in donors
