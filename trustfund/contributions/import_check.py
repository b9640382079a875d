"""Checking an import's rows in bulk (importer.py): the commitments, rates and
fee rates of every row and the standing deposits of every bank reference are read
in a few statements; then each row is checked, in file order, by the rules of a
typed-in deposit, and either planned or refused with its message."""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict, namedtuple
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..admin.models import FEE_RATE, setting_versions, value_on
from ..clock import today
from ..errors import DomainError
from ..extensions import db
from ..formatting import colon
from ..fund import periods
from ..validation import strict_date
from . import pools, references
from .ledger import DepositFigures, before_signature_refusal, deposit_figures, past_commitment, saa_refusal
from .models import Commitment, ExchangeRate
from .queries import commitments_by_reference
from .rates import nearest_rate, rate_tolerance
from .rules import commitment_key, first_of_month, reference_key

# More than a page import (IMPORT_PAGE_MAX_ROWS) can have: a page shows every problem.
MAX_ERRORS_KEPT = 20_000

# Column key -> the headers that name it (compared without case, spaces or "_").
COLUMNS = {
    "commitment": ("commitment", "commitmentreference", "commitmentid", "reference"),
    "value_date": ("valuedate", "date"),
    "amount": ("amount",),
    "currency": ("currency",),
    "rate": ("rate",),
    "rate_note": ("ratenote", "note"),
    "bank_reference": ("bankreference",),
    "separate_note": ("separatetransfernote", "separatetransfer", "separatenote"),
}

# A row's cells, one per column above (None where the file has no such column).
Cells = namedtuple("Cells", COLUMNS)


def column_label(key: str) -> str:
    return {"commitment": _("Commitment"), "value_date": _("Value date"), "amount": _("Amount"),
            "currency": _("Currency"), "rate": _("Rate"), "rate_note": _("Rate note"),
            "bank_reference": _("Bank reference"), "separate_note": _("Separate transfer note"),
            "": _("File")}[key]


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:  # the whole file (not a workbook, too many rows): a file has no row 0
            return column_label(self.column) + colon() + self.message
        return _("Row %(row)s, %(column)s: %(message)s", row=self.row, column=column_label(self.column),
                 message=self.message)


@dataclass(slots=True)
class Target:
    """A commitment rows deposit into, as read once for the whole import."""

    id: int
    reference: str
    currency: str
    amount: Decimal
    deposited: Decimal
    donor_id: int
    donor_name: str
    pool_id: int
    refusal: str | None  # why it takes no deposit (its donor's SAA is not in force)
    signed_on: dt.date | None = None  # its donor's SAA's signature: no deposit dated before it


@dataclass(slots=True)
class Planned:
    """One deposit the import will record."""

    row: int
    commitment: Target
    pool_id: int
    figures: DepositFigures
    reference: str
    key: str | None
    note: str


@dataclass
class Duplicate:
    """A row whose bank reference a standing deposit or an earlier row already has:
    refused, unless the row is marked a separate transfer (with its note)."""

    row: int
    reference: str
    deposit_id: int | None
    earlier_row: int | None
    note: str


@dataclass
class Totals:
    rows: int = 0
    amount: Decimal = Decimal(0)
    usd: Decimal = Decimal("0.00")
    fee: Decimal = Decimal("0.00")
    net: Decimal = Decimal("0.00")

    def add(self, figures: DepositFigures) -> None:
        self.rows += 1
        self.amount += figures.amount
        self.usd += figures.usd
        self.fee += figures.fee
        self.net += figures.net


