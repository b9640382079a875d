"""The dashboards' figures, each from a few aggregate queries (no query per row).

Rules kept here:
- Money stays Decimal: SUM() on Money columns is exact on both databases (integers
  of minor units on SQLite, NUMERIC on PostgreSQL); conversions happen in Python.
- Pledged means pledged, not yet committed: a pledge in force counts only its rest
  (amount less the commitments recorded against it); a fulfilled or withdrawn
  pledge counts nothing, so a pledge followed by its commitment is counted once,
  as committed.
- Pledges and commitments are in their own currencies. For the USD figures they are
  converted at the UN operational rate of the month of the pledge (pledged_on) or
  commitment (committed_on), from the exchange_rate table: the amounts of one
  currency in one month (for one donor type and one earmarking) are added first and
  converted once, USD = sum / rate half-up to the cent, and those USD parts are
  added up, so that every breakdown adds up to its total to the cent. An amount
  whose month has no rate is left out of the USD figures and listed as
  "without a rate"; the per-currency table shows every amount as entered.
- Deposits carry their own USD, fee and net (fixed at deposit time, reversals are
  negative rows): their sums are the deposited figures.
- An instalment is overdue when it fell due before today while the commitment's
  deposits and write-offs are below the cumulative amount due up to and including it
  (the same rule as contributions.rules.overdue_instalments: a write-off counts like
  a deposit, in order of due date); its shortfall is the part of it not yet covered.
- A donor's share of a pool's spending is the one of its statement
  (statements.shares.apportion): spending x the donor's net deposits into the pool
  / all net deposits into the pool, split by largest remainder so that the donors'
  shares add up to the pool's spending to the cent.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload

from .. import clock, localized
from ..audit import AuditEntry
from ..contributions.models import (
    Commitment,
    Deposit,
    ExchangeRate,
    Instalment,
    Objective,
    Pledge,
    Pool,
)
from ..donors.models import DONOR_TYPES, Donor, SaaStatusChange
from ..extensions import db
from ..money import CENT, USD, MoneyAsRead
from ..statements.shares import apportion

ZERO = Decimal("0.00")
AWAITING_SIGNATURE = ("draft_shared", "under_negotiation")
KINDS = ("pledged", "committed")  # Unconverted.kind of each flow


@dataclass
class Flow:
    """Pledged (not yet committed), committed and deposited, in USD."""

    pledged: Decimal = ZERO
    committed: Decimal = ZERO
    deposited: Decimal = ZERO


@dataclass
class CurrencyFlow:
    """One currency: amounts as entered, and their USD equivalents."""

    currency: str
    pledged: Decimal = ZERO
    committed: Decimal = ZERO
    deposited: Decimal = ZERO
    pledged_usd: Decimal = ZERO
    committed_usd: Decimal = ZERO
    deposited_usd: Decimal = ZERO


@dataclass
class Unconverted:
    """An amount left out of the USD figures: no rate for its currency and month."""

    kind: str  # "pledged" or "committed"
    currency: str
    month: dt.date
    amount: Decimal


@dataclass
class OverdueInstalment:
    donor_id: int
    donor_name: str
    commitment_id: int
    reference: str
    currency: str
    due_on: dt.date
    amount: Decimal
    shortfall: Decimal
    days_late: int


@dataclass
class AwaitingSaa:
    donor_id: int
    donor_name: str
    donor_type: str
    status: str
    since: dt.datetime | None


@dataclass
class ContributionFigures:
    on: dt.date
    total: Flow
    fees: Decimal
    net: Decimal
    by_type: dict[str, Flow]  # every donor type, in DONOR_TYPES order
    by_earmark: list[tuple[int | None, str, Flow]]  # (objective id or None, label, flow)
    by_currency: list[CurrencyFlow]
    unconverted: list[Unconverted]
    overdue: list[OverdueInstalment]
    overdue_count: int
    awaiting_saa: list[AwaitingSaa]


class _YearMonth(sa.sql.expression.FunctionElement):
    """A date's month in one cheap call per row: on PostgreSQL its first day (a date),
    on SQLite 'YYYY-MM' text, the first seven characters of the ISO date SQLAlchemy
    stores (strftime() parses the date first and costs more; EXTRACT() of year and
    month are two strftime() calls there). _rates() keys the rates by either."""

    inherit_cache = True


@compiles(_YearMonth)
def _year_month_pg(element, compiler, **kw):
    # A date as a timestamp without time zone: date_trunc() of the date itself would
    # take it through the session's time zone (the same first day, at more cost).
    return f"CAST(date_trunc('month', CAST({compiler.process(element.clauses, **kw)} AS TIMESTAMP)) AS DATE)"


@compiles(_YearMonth, "sqlite")
def _year_month_sqlite(element, compiler, **kw):
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


def _first_day(month: str | dt.date) -> dt.date:
    """The first day of a _YearMonth() value."""
    if isinstance(month, dt.date):
        return month
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def _rates(currencies: set[str]) -> dict[tuple[str, str | dt.date], Decimal]:
    """Every monthly rate of the given currencies (one small query), keyed by currency
    and month as the flows' _YearMonth() gives it ('YYYY-MM' on SQLite, a date
    elsewhere), the rate as stored (0.941000: trailing zeros change no quotient)."""
    if not currencies:
        return {}
    return dict(((currency, month), rate) for currency, month, rate in db.session.execute(
        sa.select(ExchangeRate.currency, _YearMonth(ExchangeRate.month),
                  sa.type_coerce(ExchangeRate.rate, MoneyAsRead(6)))
        .where(ExchangeRate.currency.in_(sorted(currencies)))))


def _grouped(flow: int, model, date_column, *where, amount=None):
    """Sums of `model.amount` (or of `amount`) by earmarking, currency and month (a
    _YearMonth() value), one column per donor type (DONOR_TYPES order, the only types
    a donor can have: CHECK donor_type; None where the type has nothing): (flow,
    objective id, currency, month, *amounts). A row per month, currency and earmarking
    rather than per donor type too: fewer rows to sort and to read (at N=100, 3,311
    for 5,853 groups of commitments). Grouped month first: most rows differ there, so
    sorting compares less."""
    month = _YearMonth(date_column)
    value = model.amount if amount is None else amount
    return (sa.select(sa.literal_column(str(flow)), model.objective_id, model.currency, month,
                      *(_in_units(sa.func.sum(value).filter(Donor.donor_type == key)) for key in DONOR_TYPES))
            .join(Donor, Donor.id == model.donor_id).where(*where)
            .group_by(month, model.currency, model.objective_id))


def _as_read(summed):
    """A sum of Money amounts read as the database gives it (money.MoneyAsRead): the
    dashboards read thousands of them."""
    return sa.type_coerce(summed, MoneyAsRead(summed.type.scale))


def _in_units(summed):
    """A sum of Money(3) amounts of the flows as the database gives it: on SQLite the
    integer of thousandths Money stores (no Decimal made for each of thousands of sums,
    most of them empty: contribution_sums adds the integers and makes a Decimal where
    it converts), elsewhere the NUMERIC value (MoneyAsRead)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.type_coerce(summed, sa.Integer)
    return _as_read(summed)


