"""The lists' filters, queries and totals, shared by the pages and their .xlsx
exports so that both show the same rows and the same figures.

Totals are SQL SUMs of Money columns (exact on both databases), grouped by
currency; only +, - and SUM are done in SQL.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from ..admin.models import PENDING
from ..clock import today
from ..donors.choices import searched_name
from ..donors.models import DONOR_TYPES, Donor
from ..donors.queries import name_holds
from ..extensions import db
from ..fund.entries import WAITING, WriteOff, WriteOffProposal
from ..params import iso_date, whole_number
from ..permissions import DONOR
from ..query_plans import not_indexed
from .models import (
    UNEARMARKED,
    Commitment,
    Deposit,
    DepositReversalProposal,
    Instalment,
    Objective,
    Pledge,
    Pool,
    pool_short_name,
)
from .rules import commitment_key, overdue_amount

ZERO = Decimal(0)

COMMITMENT_SORTS = {
    "date": (Commitment.committed_on,),
    "donor": (sa.func.lower(Donor.name),),
    "currency": (Commitment.currency,),
    "outstanding": (Commitment.currency, Commitment.amount - Commitment.deposited - Commitment.written_off),
}
PLEDGE_SORTS = {
    "date": (Pledge.pledged_on,),
    "donor": (sa.func.lower(Donor.name),),
    "currency": (Pledge.currency,),
}
DEPOSIT_SORTS = {
    "date": (Deposit.value_date,),
    "donor": (sa.func.lower(Donor.name),),
    "currency": (Deposit.currency,),
    "usd": (Deposit.usd_amount,),
}
KINDS = ("commitments", "pledges")
STATUSES = {"commitments": ("outstanding", "complete", "overdue"),
            "pledges": ("active", "fulfilled", "withdrawn")}


def _date(value) -> dt.date | None:
    return iso_date(value)


def _int(value) -> int | None:
    return whole_number(value) or None


def parse_filters(args, sorts=None) -> dict:
    """The filters from a query string (or the export command's options). Anything
    not understood is left out rather than refused. `donor` and `donor_id` both
    name a donor."""
    args = args or {}
    donor_type = args.get("donor_type") or ""
    currency = str(args.get("currency") or "").strip().upper()
    earmark = str(args.get("earmark") or "").strip()
    if earmark not in ("", "none") and _int(earmark) is None:
        earmark = ""
    kind = args.get("kind") or "commitments"
    kind = kind if kind in KINDS else "commitments"
    status = args.get("status") or ""
    sort = args.get("sort") or "-date"
    allowed = sorts or DEPOSIT_SORTS
    return {
        "donor": _int(args.get("donor") or args.get("donor_id")),
        "donor_name": searched_name(args),
        "donor_type": donor_type if donor_type in DONOR_TYPES else "",
        "currency": currency if len(currency) == 3 and currency.isalpha() else "",
        "earmark": earmark,
        "date_from": _date(args.get("date_from")),
        "date_to": _date(args.get("date_to")),
        "kind": kind,
        "status": status if status in STATUSES.get(kind, ()) else "",
        "sort": sort if sort.lstrip("-") in allowed else "-date",
        "commitment": _int(args.get("commitment")),
    }


def shown_filters(filters: dict) -> dict:
    """The filters that are set, as text (for the export's About sheet and links)."""
    return {key: (value.isoformat() if isinstance(value, dt.date) else value)
            for key, value in filters.items() if value not in (None, "")}


def _order(sorts: dict, sort: str, tiebreak) -> list:
    descending = sort.startswith("-")
    columns = sorts[sort.lstrip("-")]
    return [c.desc() if descending else c.asc() for c in columns] + [
        tiebreak.desc() if descending else tiebreak.asc()]


def _common(query, filters: dict, user, *, donor_col, currency_col, date_col, earmark, mark=None):
    """`query` with the filters every list shares. `mark` wraps the donor type's column
    (query_plans.not_indexed: a filter, not the plan's start)."""
    mark = mark or (lambda column: column)
    if user is not None and getattr(user, "role", None) == DONOR:
        query = query.where(donor_col == user.donor_id)
    if filters.get("donor"):
        query = query.where(donor_col == filters["donor"])
    if filters.get("donor_name"):
        query = query.where(name_holds(filters["donor_name"]))
    if filters.get("donor_type"):
        query = query.where(mark(Donor.donor_type) == filters["donor_type"])
    if filters.get("currency"):
        query = query.where(currency_col == filters["currency"])
    if filters.get("date_from"):
        query = query.where(date_col >= filters["date_from"])
    if filters.get("date_to"):
        query = query.where(date_col <= filters["date_to"])
    if filters.get("earmark"):
        query = earmark(query, filters["earmark"])
    return query


# --- Commitments -------------------------------------------------------------

def _usd_received():
    return (sa.select(Deposit.commitment_id, sa.func.sum(Deposit.usd_amount).label("usd"),
                      sa.func.sum(Deposit.net).label("net"))
            .group_by(Deposit.commitment_id).subquery("received"))


def _overdue_condition(on: dt.date):
    """SQL: the commitment has an instalment due before `on` while its deposits and
    write-offs are below the cumulative amount due up to that instalment (as
    rules.overdue_instalments)."""
    later = sa.orm.aliased(Instalment)
    cumulative = (sa.select(sa.func.sum(later.amount))
                  .where(later.commitment_id == Instalment.commitment_id, later.due_on <= Instalment.due_on)
                  .scalar_subquery())
    return sa.exists().where(Instalment.commitment_id == Commitment.id, Instalment.due_on < on,
                             cumulative > Commitment.deposited + Commitment.written_off)


def _commitment_filtered(query, filters: dict, user):
    """`query` (over commitment, joined to donor) with the list's filters and order."""
    def earmark(q, value):
        return q.where(Commitment.objective_id.is_(None) if value == "none"
                       else Commitment.objective_id == int(value))

    query = _common(query, filters, user, donor_col=Commitment.donor_id, currency_col=Commitment.currency,
                    date_col=Commitment.committed_on, earmark=earmark)
    status = filters.get("status")
    if status == "outstanding":
        query = query.where(Commitment.deposited + Commitment.written_off < Commitment.amount)
    elif status == "complete":
        query = query.where(Commitment.deposited + Commitment.written_off == Commitment.amount)
    elif status == "overdue":
        query = query.where(_overdue_condition(today()))
    return query.order_by(*_order(COMMITMENT_SORTS, filters.get("sort") or "-date", Commitment.id))


def commitment_query(filters: dict, user=None):
    """(Commitment, donor name, USD received, net received, objective number) rows,
    filtered and sorted (the export's rows: every commitment's deposits summed)."""
    received = _usd_received()
    query = (sa.select(Commitment, Donor.name.label("donor_name"),
                       sa.func.coalesce(received.c.usd, ZERO).label("usd"),
                       sa.func.coalesce(received.c.net, ZERO).label("net"),
                       Objective.number.label("objective_number"))
             .join(Donor, Commitment.donor_id == Donor.id)
             .outerjoin(Objective, Commitment.objective_id == Objective.id)
             .outerjoin(received, received.c.commitment_id == Commitment.id))
    return _commitment_filtered(query, filters, user)


def commitment_list_query(filters: dict, user=None):
    """(Commitment, donor name, objective number) rows, the same rows in the same
    order as commitment_query but without the deposits' sums: a page adds them for
    its own rows only (received_by_commitment)."""
    query = (sa.select(Commitment, Donor.name.label("donor_name"), Objective.number.label("objective_number"))
             .join(Donor, Commitment.donor_id == Donor.id)
             .outerjoin(Objective, Commitment.objective_id == Objective.id))
    return _commitment_filtered(query, filters, user)


def received_by_commitment(ids) -> dict[int, tuple[Decimal, Decimal]]:
    """{commitment id: (USD received, net received)} for the commitments that have
    deposits (reversals deducted), as commitment_query's usd and net columns."""
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Deposit.commitment_id, sa.func.sum(Deposit.usd_amount), sa.func.sum(Deposit.net))
        .where(Deposit.commitment_id.in_(ids)).group_by(Deposit.commitment_id))
    return {r[0]: (r[1], r[2]) for r in rows}


