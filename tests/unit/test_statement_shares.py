"""Donor statements: balances and shares of each pool's spending (DESIGN.md §6)."""
import datetime as dt
import random
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from tests.factories.statements import D
from trustfund.contributions.models import Deposit
from trustfund.errors import DomainError
from trustfund.statements.services import balances, statement
from trustfund.statements.shares import apportion, period_split

START = dt.date(2017, 4, 3)


def test_three_donors_share_a_spending_with_a_remainder_cent_exactly(db):
    donors = [data.donor() for _ in range(3)]
    for d in donors:
        data.deposit(data.commitment(d, "100.00"), "100.00", fee_rate="0")
    data.spend(data.pool(), "100.00", reconciled_on=dt.date(2017, 7, 1))
    db.session.commit()

    spent, split = period_split(START, dt.date(2017, 12, 31))[data.pool().id]
    assert spent == D("100.00")
    assert [split[d.id] for d in donors] == [D("33.34"), D("33.33"), D("33.33")]
    assert sum(split.values()) == D("100.00")
    shares = [statement(d, START, dt.date(2017, 12, 31)).share_in_period for d in donors]
    assert sum(shares) == D("100.00")
    assert [statement(d, START, dt.date(2017, 12, 31)).closing for d in donors] == \
        [D("66.66"), D("66.67"), D("66.67")]


def test_statement_of_a_euro_donor_to_the_cent(db):
    sweden = data.donor("Kingdom of Sweden (test)")
    other = data.donor()
    eur = data.commitment(sweden, "1500000.00", "EUR", reference="SE-2017-01")
    data.deposit(eur, "1000000.00", rate="0.941", value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(other, "500000.00"), "500000.00", value_date=dt.date(2017, 5, 3))
    data.spend(data.pool(), "100000.00", reconciled_on=dt.date(2017, 7, 1))
    db.session.commit()

    s = statement(sweden, START, dt.date(2017, 12, 31))
    assert s.opening == D("0.00")
    [dep] = s.deposits
    assert (dep.amount, dep.rate, dep.usd_amount, dep.fee, dep.net) == (
        D("1000000.000"), D("0.941"), D("1062699.26"), D("10626.99"), D("1052072.27"))
    assert s.net_in_period == D("1052072.27")
    # 100,000.00 × 1,052,072.27 ÷ (1,052,072.27 + 495,000.00) = 68,004.0804 → 68,004.08
    [line] = s.shares
    assert (line.spending_in_period, line.donor_weight, line.total_weight) == (
        D("100000.00"), D("1052072.27"), D("1547072.27"))
    assert line.share_in_period == D("68004.08")
    assert s.closing == D("984068.19")
    assert s.opening + s.net_in_period - s.share_in_period == s.closing
    [c] = s.commitments
    assert (c.deposited, c.outstanding) == (D("1000000.000"), D("500000.000"))
    assert statement(other, START, dt.date(2017, 12, 31)).share_in_period == D("31995.92")


def test_opening_is_the_day_before_the_period_and_periods_chain(db):
    a, b = data.donor(), data.donor()
    ca, cb = data.commitment(a, "1000.00"), data.commitment(b, "1000.00")
    data.deposit(ca, "300.00", value_date=dt.date(2017, 5, 1))
    data.spend(data.pool(), "120.00", reconciled_on=dt.date(2017, 6, 30))
    data.deposit(cb, "600.00", value_date=dt.date(2017, 7, 1))   # the first day of period 2
    data.spend(data.pool(), "90.10", reconciled_on=dt.date(2017, 9, 1))
    db.session.commit()

    first = statement(a, START, dt.date(2017, 6, 30))
    second = statement(a, dt.date(2017, 7, 1), dt.date(2017, 12, 31))
    whole = statement(a, START, dt.date(2017, 12, 31))
    assert first.closing == second.opening
    assert first.opening + first.net_in_period - first.share_in_period == first.closing
    assert second.opening + second.net_in_period - second.share_in_period == second.closing
    assert whole.closing == second.closing
    assert first.share_in_period + second.share_in_period == whole.share_in_period
    # Period 1: A alone bears the 120.00. At the end, 210.10 is shared 297 : 594.
    assert first.share_in_period == D("120.00")
    assert whole.share_in_period == D("70.03")
    # B's deposit re-apportions period 1's spending: A's period-2 share is a credit.
    assert second.share_in_period == D("-49.97")
    b_second = statement(b, dt.date(2017, 7, 1), dt.date(2017, 12, 31))
    assert b_second.share_in_period + second.share_in_period == D("90.10")
    assert b_second.opening == D("0.00")


