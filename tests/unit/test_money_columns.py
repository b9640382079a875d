"""Money columns are exact on SQLite (integers of minor units) and PostgreSQL (NUMERIC)."""
import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa

from trustfund.contributions.models import UNEARMARKED, InterestEntry, Pool


def test_sum_of_100000_amounts_is_exact_to_the_cent(db):
    pool = db.session.scalar(sa.select(Pool).where(Pool.code == UNEARMARKED))
    rng = random.Random(42)
    amounts = [Decimal(rng.randint(1, 10_000_000_00)) / 100 for _ in range(100_000)]
    db.session.execute(sa.insert(InterestEntry), [
        {"pool_id": pool.id, "value_date": dt.date(2017, 6, 1), "usd_amount": a, "note": ""}
        for a in amounts])
    db.session.commit()
    total = db.session.scalar(sa.select(sa.func.sum(InterestEntry.usd_amount)))
    assert isinstance(total, Decimal)
    assert total == sum(amounts)


def test_pool_update_is_exact_and_the_database_refuses_overspend(db):
    import pytest
    from sqlalchemy.exc import IntegrityError

    pool = db.session.scalar(sa.select(Pool).where(Pool.code == UNEARMARKED))
    db.session.execute(sa.update(Pool).where(Pool.id == pool.id)
                       .values(available=Pool.available + Decimal("0.30")))
    db.session.execute(sa.update(Pool).where(Pool.id == pool.id)
                       .values(available=Pool.available - Decimal("0.10")))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Pool, pool.id).available == Decimal("0.20")
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(Pool).where(Pool.id == pool.id)
                           .values(available=Pool.available - Decimal("0.21")))
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Pool, pool.id).available == Decimal("0.20")


def test_a_float_never_reaches_a_money_column(db):
    import pytest

    pool = db.session.scalar(sa.select(Pool).where(Pool.code == UNEARMARKED))
    with pytest.raises(Exception, match="float"):
        db.session.execute(sa.update(Pool).where(Pool.id == pool.id).values(available=0.1))
    db.session.rollback()


def test_amounts_and_rates_read_back_with_their_own_decimals(db):
    """Money reads back with exactly its scale's decimals (0.000, -5.100), a Rate
    without trailing zeros (0.941), a NULL as None, on either database."""
    from trustfund.money import Money, Rate

    values = [Decimal("0.000"), Decimal("-5.100"), Decimal("1062699.250"), Decimal("-0.001"),
              Decimal("9999999999999.999"), None]
    rows = sa.union_all(*[sa.select(sa.literal(v, Money(3)).label("amount"),
                                    sa.literal(Decimal("0.941"), Rate()).label("rate")) for v in values])
    read = db.session.execute(sa.select(rows.subquery())).all()
    assert [str(amount) if amount is not None else None for amount, _ in read] == \
        ["0.000", "-5.100", "1062699.250", "-0.001", "9999999999999.999", None]
    assert {str(rate) for _, rate in read} == {"0.941"}
    assert all(isinstance(amount, Decimal) for amount, _ in read[:-1])
