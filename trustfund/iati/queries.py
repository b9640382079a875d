"""What the IATI file reports, read from the ledger as plain rows (no ORM object leaves
this module): the donors, the fund's objectives, and every transaction up to a date,
in a fixed order (date, then kind, then id) so that one database always gives the
same file. The rules of what each entry becomes are in rules.py."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from ..admin.models import CONFIRMED
from ..contributions.models import Commitment, Deposit, InterestEntry, Objective, Pledge, Pool
from ..donors.models import Donor
from ..extensions import db
from ..fund.entries import (
    BANK_CHARGE,
    DIRECT_COST,
    FUND_TRANSFER,
    REFUND,
    ClosingPart,
    FundEntry,
    PoolClosing,
    WriteOff,
)
from ..fund.models import Fund
from ..money import quantum
from ..travel.models import FUNDED, NO_SHOW, OVERRUN_APPROVED, TRAVELLED, CostCorrection, Event, TravelGrant
from . import rules


@dataclass(frozen=True)
class Org:
    name: str
    type: str | None  # None: not known (another fund receiving a transfer)
    ref: str | None = None


@dataclass(frozen=True)
class Transaction:
    type: str
    date: dt.date
    value: Decimal
    currency: str
    description: str
    provider: Org | None = None
    ref: str | None = None
    sort_key: tuple = ()
    receiver: Org | None = None


@dataclass(frozen=True)
class FundData:
    donors: list[Org]
    objectives: list[tuple[int, str]]
    first_deposit_on: dt.date | None
    countries: dict[str, Decimal]  # recipient country -> percentage (sums to 100)
    transactions: list[Transaction]
    lifecycle: rules.Lifecycle | None = None


def _amount(value: Decimal, currency: str) -> Decimal:
    """The amount with exactly its currency's decimals, whatever the backend returned
    (SQLite's minor units or PostgreSQL's NUMERIC scale), so both give the same text."""
    return Decimal(value).quantize(quantum(currency))


def _donor_org(donor: Donor) -> Org:
    # No donor has an IATI reference on record: the name and the type identify it.
    return Org(name=donor.name, type=rules.DONOR_ORGANISATION_TYPE[donor.donor_type])


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def donors(as_of: dt.date) -> dict[int, Org]:
    """Every donor with a pledge, commitment or deposit up to `as_of`, by id."""
    with_money = sa.union(
        sa.select(Pledge.donor_id).where(Pledge.pledged_on <= as_of),
        sa.select(Commitment.donor_id).where(Commitment.committed_on <= as_of),
        sa.select(Deposit.donor_id).where(Deposit.value_date <= as_of)).subquery()
    rows = db.session.scalars(sa.select(Donor).where(Donor.id.in_(sa.select(with_money.c[0])))
                              .order_by(Donor.name, Donor.id))
    return {donor.id: _donor_org(donor) for donor in rows}


def _pledges(as_of: dt.date, orgs: dict[int, Org]) -> list[Transaction]:
    out = []
    for p in db.session.scalars(sa.select(Pledge).where(Pledge.pledged_on <= as_of)
                                .order_by(Pledge.id)):
        out.append(Transaction(rules.INCOMING_PLEDGE, p.pledged_on, _amount(p.amount, p.currency),
                               p.currency, f"Pledge {p.id}",
                               orgs[p.donor_id], f"pledge-{p.id}", (p.pledged_on, 0, p.id)))
        withdrawn_on = p.withdrawn_at.date() if p.withdrawn_at else None
        if withdrawn_on and withdrawn_on <= as_of and p.withdrawn_rest > 0:
            out.append(Transaction(
                rules.INCOMING_PLEDGE, withdrawn_on, -_amount(p.withdrawn_rest, p.currency), p.currency,
                f"Withdrawal of the rest of pledge {p.id}",
                orgs[p.donor_id], f"pledge-{p.id}-withdrawn", (withdrawn_on, 1, p.id)))
    return out


def _commitments(as_of: dt.date, orgs: dict[int, Org]) -> list[Transaction]:
    return [Transaction(rules.INCOMING_COMMITMENT, c.committed_on, _amount(c.amount, c.currency),
                        c.currency, f"Commitment {c.reference}".rstrip() if c.reference
                        else f"Commitment {c.id}", orgs[c.donor_id], f"commitment-{c.id}",
                        (c.committed_on, 2, c.id))
            for c in db.session.scalars(sa.select(Commitment).where(Commitment.committed_on <= as_of)
                                        .order_by(Commitment.id))]


def _deposits(as_of: dt.date, orgs: dict[int, Org]) -> list[Transaction]:
    # Only the columns reported (no ORM object per row): a fund of 100,000 deposits.
    d = Deposit
    out = []
    rows = db.session.execute(
        sa.select(d.id, d.donor_id, d.value_date, d.currency, d.amount, d.reverses_id)
        .where(d.value_date <= as_of).order_by(d.id))
    for id_, donor_id, value_date, currency, amount, reverses_id in rows:
        # No bank reference: the file is published on the IATI Registry, and a bank's
        # reference of a donor's transfer is shown to the fund's staff and the donor only.
        # No reversal reason either: staff's notes and reasons are not published (rules.py).
        text = f"Reversal of deposit {reverses_id}" if reverses_id else f"Deposit {id_}"
        out.append(Transaction(rules.INCOMING_FUNDS, value_date, _amount(amount, currency), currency, text,
                               orgs[donor_id], f"deposit-{id_}", (value_date, 3, id_)))
    return out


def _interest(as_of: dt.date) -> list[Transaction]:
    out = []
    for i in db.session.scalars(sa.select(InterestEntry).where(InterestEntry.value_date <= as_of)
                                .order_by(InterestEntry.id)):
        text = (f"Reversal of interest entry {i.reverses_id}" if i.reverses_id else "Interest earned")
        out.append(Transaction(rules.INTEREST_PAYMENT, i.value_date, _amount(i.usd_amount, "USD"), "USD",
                               text, None, f"interest-{i.id}",
                               (i.value_date, 4, i.id)))
    return out


def _expenditure(as_of: dt.date) -> list[Transaction]:
    """Each closed grant's costs as the pools paid them: at reconciliation, the actual
    total less an overrun not (yet) approved; an approved overrun on the day it was
    approved, and a confirmed correction of the costs on the day it was confirmed, as
    transactions of their own (the ledger's `spent` moves the same way)."""
    g = TravelGrant
    out = []
    rows = db.session.execute(
        sa.select(g.id, g.status, g.country_code, g.actual_total, g.reconciled_at, g.overrun_status,
                  g.overrun_amount, g.overrun_decided_at, Event.title)
        .join(Event, Event.id == g.event_id)
        .where(g.status.in_((TRAVELLED, NO_SHOW)), g.actual_total.is_not(None),
               g.reconciled_at < _end_of(as_of))
        .order_by(g.id))
    # The confirmed corrections (a handful), read once: each grant's transaction at
    # reconciliation is what was paid then, and each correction one of its own (below).
    corrections = db.session.execute(
        sa.select(CostCorrection.id, CostCorrection.grant_id, CostCorrection.spent_before,
                  CostCorrection.spent_after, CostCorrection.decided_at)
        .where(CostCorrection.status == CONFIRMED).order_by(CostCorrection.id)).all()
    corrected: dict[int, Decimal] = {}
    for _id, grant_id, before, after, _on in corrections:
        corrected[grant_id] = corrected.get(grant_id, Decimal(0)) + after - before
    trips: dict[int, str] = {}  # grant -> "a delegate of <country> to <event>"
    for id_, status, country, total, reconciled_at, overrun_status, overrun, decided_at, title in rows:
        what = "Travel" if status == TRAVELLED else "Costs of a no-show"
        trips[id_] = f"a delegate of {country} to {title}"
        text = f"{what} of {trips[id_]} (grant {id_})"
        total = total - corrected.get(id_, 0)
        total, overrun = _amount(total, "USD"), _amount(overrun or 0, "USD")
        approved = overrun_status == OVERRUN_APPROVED and overrun > 0 and decided_at is not None
        day = reconciled_at.date()
        out.append(Transaction(rules.EXPENDITURE, day, total - overrun if approved else total, "USD",
                               text, None, f"grant-{id_}", (day, 5, id_)))
        if approved and decided_at.date() <= as_of:
            out.append(Transaction(rules.EXPENDITURE, decided_at.date(), overrun, "USD",
                                   f"Approved overrun: {text}", None, f"grant-{id_}-overrun",
                                   (decided_at.date(), 5, id_)))
    # A confirmed correction of a trip's costs: the difference, on the day it was
    # confirmed (negative when money returned to the pool), as the ledger moved; its
    # grant was reconciled before it, so is among the rows above.
    for id_, grant_id, before, after, decided_at in corrections:
        if after == before or decided_at >= _end_of(as_of) or grant_id not in trips:
            continue
        day, trip = decided_at.date(), trips[grant_id]
        out.append(Transaction(rules.EXPENDITURE, day, _amount(after, "USD") - _amount(before, "USD"), "USD",
                               f"Correction of the costs of the travel of {trip} (grant {grant_id})", None,
                               f"grant-{grant_id}-correction-{id_}", (day, 5, grant_id)))
    return out


def _write_offs(as_of: dt.date, orgs: dict[int, Org]) -> list[Transaction]:
    out = []
    rows = db.session.execute(
        sa.select(WriteOff.id, WriteOff.written_off_on, WriteOff.amount, WriteOff.currency,
                  Commitment.id, Commitment.reference, Commitment.donor_id)
        .join(Commitment, Commitment.id == WriteOff.commitment_id)
        .where(WriteOff.written_off_on <= as_of).order_by(WriteOff.id))
    for id_, on, amount, currency, commitment_id, reference, donor_id in rows:
        out.append(Transaction(
            rules.INCOMING_COMMITMENT, on, -_amount(amount, currency), currency,
            f"Write-off of commitment {reference or commitment_id}", orgs[donor_id],
            f"write-off-{id_}", (on, 2, commitment_id, id_)))
    return out


_ENTRY_TEXT = {DIRECT_COST: "Direct cost", BANK_CHARGE: "Bank charge"}


def _fund_entries(as_of: dt.date) -> list[Transaction]:
    """Direct costs and bank charges (expenditure), other income (incoming funds)."""
    e = FundEntry
    out = []
    rows = db.session.execute(
        sa.select(e.id, e.kind, e.value_date, e.usd_amount, e.description, e.reverses_id)
        .where(e.value_date <= as_of).order_by(e.id))
    for id_, kind, value_date, usd_amount, description, reverses_id in rows:
        what = _ENTRY_TEXT.get(kind, "Other income")
        text = (f"Reversal of fund entry {reverses_id} ({what.lower()})" if reverses_id
                else f"{what}: {description}")
        type_ = rules.EXPENDITURE if kind in _ENTRY_TEXT else rules.INCOMING_FUNDS
        out.append(Transaction(type_, value_date, _amount(usd_amount, "USD"), "USD", text, None,
                               f"fund-entry-{id_}", (value_date, 6, id_)))
    return out


def _closings(as_of: dt.date, orgs: dict[int, Org]) -> list[Transaction]:
    """Refunds (one disbursement per donor's part, to the donor) and transfers to other
    funds (one disbursement, to the fund named); a waived residual is paid to no one."""
    out = []
    closings = db.session.execute(
        sa.select(PoolClosing.id, PoolClosing.kind, PoolClosing.usd_amount, PoolClosing.decided_on,
                  PoolClosing.fund_name, PoolClosing.fund_reference, Pool.code)
        .join(Pool, Pool.id == PoolClosing.pool_id)
        .where(PoolClosing.decided_on <= as_of, PoolClosing.kind.in_((REFUND, FUND_TRANSFER)))
        .order_by(PoolClosing.id)).all()
    refunds = {row[0]: row for row in closings if row[1] == REFUND}
    for id_, kind, usd_amount, decided_on, fund_name, fund_reference, pool_code in closings:
        if kind == FUND_TRANSFER:
            out.append(Transaction(
                rules.DISBURSEMENT, decided_on, _amount(usd_amount, "USD"), "USD",
                f"Transfer of the unspent balance of pool {pool_code} to {fund_name}, "
                f"reference {fund_reference}",
                None, f"closing-{id_}", (decided_on, 7, id_), receiver=Org(fund_name, None)))
    parts = db.session.execute(
        sa.select(ClosingPart.closing_id, ClosingPart.donor_id, ClosingPart.value_date,
                  ClosingPart.usd_amount)
        .where(ClosingPart.closing_id.in_(sorted(refunds)), ClosingPart.usd_amount > 0)
        .order_by(ClosingPart.closing_id, ClosingPart.donor_id)).all()
    # Every donor with a part has deposits before the closing, so is in `orgs` already.
    for closing_id, donor_id, value_date, usd_amount in parts:
        pool_code = refunds[closing_id][6]
        out.append(Transaction(
            rules.DISBURSEMENT, value_date, _amount(usd_amount, "USD"), "USD",
            f"Refund to the donor of its part of the unspent balance of pool {pool_code}", None,
            f"closing-{closing_id}-donor-{donor_id}", (value_date, 7, closing_id, donor_id),
            receiver=orgs[donor_id]))
    return out


def lifecycle() -> rules.Lifecycle | None:
    """The dates of the fund's life on its record (None without a record)."""
    fund = db.session.scalar(sa.select(Fund).order_by(Fund.id).limit(1))
    if fund is None:
        return None
    closed_at = fund.financially_closed_at
    return rules.Lifecycle(start_on=fund.start_on, end_on=fund.end_on,
                           operations_closed_on=fund.operations_closed_on,
                           financially_closed_on=closed_at.date() if closed_at else None)


def recipient_countries(as_of: dt.date) -> dict[str, Decimal]:
    """Each country of the funded delegates (approved, travelled, no-show) with its
    percentage of the money for them: actual totals where costs are recorded, the
    amount committed otherwise; by number of grants if no amount is on record."""
    g = TravelGrant
    money = sa.case(
        (g.status.in_((TRAVELLED, NO_SHOW)), sa.func.coalesce(g.actual_total, g.committed_amount)),
        else_=g.committed_amount)
    rows = db.session.execute(
        sa.select(g.country_code, sa.func.sum(money), sa.func.count())
        .where(g.status.in_(FUNDED), g.decided_at < _end_of(as_of))
        .group_by(g.country_code).order_by(g.country_code)).all()
    c = CostCorrection
    later = dict(db.session.execute(  # corrections confirmed after the day: not yet then
        sa.select(g.country_code, sa.func.sum(c.spent_after - c.spent_before))
        .join(g, g.id == c.grant_id)
        .where(c.status == CONFIRMED, c.decided_at >= _end_of(as_of), g.decided_at < _end_of(as_of))
        .group_by(g.country_code)).all())
    by_money = {code: int(_amount((total or 0) - (later.get(code) or 0), "USD").scaleb(2))
                for code, total, _n in rows}
    if sum(by_money.values()) > 0:
        return rules.percentages(by_money)
    return rules.percentages({code: n for code, _total, n in rows})


def fund_data(as_of: dt.date) -> FundData:
    """Everything the file reports up to and including `as_of`."""
    orgs = donors(as_of)
    transactions = (_pledges(as_of, orgs) + _commitments(as_of, orgs) + _deposits(as_of, orgs)
                    + _interest(as_of) + _expenditure(as_of) + _write_offs(as_of, orgs)
                    + _fund_entries(as_of) + _closings(as_of, orgs))
    transactions.sort(key=lambda t: t.sort_key)
    first_deposit = db.session.scalar(sa.select(sa.func.min(Deposit.value_date))
                                      .where(Deposit.value_date <= as_of))
    objectives = [(o.number, o.title) for o in db.session.scalars(
        sa.select(Objective).order_by(Objective.number))]
    return FundData(donors=list(orgs.values()), objectives=objectives, first_deposit_on=first_deposit,
                    countries=recipient_countries(as_of), transactions=transactions, lifecycle=lifecycle())
