"""The officer who reversed a deposit does not record its bank transfer again for
another donor or pool (references.moved_refusal): that would move money between
pools on one officer's word (a transfer between pools takes two administrators),
the officer who confirmed the reversal having seen only a reversal. The transfer is
known by its bank reference, and also by its currency, amount and value date: left
out (a reference is optional) or written another way ("SEB-2018/77" for "SEB 2018/77"),
the reference no longer gave it away. (Found by a colleague's review.)"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories.contributions import commitment, donor, pool
from trustfund.contributions import reversal_changes, services
from trustfund.errors import DomainError

ON = dt.date(2018, 5, 10)


def _reversed(db, users):
    """Officer A's deposit of USD 50,000.00 for Sweden's Objective 1 commitment, reversed
    (A proposed, B confirmed); a Swiss un-earmarked commitment beside it."""
    a, b = users["mptf_officer"], users["mptf_officer2"]
    swedens = commitment("USD", "50000.00", objective_number=1)
    swiss = commitment("USD", "50000.00", who=donor("Swiss Confederation"))
    first = services.record_deposit(a, swedens, value_date=ON, amount="50000.00",
                                    bank_reference="SEB 2018/77")
    db.session.commit()
    proposal = reversal_changes.propose(a, first, "booked to the wrong commitment")
    db.session.commit()
    reversal_changes.confirm(b, proposal.id)
    db.session.commit()
    return swedens, swiss


@pytest.mark.parametrize("again", ["", "SEB-2018/77"])
def test_the_reverser_does_not_record_the_transfer_for_another_donor_alone(app, db, users, again):
    _swedens, swiss = _reversed(db, users)
    with pytest.raises(DomainError) as refused:
        services.record_deposit(users["mptf_officer"], swiss, value_date=ON, amount="50000.00",
                                bank_reference=again)
    db.session.rollback()
    assert refused.value.field == "amount"
    assert refused.value.message == (
        "You reversed a deposit of USD\u00a050,000.00 with this value date for Kingdom of Sweden (the "
        "Objective 1 pool). If this is the same bank transfer, recorded for another donor or pool it would "
        "move money between them: another MPTF officer records it.")
    assert pool("UNEARMARKED").available == Decimal("0.00")
    # Another officer records it (the one who confirmed the reversal, or a third).
    services.record_deposit(users["mptf_officer2"], swiss, value_date=ON, amount="50000.00",
                            bank_reference=again)
    db.session.commit()
    assert pool("UNEARMARKED").available == Decimal("49500.00")


def test_the_reverser_records_it_again_for_the_same_donor_and_pool(app, db, users):
    """Recorded again for the same donor and pool, without its reference: the officer's
    own correction. Another amount, or another value date, is another transfer."""
    swedens, swiss = _reversed(db, users)
    officer = users["mptf_officer"]
    services.record_deposit(officer, swedens, value_date=ON, amount="50000.00", bank_reference="")
    services.record_deposit(officer, swiss, value_date=ON, amount="20000.00", bank_reference="")
    services.record_deposit(officer, swiss, value_date=ON + dt.timedelta(days=1), amount="30000.00",
                            bank_reference="")
    db.session.commit()
    assert pool("UNEARMARKED").available == Decimal("49500.00")


def test_recorded_elsewhere_while_the_own_reversal_waits(app, db, users):
    """The officer who proposed a reversal records its transfer for another donor before
    a colleague confirms it: refused as it would be once the reversal is recorded (found
    by a colleague's review: only recorded reversals counted)."""
    a = users["mptf_officer"]
    swedens = commitment("USD", "50000.00", objective_number=1)
    swiss = commitment("USD", "50000.00", who=donor("Swiss Confederation"))
    first = services.record_deposit(a, swedens, value_date=ON, amount="50000.00", bank_reference="")
    db.session.commit()
    reversal_changes.propose(a, first, "booked to the wrong commitment")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.record_deposit(a, swiss, value_date=ON, amount="50000.00", bank_reference="")
    db.session.rollback()
    assert refused.value.field == "amount" and "Kingdom of Sweden" in refused.value.message
    assert pool("UNEARMARKED").available == Decimal("0.00")


def test_recorded_elsewhere_first_then_its_reversal_proposed(app, db, users):
    """The other way round: the officer records the transfer for another donor first,
    then proposes the reversal of the deposit it came from: the reversal is refused
    (its confirmation would complete the move), and another officer may propose it."""
    a, b = users["mptf_officer"], users["mptf_officer2"]
    swedens = commitment("USD", "50000.00", objective_number=1)
    swiss = commitment("USD", "50000.00", who=donor("Swiss Confederation"))
    first = services.record_deposit(a, swedens, value_date=ON, amount="50000.00", bank_reference="")
    services.record_deposit(a, swiss, value_date=ON, amount="50000.00", bank_reference="")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        reversal_changes.propose(a, first, "booked to the wrong commitment")
    db.session.rollback()
    assert refused.value.message == (
        "You recorded a deposit of USD\u00a050,000.00 with this value date for Swiss Confederation (the "
        "un-earmarked pool). If it is this deposit's bank transfer, reversing this deposit would move money "
        "between them: another MPTF officer proposes the reversal.")
    assert reversal_changes.propose(b, first, "booked to the wrong commitment") is not None


def test_no_deposit_is_dated_before_the_statements_earliest_day(app, db, users):
    """A value date before 1990 (a typo) is refused: no statement could show the deposit,
    and the certified final statements would hold its reversal without it."""
    swedens = commitment("USD", "50000.00")
    with pytest.raises(DomainError) as refused:
        services.record_deposit(users["mptf_officer"], swedens, value_date=dt.date(1985, 5, 2),
                                amount="50000.00", bank_reference="")
    assert (refused.value.field, refused.value.message) == ("value_date", "Enter a real value date.")