def _pledges_and_commitments():
    """The pledges' rests in force (flow 0) and the commitments (flow 1) by donor type,
    earmarking, currency and month, in one statement (one round trip; both amounts are
    Money(3), the type the first SELECT gives the rows)."""
    return db.session.connection().execute(sa.union_all(
        _grouped(0, Pledge, Pledge.pledged_on, Pledge.open_condition(), amount=Pledge.rest_expression()),
        _grouped(1, Commitment, Commitment.committed_on))).all()


def _deposit_sums():
    """Deposits summed by donor type, earmarking and currency: (type, objective id,
    currency, amount, USD, fee), from each commitment's sums of its deposits
    (Commitment.deposited, deposited_usd, deposit_fees, kept by every write of a
    deposit): at N=100 ten thousand commitments instead of a hundred thousand
    deposits (SQLite 30 -> 4 ms, PostgreSQL 24 -> 5 ms). The same sums: a deposit has
    its commitment's donor and currency and is credited to the pool of its
    commitment's earmark, whose objective is the earmark (every objective has its
    pool); the ledger check verifies all of it. A commitment without deposits adds
    zeros to a group its commitment already has (flow 1)."""
    summed = (Commitment.deposited, Commitment.deposited_usd, Commitment.deposit_fees)
    return db.session.execute(
        sa.select(Donor.donor_type, Commitment.objective_id, Commitment.currency,
                  *(_as_read(sa.func.sum(column)) for column in summed))
        .join(Donor, Donor.id == Commitment.donor_id)
        .group_by(Donor.donor_type, Commitment.objective_id, Commitment.currency)).all()


