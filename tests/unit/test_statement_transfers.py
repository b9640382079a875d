"""Transfers between pools move donor weight in date order: chained transfers, two
on one day, and positions read between them (statements.sums cuts the deposits at
the transfer dates and at the positions' dates; the figures are worked by hand)."""
import datetime as dt

from tests.factories import statements as data
from tests.factories.statements import D
from trustfund.statements.shares import apportion, positions


def _chained_fund():
    a, b = data.donor(), data.donor()
    obj1, obj2, unearmarked = data.pool("OBJ1"), data.pool("OBJ2"), data.pool()
    data.deposit(data.commitment(a, "100.00", objective_number=1), "100.00", fee_rate="0",
                 value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(b, "300.00", objective_number=1), "300.00", fee_rate="0",
                 value_date=dt.date(2017, 6, 1))
    # 200.00 split 100:300 between a and b, then half of it moved on, the same day.
    data.transfer(obj1, obj2, "200.00", on=dt.date(2017, 7, 1))
    data.transfer(obj2, unearmarked, "100.00", on=dt.date(2017, 7, 1))
    data.deposit(data.commitment(a, "100.00", objective_number=2), "100.00", fee_rate="0",
                 value_date=dt.date(2017, 7, 15))
    # Back from objective 2 to 1: a has 125.00 there, b 75.00.
    data.transfer(obj2, obj1, "60.00", on=dt.date(2017, 8, 1))
    return a, b, obj1, obj2, unearmarked


def test_chained_transfers_move_each_donors_weight_in_order(db):
    a, b, obj1, obj2, unearmarked = _chained_fund()
    db.session.commit()

    early = apportion(dt.date(2017, 6, 30))
    assert early[obj1.id].weights == {a.id: D("100.00"), b.id: D("300.00")}
    assert obj2.id not in early or early[obj2.id].weights == {}

    between = apportion(dt.date(2017, 7, 10))
    assert between[obj1.id].weights == {a.id: D("50.00"), b.id: D("150.00")}
    assert between[obj2.id].weights == {a.id: D("25.00"), b.id: D("75.00")}
    assert between[unearmarked.id].weights == {a.id: D("25.00"), b.id: D("75.00")}

    late = apportion(dt.date(2017, 12, 31))
    assert late[obj1.id].weights == {a.id: D("87.50"), b.id: D("172.50")}
    assert late[obj2.id].weights == {a.id: D("87.50"), b.id: D("52.50")}
    assert late[unearmarked.id].weights == {a.id: D("25.00"), b.id: D("75.00")}


def test_positions_read_together_equal_positions_read_one_by_one(db):
    a, b, obj1, obj2, unearmarked = _chained_fund()
    data.spend(obj2, "35.00", reconciled_on=dt.date(2017, 7, 20))
    data.spend(obj1, "26.00", reconciled_on=dt.date(2017, 9, 1))
    db.session.commit()
    days = (dt.date(2017, 5, 31), dt.date(2017, 7, 1), dt.date(2017, 7, 31), dt.date(2017, 12, 31))
    together = positions(*days)
    for day, position in zip(days, together, strict=True):
        alone = positions(day)[0]
        assert position.net_deposits == alone.net_deposits, day
        assert {p: (x.spending, x.weights, x.shares) for p, x in position.pools.items()} == \
            {p: (x.spending, x.weights, x.shares) for p, x in alone.pools.items()}, day
    end = together[-1]
    assert end.net_deposits == {a.id: D("200.00"), b.id: D("300.00")}
    # 26.00 of objective 1 split 87.50:172.50; 35.00 of objective 2 split 87.50:52.50.
    assert end.pools[obj1.id].shares == {a.id: D("8.75"), b.id: D("17.25")}
    assert end.pools[obj2.id].shares == {a.id: D("21.88"), b.id: D("13.12")}
    assert together[2].pools[obj2.id].shares == {a.id: D("21.88"), b.id: D("13.12")}
