"""A cost, a bank charge or a transfer out of a pool is not dated before the pool held
the money (a colleague's review): December's invoice dated 20 December and paid from
money that reached the pool on 15 January was accepted (the pool had it on the day it
was recorded), and once 2017 was closed the cost was spending no donor bore, the
donor keeping a balance of USD 1,000.00 the fund no longer had; a transfer dated a
month before the money arrived left the donor's share behind the same way. The pool's
money is read by its value dates from the entry's date on (contributions.pools.held_from)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from tests.factories import statements as data
from trustfund.closure import entry_proposals
from trustfund.contributions import transfer_changes
from trustfund.errors import DomainError


def _alpha_deposits(on: dt.date, objective_number=2, amount="1000.00"):
    alpha = data.donor("Alpha")
    data.deposit(data.commitment(alpha, amount, objective_number=objective_number), amount,
                 value_date=on, fee_rate="0")
    return alpha


def _cost(users, pool, on: dt.date, amount="1000.00"):
    return entry_proposals.propose_entry(users["mptf_officer"], kind="direct_cost", pool_id=pool.id,
                                         value_date=on, usd_amount=amount, description="Preparatory meeting")


def test_a_cost_dated_before_its_money_arrived_is_refused_beside_its_date(db, users):
    _alpha_deposits(dt.date(2018, 1, 15))
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        _cost(users, data.pool("OBJ2"), dt.date(2017, 12, 20))
    assert refused.value.field == "value_date"
    assert refused.value.message == (
        "By its value dates, the Objective 2 pool held no more than USD\u00a00.00 from 20 Dec 2017 on: money "
        "it did not yet hold cannot be spent or moved then. Date it on or after the day its money arrived.")
    # On the day the money arrived, and after, it is accepted.
    assert _cost(users, data.pool("OBJ2"), dt.date(2018, 1, 15)).usd_amount == D("1000.00")


def test_a_cost_is_refused_when_later_money_taken_out_needed_it(db, users):
    """1,000.00 arrives on 15 January and 1,000.00 on 1 March; a cost of 1,000.00 is paid
    on 1 February: another 1,000.00 back-dated to 20 January would have left the pool
    short on 1 February, though the pool has 1,000.00 today."""
    alpha = data.donor("Alpha")
    commitment = data.commitment(alpha, "2000.00", objective_number=2)
    data.deposit(commitment, "1000.00", value_date=dt.date(2018, 1, 15), fee_rate="0")
    data.deposit(commitment, "1000.00", value_date=dt.date(2018, 3, 1), fee_rate="0")
    db.session.commit()
    proposal = _cost(users, data.pool("OBJ2"), dt.date(2018, 2, 1))
    db.session.commit()
    entry_proposals.confirm(users["mptf_officer2"], proposal.id)
    db.session.commit()
    assert data.pool("OBJ2").available == D("1000.00")
    with pytest.raises(DomainError, match="held no more than USD\u00a00.00 from 20 Jan 2018 on"):
        _cost(users, data.pool("OBJ2"), dt.date(2018, 1, 20))
    assert _cost(users, data.pool("OBJ2"), dt.date(2018, 3, 1)).usd_amount == D("1000.00")


def test_a_transfer_dated_before_its_money_arrived_is_refused(db, users):
    _alpha_deposits(dt.date(2017, 6, 1), objective_number=None)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        transfer_changes.propose(users["admin"], data.pool().id, data.pool("OBJ2").id, "1000.00",
                                 "Objective 2 needs it", on=dt.date(2017, 5, 1))
    assert refused.value.field == "transferred_on"
    made = transfer_changes.propose(users["admin"], data.pool().id, data.pool("OBJ2").id, "1000.00",
                                    "Objective 2 needs it", on=dt.date(2017, 6, 1))
    db.session.commit()
    transfer_changes.confirm(users["admin2"], made.id)
    db.session.commit()
    assert data.pool("OBJ2").available == D("1000.00")
