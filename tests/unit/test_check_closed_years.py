"""`flask --app trustfund check` compares what the closing of each year stored with
what the entries dated by the year's end give now: an entry slipped into a closed
year with a creation time before the closing (a race, a clock difference, a
restore, a correction in the database) is in no statement, and the check names the
year, the donor or pool and both figures. On a clean ledger with several closed
years it finds nothing."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.factories import base_users
from tests.factories import statements as data
from trustfund.closure.years import close_year
from trustfund.contributions.models import Deposit
from trustfund.fund.models import AccountingYear, YearShare


def _close(db, year: int) -> None:
    close_year(base_users()["admin"], year, report_reference=f"Annual financial report {year}")
    db.session.commit()


def _sweden_in_2017(db):
    """Sweden deposits 100,000 in 2017, 40,000 of it spent in 2017; 2017 is closed."""
    sweden = data.donor("Sweden (check)")
    data.deposit(data.commitment(sweden, "100000.00"), "100000.00", fee_rate="0",
                 value_date=dt.date(2017, 5, 2))
    data.spend(data.pool(), "40000.00", reconciled_on=dt.date(2017, 7, 1))
    db.session.commit()
    _close(db, 2017)
    return sweden


def _before_the_closing(db, model, row_id: int) -> None:
    """The row's creation time set before the closing of 2017, as a restore or a
    clock difference leaves it."""
    closed_at = db.session.scalar(sa.select(AccountingYear.closed_at).where(AccountingYear.year == 2017))
    db.session.execute(sa.update(model).where(model.id == row_id)
                       .values(created_at=closed_at - dt.timedelta(hours=1)))
    db.session.commit()


def _check(runner):
    result = runner.invoke(args=["check"])
    return result.exit_code, result.output


def test_a_deposit_slipped_into_a_closed_year_before_its_closing_is_named(db, runner):
    _sweden_in_2017(db)
    assert _check(runner) == (0, "Ledger check passed: every invariant holds.\n")
    intruder = data.donor("Intruder (check)")
    slipped = data.deposit(data.commitment(intruder, "100000.00"), "100000.00", fee_rate="0",
                           value_date=dt.date(2017, 6, 1))
    db.session.commit()
    _before_the_closing(db, Deposit, slipped.id)
    code, output = _check(runner)
    assert code == 1
    assert ("Closed year 2017, donor Intruder (check): its closing stored net deposits of USD 0.00; the "
            "entries dated by 2017-12-31 give USD 100,000.00") in output
    assert ("Closed year 2017, pool UNEARMARKED, donor Intruder (check): its closing stored weight (net "
            "deposits in the pool after transfers) of USD 0.00; the entries dated by 2017-12-31 give "
            "USD 100,000.00") in output
    # The year's spending, shared again over both donors: Sweden's share would halve.
    assert ("Closed year 2017, pool UNEARMARKED, donor Sweden (check): its closing stored share of the "
            "pool's spending of USD 40,000.00; the entries dated by 2017-12-31 give USD 20,000.00") in output
    assert "recorded after its closing" not in output  # created before it: only the figures tell


def test_spending_slipped_into_a_closed_year_is_named(db, runner):
    _sweden_in_2017(db)
    data.spend(data.pool(), "5000.00", reconciled_on=dt.date(2017, 10, 2))
    db.session.commit()
    code, output = _check(runner)
    assert code == 1
    assert ("Closed year 2017, pool UNEARMARKED: its closing stored spending of USD 40,000.00; the "
            "entries dated by 2017-12-31 give USD 45,000.00") in output
    assert ("Closed year 2017, pool UNEARMARKED, donor Sweden (check): its closing stored share of the "
            "pool's spending of USD 40,000.00; the entries dated by 2017-12-31 give USD 45,000.00") in output


def test_a_transfer_slipped_into_a_closed_year_before_its_closing_is_named(db, runner):
    _sweden_in_2017(db)
    target = data.pool("OBJ2")
    moved = data.transfer(data.pool(), target, "10000.00", on=dt.date(2017, 11, 1))
    db.session.commit()
    _before_the_closing(db, type(moved), moved.id)
    code, output = _check(runner)
    assert code == 1
    assert ("Closed year 2017, pool OBJ2, donor Sweden (check): its closing stored weight (net deposits "
            "in the pool after transfers) of USD 0.00; the entries dated by 2017-12-31 give "
            "USD 10,000.00") in output


def test_a_clean_ledger_with_several_closed_years_passes(db, runner):
    """Deposits, a reversal, transfers, spending and interest over 2017-2019, 2017 and
    2018 closed, each year's entries recorded in it: nothing to report."""
    sweden, norway = data.donor("Sweden (check)"), data.donor("Norway (check)")
    unearmarked, obj1 = data.pool(), data.pool("OBJ1")
    data.deposit(data.commitment(sweden, "500000.00"), "200000.00", value_date=dt.date(2017, 5, 2))
    wrong = data.deposit(data.commitment(norway, "500000.00", objective_number=1), "80000.00",
                         value_date=dt.date(2017, 6, 2))
    data.reverse(wrong, on=dt.date(2017, 6, 20))
    data.deposit(data.commitment(norway, "500000.00", objective_number=1), "90000.00",
                 value_date=dt.date(2017, 7, 2))
    data.transfer(unearmarked, obj1, "30000.00", on=dt.date(2017, 8, 1))
    data.spend(obj1, "25000.00", reconciled_on=dt.date(2017, 9, 1))
    data.spend(unearmarked, "12345.67", reconciled_on=dt.date(2017, 12, 31))
    data.interest("1234.56", on=dt.date(2017, 9, 30))
    db.session.commit()
    _close(db, 2017)
    data.deposit(data.commitment(sweden, "500000.00"), "70000.00", value_date=dt.date(2018, 3, 1))
    data.transfer(obj1, unearmarked, "20000.00", on=dt.date(2018, 4, 1))
    data.spend(unearmarked, "33333.33", reconciled_on=dt.date(2018, 6, 1))
    data.spend(obj1, "10000.00", reconciled_on=dt.date(2018, 11, 1))
    db.session.commit()
    _close(db, 2018)
    data.deposit(data.commitment(norway, "500000.00"), "10000.00", value_date=dt.date(2019, 2, 1))
    data.spend(unearmarked, "1000.00", reconciled_on=dt.date(2019, 3, 1))
    db.session.commit()
    assert sorted(db.session.scalars(sa.select(AccountingYear.year))) == [2017, 2018]
    assert _check(runner) == (0, "Ledger check passed: every invariant holds.\n")


