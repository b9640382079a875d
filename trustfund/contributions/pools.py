"""Moving money in and out of the fund's pools.

Every change of a pool's running figures goes through move(): one UPDATE
statement per pool, inside a savepoint, in the caller's transaction. The CHECK
constraints on the pool row (available >= 0, committed >= 0, ...) make the
database refuse an overspend; move() turns that refusal into InsufficientFunds
and leaves the rest of the transaction usable (a grant can then be waitlisted).
No read-then-write: two requests that each see enough money can never both
take it.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..errors import DomainError
from ..extensions import db
from .models import UNEARMARKED, Objective, Pool

FIGURES = ("deposits_usd", "fees", "deposits_net", "interest", "transfers_in", "transfers_out",
           "committed", "spent", "available")


class InsufficientFunds(DomainError):
    """The pool has not enough available money for this."""


def move(pool_id: int, **deltas: Decimal) -> None:
    """Add each delta to the pool's figure of that name in one UPDATE.
    Raises InsufficientFunds if any CHECK constraint refuses the result."""
    unknown = set(deltas) - set(FIGURES)
    if unknown:
        raise ValueError(f"not a pool figure: {unknown}")
    values = {name: getattr(Pool, name) + Decimal(delta) for name, delta in deltas.items() if delta}
    if not values:
        return
    statement = sa.update(Pool).where(Pool.id == pool_id).values(**values) \
        .execution_options(synchronize_session=False)
    try:
        with db.session.begin_nested():
            result = db.session.execute(statement)
    except IntegrityError:
        raise InsufficientFunds(_("The pool does not have enough available money for this.")) from None
    if result.rowcount != 1:
        raise DomainError(_("No such pool."))
    # Objects already loaded must not show the old figures.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Pool) and obj.id == pool_id:
            db.session.expire(obj)


def move_many(changes: list[tuple[int, dict[str, Decimal]]]) -> None:
    """Several pools in one operation (a transfer): in the order of their ids, so that
    two concurrent operations on the same pools lock them in the same order."""
    for pool_id, deltas in sorted(changes, key=lambda change: change[0]):
        move(pool_id, **deltas)


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
    """Un-earmarked first, then the objectives' pools in objective order."""
    pools = db.session.scalars(
        sa.select(Pool).outerjoin(Objective, Pool.objective_id == Objective.id)
        .order_by(Objective.number.nullsfirst())).all()
    return pools