def test_only_reconciled_travel_counts_as_spending_and_by_its_date(db):
    a = data.donor()
    data.deposit(data.commitment(a, "1000.00"), "1000.00", fee_rate="0")
    data.spend(data.pool(), "100.00", reconciled_on=dt.date(2017, 6, 1), status="no_show")
    data.spend(data.pool(), "50.00", reconciled_on=dt.date(2018, 1, 1))   # after the period
    grant = data.spend(data.pool(), "70.00", reconciled_on=dt.date(2017, 6, 2))
    grant.status = "approved"            # committed, not spent
    grant.reconciled_at = None
    db.session.commit()

    s = statement(a, START, dt.date(2017, 12, 31))
    assert s.share_in_period == D("100.00")
    assert s.closing == D("900.00")
    assert statement(a, START, dt.date(2018, 1, 1)).closing == D("850.00")


def test_reversal_is_a_negative_movement_of_its_own_date(db):
    a = data.donor()
    c = data.commitment(a, "1000.00")
    first = data.deposit(c, "400.00", value_date=dt.date(2017, 5, 1))
    data.reverse(first, on=dt.date(2017, 6, 1))
    data.deposit(c, "500.00", value_date=dt.date(2017, 6, 2))
    db.session.commit()

    s = statement(a, dt.date(2017, 5, 15), dt.date(2017, 12, 31))
    assert s.opening == D("396.00")
    assert [d.net for d in s.deposits] == [D("-396.00"), D("495.00")]
    assert s.net_in_period == D("99.00")
    assert s.closing == D("495.00")
    assert s.commitments[0].deposited == D("500.000")


def test_interest_belongs_to_no_donor(db):
    a = data.donor()
    data.deposit(data.commitment(a, "1000.00"), "1000.00", fee_rate="0")
    data.spend(data.pool(), "10.00")
    before = statement(a, START, dt.date(2017, 12, 31))
    data.interest("55.55")
    db.session.commit()
    after = statement(a, START, dt.date(2017, 12, 31))
    assert (after.opening, after.net_in_period, after.share_in_period, after.closing) == (
        before.opening, before.net_in_period, before.share_in_period, before.closing)
    assert after.closing == D("990.00")


def test_transferred_money_carries_its_donors_weight(db):
    a, b = data.donor(), data.donor()
    obj1, obj2 = data.pool("OBJ1"), data.pool("OBJ2")
    data.deposit(data.commitment(a, "100.00", objective_number=1), "100.00", fee_rate="0")
    data.transfer(obj1, obj2, "50.00", on=dt.date(2017, 8, 1))
    data.deposit(data.commitment(b, "50.00", objective_number=2), "50.00", fee_rate="0",
                 value_date=dt.date(2017, 8, 2))
    data.spend(obj2, "100.00", reconciled_on=dt.date(2017, 9, 1))
    db.session.commit()

    on = dt.date(2017, 12, 31)
    split = apportion(on)
    assert split[obj2.id].weights == {a.id: D("50.00"), b.id: D("50.00")}
    assert split[obj2.id].shares == {a.id: D("50.00"), b.id: D("50.00")}
    assert split[obj1.id].weights == {a.id: D("50.00")}
    sa_ = statement(a, START, on)
    assert sa_.closing == D("50.00")        # its 50.00 still in objective 1's pool
    assert statement(b, START, on).closing == D("0.00")