def contribution_figures(on: dt.date | None = None, overdue_limit: int | None = 100) -> ContributionFigures:
    """The MPTF officer's figures: pledged (not yet committed), committed and deposited (USD) in total, by
    donor type, by earmarking and by currency; overdue instalments; SAAs awaiting
    signature. `overdue_limit` caps the overdue list (None: all)."""
    on = on or clock.today()
    return with_overdue(contribution_sums(on), *overdue_instalments(on, overdue_limit))


def with_overdue(sums: ContributionFigures, overdue: list[OverdueInstalment],
                 count: int) -> ContributionFigures:
    """The figures of contribution_sums() with an overdue list (the page's first rows or
    the .xlsx's every row): the sums, the same for both, are computed once."""
    return replace(sums, overdue=overdue, overdue_count=count)


def contribution_sums(on: dt.date) -> ContributionFigures:
    """contribution_figures() without the overdue instalments (an empty list): every
    figure the page and its .xlsx share."""
    objectives = db.session.execute(
        sa.select(Objective.id, Objective.number, Objective.title, Objective.title_translations)
        .order_by(Objective.number)).all()
    flows = _pledges_and_commitments()
    deposits = _deposit_sums()
    rates = _rates({row[2] for row in flows} - {USD})
    if db.session.get_bind().dialect.name == "sqlite":
        # The flows' amounts are integers of thousandths (_in_units): amount / rate is
        # the same quotient as thousandths / (rate x 1000), and one Decimal per group
        # of (type, earmarking, currency) holds the sums as entered.
        rates = {key: rate.scaleb(3) for key, rate in rates.items()}

        def exact(units):
            return Decimal(units).scaleb(-3) if units else ZERO
    else:
        def exact(amount):
            return amount or ZERO

    # Sums per flow (0 pledged, 1 committed, 2 deposited), in plain lists while adding
    # (thousands of groups), made into Flows at the end. Each group's USD is added to
    # its donor type, earmarking and currency at once: {(type, objective, currency):
    # [pledged, committed as the database gives them (exact() makes them Decimals),
    # deposited as entered, then the three in USD]}, a few hundred keys, spread over
    # the breakdowns below (the last item: whether any group had a USD amount). A donor
    # type or earmarking counts a group once it has a USD amount; a currency counts
    # every group.
    parts: dict[tuple, list] = {}
    unconverted: list[tuple] = []  # (donor type, earmarked, objective id, Unconverted)
    types = tuple(DONOR_TYPES)
    for flow, objective_id, currency, month, *amounts in flows:
        rate = None if currency == USD else rates.get((currency, month))
        for donor_type, amount in zip(types, amounts, strict=True):
            if amount is None:
                continue
            sums = parts.get((donor_type, objective_id, currency))
            if sums is None:
                sums = parts[donor_type, objective_id, currency] = [0, 0, ZERO, ZERO, ZERO, ZERO, False]
            sums[flow] += amount
            if currency == USD:
                usd = exact(amount).quantize(CENT, ROUND_HALF_UP)  # money.round_cents
            elif rate is None:
                unconverted.append((donor_type, objective_id is not None, objective_id or 0,
                                    Unconverted(KINDS[flow], currency, _first_day(month), exact(amount))))
                continue
            else:
                # money.to_usd (a rate is above zero: CHECK rate_positive), inlined:
                # thousands of groups.
                usd = (Decimal(amount) / rate).quantize(CENT, ROUND_HALF_UP)
            sums[flow + 3] += usd
            sums[6] = True
    for sums in parts.values():
        sums[0], sums[1] = exact(sums[0]), exact(sums[1])
    fees = net = ZERO
    for donor_type, objective_id, currency, amount, usd, fee in deposits:
        sums = parts.get((donor_type, objective_id, currency))
        if sums is None:
            sums = parts[donor_type, objective_id, currency] = [ZERO] * 6 + [False]
        sums[2] += amount
        sums[5] += usd
        sums[6] = True
        fees += fee
        net += usd - fee  # every deposit's net is its USD amount less its fee (CHECK net_is_usd_less_fee)

    total = [ZERO, ZERO, ZERO]
    by_type = {key: [ZERO, ZERO, ZERO] for key in DONOR_TYPES}
    by_earmark = {None: [ZERO, ZERO, ZERO], **{o.id: [ZERO, ZERO, ZERO] for o in objectives}}
    by_currency: dict[str, list[Decimal]] = {}  # as entered (0-2), then in USD (3-5)
    for (donor_type, objective_id, currency), sums in parts.items():
        money = by_currency.get(currency) or by_currency.setdefault(currency, [ZERO] * 6)
        for flow in range(6):
            money[flow] += sums[flow]
        if not sums[6]:
            continue
        kind = by_type.get(donor_type) or by_type.setdefault(donor_type, [ZERO, ZERO, ZERO])
        earmark = by_earmark.get(objective_id) or by_earmark.setdefault(objective_id, [ZERO, ZERO, ZERO])
        for flow in range(3):
            usd = sums[flow + 3]
            total[flow] += usd
            kind[flow] += usd
            earmark[flow] += usd

    # In the reader's language: the figures are kept per language (layout._figures).
    titles = {o.id: f"{o.number}. {localized.pick(o.title, o.title_translations)}" for o in objectives}
    earmarks = [(key, titles.get(key, ""), Flow(*sums)) for key, sums in by_earmark.items()]
    # By figure, currency and month; amounts of one month by donor type and earmarking
    # (un-earmarked first), whatever order the database grouped them in.
    unconverted.sort(key=lambda u: (u[3].kind, u[3].currency, u[3].month, u[0], u[1], u[2]))
    return ContributionFigures(
        on=on, total=Flow(*total), fees=fees, net=net,
        by_type={key: Flow(*sums) for key, sums in by_type.items()}, by_earmark=earmarks,
        by_currency=sorted((CurrencyFlow(currency, *sums) for currency, sums in by_currency.items()),
                           key=lambda c: (-c.committed_usd - c.pledged_usd, c.currency)),
        unconverted=[u[3] for u in unconverted], overdue=[], overdue_count=0,
        awaiting_saa=awaiting_saa())


