"""No money moves between pools once a pool's balance is decided on: moved into a pool
already refunded, a donor's money was split among that pool's other donors (found by a
colleague's review: Delta's 5,000.00 gave it back 73.89). Each pool's balance is decided
on where it is, and a transfer waiting since cannot be confirmed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from trustfund.closure import closing_decisions
from trustfund.closure.confirmed_write_offs import write_off
from trustfund.contributions import transfer_changes
from trustfund.contributions.models import ExchangeRate, PoolTransfer
from trustfund.errors import DomainError
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund


@pytest.fixture
def fund(db, users):
    # As tests/unit/test_fund_closure.py's fixture, but Objective 1's 5,000.00 comes from
    # a fourth donor, Delta, who has nothing in the un-earmarked pool.
    a, b, c, d = data.donor("Alpha"), data.donor("Beta"), data.donor("Gamma"), data.donor("Delta")
    data.deposit(data.commitment(a, "100000.00"), "100000.00", fee_rate="0")
    data.deposit(data.commitment(b, "200000.00"), "200000.00", fee_rate="0")
    euros = data.commitment(c, "80000.00", "EUR")
    data.deposit(euros, "30000.00", rate="0.9", fee_rate="0")
    db.session.add(ExchangeRate(currency="EUR", month=dt.date(2017, 5, 1), rate=D("0.9")))
    data.deposit(data.commitment(d, "5000.00", objective_number=1), "5000.00", fee_rate="0")
    db.session.commit()
    fund_services.close_operations(users["admin"], current_fund(), reason="The Compact was adopted")
    write_off(users["mptf_officer"], euros, reason="Nothing more will come")
    db.session.commit()
    return {"a": a, "b": b, "c": c, "d": d}


def _pools(db):
    db.session.expire_all()
    return {code: data.pool(code).available for code in ("UNEARMARKED", "OBJ1")}


def test_no_transfer_is_proposed_once_a_pool_is_decided_on(db, users, fund):
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")  # the un-earmarked pool refunded
    db.session.commit()
    before = _pools(db)
    with pytest.raises(DomainError) as refused:
        transfer_changes.propose(users["admin"], data.pool("OBJ1").id, data.pool("OBJ2").id, "5000.00",
                                 "Surplus of Objective 1", on=dt.date.today())
    db.session.rollback()
    assert "no money moves between pools any more" in refused.value.message
    assert _pools(db) == before and before["OBJ1"] == D("5000.00")
    # Objective 1's balance is decided on where it is: Delta gets its 5,000.00 back.
    decision = closing_decisions.decide(users["srsg_staff"], data.pool("OBJ1"), "refund")
    db.session.commit()
    assert {part.donor.name: part.usd_amount for part in decision.parts} == {"Delta": D("5000.00")}


def test_a_transfer_waiting_when_a_pool_is_decided_on_is_not_made(db, users, fund):
    proposal = transfer_changes.propose(users["admin"], data.pool("OBJ1").id, data.pool("OBJ2").id, "5000.00",
                                        "Surplus of Objective 1", on=dt.date.today())
    db.session.commit()
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    assert "no money moves between pools any more" in transfer_changes.why_not_now(proposal)
    with pytest.raises(DomainError):
        transfer_changes.confirm(users["admin2"], proposal.id)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoolTransfer)) == 0
