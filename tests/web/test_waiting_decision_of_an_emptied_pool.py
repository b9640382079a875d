"""A closing decision waits on a pool whose balance then left it by another route
(a direct cost confirmed by two MPTF officers, a transfer confirmed by two admins):
the closing page must still show the waiting decision, so that its proposer can
withdraw it or a colleague refuse it. Otherwise the fund can never be closed (the
closure says a decision waits) and nobody sees it to answer it."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.factories import browser_of
from tests.factories import statements as data
from tests.pages import propose_refund
from trustfund import demo
from trustfund.clock import today
from trustfund.closure import entry_proposals
from trustfund.fund import services as fund_services
from trustfund.fund.entries import WAITING, ClosingProposal
from trustfund.fund.status import current_fund


def test_a_waiting_decision_stays_answerable_when_its_pool_is_emptied(app, client, login_as, db, users):
    sweden, other = demo.demo_donor(), data.donor("Norway (emptied)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", fee_rate="0")
    data.deposit(data.commitment(other, "10000.00"), "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    pool = data.pool()

    # srsg_staff proposes the refund of the 36,000.00 left.
    login_as("srsg_staff")
    propose_refund(client, pool.id, "36000.00")
    proposal_id = db.session.scalar(sa.select(ClosingProposal.id).where(ClosingProposal.status == WAITING))
    assert proposal_id is not None

    # Meanwhile two MPTF officers record a direct cost of the pool's whole balance.
    proposal = entry_proposals.propose_entry(users["mptf_officer"], kind="direct_cost", pool_id=pool.id,
                                             value_date=today(), usd_amount="36000.00",
                                             description="Final audit fee")
    db.session.commit()
    entry_proposals.confirm(users["mptf_officer2"], proposal.id)
    db.session.commit()
    db.session.expire_all()
    assert data.pool().available == 0

    # The closure is blocked by the waiting decision...
    admin_page = browser_of(app, "admin").get("/fund/closing").get_data(as_text=True)
    assert "closing decision waits for a second SRSG staff member" in admin_page
    # ... which its proposer must see, to withdraw it, and a colleague, to refuse it.
    mine = client.get("/fund/closing").get_data(as_text=True)
    assert f'id="waiting-decision-{proposal_id}"' in mine
    assert f"/fund/closing/proposals/{proposal_id}/withdraw" in mine
    theirs = browser_of(app, "srsg_staff2").get("/fund/closing").get_data(as_text=True)
    assert f"/fund/closing/proposals/{proposal_id}/refuse" in theirs