def _filter_tables(query) -> tuple:
    """The WHERE clause of a list's query and the tables it names (the filters that
    need a join: donor type or name, earmarking by pool)."""
    where = query.whereclause
    return where, (set(sa.sql.util.find_tables(where, check_columns=True)) if where is not None else set())


def commitment_totals(filters: dict, user=None) -> list[dict]:
    """Per currency: count, committed, deposited, outstanding (neither deposited nor
    written off); and USD received.
    The filtered commitments are read from their own table (joined to donor only
    when a filter names it); USD received is summed over their deposits (every
    deposit belongs to a commitment), which is the sum of the rows' USD received."""
    where, named = _filter_tables(commitment_list_query(filters, user))

    def filtered(query):
        if Donor.__table__ in named:
            query = query.join(Donor, Commitment.donor_id == Donor.id)
        if Objective.__table__ in named:
            query = query.outerjoin(Objective, Commitment.objective_id == Objective.id)
        return query if where is None else query.where(where)

    rows = db.session.execute(filtered(
        sa.select(Commitment.currency, sa.func.count(), sa.func.sum(Commitment.amount),
                  sa.func.sum(Commitment.deposited), sa.func.sum(Commitment.written_off))
        .select_from(Commitment))
        .group_by(Commitment.currency).order_by(Commitment.currency)).all()
    usd = dict(db.session.execute(filtered(
        sa.select(Commitment.currency, sa.func.sum(Deposit.usd_amount))
        .select_from(Deposit).join(Commitment, Deposit.commitment_id == Commitment.id))
        .group_by(Commitment.currency)).all())
    return [{"currency": r[0], "count": r[1], "amount": _money(r[2], 3), "deposited": _money(r[3], 3),
             # Neither deposited nor written off, as each row's (Commitment.outstanding).
             "outstanding": _money(r[2], 3) - _money(r[3], 3) - _money(r[4], 3),
             "usd": _money(usd.get(r[0]), 2)}
            for r in rows]