def overdue_instalments(on: dt.date, limit: int | None = None) -> tuple[list[OverdueInstalment], int]:
    """Instalments due before `on` and not covered by the commitment's deposits and
    write-offs (settled), oldest first, with how many there are in all: one query,
    with a running sum of each commitment's schedule.

    Only the instalments that can be overdue enter the running sums (at N=100 about
    9,000 of 16,000; on SQLite from ix_instalment_schedule alone, in its order):
    - those due before `on`: an instalment's running sum counts only the ones due
      on or before it, so leaving out later ones changes no running sum;
    - those of commitments not fully settled (deposited + written off < amount): a
      schedule adds up to no more than its commitment (contributions.services.
      _instalments refuses more, the ledger check verifies it), so a fully settled
      commitment covers every running sum of its schedule.
    The overdue ones (about 3,800) are kept once (a MATERIALIZED CTE) for their count
    and for the first `limit` of them, and only those first ones are joined to their
    commitment's reference and currency: narrower rows through the running sums, and
    no count(*) OVER () over every row (SQLite at N=100: 18 -> 13 ms)."""
    # ROWS, not the default RANGE frame: (due_on, id) is unique in a schedule, so no
    # row has a peer and both frames give the same sums; ROWS spares the database the
    # search for peers (SQLite at N=100: 29 -> 15 ms for the running sums).
    cumulative = sa.func.sum(Instalment.amount).over(
        partition_by=Instalment.commitment_id, order_by=(Instalment.due_on, Instalment.id), rows=(None, 0))
    settled = Commitment.deposited + Commitment.written_off
    schedule = (sa.select(Instalment.id, Instalment.commitment_id, Instalment.due_on,
                          _as_read(Instalment.amount).label("amount"), Commitment.donor_id,
                          _as_read(settled).label("settled"), _as_read(cumulative).label("cumulative"))
                .join(Commitment, Commitment.id == Instalment.commitment_id)
                .where(Instalment.due_on < on, settled < Commitment.amount)
                .subquery())
    overdue = (sa.select(schedule).where(schedule.c.settled < schedule.c.cumulative)
               .cte("overdue").prefix_with("MATERIALIZED"))
    first = (sa.select(overdue.c.id, overdue.c.commitment_id, overdue.c.due_on, overdue.c.amount,
                       overdue.c.settled, overdue.c.cumulative, Donor.id.label("donor_id"),
                       Donor.name.label("donor_name"))
             .join(Donor, Donor.id == overdue.c.donor_id)
             .order_by(overdue.c.due_on, Donor.name, overdue.c.id))
    if limit is not None:
        first = first.limit(limit)
    first = first.subquery()
    query = (sa.select(first.c.donor_id, first.c.donor_name, first.c.commitment_id, Commitment.reference,
                       Commitment.currency, first.c.settled, first.c.due_on, first.c.amount,
                       first.c.cumulative,
                       sa.select(sa.func.count()).select_from(overdue).scalar_subquery())
             .join(Commitment, Commitment.id == first.c.commitment_id)
             .order_by(first.c.due_on, first.c.donor_name, first.c.id))
    rows, count = [], 0
    for donor_id, name, commitment_id, reference, currency, settled, due_on, amount, cum, total in \
            db.session.execute(query):
        count = total
        rows.append(OverdueInstalment(
            donor_id=donor_id, donor_name=name, commitment_id=commitment_id, reference=reference or "",
            currency=currency, due_on=due_on, amount=amount, shortfall=min(amount, cum - settled),
            days_late=(on - due_on).days))
    return rows, count


