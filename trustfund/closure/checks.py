"""Invariants of the fund's life, for `flask --app trustfund check`:

- each closing decision's donor parts add up to the decision's amount (a refund has
  at least one part), and each part is its donor's exact proportion of the amount
  by net deposits in the pool, to less than a cent (largest remainder);
- what the closing of a year stored shares no more than the pool spent by then;
- what the closing of a year stored (every donor's net deposits and what was
  returned to it, each pool's spending, every donor's weight and share in each pool)
  is what the entries dated by the year's end give now, computed afresh as the
  closing computed it (statements.shares.closings_afresh): an entry dated in the year
  that its closing did not hold (written behind the services, by a race, a clock
  difference, a restore or a correction in the database) is in no statement, since
  the year's and every later date's figures start from the stored ones
  (statements/closed.py). Interest and other income are no donor's and in no stored
  figure: they are not compared;
- no deposit, transfer between pools, interest or fund's own entry (other income,
  direct costs, bank charges) is dated in a closed year yet recorded after its
  closing: this finds, besides, rows that leave the stored figures as they were (a
  deposit and its reversal both dated in the year, a transfer that moves no donor's
  weight, only interest, interest and other income, which no stored figure holds,
  though the year's funding status shows them) and says which rows;
- a financially closed fund has nothing left: every pool at zero (nothing
  available, nothing committed), no grant open, no overrun awaiting a decision,
  no money outstanding on a commitment.
(The pools' closed_out figures are checked against the decisions with every other
pool figure, in contributions/checks.py.)
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa

from ..contributions.models import Deposit, InterestEntry, Pool, PoolTransfer
from ..donors.models import Donor
from ..extensions import db
from ..fund.entries import REFUND, ClosingPart, FundEntry, PoolClosing
from ..fund.models import FINANCIALLY_CLOSED, AccountingYear, YearPoolPosition, YearShare
from ..fund.status import current_fund
from ..statements import closed, shares
from .financial import unsettled

CENT = Decimal("0.01")


def closing_problems() -> list[str]:
    problems = []
    parts: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for closing_id, amount, weight in db.session.execute(
            sa.select(ClosingPart.closing_id, ClosingPart.usd_amount, ClosingPart.weight)):
        parts[closing_id].append((amount, weight))
    for closing in db.session.scalars(sa.select(PoolClosing).order_by(PoolClosing.id)):
        what = f"Closing decision #{closing.id} ({closing.kind}, USD {closing.usd_amount:,})"
        mine = parts.get(closing.id, [])
        if closing.kind == REFUND and not mine:
            problems.append(f"{what}: a refund to no donor.")
        if mine and sum(a for a, _ in mine) != closing.usd_amount:
            problems.append(f"{what}: its donors' parts add up to USD {sum(a for a, _ in mine):,}.")
        total_weight = sum(w for _, w in mine)
        for amount, weight in mine:
            exact = closing.usd_amount * weight / total_weight
            if abs(amount - exact) >= CENT:
                problems.append(f"{what}: a part of USD {amount:,} is a cent or more from its donor's "
                                f"proportion ({exact:.4f}).")
    return problems


def year_problems() -> list[str]:
    problems = []
    for year, closed_at in db.session.execute(sa.select(AccountingYear.year, AccountingYear.closed_at)
                                              .order_by(AccountingYear.year)):
        last_day = dt.date(year, 12, 31)
        for what, model, dated in (("deposits", Deposit, Deposit.value_date),
                                   ("transfers between pools", PoolTransfer, PoolTransfer.transferred_on),
                                   ("interest entries", InterestEntry, InterestEntry.value_date),
                                   ("entries of the fund's own (income, costs, charges)", FundEntry,
                                    FundEntry.value_date)):
            late = db.session.scalar(sa.select(sa.func.count(model.id)).where(
                dated <= last_day, model.created_at > closed_at))
            if late:
                problems.append(f"Closed year {year}: {late} {what} dated in it were recorded after its "
                                f"closing (the closing's figures do not hold them).")
    spending = {(y, p): s for y, p, s in db.session.execute(
        sa.select(YearPoolPosition.year, YearPoolPosition.pool_id, YearPoolPosition.spending))}
    for year, pool_id, shared in db.session.execute(
            sa.select(YearShare.year, YearShare.pool_id, sa.func.sum(YearShare.share))
            .group_by(YearShare.year, YearShare.pool_id)):
        if shared > spending.get((year, pool_id), Decimal("0.00")):
            problems.append(f"Closed year {year}, pool #{pool_id}: shares of USD {shared:,} are more than "
                            f"its spending of USD {spending.get((year, pool_id), 0):,}.")
    return problems


SHOWN = 5  # mismatches named per closed year and figure; the rest counted
Mismatch = tuple[int | None, int | None, int, int]  # pool_id, donor_id, stored and afresh in cents


def _differences(stored: dict[int, int], afresh: dict[int, int]) -> list[tuple[int, int, int]]:
    """(key, stored, afresh) in cents where the two differ, a missing key being zero."""
    return [(key, stored.get(key, 0), afresh.get(key, 0)) for key in sorted(set(stored) | set(afresh))
            if stored.get(key, 0) != afresh.get(key, 0)]


def figure_problems() -> list[str]:
    """Each closed year's stored figures against the same figures computed afresh from
    the entries (see the module's docstring), to the cent."""
    afresh = shares.closings_afresh()
    stored = closed.fixed_positions(set(afresh))
    found: list[tuple[int, str, list[Mismatch]]] = []
    for year, now in sorted(afresh.items()):
        fixed = stored[year]
        found.append((year, "net deposits", [
            (None, d, s, a) for d, s, a in _differences(fixed.net_cents, now.net_cents)]))
        found.append((year, "returned by the fund's closing", [
            (None, d, s, a) for d, s, a in _differences(fixed.returned_cents, now.returned_cents)]))
        found.append((year, "spending", [(p, None, s, a) for p, s, a in _differences(
            fixed.spending, {p: pool.spending_cents for p, pool in now.pools.items()})]))
        # A year closed before migration 0022 stored the positive weights alone.
        stored_weights = fixed.all_weights if fixed.complete else fixed.weights
        weights: list[Mismatch] = []
        parts: list[Mismatch] = []
        for pool_id in sorted(set(fixed.shares) | set(stored_weights) | set(now.pools)):
            pool = now.pools.get(pool_id)
            afresh_weights = ({} if pool is None else pool.all_weights_cents if fixed.complete
                              else pool.weights_cents)
            weights += [(pool_id, d, s, a) for d, s, a in _differences(
                stored_weights.get(pool_id, {}), {d: w for d, w in afresh_weights.items() if w})]
            parts += [(pool_id, d, s, a) for d, s, a in _differences(
                fixed.shares.get(pool_id, {}), {} if pool is None else pool.shares_cents)]
        found.append((year, "weight (net deposits in the pool after transfers)", weights))
        found.append((year, "share of the pool's spending", parts))
    return _lines(found)


def _lines(found: list[tuple[int, str, list[Mismatch]]]) -> list[str]:
    """The mismatches in words, the donor and pool by name: at most SHOWN per year and
    figure, the others counted."""
    shown = [row for _, _, rows in found for row in rows[:SHOWN]]
    donor_ids = sorted({d for _, d, _, _ in shown if d is not None})
    pool_ids = sorted({p for p, _, _, _ in shown if p is not None})
    donors = dict(db.session.execute(sa.select(Donor.id, Donor.name).where(Donor.id.in_(donor_ids))).all())
    pools = dict(db.session.execute(sa.select(Pool.id, Pool.code).where(Pool.id.in_(pool_ids))).all())
    problems = []
    for year, figure, rows in found:
        for pool_id, donor_id, was, now in rows[:SHOWN]:
            whose = ([] if pool_id is None else [f"pool {pools.get(pool_id, pool_id)}"]) + (
                [] if donor_id is None else [f"donor {donors.get(donor_id, donor_id)}"])
            problems.append(f"Closed year {year}, {', '.join(whose)}: its closing stored {figure} of "
                            f"USD {shares.usd(was):,}; the entries dated by {year}-12-31 give USD "
                            f"{shares.usd(now):,} (an entry its closing did not hold is in no statement).")
        if len(rows) > SHOWN:
            problems.append(f"Closed year {year}: {len(rows) - SHOWN} more figures of {figure} differ "
                            f"from what the entries give.")
    return problems


def closure_problems() -> list[str]:
    fund = current_fund()
    if fund is None or fund.status != FINANCIALLY_CLOSED:
        return []
    problems = [f"The fund is financially closed, yet: {problem}" for problem in unsettled()
                if "operations" not in problem]
    for pool in db.session.scalars(sa.select(Pool).order_by(Pool.id)):
        if pool.available != 0 or pool.committed != 0:
            problems.append(f"The fund is financially closed, yet pool {pool.code} holds USD "
                            f"{pool.available:,} available and USD {pool.committed:,} committed.")
    return problems


def problems() -> list[str]:
    return closing_problems() + figure_problems() + year_problems() + closure_problems()
