"""Moving money in and out of the fund's pools.

Every change of a pool's running figures goes through move(): one UPDATE
statement per pool, in the caller's transaction, whose WHERE clause refuses a
result below zero (the CHECK constraints on the row stand behind it). A refusal
raises InsufficientFunds and leaves the transaction usable, so that a grant can
be waitlisted instead. No read-then-write: two requests that each see enough
money can never both take it. (No SAVEPOINT either: pysqlite's handling of
savepoints outside an explicit transaction is unreliable.)
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ..connections import hold_row
from ..errors import DomainError
from ..extensions import db
from ..formatting import date as fmt_date
from ..formatting import money as fmt_money
from ..money import USD
from .models import UNEARMARKED, Objective, Pool

FIGURES = ("deposits_usd", "fees", "deposits_net", "interest", "transfers_in", "transfers_out",
           "committed", "spent", "other_income", "direct_costs", "bank_charges", "closed_out", "available")


# Figures that may never go below zero (CHECK constraints on the pool row).
GUARDED = ("available", "committed", "spent", "transfers_in", "transfers_out", "other_income",
           "direct_costs", "bank_charges", "closed_out")


class InsufficientFunds(DomainError):
    """The pool has not enough available money for this."""


def move(pool_id: int, **deltas: Decimal) -> None:
    """Add each delta to the pool's figure of that name in one UPDATE whose WHERE
    clause also requires every guarded figure to stay at or above zero: the check
    and the change are one statement, so no interleaving can overspend. Raises
    InsufficientFunds when the pool cannot take it (the CHECK constraints on the
    row are the last line of defence)."""
    unknown = set(deltas) - set(FIGURES)
    if unknown:
        raise ValueError(f"not a pool figure: {unknown}")
    deltas = {name: Decimal(delta) for name, delta in deltas.items() if delta}
    if not deltas:
        return
    values = {name: getattr(Pool, name) + delta for name, delta in deltas.items()}
    guards = [getattr(Pool, name) + delta >= 0 for name, delta in deltas.items()
              if name in GUARDED and delta < 0]
    statement = sa.update(Pool).where(Pool.id == pool_id, *guards).values(**values) \
        .execution_options(synchronize_session=False)
    result = db.session.execute(statement)
    if result.rowcount != 1:
        if db.session.get(Pool, pool_id) is None:
            raise DomainError(_("No such pool."))
        raise InsufficientFunds(_("The pool does not have enough available money for this."))
    # Objects already loaded must not show the old figures.
    pool = db.session.identity_map.get(sa.inspect(Pool).identity_key_from_primary_key((pool_id,)))
    if pool is not None:
        db.session.expire(pool)


def move_many(changes: list[tuple[int, dict[str, Decimal]]]) -> None:
    """Several pools in one operation (a transfer): in the order of their ids, so that
    two concurrent operations on the same pools lock them in the same order."""
    for pool_id, deltas in sorted(changes, key=lambda change: change[0]):
        move(pool_id, **deltas)


def hold(pool_id: int) -> None:
    """Hold the pool's row until this transaction ends (connections.hold_row), for a
    look that must see what a concurrent transaction writes (the same interest twice,
    the money an overrun would take)."""
    hold_row(db.session, Pool, pool_id)


def unearmarked_pool() -> Pool:
    return db.session.scalar(sa.select(Pool).where(Pool.code == UNEARMARKED))


def pool_for_objective(objective_id: int | None) -> Pool:
    """The pool that receives money earmarked to an objective (un-earmarked if None)."""
    if objective_id is None:
        return unearmarked_pool()
    pool = db.session.scalar(sa.select(Pool).where(Pool.objective_id == objective_id))
    if pool is None:
        raise DomainError(_("This objective has no pool."))
    return pool


def all_pools() -> list[Pool]:
    """Un-earmarked first, then the objectives' pools in objective order, each with
    its objective (read by the same join: pool.objective asks nothing more)."""
    pools = db.session.scalars(
        sa.select(Pool).outerjoin(Objective, Pool.objective_id == Objective.id)
        .options(sa.orm.contains_eager(Pool.objective))
        .order_by(Objective.number.nullsfirst())).all()
    return pools


def held_from(pool_id: int, day: dt.date) -> Decimal:
    """The least the pool held on `day` or any later day, by the value dates of the
    money that reached it and left it: deposits (net of the fee; reversals on their
    own dates), interest, the fund's other income, costs and bank charges, transfers
    in and out. Travel is left out (its money moves at moments, not value dates): the
    figure is the most a cost or a transfer dated `day` may take without having spent
    money the pool did not yet hold (a donor's statement would then carry a balance the
    fund no longer has: a colleague's review)."""
    from ..fund.entries import INCOME_KINDS, FundEntry
    from .models import Deposit, InterestEntry, PoolTransfer

    entry_sign = sa.case((FundEntry.kind.in_(INCOME_KINDS), 1), else_=-1)
    dated = [
        sa.select(Deposit.value_date.label("day"), Deposit.net.label("amount"))
        .where(Deposit.pool_id == pool_id),
        sa.select(InterestEntry.value_date, InterestEntry.usd_amount)
        .where(InterestEntry.pool_id == pool_id),
        sa.select(FundEntry.value_date, entry_sign * FundEntry.usd_amount)
        .where(FundEntry.pool_id == pool_id),
        sa.select(PoolTransfer.transferred_on, PoolTransfer.usd_amount)
        .where(PoolTransfer.to_pool_id == pool_id),
        sa.select(PoolTransfer.transferred_on, -PoolTransfer.usd_amount)
        .where(PoolTransfer.from_pool_id == pool_id),
    ]
    moves = sa.union_all(*dated).subquery()
    by_day = db.session.execute(sa.select(moves.c.day, sa.func.sum(moves.c.amount))
                                .group_by(moves.c.day).order_by(moves.c.day)).all()
    balance = sum((amount for on, amount in by_day if on < day), Decimal("0.00"))
    later = [(on, amount) for on, amount in by_day if on >= day]
    # The day's own balance counts once its own moves are in (a cost paid the day its
    # money arrived); a day without moves holds what the day before held.
    lowest = balance if not later or later[0][0] > day else None
    for _on, amount in later:
        balance += amount
        lowest = balance if lowest is None else min(lowest, balance)
    return lowest


def refuse_leaving_its_earmark(source: Pool, target: Pool, usd) -> None:
    """Money a donor earmarked to an objective stays with that objective (DESIGN §4): a
    transfer leaves the un-earmarked pool for any pool, and Objective 1's pool for
    Objective 2's (DESIGN §1: "Any surplus of Objective 1 may be used for Objective 2");
    money moved into an objective's pool from another pool may go back to it (a
    transfer made by mistake, given back), no more than came. Refused beside the
    receiving pool (two reviews: earmarked money moved by two admins to the
    un-earmarked pool could then pay travel). A transfer that writes reads it with both
    pools held (confirmed.transfer): two give-backs at once do not both pass."""
    from .models import PoolTransfer

    if source.is_unearmarked or (source.objective_number, target.objective_number) == (1, 2):
        return

    def moved(from_id: int, to_id: int) -> Decimal:
        return db.session.scalar(sa.select(sa.func.sum(PoolTransfer.usd_amount)).where(
            PoolTransfer.from_pool_id == from_id, PoolTransfer.to_pool_id == to_id)) or Decimal("0.00")

    back = moved(target.id, source.id) - moved(source.id, target.id)
    if usd <= back:
        return
    if back > 0:
        raise DomainError(_("Money in the %(source)s pool was earmarked to its objective by its donors, but "
                            "for %(back)s that came from the %(target)s pool: only that may go back to it.",
                            source=source.sentence_name, back=fmt_money(back, USD),
                            target=target.sentence_name), field="usd_amount")
    raise DomainError(_("Money in the %(source)s pool was earmarked to its objective by its donors: it "
                        "cannot move to the %(target)s pool. Un-earmarked money may move to any pool, and a "
                        "surplus of Objective 1 to Objective 2.", source=source.sentence_name,
                        target=target.sentence_name), field="to_pool_id")


def refuse_before_its_money(pool: Pool, usd, day, field: str) -> None:
    """Money taken out of `pool` on `day` (a cost, a transfer) that the pool did not yet
    hold then, or that later money taken out by then needed, is refused beside `field`.
    More than the pool has available now is left to that refusal, said first: read
    after the dated money, so that a colleague's cost committed in between (PostgreSQL)
    is named for what it took, the pool's available money."""
    if pool.available < usd:
        return
    held = held_from(pool.id, day)
    if held < usd and db.session.scalar(sa.select(Pool.available).where(Pool.id == pool.id)) >= usd:
        raise DomainError(_("By its value dates, the %(pool)s pool held no more than %(held)s from "
                            "%(date)s on: money it did not yet hold cannot be spent or moved then. Date it "
                            "on or after the day its money arrived.", pool=pool.sentence_name,
                            held=fmt_money(max(held, 0), USD), date=fmt_date(day)), field=field)
