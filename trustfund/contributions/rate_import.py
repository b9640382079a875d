"""Monthly UN operational rates from one file (.xlsx or CSV: currency, month, rate),
with the deposit import's pattern: upload, see what it will do, confirm; all rows or
none, audited.

A workbook is read behind the deposit import's checks (import_workbook: zip bombs,
damaged files, sheets reaching too far); a CSV file is read strictly (UTF-8, one
delimiter, no NUL, a size and row cap). Each row is checked like a rate typed into
the form (confirmed.set_rate): a current currency or one the fund uses, not the dollar,
a month written YYYY-MM, a rate above zero with at most six decimals; a currency and
month twice in the file is refused. A month that already has the same rate is left
as it is; one with another rate is shown as a correction, made on confirming.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .. import currencies, language, second_person
from ..audit import record, utcnow
from ..auth.colleagues import tell_others
from ..errors import DomainError
from ..extensions import db
from ..formatting import number as fmt_number
from ..fund import periods
from ..money import USD, MoneyError, parse_rate
from ..permissions import MPTF_OFFICER
from ..seen import fingerprint, require_unchanged
from .import_check import cell_number, cell_text
from .import_workbook import MB, cells_in_error, excel_error_message, open_sheet, too_many_errors_message
from .models import ExchangeRate, RateImport
from .rates import (
    fund_currencies,
    month_label,
    nearest_rate,
    rate_tolerance,
    refund_months,
    refund_rate_refusal,
    require_near_other_months,
    require_open_month,
)

MAX_ROWS = 5000
MAX_CSV_BYTES = 2 * MB
PREFERRED_SHEET = "Rates"
COLUMNS = {"currency": ("currency", "currencycode", "code"), "month": ("month",),
           "rate": ("rate", "unitsperusd", "unitsperusdollar")}
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})(?:-01)?\Z")
# Text of a rate: plain digits and a decimal point, nothing else ("0,861" is 0.861 in
# French and 861 in English: refused, not guessed).
_RATE_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?\Z")


def column_label(key: str) -> str:
    return {"currency": _("Currency"), "month": _("Month"), "rate": _("Rate"), "": _("File")}[key]


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class PlannedRate:
    row: int
    currency: str
    month: dt.date
    rate: Decimal
    current: Decimal | None  # the rate on file for that month, if any


@dataclass
class RatePlan:
    """What importing the file will do: the rates it sets, the ones it corrects, the
    ones already on file, and every problem (nothing is imported while there is one)."""

    rows: list[PlannedRate] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    data_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def new(self) -> list[PlannedRate]:
        return [r for r in self.rows if r.current is None]

    @property
    def corrections(self) -> list[PlannedRate]:
        return [r for r in self.rows if r.current is not None and r.current != r.rate]

    @property
    def unchanged(self) -> list[PlannedRate]:
        return [r for r in self.rows if r.current == r.rate]

    def add_error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))


def _headers() -> dict[str, set[str]]:
    """Each column's headers as read: its aliases and its name in every language of the
    app. The help names the columns in the reader's language ("Monnaie, Mois, Taux"), and
    a file proposed by a French officer is read again when an English one confirms it."""
    names = {name: {_key(alias) for alias in aliases} for name, aliases in COLUMNS.items()}
    for code in current_app.config["LANGUAGES"]:
        with language.speaking(code):
            for name in COLUMNS:
                names[name].add(_key(column_label(name)))
    return names


def _key(header) -> str:
    return "".join(ch for ch in str(header or "").lower() if ch.isalnum())


def _table(data: bytes, filename: str) -> tuple[list, list[tuple[int, tuple]], frozenset]:
    """(header, [(row number, cells)], its cells holding an Excel error) of the file, or
    a DomainError beside the file (also for a sheet with more error cells than noted)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        sheet = open_sheet(data, PREFERRED_SHEET)
        if sheet.errors_beyond:
            raise DomainError(too_many_errors_message(), field="file")
        return list(sheet.header), list(sheet.rows(max(len(sheet.header), 3))), sheet.error_cells
    if name.endswith(".csv"):
        return (*_csv_table(data), frozenset())
    raise DomainError(_("Upload an .xlsx workbook or a .csv file (its name ends in .xlsx or .csv)."),
                      field="file")