def test_a_year_closed_before_every_weight_was_stored_is_compared_on_its_positive_weights(db, runner):
    """A year closed before migration 0022 stored only the positive weights: a donor
    whose weight in a pool went below zero (a transfer took part of it, then its
    deposit was reversed) has no row there, and that is no mismatch."""
    sweden, norway = data.donor("Sweden (check)"), data.donor("Norway (check)")
    given = data.deposit(data.commitment(sweden, "100000.00"), "100000.00", fee_rate="0",
                         value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(norway, "500000.00"), "500000.00", fee_rate="0",
                 value_date=dt.date(2017, 5, 2))
    data.transfer(data.pool(), data.pool("OBJ1"), "100000.00", on=dt.date(2017, 6, 1))
    data.reverse(given, on=dt.date(2017, 7, 1))
    db.session.commit()
    _close(db, 2017)
    below_zero = sa.delete(YearShare).where(YearShare.year == 2017, YearShare.weight < 0)
    assert db.session.execute(below_zero).rowcount == 1  # Sweden's -16,666.67 in the un-earmarked pool
    db.session.execute(sa.update(AccountingYear).values(all_weights=False))
    db.session.commit()
    assert _check(runner) == (0, "Ledger check passed: every invariant holds.\n")
    data.deposit(data.commitment(norway, "500000.00"), "1000.00", fee_rate="0",
                 value_date=dt.date(2017, 12, 1))
    data.spend(data.pool(), "10.00", reconciled_on=dt.date(2017, 12, 1))
    db.session.commit()
    code, output = _check(runner)
    assert code == 1
    assert ("Closed year 2017, pool UNEARMARKED, donor Norway (check): its closing stored weight (net "
            "deposits in the pool after transfers) of USD 416,666.67; the entries dated by 2017-12-31 give "
            "USD 417,666.67") in output


def test_many_figures_off_in_one_year_are_named_five_at_a_time_and_the_rest_counted(db, runner):
    """One deposit slipped into a closed year re-shares the pool's spending over every
    donor: at the fund's scale thousands of lines. Five are named per year and figure."""
    for number in range(7):
        data.deposit(data.commitment(data.donor(f"Donor {number} (check)"), "10000.00"), "10000.00",
                     fee_rate="0", value_date=dt.date(2017, 5, 2))
    data.spend(data.pool(), "7000.00", reconciled_on=dt.date(2017, 7, 1))
    db.session.commit()
    _close(db, 2017)
    slipped = data.deposit(data.commitment(data.donor("Intruder (check)"), "70000.00"), "70000.00",
                           fee_rate="0", value_date=dt.date(2017, 6, 1))
    db.session.commit()
    _before_the_closing(db, Deposit, slipped.id)
    code, output = _check(runner)
    assert code == 1
    assert output.count("stored share of the pool's spending") == 5
    assert ("Closed year 2017: 3 more figures of share of the pool's spending differ from what the "
            "entries give.") in output
