"""Invariants of the fund's life, for `flask --app trustfund check`:

- each closing decision's donor parts add up to the decision's amount (a refund has
  at least one part), and each part is its donor's exact proportion of the amount
  by net deposits in the pool, to less than a cent (largest remainder);
- what the closing of a year stored shares no more than the pool spent by then;
- no deposit or transfer between pools is dated in a closed year yet recorded
  after its closing (later dates start from what the closing stored: such a row
  would be in no statement after the year; statements/closed.py);
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

from ..contributions.models import Deposit, Pool, PoolTransfer
from ..extensions import db
from ..fund.entries import REFUND, ClosingPart, PoolClosing
from ..fund.models import FINANCIALLY_CLOSED, AccountingYear, YearPoolPosition, YearShare
from ..fund.status import current_fund
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
                                   ("transfers between pools", PoolTransfer, PoolTransfer.transferred_on)):
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
    return closing_problems() + year_problems() + closure_problems()
