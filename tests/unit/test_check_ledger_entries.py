"""`flask --app trustfund check` reports these corruptions of the database (exit 1 and
a line naming them; a colleague's review of what the check misses). Each test seeds
data the way the services do, changes rows with SQL as a bug, a bad manual fix or a
tampering could, and asks run_checks() and the command: an interest or fund entry's
reversal that is not the exact opposite of its entry, interest in an earmarked pool,
a yen amount with decimals, interest or other income dated in a closed year and
recorded after its closing."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from tests.factories.contributions import PAST, commitment, deposit, donor, officer, pool
from trustfund.admin.models import FEE_RATE, Setting
from trustfund.closure.funding import funding_status
from trustfund.contributions import confirmed
from trustfund.contributions.fund_entries import record_fund_entry, reverse_fund_entry
from trustfund.contributions.models import Commitment, Deposit, InterestEntry, Pool
from trustfund.fund.entries import FundEntry
from trustfund.ledger_check import run_checks as problems

D = Decimal


def _pool_move(code, **deltas):
    return sa.update(Pool).where(Pool.code == code).values(
        **{k: getattr(Pool, k) + D(v) for k, v in deltas.items()})


def _reported(db, runner, *words):
    db.session.commit()
    db.session.expire_all()
    found = problems()
    assert found, "check says every invariant holds"
    assert any(all(w in line for w in words) for line in found), found
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1, result.output


def _entries(db):
    c = commitment("EUR", "1000000.00")
    deposit(c, D("1000000.00"), rate=D("0.941"))
    entry = confirmed.record_interest(officer(), value_date=PAST, usd_amount="1234.56", note="Q2")
    db.session.flush()
    confirmed.reverse_interest(officer(), entry, "Booked twice")
    cost = record_fund_entry(officer(), kind="direct_cost", pool_id=pool("UNEARMARKED").id,
                             value_date=PAST, usd_amount="100.00", description="Audit fee")
    db.session.flush()
    reverse_fund_entry(officer(), cost, "Wrong pool")
    db.session.commit()
    assert problems() == []


def _jpy_deposit(db) -> Deposit:
    c = commitment("JPY", "30000000", who=donor())
    d = deposit(c, D("11050000"), rate=D("110.5"))  # USD 100,000.00, fee 1,000.00 (1%)
    db.session.commit()
    assert (d.fee_rate, d.fee) == (D("0.01"), D("1000.00")) and problems() == []
    return d


def _closed_2017(db, users):
    data.spent_in_a_closed_year(users["admin"])  # 2017 closed
    assert problems() == []
    return funding_status(dt.date(2017, 12, 31))


@pytest.mark.parametrize(("model", "taken_back", "pool_moves"), [
    # The reversal takes back 1,000.00 of the 1,234.56 of interest it reverses; the pool agrees.
    (InterestEntry, "-1000.00", {"interest": "234.56", "available": "234.56"}),
    # The reversal gives back 10.00 of the 100.00 direct cost it reverses; the pool agrees.
    (FundEntry, "-10.00", {"direct_costs": "90.00", "available": "-90.00"}),
], ids=["interest", "direct cost"])
def test_a_reversal_that_is_not_the_opposite_of_its_entry_is_reported(app, db, runner, model, taken_back,
                                                                      pool_moves):
    _entries(db)
    db.session.execute(sa.update(model).where(model.reverses_id.is_not(None)).values(usd_amount=D(taken_back)))
    db.session.execute(_pool_move("UNEARMARKED", **pool_moves))
    _reported(db, runner, "reverses")


def test_interest_credited_to_an_earmarked_pool_is_reported(app, db, runner):
    _entries(db)
    db.session.execute(sa.update(InterestEntry).where(InterestEntry.reverses_id.is_(None))
                       .values(pool_id=pool("OBJ2").id))
    db.session.execute(_pool_move("OBJ2", interest="1234.56", available="1234.56"))
    db.session.execute(_pool_move("UNEARMARKED", interest="-1234.56", available="-1234.56"))
    _reported(db, runner, "nterest")


def test_a_yen_amount_with_decimals_is_reported(app, db, runner):
    d = _jpy_deposit(db)
    # JPY has no minor unit; 0.4 yen changes no USD cent. The commitment agrees.
    db.session.execute(sa.update(Deposit).where(Deposit.id == d.id).values(amount=D("11050000.4")))
    db.session.execute(sa.update(Commitment).where(Commitment.id == d.commitment_id)
                       .values(deposited=Commitment.deposited + D("0.4")))
    _reported(db, runner, f"Deposit #{d.id}")


def test_interest_dated_in_a_closed_year_recorded_after_its_closing_is_reported(app, db, users, runner):
    before = _closed_2017(db, users)
    db.session.add(InterestEntry(pool_id=data.pool().id, value_date=dt.date(2017, 9, 30),
                                 usd_amount=D("500.00")))
    db.session.execute(_pool_move("UNEARMARKED", interest="500.00", available="500.00"))
    db.session.commit()
    # The closed year's funding status changed ("the same figures for ever", funding.py).
    assert funding_status(dt.date(2017, 12, 31)).interest == before.interest + D("500.00")
    _reported(db, runner, "Closed year 2017")


def test_other_income_dated_in_a_closed_year_recorded_after_its_closing_is_reported(app, db, users, runner):
    before = _closed_2017(db, users)
    db.session.add(FundEntry(kind="other_income", pool_id=data.pool().id, value_date=dt.date(2017, 9, 30),
                             usd_amount=D("500.00"), description="late"))
    db.session.execute(_pool_move("UNEARMARKED", other_income="500.00", available="500.00"))
    db.session.commit()
    assert funding_status(dt.date(2017, 12, 31)).other_income == before.other_income + D("500.00")
    _reported(db, runner, "Closed year 2017")




def test_a_deposit_charged_another_fee_rate_than_the_one_in_force_is_reported(app, db, runner):
    d = _jpy_deposit(db)
    # 2% charged where 1% was in force: fee and net agree with 2%, and so do the
    # commitment's and the pool's figures; only the fee schedule says otherwise.
    db.session.execute(sa.update(Deposit).where(Deposit.id == d.id).values(
        fee_rate=D("0.02"), fee=D("2000.00"), net=D("98000.00")))
    db.session.execute(sa.update(Commitment).where(Commitment.id == d.commitment_id)
                       .values(deposit_fees=Commitment.deposit_fees + D("1000.00")))
    db.session.execute(_pool_move("UNEARMARKED", fees="1000.00", deposits_net="-1000.00",
                                  available="-1000.00"))
    _reported(db, runner, f"Deposit #{d.id}", "fee rate 0.02", "0.01 was in force")


def test_a_fee_rate_set_in_force_before_a_deposit_it_did_not_charge_is_reported(app, db, runner):
    d = _jpy_deposit(db)
    # A new rate written straight into the table, in force from before the deposit's
    # value date (the page refuses it: admin/services._check_fee_after_deposits).
    db.session.add(Setting(key=FEE_RATE, value="0.02", effective_from=d.value_date - dt.timedelta(days=1)))
    _reported(db, runner, f"Deposit #{d.id}", "fee rate 0.01", "0.02 was in force")


def test_a_reversal_charging_another_fee_rate_than_its_deposit_is_reported(app, db, runner):
    d = _jpy_deposit(db)
    reversal = confirmed.reverse_deposit(officer(), d, "Credited twice")
    db.session.commit()
    assert problems() == []
    db.session.execute(sa.update(Deposit).where(Deposit.id == reversal.id).values(fee_rate=D("0.02")))
    _reported(db, runner, f"Deposit #{reversal.id}", "opposite")
