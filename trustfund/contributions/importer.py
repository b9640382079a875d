"""Importing deposits from an .xlsx workbook: every row goes through record_deposit
(so every rule of a typed-in deposit holds) in one transaction; any refused row
and nothing is imported. The caller commits on success and rolls back otherwise.

Rows are read with openpyxl's read-only mode and the recorded objects are let go
of as the import proceeds, so memory stays bounded up to MAX_ROWS rows. A hostile
file gets no further: what it unpacks to is read from the zip's directory before
anything is unpacked (a zip bomb is refused), every row is read whatever the sheet's
<dimension> claims (a stale one hid rows), each row only as wide as the header, and
reading stops at Excel's last row number.
"""
from __future__ import annotations

import datetime as dt
import math
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from ..audit import AuditEntry, record
from ..errors import DomainError
from ..extensions import db
from ..validation import strict_date
from .ledger import record_deposit
from .models import Commitment, Deposit

MAX_ROWS = 100_000
MAX_ERRORS_KEPT = 1000
RELEASE_EVERY = 500
# A workbook of MAX_ROWS deposits unpacks to a few tens of MB; hundreds is a zip bomb.
MAX_UNPACKED_MB = 200
# Excel's last row: a row number beyond it is no real worksheet.
EXCEL_ROWS = 1_048_576
# What reading a damaged workbook raises (XML parse errors are SyntaxErrors).
UNREADABLE = (InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, KeyError,
              ValueError, OSError, TypeError)

# Column key -> the headers that name it (compared without case, spaces or "_").
COLUMNS = {
    "commitment": ("commitment", "commitmentreference", "commitmentid", "reference"),
    "value_date": ("valuedate", "date"),
    "amount": ("amount",),
    "currency": ("currency",),
    "rate": ("rate",),
    "rate_note": ("ratenote", "note"),
    "bank_reference": ("bankreference",),
}
REQUIRED = ("commitment", "value_date", "amount")
# The template's header row: a fixed interchange format, in English whatever the
# user's language (headers in the user's language are understood too).
TEMPLATE_HEADERS = ("Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note",
                    "Bank reference")
TEMPLATE_HEADER_OF = dict(zip(COLUMNS, TEMPLATE_HEADERS, strict=True))


def column_label(key: str) -> str:
    return {"commitment": _("Commitment"), "value_date": _("Value date"), "amount": _("Amount"),
            "currency": _("Currency"), "rate": _("Rate"), "rate_note": _("Rate note"),
            "bank_reference": _("Bank reference"), "": _("File")}[key]


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, %(column)s: %(message)s", row=self.row, column=column_label(self.column),
                 message=self.message)


@dataclass
class ImportResult:
    imported: int = 0
    usd: Decimal = Decimal("0.00")
    net: Decimal = Decimal("0.00")
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, column, message))


def _key(header) -> str:
    return "".join(ch for ch in str(header or "").lower() if ch.isalnum())


def _columns(header_row) -> tuple[dict[str, int], list[str]]:
    """Where each column is: the template's English headers (and their aliases) are
    always understood, and so are the headers in the user's language."""
    positions, missing = {}, []
    accepted = {name: set(aliases) | {_key(column_label(name))} for name, aliases in COLUMNS.items()}
    for index, header in enumerate(header_row):
        key = _key(header)
        for name, aliases in accepted.items():
            if key in aliases and name not in positions:
                positions[name] = index
    for name in REQUIRED:
        if name not in positions:
            missing.append(name)
    return positions, missing


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value):
    """A cell's number as an exact Decimal: a float by its shortest round-trip form,
    so a cell holding 1062699.26 reads as exactly 1062699.26 (and never through the
    user's locale, where "1.005" could mean a thousand and five). Text stays text,
    read like a typed-in amount."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else str(value)
    if isinstance(value, int):
        return Decimal(value)
    return str(value).strip()


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        raise DomainError(_("Enter the value date."), field="value_date")
    try:
        return strict_date(text)
    except ValueError:
        raise DomainError(_("Write the date as YYYY-MM-DD (for example 2017-05-10)."),
                          field="value_date") from None


class _Commitments:
    """Finds a row's commitment by reference (first) or by #id, remembering ids."""

    def __init__(self):
        self.ids: dict[str, int | None] = {}

    def find(self, value) -> Commitment:
        text = _text(value)
        if not text:
            raise DomainError(_("Name the commitment by its reference or #id."), field="commitment")
        if text not in self.ids:
            found = db.session.scalar(sa.select(Commitment.id).where(
                sa.func.lower(Commitment.reference) == text.lower()).limit(1))
            digits = text.lstrip("#")
            if found is None and digits.isdigit() and len(digits) < 10:
                found = db.session.scalar(sa.select(Commitment.id).where(Commitment.id == int(digits)))
            self.ids[text] = found
        if self.ids[text] is None:
            raise DomainError(_("No commitment has the reference or id “%(value)s”.", value=text),
                              field="commitment")
        return db.session.get(Commitment, self.ids[text])