def _money(value, scale: int) -> Decimal:
    """A SUM of a Money column as an exact Decimal at the column's scale (the Money
    type converts SQLite's integers of minor units; None is an empty sum)."""
    quantum = Decimal(1).scaleb(-scale)
    if value is None:
        return quantum * 0
    if not isinstance(value, Decimal):
        raise TypeError(f"a money sum came back as {type(value).__name__}, not Decimal")
    return value.quantize(quantum)


def overdue_by_commitment(commitments, on: dt.date | None = None) -> dict[int, Decimal]:
    """{commitment id: amount overdue} for the commitments with an overdue instalment."""
    on = on or today()
    ids = [c.id for c in commitments]
    if not ids:
        return {}
    schedule: dict[int, list] = {}
    # The instalments' (due_on, amount) rows, not the ORM objects: all the rule reads.
    for row in db.session.execute(sa.select(Instalment.commitment_id, Instalment.due_on, Instalment.amount)
                                  .where(Instalment.commitment_id.in_(ids))):
        schedule.setdefault(row.commitment_id, []).append(row)
    result = {}
    for commitment in commitments:
        rows = schedule.get(commitment.id, [])
        amount = overdue_amount(rows, commitment.settled, on)
        if amount > 0:
            result[commitment.id] = amount
    return result


# --- Pledges -----------------------------------------------------------------

def pledge_query(filters: dict, user=None):
    query = (sa.select(Pledge, Donor.name.label("donor_name"), Objective.number.label("objective_number"))
             .join(Donor, Pledge.donor_id == Donor.id)
             .outerjoin(Objective, Pledge.objective_id == Objective.id))

    def earmark(q, value):
        return q.where(Pledge.objective_id.is_(None) if value == "none"
                       else Pledge.objective_id == int(value))

    query = _common(query, filters, user, donor_col=Pledge.donor_id, currency_col=Pledge.currency,
                    date_col=Pledge.pledged_on, earmark=earmark)
    if filters.get("status") == "active":  # in force, with a rest still pledged
        query = query.where(Pledge.open_condition())
    elif filters.get("status") == "fulfilled":
        query = query.where(Pledge.fulfilled >= Pledge.amount)
    elif filters.get("status") == "withdrawn":
        query = query.where(Pledge.withdrawn_at.is_not(None))
    sort = filters.get("sort") or "-date"
    if sort.lstrip("-") not in PLEDGE_SORTS:
        sort = "-date"
    return query.order_by(*_order(PLEDGE_SORTS, sort, Pledge.id))


def pledge_totals(filters: dict, user=None) -> list[dict]:
    """Per currency, among the filtered rows: the pledges in force with a rest still
    pledged, and that rest (pledged, not yet committed). A pledge's commitments count
    as committed, never again as pledged; withdrawn rests count nowhere."""
    base = (pledge_query(filters, user).order_by(None).where(Pledge.open_condition())
            .add_columns(Pledge.rest_expression().label("rest")).subquery())
    rows = db.session.execute(
        sa.select(base.c.currency, sa.func.count(), sa.func.sum(base.c.rest))
        .group_by(base.c.currency).order_by(base.c.currency)).all()
    return [{"currency": r[0], "count": r[1], "amount": _money(r[2], 3)} for r in rows]


