"""Parallel takers on one pool never overspend it, on SQLite and PostgreSQL: the
guarded UPDATE of contributions.pools.move() lets exactly as many through as
the money allows. (Also the smoke test of helpers.Parallel, which the larger
concurrency suites build on.)"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from tests.security.helpers import Parallel


def test_parallel_takers_get_exactly_the_money_there_is(app, db):
    from trustfund.contributions import pools
    from trustfund.contributions.models import Pool

    pool_id = pools.unearmarked_pool().id
    pools.move(pool_id, interest=Decimal("100.00"), available=Decimal("100.00"))
    db.session.commit()

    def take(worker, step):
        pools.move(pool_id, committed=Decimal("2.00"), available=Decimal("-2.00"))
        db.session.commit()
        return worker

    run = Parallel(app, workers=4, steps=20, work=take, expected=(pools.InsufficientFunds,)).run()
    assert run.errors == []
    assert len(run.results) == 50  # 100.00 / 2.00
    assert len(run.refused) == 4 * 20 - 50
    db.session.expire_all()
    pool = db.session.get(Pool, pool_id)
    assert pool.available == Decimal("0.00")
    assert pool.committed == Decimal("100.00")
    assert db.session.scalar(sa.select(Pool.available).where(Pool.id == pool_id)) == Decimal("0.00")