def open_workbook(source):
    """The workbook in `source` (a path or a binary file), or a DomainError saying
    why the file cannot be read."""
    try:
        if hasattr(source, "seek"):
            source.seek(0)
            if source.read(4) != b"PK\x03\x04":
                raise DomainError(_("This is not an .xlsx workbook. Save the file as Excel Workbook "
                                    "(.xlsx) and upload it again."), field="file")
            source.seek(0)
        elif not zipfile.is_zipfile(source):
            raise DomainError(_("This is not an .xlsx workbook. Save the file as Excel Workbook "
                                "(.xlsx) and upload it again."), field="file")
        _check_unpacked_size(source)
        return load_workbook(source, read_only=True, data_only=True)
    except DomainError:
        raise
    except UNREADABLE:
        raise DomainError(_("The workbook could not be read; it may be damaged. Open it in Excel, "
                            "save it as .xlsx and try again."), field="file") from None


def _check_unpacked_size(source) -> None:
    """Refuse a workbook that would unpack to more than MAX_UNPACKED_MB, from the sizes
    its zip directory declares (reading never goes past a declared size)."""
    with zipfile.ZipFile(source) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if hasattr(source, "seek"):
        source.seek(0)
    if unpacked > MAX_UNPACKED_MB * 1024 * 1024:
        raise DomainError(_("This workbook would unpack to %(size)s MB, more than the %(limit)s MB an "
                            "import may hold: split it into smaller files.",
                            size=unpacked // (1024 * 1024), limit=MAX_UNPACKED_MB), field="file")


def _release_memory() -> None:
    """Let go of the deposits and audit entries already written to the transaction."""
    db.session.flush()
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Deposit | AuditEntry):
            db.session.expunge(obj)


def import_deposits(actor, source, *, filename: str | None = None) -> ImportResult:
    """Record every deposit of the workbook, or none: returns the result with the
    row errors; the caller commits only if result.ok (and rolls back otherwise)."""
    result = ImportResult()
    if filename is not None and not filename.lower().endswith(".xlsx"):
        result.add_error(0, "", _("Upload an .xlsx workbook (the file's name ends in .xlsx)."))
        return result
    try:
        workbook = open_workbook(source)
    except DomainError as error:
        result.add_error(0, "", error.message)
        return result
    try:
        sheet = workbook["Deposits"] if "Deposits" in workbook.sheetnames else workbook.worksheets[0]
        # Every row there is: openpyxl would stop at the <dimension> the file claims.
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(max_row=1, values_only=True), None)
        positions, missing = _columns(header or ())
        if missing:
            for name in missing:
                result.add_error(1, name, _("The header row has no “%(column)s” column.",
                                            column=TEMPLATE_HEADER_OF[name]))
            return result
        rows = sheet.iter_rows(min_row=2, max_col=max(positions.values()) + 1, values_only=True)
        _import_rows(actor, rows, positions, result)
    except UNREADABLE:
        result.add_error(0, "", _("The workbook could not be read; it may be damaged."))
    finally:
        workbook.close()
    if result.ok and result.imported == 0:
        result.add_error(0, "", _("The workbook has no deposits below its header row."))
    if result.ok:
        record(actor, "deposit.import", object_type="Deposit",
               after={"file": filename or "", "deposits": result.imported, "usd": result.usd,
                      "net": result.net})
    return result