def awaiting_saa() -> list[AwaitingSaa]:
    """Donors whose SAA draft is shared or under negotiation, waiting longest first."""
    since = sa.func.max(SaaStatusChange.at)
    rows = db.session.execute(
        sa.select(Donor.id, Donor.name, Donor.donor_type, Donor.saa_status, since)
        .outerjoin(SaaStatusChange, SaaStatusChange.donor_id == Donor.id)
        .where(Donor.saa_status.in_(AWAITING_SIGNATURE))
        .group_by(Donor.id, Donor.name, Donor.donor_type, Donor.saa_status)
        .order_by(since.nullsfirst(), Donor.name))
    return [AwaitingSaa(*row) for row in rows]


def latest_audit_entries(limit: int = 10, without: list[str] = ()) -> list[AuditEntry]:
    """The newest entries, leaving out the actions named (sign-ins, as the trail does)."""
    query = sa.select(AuditEntry)
    if without:
        query = query.where(AuditEntry.action.not_in(without))
    return list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def pools_in_order() -> list[Pool]:
    """Un-earmarked first, then the objectives' pools in objective order (one query)."""
    return list(db.session.scalars(
        sa.select(Pool).outerjoin(Objective, Pool.objective_id == Objective.id)
        .options(joinedload(Pool.objective)).order_by(Objective.number.nullsfirst(), Pool.id)))


# --- A donor's own figures -------------------------------------------------------

