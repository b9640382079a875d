"""A transfer between pools after a closed year moves the donors' remaining weights in
the source pool: a donor whose money the closed year spent in full moves none, and bears
none of the target pool's later spending. (Found by a colleague's review: it moved its
whole weight, was charged more than it ever deposited in a fund without interest, and
the other donor kept a balance the fund no longer had.)"""
from __future__ import annotations

import datetime as dt

from tests.factories import base_users
from tests.factories import statements as data
from tests.factories.statements import D
from trustfund.statements import shares
from trustfund.statements.services import statement


def _moved_and_spent(db):
    """2017: A's 100,000 all spent, the year closed; 2018: B gives 100,000 and the whole
    un-earmarked balance (B's money, the only money left) moves to Objective 1, which
    spends it. No interest at all."""
    a, b = data.spent_in_a_closed_year(base_users()["admin"])
    data.transfer(data.pool(), data.pool("OBJ1"), "100000.00", on=dt.date(2018, 3, 1))
    data.spend(data.pool("OBJ1"), "100000.00", reconciled_on=dt.date(2018, 6, 1))
    db.session.commit()
    return a, b


def test_a_donor_whose_money_a_closed_year_spent_bears_no_later_spending(db, users):
    a, b = _moved_and_spent(db)
    assert data.pool().available == D("0.00") and data.pool("OBJ1").available == D("0.00")

    end = shares.position_on(dt.date(2018, 12, 31))
    # The fund holds nothing: no donor has a balance left, none below zero.
    assert (end.balance(a.id), end.balance(b.id)) == (D("0.00"), D("0.00"))
    # A bore the 100,000 of 2017 and nothing of 2018 (its money was gone); B bore 2018's.
    assert end.share(a.id, data.pool("OBJ1").id) == D("0.00")
    s = statement(a, dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    assert s.closing == D("0.00")


def test_the_final_statement_invents_no_income_after_such_a_transfer(db, users):
    """The same fund: the certified final statement's content calls A's -50,000 (and
    B's +50,000) its part of "interest and other income" in a fund that earned none."""
    from trustfund.closure.final import _donor_content

    a, b = _moved_and_spent(db)
    incomes = {who: _donor_content(who, dt.date(2017, 1, 1), dt.date(2018, 12, 31))["totals"]["income"]
               for who in (a, b)}
    assert incomes == {a: "0.00", b: "0.00"}
