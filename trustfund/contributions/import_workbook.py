"""Reading a deposits workbook: safely first, then fast.

python-calamine (Rust) reads a sheet about ten times faster than openpyxl's
read-only mode, but it builds the sheet's whole used area as one grid in memory,
and a single cell at XFD1048576 asks it for hundreds of GB: the process aborts.
So nothing reaches it before these checks, made with the standard library:

- the file is a zip, and what its directory says it unpacks to stays under
  MAX_UNPACKED_MB (a zip bomb is refused before anything is unpacked);
- every part is unpacked by Python's zipfile, which reads no further than the
  size the directory declares and checks the CRC, and calamine is then given a
  new zip of exactly those bytes (a zip lying about its sizes gets no further);
- the deposits sheet is scanned for its used area: rows and columns of every cell,
  as the format places them (a cell without its reference follows the one before);
  a row past Excel's last row is refused, and so is an area of more than MAX_CELLS
  cells, or a strings table of more entries than that.

The rows come back as tuples as wide as asked, each with its row number in the
sheet; empty cells are None; numbers are floats (exact through their shortest form)
and dates are dates.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from xml.etree import ElementTree

import python_calamine
from flask_babel import gettext as _
from flask_babel import ngettext

from ..errors import DomainError
from ..formatting import number

MB = 1024 * 1024
# A workbook of 100,000 deposits unpacks to about 26 MB; hundreds of MB is a zip bomb.
MAX_UNPACKED_MB = 100
# Excel's last row and column: a cell beyond them is no real worksheet.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
# The largest used area (rows x columns) calamine may be given: 32 bytes a cell,
# about 100 MB. 100,000 deposits of 8 columns are 0.8 million.
MAX_CELLS = 3_000_000
PREFERRED_SHEET = "Deposits"
# What reading a damaged workbook raises (XML parse errors are SyntaxErrors).
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, KeyError, ValueError, OSError,
              TypeError, NotImplementedError, UnicodeDecodeError, python_calamine.CalamineError)

# A row or cell tag; its reference captured when it is the first attribute (as every
# writer puts it), else looked for among the others.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])"
                  rb"""(?:(\s+r\s*=\s*)["']([A-Za-z]*)([0-9]*)["'])?([^>]*)>""")
_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_REFERENCE = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si(?=[\s/>])")
# A cell whose value is an Excel error (#REF!, #N/A, #DIV/0!): calamine reads it as empty.
_ERROR_TYPE = re.compile(rb"""(?:^|\s)t\s*=\s*["']e["']""")
MAX_ERROR_CELLS = 1000  # kept to name them; a sheet with more is refused whole (importer)
# A sheet's relationship id: the attribute id of the relationships' namespace (r:id as
# every writer prefixes it, which is what calamine reads), transitional or strict.
_RELATIONSHIP_IDS = frozenset({"{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
                               "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"})
# The parts calamine reads besides the sheet (lower case): nothing else is handed to it.
_READ_PARTS = frozenset({"[content_types].xml", "_rels/.rels", "xl/workbook.xml",
                         "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedstrings.xml"})
# Bytes unpacked at a time; and the longest tag the scans wait for across two chunks.
CHUNK = 1024 * 1024
MAX_TAG = 64 * 1024


class SheetTooLarge(DomainError):
    """The sheet reaches further than an import may read; `row` is where, if it is a row."""

    def __init__(self, message: str, row: int = 0):
        super().__init__(message, field="file")
        self.row = row


def cells_in_error(number: int, positions: dict[str, int], errors: frozenset, columns) -> list[str]:
    """The `columns` (names, in that order; `positions` their indexes) whose cell in row
    `number` holds an Excel error (a sheet's error_cells): calamine reads them as empty,
    and an importer refuses them by name, never as a cell left empty or a blank row."""
    return [name for name in columns
            if positions.get(name) is not None and (number, positions[name]) in errors]


def excel_error_message() -> str:
    return _("The cell holds an Excel error (such as #REF! or #N/A), not a value: correct it in the "
             "workbook.")


def too_many_errors_message() -> str:
    """A sheet holding more error cells than were noted (errors_beyond): refused whole."""
    return ngettext(
        "The sheet has more than %(count)s cell holding an Excel error (such as #REF! or #N/A): "
        "correct them, or delete the columns the import does not read.",
        "The sheet has more than %(count)s cells holding an Excel error (such as #REF! or #N/A): "
        "correct them, or delete the columns the import does not read.",
        MAX_ERROR_CELLS, count=number(MAX_ERROR_CELLS))


def not_a_workbook() -> DomainError:
    return DomainError(_("This is not an .xlsx workbook. Save the file as Excel Workbook (.xlsx) and "
                         "upload it again."), field="file")


def damaged() -> DomainError:
    return DomainError(_("The workbook could not be read; it may be damaged. Open it in Excel, save it "
                         "as .xlsx and try again."), field="file")


def file_bytes(source) -> bytes:
    """The file's bytes (a path or a binary file), refused when no workbook could be that large."""
    limit = MAX_UNPACKED_MB * MB
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
    else:
        with open(source, "rb") as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        raise _too_big(len(data))
    return data


def _too_big(size: int) -> DomainError:
    return DomainError(_("This workbook would unpack to %(size)s MB, more than the %(limit)s MB an import "
                         "may hold: split it into smaller files.", size=size // MB, limit=MAX_UNPACKED_MB),
                       field="file")


def _too_many_cells() -> SheetTooLarge:
    return SheetTooLarge(_("The deposits sheet holds more cells than an import may read (%(limit)s): "
                           "delete what is not deposits, or split it into smaller files.",
                           limit=number(MAX_CELLS)))


def _past_last_row(row: int) -> SheetTooLarge:
    return SheetTooLarge(_("The sheet goes on past row %(row)s, the last row a worksheet has: the file "
                           "is damaged.", row=number(EXCEL_ROWS)), row=row)


class DepositsSheet:
    """The deposits sheet: its header row's values, and the rows below it."""

    def __init__(self, sheet, error_cells: frozenset = frozenset(), name: str = "",
                 errors_beyond: bool = False):
        self.name = name  # the sheet read (named in a refusal of its header)
        # More error cells than were noted (MAX_ERROR_CELLS): the importer refuses the sheet.
        self.errors_beyond = errors_beyond
        # calamine yields rows from the sheet's first row, cells from its first used column.
        self._lead = (None,) * (sheet.start[1] if sheet.start else 0)
        # (row, column index from 0) of the cells holding an Excel error, which calamine
        # reads as empty: the importer refuses them by name, never as a cell left empty.
        self.error_cells = error_cells
        self._source = iter(sheet.iter_rows())
        self.header = self._values(next(self._source, ()))

    def rows(self, width: int) -> Iterator[tuple[int, tuple]]:
        """(row number, values) of each row below the header, `width` values each."""
        lead, padding = self._lead, (None,) * width
        try:
            for number, values in enumerate(self._source, start=2):
                yield number, (lead + tuple([None if value == "" else value for value in values])
                               + padding)[:width]
        except UNREADABLE:
            raise damaged() from None

    def _values(self, values) -> tuple:
        return self._lead + tuple([None if value == "" else value for value in values])


def open_sheet(data: bytes, preferred: str = PREFERRED_SHEET) -> DepositsSheet:
    """The sheet named `preferred` (else the first) of the workbook in `data`, or a
    DomainError (beside the file field) for a file that is not a workbook, is damaged,
    or reaches too far. The rates import reads its sheet the same way."""
    if data[:4] != b"PK\x03\x04":
        raise not_a_workbook()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_MB * MB:
            raise _too_big(unpacked)
        name, part = _deposits_sheet(archive, preferred)
        checked, area = _repack(archive, part)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(checked))
        return DepositsSheet(book.get_sheet_by_name(name), frozenset(area.errors), name, area.errors_beyond)
    except DomainError:
        raise
    except UNREADABLE:
        raise damaged() from None
    except BaseException as error:  # a panic inside calamine (pyo3's PanicException)
        if type(error).__name__ != "PanicException":
            raise
        raise damaged() from None


def _deposits_sheet(archive: zipfile.ZipFile, preferred: str = PREFERRED_SHEET) -> tuple[str, str]:
    """(name, zip part) of the sheet named `preferred` (Deposits), else of the first sheet
    the workbook shows (a hidden one, such as a list its formulas look up, is not the
    sheet the officer sees and means)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    relationships = [(rel.get("Id"), rel.get("Target", ""))
                     for rel in rels if rel.tag.endswith("Relationship")]
    targets = dict(relationships)
    sheets = []
    for element in book.iter():
        if element.tag.endswith("}sheet") or element.tag == "sheet":
            # One id, the relationships' (r:id): a sheet naming another id beside it (in
            # another namespace, or r: bound elsewhere) could send calamine to a part the
            # scan below never saw.
            ids = [k for k in element.attrib if k == "id" or k.endswith("}id")]
            if len(ids) != 1 or ids[0] not in _RELATIONSHIP_IDS:
                raise damaged()
            sheets.append((element.get("name", ""), targets.get(element.get(ids[0]), ""),
                           element.get("state", "visible") == "visible"))
    # No two sheets of one name, no two relationships of one id: either reader could
    # take the other one.
    if not sheets or len({s[0] for s in sheets}) != len(sheets) or len(targets) != len(relationships):
        raise damaged()
    name, target, _shown = next((s for s in sheets if s[0] == preferred),
                                next((s for s in sheets if s[2]), sheets[0]))
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if part not in archive.namelist():
        raise damaged()
    return name, part


def _repack(archive: zipfile.ZipFile, sheet_part: str) -> tuple[bytes, _Area]:
    """A stored zip of the parts calamine reads, as Python's zipfile unpacks them (no
    further than their declared sizes, CRC checked, CHUNK at a time so that a part
    lying about its size is never unpacked whole); the deposits sheet and the strings
    table are scanned on the way. Nothing else is handed on (_READ_PARTS): no other
    sheet, nor any part calamine could be sent to that the scan did not see."""
    out, area = io.BytesIO(), _Area()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in archive.infolist():
            name = info.filename
            if name != sheet_part and name.lower() not in _READ_PARTS:
                continue
            scan = area if name == sheet_part else _Strings() if name.lower() == "xl/sharedstrings.xml" \
                else None
            with archive.open(info) as source, target.open(name, "w", force_zip64=True) as copy:
                while chunk := source.read(CHUNK):
                    if scan is not None:
                        scan.feed(chunk)
                    copy.write(chunk)
            if scan is not None:
                scan.finish()
    return out.getvalue(), area


class _Tags:
    """Scans whole tags: each chunk up to its last "<", the rest waits for the next
    chunk (a tag never holds a "<")."""

    def __init__(self):
        self._rest = b""

    def feed(self, chunk: bytes) -> None:
        text = self._rest + chunk
        cut = text.rfind(b"<")
        if cut < 0:  # text between tags only
            self._rest = b""
            return
        self.scan(text, 0, cut)
        rest = text[cut:]
        if len(rest) > MAX_TAG:
            # A long text after its tag: read the tag now. A tag this long is no real sheet's.
            end = rest.find(b">")
            if end < 0:
                raise damaged()
            self.scan(rest, 0, end + 1)
            rest = b""
        self._rest = rest

    def finish(self) -> None:
        self.scan(self._rest, 0, len(self._rest))
        self.done()

    def scan(self, text: bytes, start: int, end: int) -> None:
        raise NotImplementedError

    def done(self) -> None:
        pass


class _Strings(_Tags):
    """The strings table: refused beyond MAX_CELLS entries."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def scan(self, text: bytes, start: int, end: int) -> None:
        self.count += len(_STRING.findall(text, start, end))
        if self.count > MAX_CELLS:
            raise _too_many_cells()


class _Area(_Tags):
    """The sheet's used area, with cells and rows placed as calamine places them (by
    their reference, else one after the one before): refused past Excel's last row
    or beyond MAX_CELLS cells. The cells holding an Excel error are noted (`errors`:
    row, column index from 0), where a chunk has any."""

    def __init__(self):
        super().__init__()
        self.row = self.column = self.last_row = self.last_column = 0
        self.errors: list[tuple[int, int]] = []
        self.errors_beyond = False  # more than MAX_ERROR_CELLS: some were not noted

    def scan(self, text: bytes, start: int, end: int) -> None:
        # One tight loop over the chunk's tags (hundreds of thousands in a large sheet);
        # each cell's type is looked at only in a chunk that holds an error's type.
        errors = self.errors if not self.errors_beyond and (
            text.find(b'"e"', start, end) >= 0 or text.find(b"'e'", start, end) >= 0) else None
        row, column, last_row, last_column = self.row, self.column, self.last_row, self.last_column
        for kind, marker, letters, digits, attributes in _TAG.findall(text, start, end):
            if marker:
                found = True
            else:
                reference = _REFERENCE.search(attributes)
                if reference is None and _R.search(attributes) is not None:
                    raise damaged()  # a reference we cannot read: calamine might read it otherwise
                found = reference is not None
                if found:
                    letters, digits = reference.group(1), reference.group(2)
            if kind == b"row":
                if found:
                    if letters or not digits:
                        raise damaged()
                    row = int(digits)
                else:
                    row += 1
                column, cell_row = 0, row
            elif found:
                if not letters or not digits:
                    raise damaged()
                column = _COLUMNS.get(letters) or _column_number(letters)
                cell_row = int(digits)
            else:
                column += 1
                cell_row = row
            if errors is not None and kind == b"c" and _ERROR_TYPE.search(attributes):
                if len(errors) < MAX_ERROR_CELLS:
                    errors.append((cell_row, column - 1))
                else:
                    self.errors_beyond = True
            if cell_row > last_row:
                if cell_row > EXCEL_ROWS:
                    raise _past_last_row(cell_row)
                last_row = cell_row
            if column > last_column:
                if column > EXCEL_COLUMNS:
                    raise damaged()
                last_column = column
        self.row, self.column, self.last_row, self.last_column = row, column, last_row, last_column

    def done(self) -> None:
        if self.last_row * self.last_column > MAX_CELLS:
            raise _too_many_cells()


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper()[:4]:
        number = number * 26 + letter - 64
    if len(_COLUMNS) < 1000:
        _COLUMNS[letters] = number
    return number


# Column letters already read -> their number (a sheet uses a handful).
_COLUMNS: dict[bytes, int] = {}