def _csv_table(data: bytes) -> tuple[list, list[tuple[int, tuple]]]:
    if len(data) > MAX_CSV_BYTES:
        raise DomainError(_("This file is larger than %(limit)s MB, far more than a table of rates: check "
                            "that it is the right file.", limit=MAX_CSV_BYTES // MB), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("The CSV file is not in UTF-8: save it as “CSV UTF-8” and upload it again."),
                          field="file") from None
    if "\x00" in text:
        raise DomainError(_("This is not a CSV file of text."), field="file")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise DomainError(_("The CSV file could not be read (%(problem)s): save it again from the "
                            "spreadsheet and upload it.", problem=str(error)[:80]), field="file") from None
    if not rows:
        return [], []
    return rows[0], [(number, tuple(cells)) for number, cells in enumerate(rows[1:], start=2)]


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if value.day == 1:
            return value
    else:
        match = _MONTH.match(cell_text(value))
        if match and 1 <= int(match.group(2)) <= 12:
            return dt.date(int(match.group(1)), int(match.group(2)), 1)
    raise DomainError(_("Write the month as YYYY-MM (for example 2018-05)."), field="month")


def _rate(value) -> Decimal:
    number = cell_number(value)
    try:
        if isinstance(number, Decimal):
            return parse_rate(number)
        if number and _RATE_TEXT.match(number):
            return parse_rate(Decimal(number))
    except MoneyError as error:
        raise DomainError(str(error), field="rate") from None
    if not number:
        raise DomainError(_("Enter the rate."), field="rate")
    # A file's rates are written the one way the UN's tables write them, whatever the
    # reader's language (the form takes them in the reader's own way: money.parse_rate).
    raise DomainError(_("Write the rate with a point before its decimals, such as 0.941."), field="rate")


def _checked_row(number: int, values: dict, offered: frozenset[str], seen: dict,
                 require_open) -> PlannedRate:
    """A row as set_rate would take it typed in, or a DomainError beside its column;
    `seen`: the row of each currency and month so far, for a month given twice;
    `require_open`: periods.open_checker()'s, for a month of a closed year."""
    currency = cell_text(values["currency"]).upper()
    if currency == USD:
        raise DomainError(_("The US dollar is always at rate 1; it needs no entry."), field="currency")
    if currency not in offered:
        raise DomainError(_("“%(code)s” is not the code of a current currency (ISO 4217).",
                            code=cell_text(values["currency"])[:20]), field="currency")
    month, rate = _month(values["month"]), _rate(values["rate"])
    if not dt.date(1945, 1, 1) <= month <= dt.date(2100, 12, 1):
        raise DomainError(_("Choose a month between 1945 and 2100."), field="month")
    require_open_month(month, require_open)
    earlier = seen.setdefault((currency, month), number)
    if earlier != number:
        raise DomainError(_("%(currency)s for %(month)s is already on row %(row)s of this file.",
                            currency=currency, month=month_label(month), row=earlier), field="month")
    return PlannedRate(number, currency, month, rate, None)


def plan_rates(data: bytes, filename: str) -> RatePlan:
    """What importing the file would do, writing nothing."""
    plan = RatePlan()
    try:
        header, rows, errors = _table(data, filename)
    except DomainError as error:
        plan.add_error(0, "", error.message)
        return plan
    positions = {}
    headers = _headers()
    for index, cell in enumerate(header):
        for name in COLUMNS:
            if name not in positions and _key(cell) in headers[name]:
                positions[name] = index
    for name in COLUMNS:
        if name not in positions:
            plan.add_error(0, "", _("The header row has no “%(column)s” column.", column=column_label(name)))
    if plan.errors:
        return plan
    offered = currencies.offered(fund_currencies(), include_usd=True)
    seen: dict[tuple[str, dt.date], int] = {}
    require_open = periods.open_checker()  # the closed years read once for every row
    for number, cells in rows:
        values = {name: cells[index] if index < len(cells) else None for name, index in positions.items()}
        in_error = errors and cells_in_error(number, positions, errors, COLUMNS)
        if not in_error and all(cell_text(v) == "" for v in values.values()):
            continue
        plan.data_rows += 1
        if plan.data_rows > MAX_ROWS:
            too_many = ngettext("The file has more than %(count)s rate; split it into smaller files.",
                                "The file has more than %(count)s rates; split it into smaller files.",
                                MAX_ROWS, count=fmt_number(MAX_ROWS))
            plan.add_error(0, "", too_many)
            return plan
        if in_error:  # read as empty: refused by name, never as a cell left empty or a blank row
            for name in in_error:
                plan.add_error(number, name, excel_error_message())
            continue
        try:
            plan.rows.append(_checked_row(number, values, offered, seen, require_open))
        except DomainError as error:
            plan.add_error(number, error.field or "", error.message)
    if not plan.rows and not plan.errors:
        plan.add_error(0, "", _("The file has no rates below its header row."))
    _current_rates(plan)
    return plan


def _current_rates(plan: RatePlan) -> None:
    wanted = {r.currency for r in plan.rows}
    if not wanted:
        return
    on_file = {(c, m): rate for c, m, rate in db.session.execute(
        sa.select(ExchangeRate.currency, ExchangeRate.month, ExchangeRate.rate)
        .where(ExchangeRate.currency.in_(sorted(wanted))))}
    for row in plan.rows:
        row.current = on_file.get((row.currency, row.month))
    refunds = refund_months(wanted)
    for row in plan.rows:
        if row.current is not None and row.current != row.rate and (row.currency, row.month) in refunds:
            refusal = refund_rate_refusal(row.currency, row.month, row.current)
            plan.add_error(row.row, "rate", refusal.message)
    # Each new or corrected rate against the nearest other month's rate as the table is
    # now, before the file: set_rate's check for a rate typed alone, so that no row of a
    # file vouches for another (two mistyped months side by side, or a whole currency
    # rewritten). A currency the table has no rate for yet is held to the file's own
    # months, each against the nearest other one: a slipped decimal point between two
    # of its months is refused on both rows, as the second typed in would be (a
    # colleague's review: NOK May 8.2 and June 0.082 were set side by side).
    table: dict[str, dict[dt.date, Decimal]] = {}
    for (currency, month), rate in on_file.items():
        table.setdefault(currency, {})[month] = rate
    first_rates: dict[str, dict[dt.date, Decimal]] = {}
    for row in plan.rows:
        if row.currency not in table:
            first_rates.setdefault(row.currency, {})[row.month] = row.rate
    table.update({currency: by_month for currency, by_month in first_rates.items() if len(by_month) > 1})
    months = {currency: sorted(by_month) for currency, by_month in table.items()}
    tolerance = rate_tolerance()
    for row in plan.rows:
        if row.current == row.rate or row.currency not in table:
            continue
        near = nearest_rate(table[row.currency], row.month, other=True, months=months[row.currency])
        try:
            require_near_other_months(row.currency, row.month, row.rate, near, tolerance)
        except DomainError as refusal:
            plan.add_error(row.row, "rate", refusal.message)


def keep_rate_upload(actor, filename: str, content: bytes, rows: int) -> RateImport:
    """Keep a file whose preview showed no problem, for another MPTF officer to confirm
    (nobody alone sets the rates: rate_changes); the others are told by email."""
    upload = RateImport(token=secrets.token_urlsafe(32), filename=(filename or "")[:255], content=content,
                        rows=rows, created_by_id=actor.id)
    db.session.add(upload)
    db.session.flush()
    record(actor, "rate_import.upload", object_type="ExchangeRate", after={"file": upload.filename,
                                                                           "rows": rows})
    tell_others(actor, MPTF_OFFICER, "rate_waiting", "rate_file_waiting",
                _l("A rates file waits for your confirmation"), proposer=actor.name or actor.email,
                upload=upload)
    return upload


def waiting_rate_files() -> list[RateImport]:
    """The rates files kept for a second MPTF officer, neither imported nor withdrawn,
    oldest first."""
    return db.session.scalars(sa.select(RateImport).where(RateImport.posted_at.is_(None),
                                                          RateImport.withdrawn_at.is_(None))
                              .order_by(RateImport.created_at, RateImport.id)).all()


def withdraw_rate_upload(actor, upload: RateImport, reason: str | None = None) -> RateImport:
    """A file nobody confirmed yet set aside: withdrawn by its uploader, or refused by
    another MPTF officer with a reason (`reason`: a refusal). One guarded UPDATE: a
    file confirmed meanwhile is not set aside."""
    refusing = upload.created_by_id != actor.id
    if refusing:
        reason = second_person.refusal_reason(reason, _("Say why the file is refused."))
    done = db.session.execute(
        sa.update(RateImport).where(RateImport.id == upload.id, RateImport.posted_at.is_(None),
                                    RateImport.withdrawn_at.is_(None),
                                    second_person.still_active(actor, MPTF_OFFICER))
        .values(withdrawn_at=utcnow(), refusal_reason=reason if refusing else None)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not done:
        raise DomainError(_("This file has already been imported or withdrawn."))
    record(actor, "rate_import.refuse" if refusing else "rate_import.withdraw", object_type="ExchangeRate",
           after={"file": upload.filename}, note=reason if refusing else "")
    db.session.expire(upload)
    return upload


class RatesRefused(DomainError):
    """The kept file no longer imports cleanly: nothing was imported."""


def rates_seen(plan: RatePlan) -> str:
    """A fingerprint of what a preview shows, row by row (its currency, month, the
    file's rate and the rate on file): the confirmation carries it, and the import is
    refused when the rates on file are no longer those the preview showed."""
    return fingerprint((r.row, r.currency, r.month, str(r.rate),
                        None if r.current is None else str(r.current)) for r in plan.rows)


def stale_rates_message() -> str:
    return _("The rates on file changed since this preview (a colleague set or corrected one): nothing "
             "was imported. The preview below shows what the file will do now; confirm again to "
             "record it.")


def confirm_rate_upload(actor, upload: RateImport, seen: str | None) -> RatePlan:
    """Set every rate of a kept file, or none, at most once: marking it posted is one
    guarded UPDATE in the transaction of its rates (a second confirmation finds it
    posted). Its rows are checked again against the table as it is now, and refused
    when the rates on file are no longer those the preview showed (`seen`, rates_seen
    of the preview: a month's rate set or corrected meanwhile would otherwise be
    overwritten unseen), and each row again as it is written (a rate a colleague's
    confirmation set since this confirmation's own read); each rate is set by
    confirmed.set_rate (audited, as if typed), and the import itself is audited."""
    # Imported here, not at the top: no other module may reach it through this one
    # (contract "money-moves-confirmed"; tests/unit/test_structure.py).
    from .confirmed import set_rate

    if upload.created_by_id == actor.id:
        raise DomainError(_("You uploaded this file: another MPTF officer must confirm it."))
    gone = second_person.proposer_gone(upload.created_by_id, MPTF_OFFICER)
    if gone:
        raise DomainError(gone)
    marked = db.session.execute(
        sa.update(RateImport).where(RateImport.id == upload.id, RateImport.posted_at.is_(None),
                                    RateImport.withdrawn_at.is_(None),
                                    second_person.still_active(actor, MPTF_OFFICER))
        .values(posted_at=utcnow()).execution_options(synchronize_session=False)).rowcount == 1
    if not marked:
        raise DomainError(_("This file has already been imported or withdrawn."))
    plan = plan_rates(upload.content, upload.filename)
    if not plan.ok:
        raise RatesRefused(_("Nothing was imported: the file no longer passes every check (see below)."))
    require_unchanged(seen, rates_seen(plan), stale_rates_message())
    changed = plan.new + plan.corrections
    for row in changed:
        # The table as the plan read it, still: a colleague's rate confirmed since the
        # plan's read (a new month's, or a correction) is never overwritten unseen. A
        # month that had none is only added (a rate added meanwhile and not committed yet
        # meets the unique index: set_rate says it was set meanwhile); a corrected one is
        # held while it is compared and written.
        on_file = db.session.scalar(sa.select(ExchangeRate).where(
            ExchangeRate.currency == row.currency, ExchangeRate.month == row.month).with_for_update())
        if (on_file.rate if on_file is not None else None) != row.current:
            raise DomainError(stale_rates_message())
        set_rate(actor, row.currency, row.month, row.rate, adding=row.current is None, others_checked=True,
                 proposed_by_id=upload.created_by_id, rate_file_id=upload.id)
    db.session.execute(sa.update(RateImport).where(RateImport.id == upload.id)
                       .values(rates=len(changed)).execution_options(synchronize_session=False))
    record(actor, "exchange_rate.import", object_type="ExchangeRate",
           after={"file": upload.filename, "new": len(plan.new), "corrected": len(plan.corrections),
                  "unchanged": len(plan.unchanged)})
    db.session.expire(upload)
    return plan


def done_message(plan: RatePlan) -> str:
    return ngettext("%(num)d rate imported: %(new)s new, %(corrected)s corrected.",
                    "%(num)d rates imported: %(new)s new, %(corrected)s corrected.",
                    len(plan.new) + len(plan.corrections), new=len(plan.new),
                    corrected=len(plan.corrections))
