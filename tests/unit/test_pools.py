from decimal import Decimal

import pytest

from trustfund.contributions.pools import InsufficientFunds, move, move_many, unearmarked_pool


def test_move_refuses_overspend_and_leaves_the_transaction_usable(db):
    pool = unearmarked_pool()
    move(pool.id, deposits_net=Decimal("100.00"), available=Decimal("100.00"))
    with pytest.raises(InsufficientFunds):
        move(pool.id, available=Decimal("-100.01"), committed=Decimal("100.01"))
    move(pool.id, available=Decimal("-100.00"), committed=Decimal("100.00"))
    db.session.commit()
    assert pool.available == Decimal("0.00")
    assert pool.committed == Decimal("100.00")


def test_move_many_moves_both_pools_or_neither(db):
    import sqlalchemy as sa

    from trustfund.contributions.models import Objective
    from trustfund.contributions.pools import pool_for_objective

    source = unearmarked_pool()
    target = pool_for_objective(db.session.scalar(sa.select(Objective.id).where(Objective.number == 1)))
    move(source.id, available=Decimal("10.00"), interest=Decimal("10.00"))
    db.session.commit()
    with pytest.raises(InsufficientFunds):
        move_many([(target.id, {"available": Decimal("20.00"), "transfers_in": Decimal("20.00")}),
                   (source.id, {"available": Decimal("-20.00"), "transfers_out": Decimal("20.00")})])
    db.session.rollback()
    assert (source.available, target.available) == (Decimal("10.00"), Decimal("0.00"))