@dataclass
class DonorCommitments:
    currency: str
    count: int
    committed: Decimal
    deposited: Decimal
    written_off: Decimal = Decimal("0.000")

    @property
    def outstanding(self) -> Decimal:
        """Neither deposited nor written off (as Commitment.outstanding)."""
        return self.committed - self.deposited - self.written_off


@dataclass
class DonorPool:
    pool_id: int
    label: str
    deposited_usd: Decimal = ZERO
    fees: Decimal = ZERO
    net: Decimal = ZERO
    pool_spending: Decimal = ZERO
    share_of_spending: Decimal = ZERO
    # The donor's net deposits as its share counts them: after the transfers between
    # pools, which move donors' money (and weight) from one pool to another.
    weight: Decimal = ZERO

    @property
    def moved(self) -> bool:
        """Whether transfers between pools moved some of the donor's money in or out."""
        return self.weight != self.net


@dataclass
class DonorFigures:
    donor_id: int
    donor_name: str
    commitments: list[DonorCommitments] = field(default_factory=list)
    pools: list[DonorPool] = field(default_factory=list)
    # Of `net`, the deposits dated after the day asked for (recorded by someone whose
    # today is later): the portal's balance of that day leaves them out, and says so.
    net_later: Decimal = ZERO

    @property
    def deposited_usd(self) -> Decimal:
        return sum((p.deposited_usd for p in self.pools), ZERO)

    @property
    def fees(self) -> Decimal:
        return sum((p.fees for p in self.pools), ZERO)

    @property
    def net(self) -> Decimal:
        return sum((p.net for p in self.pools), ZERO)

    @property
    def share_of_spending(self) -> Decimal:
        return sum((p.share_of_spending for p in self.pools), ZERO)


def donor_figures(donor_id: int, on: dt.date | None = None) -> DonorFigures:
    """One donor's commitments by currency, its deposits by pool (USD, fee, net) and its
    share of each pool's spending to date, apportioned exactly as on its statement
    (statements.shares: largest remainder among the pool's donors, weights moved by
    transfers). The caller has checked that the user may see this donor."""
    donor = db.session.get(Donor, donor_id)
    if donor is None:
        raise LookupError(donor_id)
    commitments = [DonorCommitments(*row) for row in db.session.execute(
        sa.select(Commitment.currency, sa.func.count(Commitment.id), sa.func.sum(Commitment.amount),
                  sa.func.sum(Commitment.deposited), sa.func.sum(Commitment.written_off))
        .where(Commitment.donor_id == donor_id).group_by(Commitment.currency)
        .order_by(Commitment.currency))]
    on = on or clock.today()
    # Every deposit recorded, as the commitments above count them: one dated the
    # recorder's today may be the reader's tomorrow (another time zone), and the two
    # tables of one page must not disagree about it.
    # The net of those dated after `on` too: the shares (apportion) count deposits up to
    # `on`, and a later one is in no transfer yet.
    own = {pool_id: (usd, fee, net, later or ZERO) for pool_id, usd, fee, net, later in db.session.execute(
        sa.select(Deposit.pool_id, sa.func.sum(Deposit.usd_amount), sa.func.sum(Deposit.fee),
                  sa.func.sum(Deposit.net), sa.func.sum(Deposit.net).filter(Deposit.value_date > on))
        .where(Deposit.donor_id == donor_id).group_by(Deposit.pool_id))}
    shares = apportion(on)
    figures = DonorFigures(donor_id=donor.id, donor_name=donor.name, commitments=commitments)
    for pool in pools_in_order():
        usd, fee, net, later = own.get(pool.id, (ZERO, ZERO, ZERO, ZERO))
        figures.net_later += later
        split = shares.get(pool.id)
        share = split.share_of(donor_id) if split else ZERO
        spending = split.spending if split else ZERO
        # After the transfers up to `on`, with the deposits dated later as they are: the
        # same as `net` wherever no transfer moved the donor's money.
        weight = split.net_deposits_of(donor_id) + later if split else net
        if usd or share or weight:
            figures.pools.append(DonorPool(pool.id, str(pool.label), usd, fee, net, spending, share, weight))
    return figures