def test_spending_paid_by_interest_alone_is_reported_unattributed(db):
    a = data.donor()
    data.deposit(data.commitment(a, "100.00", objective_number=1), "100.00", fee_rate="0")
    data.interest("30.00")
    data.transfer(data.pool(), data.pool("OBJ2"), "30.00", on=dt.date(2017, 10, 1))
    data.spend(data.pool("OBJ2"), "30.00", reconciled_on=dt.date(2017, 11, 1))
    db.session.commit()
    s = statement(a, START, dt.date(2017, 12, 31))
    assert s.closing == D("100.00")
    assert s.unattributed_in_period == D("30.00")


def test_a_period_that_ends_before_it_starts_is_refused(db):
    a = data.donor()
    with pytest.raises(DomainError) as refused:
        statement(a, dt.date(2018, 1, 1), dt.date(2017, 1, 1))
    assert refused.value.field == "date_to"


def test_shares_add_up_and_periods_chain_on_a_busy_fund(db):
    """Many donors, currencies, pools, reversals, transfers and reconciliations:
    every pool's shares add up to its spending in every period, and every donor's
    opening plus movements equals its closing, which is the next period's opening."""
    rng = random.Random(20170403)
    donors = [data.donor() for _ in range(7)]
    pool_codes = ["UNEARMARKED", "OBJ1", "OBJ2"]
    day = dt.date(2017, 4, 10)
    for step in range(60):
        day += dt.timedelta(days=rng.randint(0, 9))
        d = rng.choice(donors)
        earmark = rng.choice([None, 1, 2])
        currency, rate = rng.choice([("USD", "1"), ("EUR", "0.941"), ("JPY", "112.9"), ("KWD", "0.302")])
        amount = Decimal(rng.randint(1000, 5_000_000)).scaleb(-{"JPY": 0, "KWD": 3}.get(currency, 2))
        c = data.commitment(d, amount * 2, currency, objective_number=earmark, committed_on=day)
        dep = data.deposit(c, amount, rate=rate, value_date=day)
        if step % 11 == 5:
            data.reverse(dep, on=day + dt.timedelta(days=3))
        if step % 4 == 3:
            p = data.pool(rng.choice(pool_codes))
            if p.available > 1:
                cost = (p.available * Decimal(rng.randint(5, 60)) / 100).quantize(Decimal("0.01"))
                if cost > 0:
                    data.spend(p, cost, reconciled_on=day + dt.timedelta(days=1))
        if step % 13 == 7:
            source, target = rng.sample(pool_codes, 2)
            p = data.pool(source)
            if p.available > 1:
                data.transfer(p, data.pool(target), (p.available / 3).quantize(Decimal("0.01")),
                              on=day)
    db.session.commit()
    # The scenario really has spending in several pools, transfers and reversals.
    assert sum(1 for code in pool_codes if data.pool(code).spent > 0) >= 2
    assert sum(data.pool(code).transfers_in for code in pool_codes) > 0
    assert db.session.scalar(sa.select(sa.func.count(Deposit.id)).where(Deposit.reverses_id.is_not(None))) > 0

    cuts = [START, dt.date(2017, 6, 15), dt.date(2017, 8, 31), dt.date(2017, 11, 2),
            day + dt.timedelta(days=5)]
    for start, end in zip(cuts, cuts[1:], strict=False):
        for pool_id, (spent, split) in period_split(start, end - dt.timedelta(days=1)).items():
            assert sum(split.values(), Decimal(0)) == spent, (pool_id, start, end)
    for d in donors:
        previous = None
        for start, end in zip(cuts, cuts[1:], strict=False):
            s = statement(d, start, end - dt.timedelta(days=1))
            assert s.opening + s.net_in_period - s.share_in_period == s.closing
            if previous is not None:
                assert s.opening == previous.closing
            previous = s
    last = cuts[-1]
    _, _, lines = balances(START, last)
    by_id = {line.donor_id: line for line in lines}
    for d in donors:
        assert by_id[d.id].closing == statement(d, START, last).closing
    total_spent = sum((p.spent for p in [data.pool(c) for c in pool_codes]), Decimal(0))
    assert sum(line.share_in_period for line in lines) == total_spent