@dataclass
class ImportResult:
    """What an import will do (or did): the deposits, their totals, every problem."""

    planned: list[Planned] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    by_currency: dict[str, Totals] = field(default_factory=dict)
    by_pool: dict[int, Totals] = field(default_factory=dict)
    data_rows: int = 0
    imported: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def usd(self) -> Decimal:
        return sum((t.usd for t in self.by_pool.values()), Decimal("0.00"))

    @property
    def net(self) -> Decimal:
        return sum((t.net for t in self.by_pool.values()), Decimal("0.00"))

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, column, message))


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_number(value):
    """A cell's number as an exact Decimal: a float at the 15 significant digits Excel
    holds and shows, so a cell holding 1062699.26 reads as exactly 1062699.26, and one
    a formula computed (=1234.56+789.12, saved as its double 2023.6799999999998) as the
    2023.68 Excel shows (a colleague's review: it was refused for decimals nobody saw);
    never through the user's locale, where "1.005" could mean a thousand and five.
    Text stays text, read like a typed-in amount."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return Decimal(format(value, ".15g")) if math.isfinite(value) else str(value)
    if isinstance(value, int):
        return Decimal(value)
    return str(value).strip()


def cell_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not text:
        raise DomainError(_("Enter the value date."), field="value_date")
    try:
        return strict_date(text)
    except ValueError:
        raise DomainError(_("Write the date as YYYY-MM-DD (for example 2017-05-10)."),
                          field="value_date") from None


class RowChecker:
    """Checks the rows in bulk: the look-ups first, then each row in file order."""

    def __init__(self, result: ImportResult, actor=None):
        self.result = result
        # Who imports (None: a preview that names nobody yet): the deposits they reversed
        # are not recorded again for another donor or pool (references.moved_refusal).
        self.actor = actor
        self.moved = references.Reversals()
        self.fee_rates: dict[dt.date, Decimal] = {}
        # Every fee rate the setting has had, read once: a row's is looked up without a
        # statement (the import writes while it checks the next rows).
        self.fee_versions = setting_versions(FEE_RATE)
        self.require_open = periods.open_checker()
        self.today = today()  # one moment for every row of the file
        self.tolerance = rate_tolerance()  # how far a typed rate may be from the UN rate

    def check(self, rows: list[tuple[int, Cells]]) -> None:
        for _planned in self.taken(rows):
            pass

    def taken(self, rows: list[tuple[int, Cells]]) -> Iterator[Planned]:
        """Each deposit the import will record, as soon as its row is checked (file
        order), while the result fills with the totals, duplicates and problems: the
        import writes one while the next rows are checked. Everything the checks read
        from the database (commitments, rates, the standing deposits of the file's
        references, fee rates) is read now, before anything is written."""
        commitments = _targets(_commitments({cell_text(cells.commitment) for _number_, cells in rows}))
        rates = _Rates({c.currency for c in commitments.values()})
        keys = _reference_keys(rows)
        existing = references.standing_deposits(keys)
        self.moved = references.reversed_by(self.actor, keys) if self.actor is not None \
            else references.Reversals()
        return self._each(rows, commitments, rates, existing)

    def _each(self, rows, commitments, rates, existing) -> Iterator[Planned]:
        taken = _Taken({}, {})
        for number, cells in rows:
            try:
                planned = self._row(number, cells, commitments, rates)
            except DomainError as error:
                self.result.add_error(number, error.field if error.field in COLUMNS else "commitment",
                                      error.message)
                continue
            if self._take(planned, existing, taken):
                yield planned
        self.result.errors.sort(key=lambda error: error.row)

    def _row(self, number, cells, commitments, rates) -> Planned:
        commitment = _find(commitments, cells.commitment)
        currency = cell_text(cells.currency).upper()
        if currency and currency != commitment.currency:
            raise DomainError(_("The commitment is in %(expected)s, not %(given)s.",
                                expected=commitment.currency, given=currency), field="currency")
        if commitment.refusal:
            raise DomainError(commitment.refusal, field="commitment")
        value_date = cell_date(cells.value_date)
        self.require_open(value_date, "value_date")
        if commitment.signed_on is not None and isinstance(value_date, dt.date) \
                and value_date < commitment.signed_on:
            raise before_signature_refusal(commitment.donor_name, commitment.signed_on)
        figures = deposit_figures(commitment.currency, value_date=value_date,
                                  amount=cell_number(cells.amount),
                                  rate=cell_number(cells.rate),
                                  rate_note=cell_text(cells.rate_note),
                                  table=rates.rate(commitment.currency, value_date),
                                  near=rates.near(commitment.currency, value_date),
                                  tolerance=self.tolerance,
                                  fee_rate=self._fee_rate(value_date), today_is=self.today)
        note = cell_text(cells.separate_note)
        reference, key, note = references.checked_reference(cell_text(cells.bank_reference),
                                                            bool(note), note)
        return Planned(number, commitment, commitment.pool_id, figures, reference, key, note)

    def _fee_rate(self, value_date: dt.date) -> Decimal | None:
        if isinstance(value_date, dt.date) and value_date not in self.fee_rates:
            self.fee_rates[value_date] = value_on(FEE_RATE, self.fee_versions, value_date)
        return self.fee_rates.get(value_date)

    def _take(self, planned: Planned, existing: dict, taken: _Taken) -> bool:
        """In file order, as if typed in one after the other: no reference twice, and
        no commitment past its amount."""
        result, key, number = self.result, planned.key, planned.row
        if key is not None:
            holder, earlier = existing.get(key), taken.first_row.get(key)
            if holder is not None or earlier is not None:
                result.duplicates.append(Duplicate(number, planned.reference,
                                                   holder.id if holder is not None else None,
                                                   earlier, planned.note))
                if not planned.note:
                    error = references.already_used(holder, imported=True) if holder is not None \
                        else references.used_in_file(earlier)
                    result.add_error(number, "bank_reference", error.message)
                    return False
        c = planned.commitment
        if self.moved:
            moved = references.moved_refusal(
                self.actor, key, c.donor_id, planned.pool_id, self.moved,
                transfer=(c.currency, planned.figures.amount, planned.figures.value_date))
            if moved is not None:
                result.add_error(number, moved.field, moved.message)
                return False
        so_far = taken.deposited.get(c.id, c.deposited)
        if so_far + planned.figures.amount > c.amount:
            result.add_error(number, "amount", past_commitment(c.amount - so_far, c.currency).message)
            return False
        taken.deposited[c.id] = so_far + planned.figures.amount
        if key is not None:
            taken.first_row.setdefault(key, number)
        result.planned.append(planned)
        result.by_currency.setdefault(c.currency, Totals()).add(planned.figures)
        result.by_pool.setdefault(planned.pool_id, Totals()).add(planned.figures)
        return True


_Taken = namedtuple("_Taken", ["first_row", "deposited"])  # the rows taken so far: per key, per commitment


def _reference_keys(rows: list[tuple[int, Cells]]) -> set[str]:
    """The key of every row's bank reference, as _row() makes it (more than the keys of
    the rows it takes: a refused row's key is looked up for nothing), but for a key no
    deposit can have and no database parameter can carry (a NUL, a lone surrogate)."""
    keys = set()
    for _number, cells in rows:
        key = reference_key(cell_text(cells.bank_reference))
        if key is not None and "\x00" not in key:
            try:
                key.encode()
            except UnicodeEncodeError:
                continue
            keys.add(key)
    return keys


def _commitments(names: set[str]) -> dict[str, Commitment | None]:
    """Each row's commitment by its reference (its key: queries.commitments_by_reference),
    else by "#" and its id. A reference two commitments share names neither."""
    found: dict[str, Commitment | None] = {}
    by_key = commitments_by_reference()
    named: dict[int, list[str]] = defaultdict(list)
    for name in names:
        ids = by_key.get(commitment_key(name) or "", ())
        if len(ids) == 1:
            named[ids[0]].append(name)
    wanted = sorted(named)
    for start in range(0, len(wanted), references.CHUNK):
        for commitment in db.session.scalars(
                sa.select(Commitment).options(joinedload(Commitment.donor))
                .where(Commitment.id.in_(wanted[start:start + references.CHUNK]))):
            for name in named[commitment.id]:
                found[name] = commitment
    ids = {}
    for name in names:
        digits = name[1:]
        # "#" and ASCII digits only: "#²" or "#١" names no commitment (int() refuses the
        # first); a bare number is a reference, never an id (a reference corrected since,
        # or one two commitments share, would otherwise credit the commitment of that id,
        # another donor's perhaps).
        if name not in found and name.startswith("#") and digits.isascii() and digits.isdigit() \
                and len(digits) < 10:
            ids.setdefault(int(digits), []).append(name)
    wanted_ids = sorted(ids)
    for start in range(0, len(wanted_ids), references.CHUNK):
        for commitment in db.session.scalars(
                sa.select(Commitment).options(joinedload(Commitment.donor))
                .where(Commitment.id.in_(wanted_ids[start:start + references.CHUNK]))):
            for name in ids[commitment.id]:
                found[name] = commitment
    return found


def _targets(found: dict[str, Commitment]) -> dict[str, Target]:
    """The commitments as plain values, read once (not an ORM attribute per row)."""
    targets: dict[int, Target] = {}
    pool_of: dict[int | None, int] = {}
    for c in found.values():
        if c.id in targets:
            continue
        if c.objective_id not in pool_of:
            pool_of[c.objective_id] = pools.pool_for_objective(c.objective_id).id
        refusal = None if c.donor.saa_in_force else saa_refusal(c.donor, _("A deposit"))
        # What is written off can no more be deposited than what was: it counts as taken.
        targets[c.id] = Target(c.id, c.reference, c.currency, c.amount, c.deposited + c.written_off,
                               c.donor_id, c.donor.name, pool_of[c.objective_id], refusal,
                               c.donor.saa_signed_on)
    return {name: targets[c.id] for name, c in found.items()}


def _find(commitments: dict[str, Target], value) -> Target:
    text = cell_text(value)
    if not text:
        raise DomainError(_("Enter the commitment's reference, or # and its number (for example #12)."),
                          field="commitment")
    commitment = commitments.get(text)
    if commitment is None:
        raise DomainError(_("No commitment has the reference or number “%(value)s”.", value=text),
                          field="commitment")
    return commitment


class _Rates:
    """The UN operational rates of these currencies, read in one statement: a month's
    (rate) and, for a typed rate, the one it is checked against (near: the month's,
    else the nearest month's; rates.nearest_rate)."""

    def __init__(self, currencies: set[str]):
        self.by_currency: dict[str, dict[dt.date, Decimal]] = {}
        for currency, month, rate in db.session.execute(
                sa.select(ExchangeRate.currency, ExchangeRate.month, ExchangeRate.rate)
                .where(ExchangeRate.currency.in_(sorted(currencies)))):
            self.by_currency.setdefault(currency, {})[month] = rate
        self.nearest: dict[tuple[str, dt.date], tuple[dt.date, Decimal] | None] = {}

    def rate(self, currency: str, value_date) -> Decimal | None:
        if currency == "USD":
            return Decimal(1)
        if not isinstance(value_date, dt.date):
            return None
        return self.by_currency.get(currency, {}).get(first_of_month(value_date))

    def near(self, currency: str, value_date) -> tuple[dt.date, Decimal] | None:
        if not isinstance(value_date, dt.date):
            return None
        key = (currency, first_of_month(value_date))
        if key not in self.nearest:
            self.nearest[key] = nearest_rate(self.by_currency.get(currency, {}), key[1])
        return self.nearest[key]
