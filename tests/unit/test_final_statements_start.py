"""The certified final donor statement reports the donor's real contributions and its
summary adds up (final.py's rule: net − share + income = refund + transferred +
waived), whatever deposits were reversed before the fund's start, and when interest
paid part of a pool's spending."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.factories import statements as data
from trustfund import demo
from trustfund.closure import closing_decisions, financial
from trustfund.closure.confirmed_write_offs import write_off
from trustfund.closure.final import final_statement, issue_final_statements
from trustfund.fund import services as fund_services
from trustfund.fund.entries import donor_subject
from trustfund.fund.status import current_fund


def _close_and_issue(db, users, refund: bool = True):
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    for commitment in financial.outstanding_commitments():
        write_off(users["mptf_officer"], commitment, reason="Will not be paid")
    db.session.commit()
    if refund:
        closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
        db.session.commit()
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()
    issue_final_statements(users["admin"])
    db.session.commit()


def _adds_up(content) -> tuple[Decimal, Decimal]:
    t = {k: Decimal(v) for k, v in content["totals"].items()}
    return t["net"] - t["share"] + t["income"], t["refund_due"] + t["transferred"] + t["waived"]


def test_a_deposit_dated_before_the_funds_start_then_reversed(db, users):
    """A deposit booked with a mistyped value date (2016 for 2017), reversed in 2018
    (a reversal is dated the day it is made), then booked again correctly: the
    certified statement starts with the mistyped deposit, so that its reversal has it
    beside it, and the donor's contributions are the 20,000.00 received. (Found by a
    colleague's review: the statements started at the fund's start, leaving the
    reversed deposit out but counting its reversal: contributions USD 0.00.)"""
    sweden, other = demo.demo_donor(), data.donor("Norway (final)")
    commitment = data.commitment(sweden, "20000.00")
    typo = data.deposit(commitment, "20000.00", value_date=dt.date(2016, 5, 2))
    data.reverse(typo, on=dt.date(2018, 3, 1), reason="Value date mistyped")
    data.deposit(commitment, "20000.00", value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(other, "10000.00"), "10000.00", value_date=dt.date(2017, 5, 3))
    data.spend(data.pool(), "3000.00", reconciled_on=dt.date(2018, 5, 1))
    db.session.commit()
    _close_and_issue(db, users)
    content = final_statement(donor_subject(sweden.id)).content
    assert content["contributions"]["usd"] == "20000.00"
    assert content["totals"]["net"] == "19800.00"
    left, right = _adds_up(content)
    assert left == right


def test_a_pool_whose_interest_paid_part_of_the_spending(db, users):
    """1,000.00 deposited, 100.00 of interest, 1,100.00 spent: the pool ends at zero and
    needs no closing decision. The donor bears all 1,100.00 of the spending (interest
    is apportioned to no donor while the fund runs); its certified statement counts
    the 100.00 of interest that paid for it as its part of the interest, and adds up.
    (Found by a colleague's review: it ended at -100.00, its summary 1,000.00 -
    1,100.00 + 0.00 against a refund of 0.00.)"""
    sweden = demo.demo_donor()
    data.deposit(data.commitment(sweden, "1000.00"), "1000.00", fee_rate="0", value_date=dt.date(2017, 5, 2))
    data.interest("100.00", on=dt.date(2017, 9, 30))
    data.spend(data.pool(), "1100.00", reconciled_on=dt.date(2018, 5, 1))
    db.session.commit()
    _close_and_issue(db, users, refund=False)
    content = final_statement(donor_subject(sweden.id)).content
    left, right = _adds_up(content)
    assert left == right == Decimal("0.00"), content["totals"]
    totals = content["totals"]
    assert (totals["share"], totals["income"], totals["closing_balance"]) == ("1100.00", "100.00", "0.00")
