"""The cells of an .xlsx export (see exports.py): text that stays text, numbers with
their exact decimal digits and the currency's format, dates as dates, and the
data rows of a sheet written with one reusable cell per column and kind."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.styles.cell_style import StyleArray

from .money import precision

FORMULA_STARTS = ("=", "+", "-", "@")
BOLD = Font(bold=True)
# Long labels wrap within their column instead of being cut at its edge (on screen and in print).
WRAP = Alignment(wrap_text=True, vertical="top")
MAX_TEXT = 32767  # Excel's limit for one cell
# Characters that XML 1.0 (and so .xlsx) cannot hold.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


LINE_HEIGHT = 15  # points: one line of the default font, as Excel and LibreOffice size rows


def lines_needed(text: str, width: float | None) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide (a
    little narrower: proportional glyphs vary). Spreadsheets do not grow a row for
    its wrapped text when they print a file they did not write, so the export sets
    the row's height itself."""
    if not width:
        return 1
    per_line = max(1, int(width) - 2)
    return sum(max(1, -(-len(line) // per_line)) for line in str(text).splitlines() or [""])


def money_format(currency: str | None) -> str:
    places = precision(currency) if currency else 2
    return "#,##0" + ("." + "0" * places if places else "")


@functools.lru_cache(maxsize=512)
def _money_spec(currency: str | None) -> tuple[Decimal, str]:
    """(quantum, number format) of a currency, looked up once, not once per cell."""
    places = precision(currency) if currency else 2
    return Decimal(1).scaleb(-places), money_format(currency)


def clean_text(value: Any) -> str:
    """Text as a cell can hold it: no XML-illegal characters, at most 32,767 characters."""
    text = str(value)
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("\ufffd", text)
    return text[:MAX_TEXT]


def _style(ws, fmt: str | None = None, bold: bool = False, quote: bool = False,
           wrap: bool = False) -> StyleArray:
    """The style of a kind of cell, made once per workbook (a cell's style is a set
    of indexes into the workbook's tables): cells then copy it instead of going
    through openpyxl's per-cell style setters, which would halve the export's speed."""
    cache = ws.parent.__dict__.setdefault("_trustfund_styles", {})
    key = (fmt, bold, quote, wrap)
    style = cache.get(key)
    if style is None:
        proto = WriteOnlyCell(ws)
        if fmt:
            proto.number_format = fmt
        if bold:
            proto.font = BOLD
        if quote:
            proto.quotePrefix = True
        if wrap:
            proto.alignment = WRAP
        style = cache[key] = proto._style
    return style


def _make(ws, value: Any, data_type: str, style: StyleArray) -> Cell:
    """A cell whose value and type are set as given, without openpyxl's guessing."""
    cell = Cell(ws, row=1, column=1, style_array=style)
    cell._value = value
    cell.data_type = data_type
    return cell


def _text_cell(ws, value: Any, bold: bool = False, wrap: bool = False) -> Cell | str:
    """User text as text, always: openpyxl would make a string that starts with "="
    a formula and "#N/A" an error. Formula-like text also gets Excel's quote
    prefix, so that the cell stays text when someone edits it."""
    text = clean_text(value)
    quote = text.startswith(FORMULA_STARTS)
    if not (bold or quote or wrap or text in ERROR_CODES):
        return text  # a plain string: openpyxl stores it as text ("s") as it is
    return _make(ws, text, "s", _style(ws, bold=bold, quote=quote, wrap=wrap))


def _number_cell(ws, value: Decimal, quantum: Decimal | None, fmt: str, bold: bool = False) -> Cell:
    """A number cell holding the exact decimal digits of `value` (openpyxl would
    write a Decimal through float and "%.16g", losing digits past the 16th)."""
    if quantum is not None:
        value = value.quantize(quantum)
    return _make(ws, format(value, "f"), "n", _style(ws, fmt, bold))


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        return value
    if isinstance(value, bool | float):
        raise TypeError(f"an amount must be a Decimal, not {type(value).__name__}")
    return Decimal(value)


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _date_cell(ws, value: dt.date, fmt: str = "yyyy-mm-dd", bold: bool = False) -> Cell:
    return _make(ws, value, "d", _style(ws, fmt, bold))


def _cell(ws, col, row: Any, value: Any, bold: bool = False):
    if value is None:
        return None
    kind = col.kind
    if kind == "money":
        currency = col.currency or (col.currency_of(row) if col.currency_of and row is not None
                                    else None)
        quantum, fmt = _money_spec(currency)
        return _number_cell(ws, _decimal(value), quantum, fmt, bold)
    if kind == "rate":
        return _number_cell(ws, _decimal(value), None, "0.000000", bold)
    if kind == "percent":
        return _number_cell(ws, _decimal(value), None, "0.00%", bold)
    if kind == "int":
        return _make(ws, int(value), "n", _style(ws, bold=True)) if bold else int(value)
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = _naive_utc(value).date()
        if not isinstance(value, dt.date):
            raise TypeError(f"column {col.header!s}: a date, not {type(value).__name__}")
        return _date_cell(ws, value, bold=bold)
    if kind == "datetime":
        if not isinstance(value, dt.datetime):
            raise TypeError(f"column {col.header!s}: a datetime, not {type(value).__name__}")
        return _date_cell(ws, _naive_utc(value).replace(microsecond=0), "yyyy-mm-dd hh:mm", bold)
    if kind == "bool":
        return bool(value)
    return _text_cell(ws, value, bold)


# --- Rows of an export, written fast ----------------------------------------
# An export writes millions of cells. openpyxl's write-only append() turns each
# value into a cell by binding it to a scratch cell (type guessing, string
# checks), takes a cell passed in only after a failed bind (an exception and a
# repr of the cell) and then makes a new scratch cell; and each styled cell looks
# its style up in the workbook's registry when written. So the data rows of a
# sheet are made of cells typed here, one per column and kind (a "template"),
# whose value is replaced row after row, with the style index looked up once.
#
# Reusing a cell is safe because write-only mode serialises a row before append()
# returns (WriteOnlyWorksheet.append sends it to _write_rows, which hands the
# cells of _values_to_row to the writer at once, and nothing keeps a cell), and
# because each sheet's _values_to_row is replaced by one that passes cells
# through as they are (openpyxl's binds the next plain value of the row into a
# cell that has no style: our unstyled text template). A row's list of cells is
# made whole before append(), so no two columns may share a cell: each column
# has its own.
#
# _values_to_row is openpyxl's private method: exports.reuse_cells() checks once
# per process that this openpyxl still works as described (a small sheet written
# with reused cells and with new cells must give the same file); if not, each
# value gets a new cell through openpyxl's own append path (slower, same file).
# tests/unit/test_export_rows.py pins both paths and the check.


class _Typed(Cell):
    """A cell whose type and style are set when it is made and never change: its
    style index is looked up once instead of at every write."""

    __slots__ = ("has_style", "style_id")

    def __init__(self, ws, data_type: str, style: StyleArray | None = None):
        super().__init__(ws, row=1, column=1, style_array=style)
        self.data_type = data_type
        self.has_style = bool(style is not None and any(style))
        self.style_id = ws.parent._cell_styles.add(self._style) if self.has_style else 0


def pass_cells_through(ws) -> None:
    """Give `ws` a _values_to_row that takes the cells of a row as they are (see above):
    only where exports.reuse_cells() says this openpyxl allows it."""

    def values_to_row(values, row_idx):
        scratch = None
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                cell = value
            else:  # a plain value: openpyxl's own typing, as append() does
                if scratch is None:
                    scratch = WriteOnlyCell(ws)
                cell = scratch
                cell.value = value
            cell.column = col_idx
            cell.row = row_idx
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
            yield cell
            if cell is scratch and (cell.has_style or cell.hyperlink):
                scratch = None

    ws._values_to_row = values_to_row


def column_writer(ws, col, reuse: bool = True, width: float | None = None,
                  tall: list[int] | None = None) -> Callable[[Any], Any]:
    """row -> cell (or None) for one column of the data rows. With `reuse` each kind
    of cell of the column is one template cell whose value is replaced."""
    read = col.value
    kind = col.kind

    def template(data_type: str, fmt: str | None = None, quote: bool = False, wrap: bool = False) -> _Typed:
        style = _style(ws, fmt, quote=quote, wrap=wrap) if (fmt or quote or wrap) else None
        return _Typed(ws, data_type, style)

    if kind == "money":
        fixed = col.currency
        currency_of = col.currency_of if fixed is None else None
        kinds: dict[Any, tuple[Decimal, str, _Typed]] = {}

        def money_cell(row):
            value = read(row)
            if value is None:
                return None
            currency = currency_of(row) if currency_of else fixed
            spec = kinds.get(currency)
            if spec is None:
                quantum, fmt = _money_spec(currency)
                spec = kinds[currency] = (quantum, fmt, template("n", fmt))
            quantum, fmt, cell = spec
            cell = cell if reuse else template("n", fmt)
            cell._value = format(_decimal(value).quantize(quantum), "f")
            return cell

        return money_cell
    def plain_kind(data_type: str, fmt: str | None, convert: Callable[[Any], Any]):
        proto = template(data_type, fmt)

        def cell_of(row):
            value = read(row)
            if value is None:
                return None
            cell = proto if reuse else template(data_type, fmt)
            cell._value = convert(value)
            return cell

        return cell_of

    if kind == "value":
        # A column of values of several types (an item and its value, a row each): each
        # value written as what it is, a date as a date, a moment as a moment.
        dates, moments, texts = (column_writer(ws, dataclasses.replace(col, kind=k), reuse, width, tall)
                                 for k in ("date", "datetime", "text"))

        def value_cell(row):
            value = read(row)
            if isinstance(value, dt.datetime):
                return moments(row)
            return dates(row) if isinstance(value, dt.date) else texts(row)

        return value_cell
    if kind in ("rate", "percent"):
        return plain_kind("n", "0.000000" if kind == "rate" else "0.00%",
                          lambda value: format(_decimal(value), "f"))
    if kind == "int":
        return plain_kind("n", None, int)
    if kind == "bool":
        return plain_kind("b", None, bool)
    if kind in ("date", "datetime"):
        fmt = "yyyy-mm-dd" if kind == "date" else "yyyy-mm-dd hh:mm"
        moment = template("d", fmt)

        def date_cell(row):
            value = read(row)
            if value is None:
                return None
            if kind == "date":
                if isinstance(value, dt.datetime):
                    value = _naive_utc(value).date()
                elif not isinstance(value, dt.date):
                    raise TypeError(f"column {col.header!s}: a date, not {type(value).__name__}")
            else:
                if not isinstance(value, dt.datetime):
                    raise TypeError(f"column {col.header!s}: a datetime, not {type(value).__name__}")
                value = _naive_utc(value).replace(microsecond=0)
            cell = moment if reuse else template("d", fmt)
            cell._value = value
            return cell

        return date_cell
    # Text (and any other kind): stored as text, never a formula or error value;
    # formula-like text with Excel's quote prefix.
    # A text longer than its column (`width`, in characters) wraps within it.
    cells = {(quote, wrap): template("s", quote=quote, wrap=wrap) for quote in (False, True)
             for wrap in (False, True)}
    longest = int(width) if width else None

    def text_cell(row):
        value = read(row)
        if value is None:
            return None
        text = clean_text(value)
        key = (text.startswith(FORMULA_STARTS), longest is not None and len(text) > longest)
        if key[1] and tall is not None:  # the row's height: its tallest wrapped cell
            tall[0] = max(tall[0], lines_needed(text, longest))
        cell = cells[key] if reuse else template("s", quote=key[0], wrap=key[1])
        cell._value = text
        return cell

    return text_cell