# --- Deposits ----------------------------------------------------------------

def deposit_query(filters: dict, user=None, *, in_order: bool = False):
    """(Deposit, donor name, commitment reference, pool code, objective number) rows.
    `in_order`: for a first page of rows, where the filters on the donor's type and
    the earmarking (a few values each, so a large part of all deposits) are better
    checked on the rows read in the sort's order than used to find the rows
    (query_plans.not_indexed; SQLite then stops after the page instead of sorting
    every matching deposit)."""
    mark = not_indexed if in_order else (lambda column: column)
    query = (sa.select(Deposit, Donor.name.label("donor_name"), Commitment.reference.label("reference"),
                       Pool.code.label("pool_code"), Objective.number.label("objective_number"))
             .join(Donor, Deposit.donor_id == Donor.id)
             .join(Commitment, Deposit.commitment_id == Commitment.id)
             .join(Pool, Deposit.pool_id == Pool.id)
             .outerjoin(Objective, Pool.objective_id == Objective.id))

    def earmark(q, value):
        return q.where(mark(Pool.code) == UNEARMARKED if value == "none"
                       else mark(Pool.objective_id) == int(value))

    query = _common(query, filters, user, donor_col=Deposit.donor_id, currency_col=Deposit.currency,
                    date_col=Deposit.value_date, earmark=earmark, mark=mark)
    if filters.get("commitment"):
        query = query.where(Deposit.commitment_id == filters["commitment"])
    sort = filters.get("sort") or "-date"
    if sort.lstrip("-") not in DEPOSIT_SORTS:
        sort = "-date"
    return query.order_by(*_order(DEPOSIT_SORTS, sort, Deposit.id))


def deposits_among(filters: dict, user, ids: list[int]) -> set[int]:
    """Which of the deposits `ids` the list shows under `filters` for `user`."""
    listed = deposit_query(filters, user).where(Deposit.id.in_(ids)).order_by(None).subquery()
    return set(db.session.scalars(sa.select(listed.c.id)))


def deposit_totals(filters: dict, user=None) -> tuple[list[dict], dict]:
    """Per currency (count, amount, USD, fee, net) and for all currencies in USD.
    Reversals count with their negative amounts, so the totals are what was kept."""
    # The list's own filters on deposit rows, joined only to the tables the filters
    # name: every deposit has a donor, a commitment and a pool (non-null keys), so
    # the other joins of the list change no row, and a scan of every deposit is
    # cheaper without them.
    where, named = _filter_tables(deposit_query(filters, user))
    query = sa.select(Deposit.currency, sa.func.count(), sa.func.sum(Deposit.amount),
                      sa.func.sum(Deposit.usd_amount), sa.func.sum(Deposit.fee),
                      sa.func.sum(Deposit.net)).select_from(Deposit)
    if Donor.__table__ in named:
        query = query.join(Donor, Deposit.donor_id == Donor.id)
    if Commitment.__table__ in named:
        query = query.join(Commitment, Deposit.commitment_id == Commitment.id)
    if Pool.__table__ in named or Objective.__table__ in named:
        query = query.join(Pool, Deposit.pool_id == Pool.id)
    if Objective.__table__ in named:
        query = query.outerjoin(Objective, Pool.objective_id == Objective.id)
    if where is not None:
        query = query.where(where)
    rows = db.session.execute(query.group_by(Deposit.currency).order_by(Deposit.currency)).all()
    per_currency = [{"currency": r[0], "count": r[1], "amount": _money(r[2], 3), "usd": _money(r[3], 2),
                     "fee": _money(r[4], 2), "net": _money(r[5], 2)} for r in rows]
    usd = {"count": sum(r["count"] for r in per_currency),
           "usd": sum((r["usd"] for r in per_currency), Decimal("0.00")),
           "fee": sum((r["fee"] for r in per_currency), Decimal("0.00")),
           "net": sum((r["net"] for r in per_currency), Decimal("0.00"))}
    return per_currency, usd


def reversals_of(deposit_ids) -> dict[int, int]:
    """{deposit id: id of the entry that reverses it} for those of `deposit_ids` that
    were reversed: one query for a page of deposits (their "Reversed" marks)."""
    ids = list(deposit_ids)
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Deposit.reverses_id, Deposit.id)
                                   .where(Deposit.reverses_id.in_(ids))).all())


