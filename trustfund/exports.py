"""Excel exports (DESIGN.md §6), streamed with openpyxl's write-only mode.

Every list calls xlsx_response() with its columns and rows: real numbers and
dates, a number format per currency, a bold frozen header with an autofilter,
widths that fit, landscape fit-to-width printing, and an "About" sheet saying
what was exported, when, by whom, with which filters. User text that starts with
=, +, - or @ stays text: it is never a formula.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import send_file
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .audit import utcnow
from .money import precision, round_cents

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@")
BOLD = Font(bold=True)


def money_format(currency: str | None) -> str:
    places = precision(currency) if currency else 2
    return "#,##0" + ("." + "0" * places if places else "")


@dataclass
class Col:
    """One column: a header and how to read and show its value.

    kind: "text", "int", "date", "datetime", "money" (with `currency`, or
    `currency_of` giving the row's currency), "rate", "bool".
    """

    header: str
    value: Callable[[Any], Any]
    kind: str = "text"
    currency: str | None = None
    currency_of: Callable[[Any], str] | None = None
    width: int | None = None

    def fit_width(self) -> int:
        if self.width:
            return self.width
        base = {"date": 12, "datetime": 18, "money": 18, "rate": 12, "int": 10, "bool": 8}.get(self.kind, 24)
        return max(base, min(len(str(self.header)) + 4, 50))


@dataclass
class Sheet:
    title: str
    columns: list[Col]
    rows: Iterable[Any]
    totals: list[Any] | None = None  # a last row of values, in column order
    extra: dict = field(default_factory=dict)


def _text_cell(ws, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    # openpyxl makes any string that starts with "=" a formula: force text.
    cell.data_type = "s"
    return cell


def _cell(ws, col: Col, row: Any, value: Any) -> WriteOnlyCell | None:
    if value is None:
        return None
    if col.kind == "money" or col.kind == "rate":
        if not isinstance(value, Decimal):
            value = Decimal(value)
        currency = col.currency or (col.currency_of(row) if col.currency_of else None)
        if col.kind == "money":
            places = precision(currency) if currency else 2
            value = value.quantize(Decimal(1).scaleb(-places)) if places != 2 else round_cents(value)
            fmt = money_format(currency)
        else:
            fmt = "0.000000"
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = fmt
        return cell
    if col.kind == "int":
        return WriteOnlyCell(ws, value=int(value))
    if col.kind == "date":
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if col.kind == "datetime":
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if col.kind == "bool":
        return WriteOnlyCell(ws, value=bool(value))
    return _text_cell(ws, str(value))


def write_sheet(wb: Workbook, sheet: Sheet) -> int:
    """Write one sheet; returns the number of data rows."""
    ws = wb.create_sheet(title=safe_sheet_title(sheet.title))
    for index, col in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = col.fit_width()
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    header = []
    for col in sheet.columns:
        cell = _text_cell(ws, str(col.header))
        cell.font = BOLD
        header.append(cell)
    ws.append(header)
    count = 0
    for row in sheet.rows:
        ws.append([_cell(ws, col, row, col.value(row)) for col in sheet.columns])
        count += 1
    last_col = get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A1:{last_col}{count + 1}"
    if sheet.totals is not None:
        cells = []
        for col, value in zip(sheet.columns, sheet.totals, strict=False):
            c = _cell(ws, col, None, value) if value is not None and col.kind != "text" else (
                _text_cell(ws, str(value)) if value is not None else None)
            if c is not None:
                c.font = BOLD
            cells.append(c)
        ws.append(cells)
    return count


def safe_sheet_title(title: str) -> str:
    for ch in '[]:*?/\\':
        title = title.replace(ch, " ")
    return title[:31] or "Sheet"


def build_workbook(sheets: list[Sheet], *, what: str, user: Any, filters: dict | None = None):
    """A write-only workbook of `sheets` and an About sheet; returns a temp file."""
    wb = Workbook(write_only=True)
    counts = [write_sheet(wb, sheet) for sheet in sheets]
    about = wb.create_sheet(title=safe_sheet_title(_("About this export")))
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 60
    when = utcnow().replace(microsecond=0)

    def pair(label, value):
        label_cell = _text_cell(about, label)
        label_cell.font = BOLD
        if isinstance(value, dt.datetime):
            value_cell = WriteOnlyCell(about, value=value)
            value_cell.number_format = "yyyy-mm-dd hh:mm:ss"
        else:
            value_cell = _text_cell(about, str(value))
        about.append([label_cell, value_cell])

    pair(_("Exported"), what)
    pair(_("Exported at (UTC)"), when)
    pair(_("Exported by"), getattr(user, "email", None) or str(user or _("command line")))
    for sheet, count in zip(sheets, counts, strict=True):
        pair(_("Rows in %(sheet)s", sheet=sheet.title), str(count))
    for key, value in (filters or {}).items():
        if value not in (None, "", [], ()):
            pair(_("Filter: %(name)s", name=key), value)
    pair(_("Source"), _("Trustfund, UN MPTF Office"))
    handle = tempfile.TemporaryFile()
    wb.save(handle)
    handle.seek(0)
    return handle


def xlsx_response(filename: str, sheets: list[Sheet], *, what: str, user: Any,
                  filters: dict | None = None):
    handle = build_workbook(sheets, what=what, user=user, filters=filters)
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return send_file(handle, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"{filename}-{stamp}.xlsx", max_age=0)


# --- The register of exports -------------------------------------------------
# Each list that can be downloaded registers a builder here, so that the page's
# "Download .xlsx" and `flask --app trustfund export NAME` produce the same rows:
#
#     @register_export("deposits", "Deposits with USD, fee and net")
#     def deposits_export(filters: dict, user) -> tuple[list[Sheet], str]:
#         ...
#
# `filters` holds what the page's query string or the command's options gave
# (at least donor_id, date_from, date_to when given); `user` is the current user
# (None from the command line) and the builder must apply the user's ownership
# rules (a donor user sees only its own donor's rows).


@dataclass
class ExportDef:
    name: str
    help: str
    build: Callable[[dict, Any], tuple[list[Sheet], str]]


REGISTERS: dict[str, ExportDef] = {}


def register_export(name: str, help: str):
    def decorator(build):
        REGISTERS[name] = ExportDef(name, help, build)
        return build

    return decorator


def export_response(name: str, filters: dict, user: Any):
    """The download of a registered export, for a route."""
    definition = REGISTERS[name]
    sheets, what = definition.build(filters, user)
    return xlsx_response(name, sheets, what=what, user=user, filters=filters)
