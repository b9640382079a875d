"""What the IATI file reports, read from the ledger as plain rows (no ORM object leaves
this module): the donors, the fund's objectives, and every transaction up to a date,
in a fixed order (date, then kind, then id) so that one database always gives the
same file. The rules of what each entry becomes are in rules.py."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from ..contributions.models import Commitment, Deposit, InterestEntry, Objective, Pledge
from ..donors.models import Donor
from ..extensions import db
from ..money import quantum
from ..travel.models import FUNDED, NO_SHOW, OVERRUN_APPROVED, TRAVELLED, Event, TravelGrant
from . import rules


@dataclass(frozen=True)
class Org:
    name: str
    type: str
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


@dataclass(frozen=True)
class FundData:
    donors: list[Org]
    objectives: list[tuple[int, str]]
    first_deposit_on: dt.date | None
    countries: dict[str, Decimal]  # recipient country -> percentage (sums to 100)
    transactions: list[Transaction]


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
                               p.currency, f"Pledge {p.id}" + (f": {p.note}" if p.note else ""),
                               orgs[p.donor_id], f"pledge-{p.id}", (p.pledged_on, 0, p.id)))
        withdrawn_on = p.withdrawn_at.date() if p.withdrawn_at else None
        if withdrawn_on and withdrawn_on <= as_of and p.withdrawn_rest > 0:
            out.append(Transaction(
                rules.INCOMING_PLEDGE, withdrawn_on, -_amount(p.withdrawn_rest, p.currency), p.currency,
                f"Withdrawal of the rest of pledge {p.id}: {p.withdrawn_reason or ''}".rstrip(": "),
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
        sa.select(d.id, d.donor_id, d.value_date, d.currency, d.amount, d.reverses_id, d.reason,
                  d.bank_reference).where(d.value_date <= as_of).order_by(d.id))
    for id_, donor_id, value_date, currency, amount, reverses_id, reason, bank_reference in rows:
        text = (f"Reversal of deposit {reverses_id}: {reason}" if reverses_id
                else f"Deposit {id_}" + (f", bank reference {bank_reference}" if bank_reference else ""))
        out.append(Transaction(rules.INCOMING_FUNDS, value_date, _amount(amount, currency), currency, text,
                               orgs[donor_id], f"deposit-{id_}", (value_date, 3, id_)))
    return out


def _interest(as_of: dt.date) -> list[Transaction]:
    out = []
    for i in db.session.scalars(sa.select(InterestEntry).where(InterestEntry.value_date <= as_of)
                                .order_by(InterestEntry.id)):
        text = (f"Reversal of interest entry {i.reverses_id}" if i.reverses_id else "Interest earned")
        out.append(Transaction(rules.INTEREST_PAYMENT, i.value_date, _amount(i.usd_amount, "USD"), "USD",
                               text + (f": {i.note}" if i.note else ""), None, f"interest-{i.id}",
                               (i.value_date, 4, i.id)))
    return out


def _expenditure(as_of: dt.date) -> list[Transaction]:
    """Each closed grant's costs as the pools paid them: at reconciliation, the actual
    total less an overrun not (yet) approved; an approved overrun on the day it was
    approved, as a transaction of its own (the ledger's `spent` moves the same way)."""
    g = TravelGrant
    out = []
    rows = db.session.execute(
        sa.select(g.id, g.status, g.country_code, g.actual_total, g.reconciled_at, g.overrun_status,
                  g.overrun_amount, g.overrun_decided_at, Event.title)
        .join(Event, Event.id == g.event_id)
        .where(g.status.in_((TRAVELLED, NO_SHOW)), g.actual_total.is_not(None),
               g.reconciled_at < _end_of(as_of))
        .order_by(g.id))
    for id_, status, country, total, reconciled_at, overrun_status, overrun, decided_at, title in rows:
        what = "Travel" if status == TRAVELLED else "Costs of a no-show"
        text = f"{what} of a delegate of {country} to {title} (grant {id_})"
        total, overrun = _amount(total, "USD"), _amount(overrun or 0, "USD")
        approved = overrun_status == OVERRUN_APPROVED and overrun > 0 and decided_at is not None
        day = reconciled_at.date()
        out.append(Transaction(rules.EXPENDITURE, day, total - overrun if approved else total, "USD",
                               text, None, f"grant-{id_}", (day, 5, id_)))
        if approved and decided_at.date() <= as_of:
            out.append(Transaction(rules.EXPENDITURE, decided_at.date(), overrun, "USD",
                                   f"Approved overrun: {text}", None, f"grant-{id_}-overrun",
                                   (decided_at.date(), 5, id_)))
    return out


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
    by_money = {code: int(_amount(total or 0, "USD").scaleb(2)) for code, total, _n in rows}
    if sum(by_money.values()) > 0:
        return rules.percentages(by_money)
    return rules.percentages({code: n for code, _total, n in rows})


def fund_data(as_of: dt.date) -> FundData:
    """Everything the file reports up to and including `as_of`."""
    orgs = donors(as_of)
    transactions = (_pledges(as_of, orgs) + _commitments(as_of, orgs) + _deposits(as_of, orgs)
                    + _interest(as_of) + _expenditure(as_of))
    transactions.sort(key=lambda t: t.sort_key)
    first_deposit = db.session.scalar(sa.select(sa.func.min(Deposit.value_date))
                                      .where(Deposit.value_date <= as_of))
    objectives = [(o.number, o.title) for o in db.session.scalars(
        sa.select(Objective).order_by(Objective.number))]
    return FundData(donors=list(orgs.values()), objectives=objectives, first_deposit_on=first_deposit,
                    countries=recipient_countries(as_of), transactions=transactions)