def reversals_waiting_among(deposit_ids) -> set[int]:
    """Those of `deposit_ids` whose reversal waits for a second MPTF officer: one query
    (by the proposals' status index) for a page of deposits (their "Reversal waiting"
    marks)."""
    ids = list(deposit_ids)
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(DepositReversalProposal.deposit_id).where(
        DepositReversalProposal.status == PENDING, DepositReversalProposal.deposit_id.in_(ids))))


def write_offs(commitment_id: int | None = None) -> list[tuple[WriteOff, WriteOffProposal | None]]:
    """The write-offs recorded, of one commitment or of every one, oldest first, each
    with the proposal whose confirmation recorded it: its proposer, and the second
    MPTF officer who confirmed it (the write-off's recorder). None for a write-off
    recorded before write-offs took two officers (migration 0038): its recorder alone."""
    query = (sa.select(WriteOff, WriteOffProposal)
             .outerjoin(WriteOffProposal, WriteOffProposal.entry_id == WriteOff.id)
             .options(sa.orm.joinedload(WriteOff.created_by), sa.orm.joinedload(WriteOff.commitment)
                      .joinedload(Commitment.donor),
                      sa.orm.joinedload(WriteOffProposal.proposed_by))
             .order_by(WriteOff.written_off_on, WriteOff.id))
    if commitment_id is not None:
        query = query.where(WriteOff.commitment_id == commitment_id)
    return [(entry, proposal) for entry, proposal in db.session.execute(query)]


def write_off_waiting(commitment_id: int) -> WriteOffProposal | None:
    """The commitment's write-off waiting for a second MPTF officer (at most one)."""
    return db.session.scalar(sa.select(WriteOffProposal).where(
        WriteOffProposal.commitment_id == commitment_id, WriteOffProposal.status == WAITING))


def reversal_partners(deposits) -> dict[int, tuple[int, dt.date]]:
    """{deposit id: (id, value date) of the other entry of its reversal} for those of
    `deposits` that reverse or were reversed: what a statement says beside each ("The
    deposit of 3 Mar 2026", "On 9 Mar 2026"), for readers who cannot open a deposit's
    page. Two small queries for a statement's deposits."""
    reversed_ids = [d.id for d in deposits if d.reverses_id is None]
    originals = {d.reverses_id: d.id for d in deposits if d.reverses_id is not None}
    found: dict[int, tuple[int, dt.date]] = {}
    if reversed_ids:
        for reversed_id, reversal_id, on in db.session.execute(
                sa.select(Deposit.reverses_id, Deposit.id, Deposit.value_date)
                .where(Deposit.reverses_id.in_(reversed_ids))):
            found[reversed_id] = (reversal_id, on)
    if originals:
        for original_id, on in db.session.execute(
                sa.select(Deposit.id, Deposit.value_date).where(Deposit.id.in_(list(originals)))):
            found[originals[original_id]] = (original_id, on)
    return found


def earmark_label(objective_number) -> str:
    return pool_short_name(objective_number)


def earmark_labeller():
    """earmark_label with the few labels remembered (an export asks once per row)."""
    cache: dict = {}

    def label(objective_number) -> str:
        if objective_number not in cache:
            cache[objective_number] = earmark_label(objective_number)
        return cache[objective_number]

    return label


def currencies_in_use() -> list[str]:
    codes = set(db.session.scalars(sa.select(Commitment.currency).distinct()))
    codes |= set(db.session.scalars(sa.select(Pledge.currency).distinct()))
    return sorted(codes)


def objectives() -> list[Objective]:
    return db.session.scalars(sa.select(Objective).order_by(Objective.number)).all()


def commitments_by_reference() -> dict[str, list[int]]:
    """Every commitment with a reference, by its key (rules.commitment_key), the ids of
    each key in order. Compared in Python, not with SQL's lower(): SQLite's folds ASCII
    letters only (PostgreSQL's follows the server's locale), so "É-2018" and "é-2018"
    would be two references there, and an import naming one could find the other. A
    key with two ids is a reference two commitments share (entered before the rule
    compared it so): neither is found by it."""
    found: dict[str, list[int]] = {}
    for commitment_id, reference in db.session.execute(
            sa.select(Commitment.id, Commitment.reference).where(Commitment.reference != "")
            .order_by(Commitment.id)):
        found.setdefault(commitment_key(reference), []).append(commitment_id)
    return found
