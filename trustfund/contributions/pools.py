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

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ..connections import hold_row
from ..errors import DomainError
from ..extensions import db
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
