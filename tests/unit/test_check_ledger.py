"""`flask --app trustfund check`: passes after real operations, and fails with a
readable report when a figure is changed behind the application's back."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories.contributions import (
    PAST,
    admin,
    commitment,
    deposit,
    donor,
    officer,
    pool,
)
from trustfund.contributions import confirmed
from trustfund.contributions.models import Commitment, Deposit, Pool
from trustfund.ledger_check import run_checks as problems

D = Decimal


def _operations(db):
    eur = commitment("EUR", "1000000.00", objective_number=1,
                     instalments=[(dt.date(2017, 6, 1), "500000.00")])
    jpy = commitment("JPY", "30000000", who=donor())
    first = deposit(eur, D("1000000.00"), rate=D("0.941"))
    confirmed.reverse_deposit(officer(), first, "Wrong value date")
    deposit(eur, D("1000000.00"), rate=D("0.941"))
    deposit(jpy, D("11050000"), rate=D("110.5"))
    confirmed.record_interest(officer(), value_date=PAST, usd_amount="1234.56", note="Q2")
    confirmed.transfer(admin(), pool("OBJ1"), pool("OBJ2"), "52072.27", "Surplus", PAST)
    db.session.commit()


def test_check_passes_after_real_operations(app, db, runner):
    _operations(db)
    assert problems() == []
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "every invariant holds" in result.output


def _first_deposit(db) -> Deposit:
    return db.session.scalar(sa.select(Deposit).where(Deposit.reverses_id.is_(None)).order_by(Deposit.id))


@pytest.mark.parametrize("tamper, expected", [
    (lambda db, d: sa.update(Deposit).where(Deposit.id == d.id).values(
        usd_amount=Deposit.usd_amount + D("0.01"), net=Deposit.net + D("0.01")),
     "USD 1,062,699.27 is stored, but 1,000,000.00 ÷ 0.941 = 1,062,699.26"),
    (lambda db, d: sa.update(Deposit).where(Deposit.id == d.id).values(
        fee=Deposit.fee + D("0.01"), net=Deposit.net - D("0.01")),
     "fee 10,627.00 is stored, but 1,062,699.26 × 0.01 = 10,626.99"),
    (lambda db, d: sa.update(Pool).where(Pool.code == "UNEARMARKED").values(
        available=Pool.available + D("0.01")),
     "Pool UNEARMARKED: available is 100,234.57, but its entries say 100,234.56"),
    (lambda db, d: sa.update(Commitment).where(Commitment.id == d.commitment_id).values(
        deposited=Commitment.deposited - D("1.00")),
     "deposited 999,999.00 is recorded, but its deposits add up to 1,000,000.00"),
    (lambda db, d: sa.update(Commitment).where(Commitment.id == d.commitment_id).values(
        deposited_usd=Commitment.deposited_usd - D("0.01")),
     "its deposits' USD 1,062,699.25 and fees 10,626.99 are recorded, but its deposits add up to "
     "USD 1,062,699.26 and fees 10,626.99"),
    (lambda db, d: sa.update(Commitment).where(Commitment.id == d.commitment_id).values(
        deposit_fees=Commitment.deposit_fees + D("0.01")),
     "its deposits' USD 1,062,699.26 and fees 10,627.00 are recorded, but its deposits add up to "
     "USD 1,062,699.26 and fees 10,626.99"),
    (lambda db, d: sa.text("DELETE FROM interest_entry"),
     "Pool UNEARMARKED: interest is 1,234.56, but its entries say 0.00"),
    (lambda db, d: sa.update(Pool).where(Pool.code == "OBJ2").values(
        transfers_in=Pool.transfers_in + D("5.00"), available=Pool.available + D("5.00")),
     "Transfers into pools (52,077.27) differ from transfers out of pools (52,072.27)"),
])
def test_check_fails_readably_when_a_figure_is_tampered_with(app, db, runner, tamper, expected):
    _operations(db)
    db.session.execute(tamper(db, _first_deposit(db)))
    db.session.commit()
    db.session.expire_all()
    found = problems()
    assert any(expected in line for line in found), found
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "problem(s) found" in result.output and expected in result.output


def test_negative_available_is_reported(app, db):
    _operations(db)
    # SQLite lets a CHECK be bypassed only by dropping it; report the formula instead.
    db.session.execute(sa.update(Pool).where(Pool.code == "OBJ1").values(
        committed=Pool.committed + D("5.00")))
    db.session.commit()
    db.session.expire_all()
    found = problems()
    assert any("Pool OBJ1: committed is 5.00, but its entries say 0.00" in line for line in found), found
    assert any("Pool OBJ1: available 1,000,000.00 is not net deposits" in line for line in found), found
