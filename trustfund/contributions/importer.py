"""Importing deposits from an .xlsx workbook: all rows or none.

plan_import() reads the workbook (import_workbook.py: safely, then with calamine)
and checks every row by the rules of a typed-in deposit (ledger.deposit_figures,
the donor's SAA, the commitment's outstanding amount, no deposit twice), with the
commitments, rates, fee rates and bank references looked up in bulk, writing
nothing: what it returns is what the import will do (rows, totals per currency and
pool, every problem and duplicate reference). post_import() then records it in
bulk: one guarded UPDATE per commitment, the deposits and their audit entries in
batched INSERTs, one pools.move per pool. The caller commits only if the result is
ok, and rolls back otherwise.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import islice
from operator import itemgetter

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from ..audit import record, record_many, utcnow
from ..bulk import copy_rows, many_rows
from ..errors import DomainError
from ..extensions import db
from ..formatting import number as fmt_number
from ..money import Money
from . import pools, references
from .import_check import (  # noqa: F401  (the import's API: pages and commands use them from here)
    COLUMNS,
    MAX_ERRORS_KEPT,
    Cells,
    Duplicate,
    ImportResult,
    Planned,
    RowChecker,
    RowError,
    Totals,
    cell_text,
    column_label,
)
from .import_template import TEMPLATE_HEADERS, template_workbook  # noqa: F401
from .import_workbook import (
    cells_in_error,
    excel_error_message,
    file_bytes,
    open_sheet,
    too_many_errors_message,
)
from .ledger import add_to_deposited, past_commitment, require_fee_rates_unchanged
from .models import Commitment, Deposit

MAX_ROWS = 100_000
# Deposits per batch (a COPY of deposits, then one of their audit entries): bounded
# memory (their audit entries wait in it), and rows enough in each COPY for the server
# to write while the next rows are built (at 2,000, 0.5 s slower for 100,000).
BATCH = 10_000

REQUIRED = ("commitment", "value_date", "amount")
TEMPLATE_HEADER_OF = dict(zip(COLUMNS, TEMPLATE_HEADERS, strict=True))


def _key(header) -> str:
    return "".join(ch for ch in str(header or "").lower() if ch.isalnum())


def _columns(header_row) -> tuple[dict[str, int], list[str]]:
    """Where each column is: the template's English headers (and their aliases) are
    always understood, and so are the headers in the user's language. A column's own
    header wins over another's alias wherever it stands: a bank's "Date" (its booking
    date) before "Value date" is not the value date, nor "Reference" the commitment
    beside "Commitment", nor "Note" the rate note beside "Rate note"."""
    keys = [_key(header) for header in header_row]
    positions: dict[str, int] = {}

    def place(name: str, wanted: str) -> None:
        for index, key in enumerate(keys):
            if key == wanted and name not in positions and index not in positions.values():
                positions[name] = index
                return

    for name, aliases in COLUMNS.items():  # the columns' own headers first
        for own in (aliases[0], _key(column_label(name))):
            place(name, own)
    for name, aliases in COLUMNS.items():  # then their aliases, the more specific first
        for alias in aliases[1:]:
            place(name, alias)
    return positions, [name for name in REQUIRED if name not in positions]


def plan_import(source, *, filename: str | None = None, max_rows: int | None = None,
                command_above: int | None = None, actor=None) -> ImportResult:
    """What importing the workbook in `source` (a path, a binary file or bytes) would
    do, writing nothing; as `actor` would import it, if given. `command_above`: a page
    import refuses a file of more rows, naming the command that imports it instead."""
    result, rows = _read(source, filename, max_rows, command_above)
    if rows is not None:
        RowChecker(result, actor).check(rows)
    return result


def _read(source, filename: str | None, max_rows: int | None,
          command_above: int | None) -> tuple[ImportResult, list[tuple[int, Cells]] | None]:
    """The result so far and the rows to check; no rows when the file is refused whole."""
    result = ImportResult()
    if filename is not None and not filename.lower().endswith(".xlsx"):
        result.add_error(0, "", _("Upload an .xlsx workbook (the file's name ends in .xlsx)."))
        return result, None
    try:
        data = source if isinstance(source, bytes) else file_bytes(source)
        sheet = open_sheet(data)
        positions, missing = _columns(sheet.header)
        for name in missing:
            result.add_error(1, name, _("The header row of the sheet “%(sheet)s” has no “%(column)s” "
                                        "column.", sheet=sheet.name, column=TEMPLATE_HEADER_OF[name]))
        if missing:
            return result, None
        if sheet.errors_beyond:  # some cells of the columns read may hold one, unnoted
            result.add_error(0, "", too_many_errors_message())
            return result, None
        max_rows = max_rows or MAX_ROWS
        if command_above is not None:
            command_above = min(command_above, max_rows)
        rows = _data_rows(sheet, positions, result, max_rows, command_above)
    except DomainError as error:
        result.add_error(getattr(error, "row", 0), "", error.message)
        return result, None
    if rows is not None and not rows and not result.errors:  # (rows refused already are some)
        result.add_error(0, "", _("The workbook has no deposits below its header row."))
        return result, None
    return result, rows


def _data_rows(sheet, positions: dict[str, int], result: ImportResult, max_rows: int,
               command_above: int | None) -> list[tuple[int, Cells]] | None:
    """The rows that hold anything, with their cells; None when there are too many."""
    rows = []
    width = max(positions.values()) + 1
    # Each row's cells in COLUMNS' order; a column the file lacks reads the None added at `width`.
    pick = itemgetter(*(positions.get(name, width) for name in COLUMNS))
    errors = sheet.error_cells
    for number, values in sheet.rows(width):
        cells = Cells._make(pick(values + (None,)))
        if errors and _error_cells(number, positions, errors, result):
            result.data_rows += 1  # a row Excel shows as #REF!: refused, never skipped as blank
            continue
        if _blank(cells):
            continue
        result.data_rows += 1
        if command_above is not None:
            # Through the page: count them all, to name the command for a file too large.
            if result.data_rows <= command_above:
                rows.append((number, cells))
            continue
        if result.data_rows > max_rows:
            result.add_error(0, "", ngettext(
                "The workbook has more than %(count)s deposit; split it into smaller files.",
                "The workbook has more than %(count)s deposits; split it into smaller files.",
                max_rows, count=fmt_number(max_rows)))
            return None
        rows.append((number, cells))
    if command_above is not None and result.data_rows > command_above:
        result.add_error(0, "", ngettext(
            "This workbook has %(count)s deposit; an import through this page may hold %(limit)s. "
            "Ask whoever runs the server to import it with the command: "
            "flask --app trustfund import-deposits FILE --user EMAIL",
            "This workbook has %(count)s deposits; an import through this page may hold %(limit)s. "
            "Ask whoever runs the server to import it with the command: "
            "flask --app trustfund import-deposits FILE --user EMAIL",
            result.data_rows, count=fmt_number(result.data_rows), limit=fmt_number(command_above)))
        return None
    return rows


def _error_cells(number: int, positions: dict[str, int], errors: frozenset, result: ImportResult) -> bool:
    """Refuses the row's cells that hold an Excel error (calamine reads them as empty:
    "Enter an amount." would tell the officer to fill a cell that is not empty, and a
    row of them would be skipped as blank); whether it had any."""
    found = cells_in_error(number, positions, errors, COLUMNS)
    for name in found:
        result.add_error(number, name, excel_error_message())
    return bool(found)


def _blank(cells: Cells) -> bool:
    """Whether a row holds nothing (None or white space in every cell)."""
    for value in cells:
        if value is not None and cell_text(value) != "":
            return False
    return True


def post_import(actor, result: ImportResult, *, filename: str | None = None,
                taken: Iterator[Planned] | None = None) -> ImportResult:
    """Record a clean plan in bulk, in the caller's transaction: the deposits and one
    audit entry each by COPY (batched INSERTs on SQLite), each commitment's deposited
    sum by one guarded UPDATE, each pool moved once. `taken`: the plan's deposits as
    its rows are checked (import_deposits), written while the next rows are checked;
    at the first problem the writing stops, the checking goes on to list every problem.
    Should someone have recorded a deposit on the same commitment or with the same bank
    reference since the plan, the result gets the problem. The caller commits only if
    the result is ok, and rolls back otherwise (what was written goes with it)."""
    if taken is None:
        if not result.ok:
            return result
        taken = iter(result.planned)
    try:
        with many_rows():
            _insert_deposits(actor, result, taken)
    except IntegrityError as error:
        if not references.is_duplicate(error):
            raise
        for _planned in taken:  # every problem of the file first
            pass
        if result.ok:
            result.add_error(0, "", _("Another deposit with one of this file's bank references was recorded "
                                      "while it was being imported: nothing was imported. Upload the file "
                                      "again to see which."))
        return result
    if not result.ok:
        return result
    per_commitment: dict[int, Totals] = defaultdict(Totals)
    first_row = {}
    for planned in result.planned:
        per_commitment[planned.commitment.id].add(planned.figures)
        first_row.setdefault(planned.commitment.id, planned)
    for commitment_id in sorted(per_commitment):
        totals = per_commitment[commitment_id]
        if not add_to_deposited(commitment_id, totals.amount, totals.usd, totals.fee):
            planned = first_row[commitment_id]
            c = db.session.get(Commitment, commitment_id, populate_existing=True)
            refusal = past_commitment(c.outstanding, c.currency)
            result.add_error(planned.row, "amount", refusal.message)
            return result
    pools.move_many([(pool_id, {"deposits_usd": t.usd, "fees": t.fee, "deposits_net": t.net,
                                "available": t.net}) for pool_id, t in result.by_pool.items()])
    try:
        require_fee_rates_unchanged({p.figures.value_date: p.figures.fee_rate for p in result.planned})
    except DomainError as error:
        result.add_error(0, "", error.message)
        return result
    result.imported = len(result.planned)
    record(actor, "deposit.import", object_type="Deposit",
           after={"file": filename or "", "deposits": result.imported, "usd": result.usd, "net": result.net})
    return result


def _new_ids(count: int) -> list[int]:
    """Ids for `count` new deposits, so that a plain executemany INSERT (many rows a
    statement) can write them and their audit entries name them. PostgreSQL hands
    them out of the table's sequence; SQLite has one writer at a time: this
    transaction takes the write lock first (a write that changes nothing: the command's
    import has written nothing yet), so the next ids stay free until it ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        # One array, not a row per id: 100,000 ids arrive in one value (in order: file order).
        # The sequence is named once (a CTE): as nextval's argument, pg_get_serial_sequence
        # ran for every id (0.25 of 0.3 s for 100,000).
        return db.session.scalar(sa.text(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('deposit', 'id')::regclass AS seq) "
            "SELECT array_agg(id ORDER BY id) FROM (SELECT nextval(s.seq) AS id "
            "FROM s, generate_series(1, :n)) AS ids"), {"n": count})
    db.session.execute(sa.update(Deposit).where(Deposit.id == -1).values(id=Deposit.id)
                       .execution_options(synchronize_session=False))
    start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Deposit.id), 0))) + 1
    return list(range(start, start + count))


