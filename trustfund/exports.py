"""Excel exports (DESIGN.md §6), streamed with openpyxl's write-only mode.

Every list calls xlsx_response() (or registers a builder, see below) with its
columns and rows:

- amounts are numbers, written with their exact decimal digits (never through a
  float), with a number format of the currency's decimals; rates and counts are
  numbers; dates and datetimes are Excel dates (datetimes in UTC, naive);
- every text cell is stored as text (`data_type = "s"`): a name such as
  `=HYPERLINK(...)`, `+1`, `-5`, `@SUM(A1)` or `#N/A` stays the literal text, never
  a formula, number or error value; formula-like text also gets Excel's quote
  prefix so that editing the cell keeps it text; characters XML cannot carry are
  replaced and text is cut at Excel's 32,767 characters;
- a bold frozen header with an autofilter, widths from the header and the first
  rows, A4 landscape fit-to-width printing with the header repeated on every page,
  long labels wrapped within their column (print_setup);
- an "About" sheet saying what was exported, when, by whom, with which filters.

Rows may be any iterable, and should be a generator for long lists (see
stream()): write-only mode writes each row to a temporary file as it comes, so
memory stays flat whatever the number of rows.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import IO, Any

from flask import send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .audit import utcnow
from .export_cells import (  # noqa: F401  (money_format: part of this module's API)
    LINE_HEIGHT,
    _cell,
    _date_cell,
    _naive_utc,
    _text_cell,
    clean_text,
    column_writer,
    lines_needed,
    money_format,
    pass_cells_through,
)
from .params import date_arg

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows looked at to size the columns before they are written.
WIDTH_SAMPLE = 200
MAX_WIDTH = 60


@dataclass
class Col:
    """One column: a header and how to read and show its value.

    kind: "text", "int", "date", "datetime", "money" (with `currency`, or
    `currency_of` giving the row's currency), "rate", "percent", "bool", or "value"
    (each row's value as its type: a date, a moment, else text).
    """

    header: str
    value: Callable[[Any], Any]
    kind: str = "text"
    currency: str | None = None
    currency_of: Callable[[Any], str] | None = None
    width: int | None = None

    def fit_width(self, sample: Iterable[Any] = ()) -> int:
        """The width given, or one that fits the header and the sampled values."""
        if self.width:
            return self.width
        base = {"date": 12, "datetime": 18, "money": 16, "rate": 12, "percent": 10, "int": 10,
                "bool": 8}.get(self.kind, 12)
        longest = len(str(self.header)) + 3
        if self.kind == "text":
            for value in sample:
                if value is not None:
                    longest = max(longest, max((len(line) for line in str(value).splitlines()),
                                               default=0) + 2)
        elif self.kind == "money":
            for value in sample:
                if value is not None:
                    digits = len(f"{abs(Decimal(value)):,.0f}")
                    longest = max(longest, digits + 6)
        return max(base, min(longest, MAX_WIDTH))


@dataclass
class Sheet:
    title: str
    columns: list[Col]
    rows: Iterable[Any]
    totals: list[Any] | None = None  # a last row of values, in column order
    extra: dict = field(default_factory=dict)


def print_setup(ws, one_page: bool = False) -> None:
    """How a sheet prints: A4 (LibreOffice and Excel would otherwise take the printer's
    default, US Letter on many), landscape, as wide as the page (its height runs over
    as many pages as the rows need), or on one page (the About sheet)."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _set_height(ws, row: int, lines: int) -> None:
    """Give a row with wrapped text the height of its lines (set before it is written)."""
    if lines > 1:
        ws.row_dimensions[row].height = lines * LINE_HEIGHT


def write_sheet(wb: Workbook, sheet: Sheet, reuse: bool | None = None) -> int:
    """Write one sheet; returns the number of data rows. The data rows are written
    with reused cells where this openpyxl allows it (reuse_cells())."""
    if reuse is None:
        reuse = reuse_cells()
    ws = wb.create_sheet(title=safe_sheet_title(sheet.title, [other.title for other in wb.worksheets]))
    rows = iter(sheet.rows)
    # Size the columns from the first rows (write-only mode needs widths first).
    head = list(itertools.islice(rows, WIDTH_SAMPLE))
    for index, col in enumerate(sheet.columns, start=1):
        sample = []
        if col.kind in ("text", "money") and not col.width:
            for row in head:
                try:
                    sample.append(col.value(row))
                except Exception:
                    break
        ws.column_dimensions[get_column_letter(index)].width = col.fit_width(sample)
    ws.freeze_panes = "A2"
    print_setup(ws)
    ws.print_title_rows = "1:1"  # the header row on every printed page
    if reuse:
        pass_cells_through(ws)
    widths = [ws.column_dimensions[get_column_letter(index)].width
              for index in range(1, len(sheet.columns) + 1)]
    _set_height(ws, 1, max(lines_needed(str(col.header), width)
                           for col, width in zip(sheet.columns, widths, strict=True)))
    ws.append([_text_cell(ws, str(col.header), bold=True, wrap=True) for col in sheet.columns])
    tall = [1]  # lines of the row being written (a text longer than its column wraps)
    writers = [column_writer(ws, col, reuse, width, tall)
               for col, width in zip(sheet.columns, widths, strict=True)]
    append = ws.append
    count = 0
    for row in itertools.chain(head, rows):
        cells = [write(row) for write in writers]
        if tall[0] > 1:
            _set_height(ws, count + 2, tall[0])
            tall[0] = 1
        append(cells)
        count += 1
    last_col = get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A1:{last_col}{count + 1}"
    if sheet.totals is not None:
        cells = []
        for col, value in zip(sheet.columns, sheet.totals, strict=False):
            if value is None:
                cells.append(None)
                continue
            cells.append(_text_cell(ws, value, bold=True) if col.kind == "text" or isinstance(value, str)
                         else _cell(ws, col, None, value, bold=True))
        ws.append(cells)
    return count


def _probe_sheet() -> Sheet:
    """A few rows of every kind of cell, each column changing from row to row."""
    rows = [(7, "Kingdom of Sweden", "=SUM(A1)", "#N/A", dt.date(2017, 4, 3), "EUR", Decimal("1062699.26"),
             Decimal("0.941"), True, dt.datetime(2018, 12, 10, 9, 30)),
            (8, "=HYPERLINK(\"x\")", "plain", None, dt.date(2018, 1, 31), "JPY", Decimal(125000),
             Decimal("113.5"), False, None),
            (None, "", "-5", "Norway", None, "KWD", Decimal("-0.125"), None, None,
             dt.datetime(2017, 1, 1))]
    kinds = ["int", "text", "text", "text", "date", "text", "money", "rate", "bool", "datetime"]
    columns = [Col(f"C{i}", itemgetter(i), kind) for i, kind in enumerate(kinds)]
    columns[6].currency_of = itemgetter(5)
    return Sheet("Probe", columns, rows, totals=["Total", None, None, None, None, None, Decimal("1.5")])


def _probe(reuse: bool) -> tuple[bytes, bytes]:
    wb = Workbook(write_only=True)
    write_sheet(wb, _probe_sheet(), reuse=reuse)
    handle = io.BytesIO()
    wb.save(handle)
    with zipfile.ZipFile(handle) as files:
        return files.read("xl/worksheets/sheet1.xml"), files.read("xl/styles.xml")


@functools.cache
def reuse_cells() -> bool:
    """Whether the data rows may be written with reused cells (export_cells: a
    replacement of openpyxl's private WriteOnlyWorksheet._values_to_row, and each row
    serialised before append() returns): checked once per process by writing a small
    sheet both ways, which must give the same file. Otherwise every value gets a new
    cell: slower, same file."""
    try:
        sheet_class = type(Workbook(write_only=True).create_sheet())
        if not (hasattr(sheet_class, "_values_to_row") and hasattr(sheet_class, "_write_rows")):
            return False
        return _probe(True) == _probe(False)
    except Exception:
        return False


SHEET_TITLE_MAX = 31  # Excel's limit


def safe_sheet_title(title: str, taken: Iterable[str] = ()) -> str:
    """A title Excel takes: none of []:*?/\\, at most 31 characters (a longer one cut
    after a whole word, with "…": "Délégués financés par…", not "…par manifesta"), and
    none of the workbook's other titles (`taken`; Excel compares them regardless of
    case): a number at its end tells two apart."""
    title = clean_text(title)
    for ch in '[]:*?/\\':
        title = title.replace(ch, " ")
    title = title.strip().strip("'") or "Sheet"
    used = {t.casefold() for t in taken}
    number, shown = 1, _cut(title, SHEET_TITLE_MAX)
    while shown.casefold() in used:
        number += 1
        end = f" {number}"
        shown = _cut(title, SHEET_TITLE_MAX - len(end)) + end
    return shown


def _cut(title: str, limit: int) -> str:
    """`title`, or its words that fit in `limit` characters with "…"."""
    if len(title) <= limit:
        return title
    cut = title[:limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;.-–—،") + "…"


def _about_value(about, value: Any):
    if isinstance(value, dt.datetime):
        return _date_cell(about, _naive_utc(value).replace(microsecond=0), "yyyy-mm-dd hh:mm:ss")
    if isinstance(value, dt.date):
        return _date_cell(about, value)
    if isinstance(value, list | tuple | set):
        value = ", ".join(str(v) for v in value)
    return _text_cell(about, value, wrap=True)


# What the About sheet of every download says first, whatever was exported: (label,
# value) rows given by the features that know them (the fund's name and code:
# fund/status.py), in the order registered. Read at each download (the fund's record
# may change) by xlsx_response and export_to_file, the ways out of the app.
ABOUT_ROWS: list[Callable[[], tuple[Any, Any] | None]] = []


def about_row(provide: Callable[[], tuple[Any, Any] | None]):
    """Register a row of every download's About sheet (a decorator): provide() gives
    (label, value), or None to say nothing."""
    ABOUT_ROWS.append(provide)
    return provide


def about_rows() -> list[tuple[Any, Any]]:
    return [row for row in (provide() for provide in ABOUT_ROWS) if row is not None]


def write_workbook(target, sheets: list[Sheet], *, what: str, user: Any,
                   filters: dict | None = None, first: list[tuple[Any, Any]] | None = None,
                   notes: dict | None = None) -> None:
    """Write the sheets and an About sheet to `target` (a path or a binary file);
    `first`: the About sheet's first rows (about_rows()); `notes`: rows said after the
    rows' counts (what a download left out)."""
    wb = Workbook(write_only=True)
    try:
        counts = [write_sheet(wb, sheet) for sheet in sheets]
    except BaseException:
        _abandon(wb)
        raise
    titles = [ws.title for ws in wb.worksheets]  # as written: cut, or numbered
    about = wb.create_sheet(title=safe_sheet_title(_("About this export"), titles))
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 60
    print_setup(about, one_page=True)

    rows = itertools.count(1)

    def pair(label, value):
        cell = _about_value(about, value)
        shown = cell if isinstance(cell, str) else getattr(cell, "value", "")
        _set_height(about, next(rows), max(lines_needed(str(label), 28),
                                           lines_needed(str(shown), 60) if isinstance(shown, str) else 1))
        about.append([_text_cell(about, label, bold=True, wrap=True), cell])

    for label, value in first or ():
        pair(label, value)
    pair(_("Exported"), what)
    pair(_("Exported at (UTC)"), utcnow())
    pair(_("Exported by"), getattr(user, "email", None) or str(user or _("command line")))
    for title, count in zip(titles, counts, strict=True):
        label = _("Rows in %(sheet)s", sheet=title)
        _set_height(about, next(rows), lines_needed(label, 28))
        about.append([_text_cell(about, label, bold=True, wrap=True), count])
    for label, value in (notes or {}).items():
        pair(label, value)
    for key, value in (filters or {}).items():
        if value not in (None, "", [], ()):
            pair(_("Filter: %(name)s", name=key), value)
    pair(_("Source"), _("Trustfund, UN MPTF Office"))
    wb.save(target)


def _abandon(wb: Workbook) -> None:
    """After a failure mid-export: finish each sheet's stream and delete its
    temporary file, so that nothing is left open or on disk."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        try:
            if not ws.closed:
                ws.close()
        except Exception:
            pass
        out = getattr(writer, "out", None)
        if isinstance(out, str) and os.path.exists(out):
            os.remove(out)


def temp_file(write: Callable[[IO[bytes]], Any]) -> IO[bytes]:
    """A temporary file written by write(handle), positioned at its start (for
    send_file, which closes it); closed at once if the writing fails."""
    handle = tempfile.TemporaryFile()
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def build_workbook(sheets: list[Sheet], *, what: str, user: Any, filters: dict | None = None,
                   first: list[tuple[Any, Any]] | None = None, notes: dict | None = None):
    """A write-only workbook of `sheets` and an About sheet; returns a temp file
    positioned at its start."""
    return temp_file(lambda handle: write_workbook(handle, sheets, what=what, user=user, filters=filters,
                                                   first=first, notes=notes))


def xlsx_response(filename: str, sheets: list[Sheet], *, what: str, user: Any,
                  filters: dict | None = None, notes: dict | None = None):
    handle = build_workbook(sheets, what=what, user=user, filters=filters, first=about_rows(), notes=notes)
    # The reader's own day and hour (as every page shows a moment): an evening's download
    # in New York is not named after the next day (the About sheet says the UTC moment).
    stamp = to_user_timezone(utcnow()).strftime("%Y%m%d-%H%M")
    return send_file(handle, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"{filename}-{stamp}.xlsx", max_age=0)


def stream(statement, batch: int = 1000):
    """The ORM objects of a SELECT, fetched `batch` at a time (a server-side cursor
    on PostgreSQL), for exports of any length. Eager loads must be many-to-one
    (joinedload) or selectinload; joined collections cannot be streamed."""
    from .extensions import db

    return db.session.scalars(statement.execution_options(yield_per=batch))


# --- The register of exports -------------------------------------------------
# Each list that can be downloaded registers a builder here, so that the page's
# "Download .xlsx" and `flask --app trustfund export NAME` produce the same rows:
#
#     @register_export("deposits", "Deposits with USD, fee and net")
#     def deposits_export(filters: dict, user) -> tuple[list[Sheet], str]:
#         ...
#
# `filters` holds what the page's query string or the command's options gave
# (donor_id, date_from, date_to when given); `user` is the current user
# (None from the command line) and the builder must apply the user's ownership
# rules (a donor user sees only its own donor's rows). A builder refuses missing
# or bad filters with errors.DomainError (the command prints the message).
#
# `applies` names which of the command's filters (--donor, --from, --to: the keys
# below) the builder applies; the command refuses the others, and the About sheet
# lists none of them, rather than say a period or a donor every row ignores.

DONOR_ID, DATE_FROM, DATE_TO = "donor_id", "date_from", "date_to"
PERIOD = (DATE_FROM, DATE_TO)
COMMAND_FILTERS = (DONOR_ID, DATE_FROM, DATE_TO)


@dataclass(frozen=True)
class Filter:
    """How the About sheet names one filter of a download's query: its label, in the
    reader's language, and its value in words where the query holds an id or a code."""
    label: Any
    shown: Callable[[Any], Any] | None = None
    # Values of the page's own choice "Any" (a select's "0"): no filter, not listed.
    anything: tuple[str, ...] = ()


# Filters every list means the same way; a register names its others
# (register_export(..., filters={key: Filter(...)})).
COMMON_FILTERS = {
    "date_from": Filter(_l("From")),
    "date_to": Filter(_l("To")),
    "on": Filter(_l("On")),
    "currency": Filter(_l("Currency")),
}
# What chooses how a list is shown (the file's format, the order, the page, which of
# a page's tables), not which rows: no filter of the rows, so not listed.
NOT_FILTERS = frozenset({"format", "sort", "page", "per_page", "print", "kind", "report", "list"})


@dataclass
class ExportDef:
    name: str
    help: str
    build: Callable[[dict, Any], tuple[list[Sheet], str]]
    filters: dict[str, Filter] = field(default_factory=dict)
    applies: frozenset[str] = frozenset()  # of COMMAND_FILTERS
    # How the builder reads its filters (the page's own reading of a query string,
    # which drops what it does not know): the About sheet lists what that reading
    # keeps, not what was typed. None: the filters are listed as given.
    reads: Callable[[dict], dict] | None = None

    def about(self, filters: dict) -> dict:
        """The filters of a download of this register as its About sheet lists them."""
        return readable_filters(self.reads(filters) if self.reads else filters, self.filters,
                                self.applies)


REGISTERS: dict[str, ExportDef] = {}


def register_export(name: str, help: str, filters: dict[str, Filter] | None = None,
                    applies: Iterable[str] = (), reads: Callable[[dict], dict] | None = None):
    applies = frozenset(applies)
    if not applies <= set(COMMAND_FILTERS):
        raise ValueError(f"{name}: applies names {sorted(applies)}, not among {COMMAND_FILTERS}")

    def decorator(build):
        REGISTERS[name] = ExportDef(name, help, build, dict(filters or {}), applies, reads)
        return build

    return decorator


def no_filters(filters: dict) -> dict:
    """The reading of a register whose list has no filters (`reads`): whatever the
    query string holds, the About sheet lists none."""
    return {}


def in_period(column, filters: dict) -> list:
    """The conditions of a register that applies PERIOD: `column` (a date) within
    date_from and date_to, each when given."""
    date_from, date_to = date_arg(filters, DATE_FROM), date_arg(filters, DATE_TO)
    return ([column >= date_from] if date_from else []) + ([column <= date_to] if date_to else [])


def readable_filters(filters: dict, named: dict[str, Filter] | None = None,
                     applies: Iterable[str] = COMMAND_FILTERS) -> dict:
    """The filters of a download as its reader reads them, for the About sheet: each
    under its label, its value in words; what only chooses how the list is shown is
    left out, and so is a filter of the command the register does not apply
    (`applies`). A key no register names is shown as given rather than hidden."""
    shown: dict = {}
    for key, value in filters.items():
        if key in NOT_FILTERS or value is False or value in (None, "", [], ()):
            continue
        if key in COMMAND_FILTERS and key not in applies:
            continue
        how = (named or {}).get(key) or COMMON_FILTERS.get(key)
        if how is not None and str(value) in how.anything:
            continue
        if how is None:
            shown[key] = value
        else:
            shown[str(how.label)] = how.shown(value) if how.shown else value
    return shown


def export_response(name: str, filters: dict, user: Any):
    """The download of a registered export, for a route."""
    definition = REGISTERS[name]
    sheets, what = definition.build(filters, user)
    return xlsx_response(name, sheets, what=what, user=user, filters=definition.about(filters))


def export_to_file(name: str, filters: dict, user: Any, target) -> str:
    """Write a registered export to `target` (a path or binary file); returns `what`."""
    definition = REGISTERS[name]
    sheets, what = definition.build(filters, user)
    write_workbook(target, sheets, what=what, user=user, filters=definition.about(filters),
                   first=about_rows())
    return what