def _import_rows(actor, rows, positions: dict[str, int], result: ImportResult) -> None:
    commitments = _Commitments()
    width = max(positions.values()) + 1
    data_rows = 0
    for number, values in enumerate(rows, start=2):
        if number > EXCEL_ROWS:
            last = f"{EXCEL_ROWS:,}"
            result.add_error(number, "", _("The sheet goes on past row %(count)s, the last row a worksheet "
                                           "has: the file is damaged.", count=last))
            return
        values = tuple(values or ())[:width] + (None,) * max(0, width - len(values or ()))
        cells = {name: values[index] for name, index in positions.items()}
        if all(v is None or _text(v) == "" for v in cells.values()):
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            limit = f"{MAX_ROWS:,}"
            result.add_error(number, "", _("The workbook has more than %(count)s deposits; split it into "
                                           "smaller files.", count=limit))
            return
        try:
            commitment = commitments.find(cells["commitment"])
            currency = _text(cells.get("currency")).upper()
            if currency and currency != commitment.currency:
                raise DomainError(_("The commitment is in %(expected)s, not %(given)s.",
                                    expected=commitment.currency, given=currency), field="currency")
            deposit = record_deposit(actor, commitment, value_date=_date(cells["value_date"]),
                                     amount=_number(cells["amount"]), rate=_number(cells.get("rate")),
                                     rate_note=_text(cells.get("rate_note")),
                                     bank_reference=_text(cells.get("bank_reference")))
        except DomainError as error:
            column = error.field if error.field in COLUMNS else "commitment"
            result.add_error(number, column, error.message)
            continue
        result.imported += 1
        result.usd += deposit.usd_amount
        result.net += deposit.net
        if result.imported % RELEASE_EVERY == 0:
            _release_memory()


def template_workbook(open_commitments) -> Workbook:
    """The import template: a Deposits sheet with the header row, a sheet of open
    commitments to copy references from, and the instructions."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    sheet = wb.create_sheet("Deposits")
    for letter, width in zip("ABCDEFG", (22, 14, 18, 10, 12, 40, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title in TEMPLATE_HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    refs = wb.create_sheet(_("Open commitments"))
    refs.append([WriteOnlyCell(refs, value=v) for v in (
        _("Commitment"), _("Donor"), _("Currency"), _("Committed"), _("Deposited"), _("Outstanding"))])
    for commitment, donor_name in open_commitments:
        label = commitment.reference or f"#{commitment.id}"
        row = [WriteOnlyCell(refs, value=label), WriteOnlyCell(refs, value=donor_name)]
        for cell in row:
            cell.data_type = "s"
        row.append(WriteOnlyCell(refs, value=commitment.currency))
        row += [WriteOnlyCell(refs, value=v) for v in (commitment.amount, commitment.deposited,
                                                        commitment.outstanding)]
        refs.append(row)
    notes = wb.create_sheet(_("Instructions"))
    notes.column_dimensions["A"].width = 100
    for line in (
        _("One deposit per row of the Deposits sheet, below the header row."),
        _("Commitment: the commitment's reference, or # and its number (e.g. #12)."),
        _("Value date: a date, or text written YYYY-MM-DD. It may not be in the future."),
        _("Amount: in the commitment's currency, with no more decimals than the currency has."),
        _("Currency (optional): if given, it must be the commitment's currency."),
        _("Rate (optional): units of the currency per US dollar. Leave it empty to use the UN "
          "operational rate of the value date's month; another rate needs a rate note."),
        _("Either every row is imported or none: any error and nothing is recorded."),
    ):
        notes.append([line])
    return wb