# A deposit's columns, as _insert_deposits() builds its row.
DEPOSIT_COLUMNS = ["id", "commitment_id", "donor_id", "pool_id", "value_date", "currency", "amount", "rate",
                   "rate_note", "usd_amount", "fee_rate", "fee", "net", "bank_reference", "reverses_id",
                   "reason", "created_by_id", "created_at", "reference_key", "separate_transfer",
                   "separate_note"]


def _insert_deposits(actor, result: ImportResult, taken: Iterator[Planned]) -> None:
    """Each batch's deposits by one COPY whose rows are built as they are sent (the
    server writes the first while the next are built and checked), then their audit
    entries. Stops at the result's first problem, leaving the rest of `taken` unread."""
    user_id, now = getattr(actor, "id", None), utcnow()
    if [c.key for c in sa.inspect(Deposit).column_attrs] != DEPOSIT_COLUMNS:
        # Every column, in the model's order (that of the audit entry's keys, as snapshot() has them).
        raise RuntimeError("An imported deposit names every column of Deposit, in order.")
    texts = [index for index, name in enumerate(DEPOSIT_COLUMNS)
             if isinstance(Deposit.__table__.c[name].type, Money)]
    value_date, created_at, now_text = DEPOSIT_COLUMNS.index("value_date"), DEPOSIT_COLUMNS.index(
        "created_at"), now.isoformat()
    # An id for each data row: every row is taken when the file is clean (else nothing is kept).
    ids = iter(_new_ids(max(result.data_rows, len(result.planned))))

    def rows(entries: list) -> Iterator[tuple]:
        for p in islice(taken, BATCH):
            if not result.ok:
                return
            f, c = p.figures, p.commitment
            row = (next(ids), c.id, c.donor_id, p.pool_id, f.value_date, c.currency, f.amount, f.rate,
                   f.rate_note, f.usd, f.fee_rate, f.fee, f.net, p.reference, None, "", user_id, now, p.key,
                   bool(p.note), p.note)
            # The entry record() writes for a deposit: its columns after, as snapshot() gives
            # them (amounts and dates as text), and the note why it is a separate transfer.
            after = list(row)
            for index in texts:
                after[index] = str(after[index])
            after[value_date], after[created_at] = f.value_date.isoformat(), now_text
            entries.append((row[0], dict(zip(DEPOSIT_COLUMNS, after, strict=True)), p.note or None))
            yield row

    while result.ok:
        entries = []
        copy_rows(Deposit.__table__, DEPOSIT_COLUMNS, rows(entries))
        if not entries or not result.ok:
            break
        record_many(actor, "deposit.create", "Deposit", entries)


def import_deposits(actor, source, *, filename: str | None = None,
                    max_rows: int | None = None) -> ImportResult:
    """Check and record every deposit of the workbook, or none: each deposit is
    written as soon as its row is checked (the database writes it while Python checks
    the next rows); the caller commits only if result.ok (and rolls back otherwise)."""
    result, rows = _read(source, filename, max_rows, None)
    if rows is None:
        return result
    taken = RowChecker(result, actor).taken(rows)
    result = post_import(actor, result, filename=filename, taken=taken)
    for _planned in taken:  # a refused file: every problem listed
        pass
    return result
