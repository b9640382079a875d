"""A second person's confirmation is refused when that person was deactivated by a
colleague after their request started (trustfund/second_person.py: the role and the
account's activity are checked in the guarded UPDATE that writes the answer, not only
on the account read when the request began): nothing moves and the change still
waits. A transfer between pools and a pool's closing decision; a setting's value in
tests/web/test_setting_changes.py; a user change locks the confirming admin's row."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from tests.factories.contributions import commitment, deposit, pool, pool_figures
from trustfund import demo
from trustfund.auth.models import User
from trustfund.closure import proposals
from trustfund.contributions import transfer_changes
from trustfund.contributions.models import PoolTransfer, TransferProposal
from trustfund.errors import DomainError
from trustfund.fund import services as fund_services
from trustfund.fund.entries import WAITING, ClosingProposal, PoolClosing
from trustfund.fund.status import current_fund


def _deactivated_meanwhile(db, user: User) -> User:
    """`user` as their request read it (active), deactivated since by a colleague."""
    assert user.active
    db.session.execute(sa.update(User).where(User.id == user.id).values(active=False)
                       .execution_options(synchronize_session=False))
    return user


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_admin_deactivated_while_confirming_a_transfer_moves_nothing(app, db, users):
    deposit(commitment("USD", "200000.00"), Decimal("200000.00"))
    proposal_id = transfer_changes.propose(users["admin"], pool("UNEARMARKED").id, pool("OBJ2").id,
                                           Decimal("150000.00"), "Surplus", dt.date(2018, 6, 1)).id
    db.session.commit()
    figures = pool_figures()
    confirmer = _deactivated_meanwhile(db, users["admin2"])
    with pytest.raises(DomainError) as refused:
        transfer_changes.confirm(confirmer, proposal_id)
    assert refused.value.message == "Only an active administrator decides on a transfer between pools."
    db.session.rollback()
    assert pool_figures() == figures and _count(db, PoolTransfer) == 0
    assert db.session.get(TransferProposal, proposal_id).status == "pending"


def test_srsg_staff_deactivated_while_confirming_a_closing_decision_moves_nothing(app, db, users):
    data.deposit(data.commitment(demo.demo_donor(), "30000.00"), "30000.00", fee_rate="0")
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    proposal_id = proposals.propose(users["srsg_staff"], data.pool(), "refund").id
    db.session.commit()
    available = data.pool().available
    confirmer = _deactivated_meanwhile(db, users["srsg_staff2"])
    with pytest.raises(DomainError) as refused:
        proposals.confirm(confirmer, proposal_id)
    assert refused.value.message == "Only SRSG staff may do this."
    db.session.rollback()
    db.session.expire_all()
    assert data.pool().available == available and _count(db, PoolClosing) == 0
    assert db.session.get(ClosingProposal, proposal_id).status == WAITING



@pytest.mark.parametrize(("language", "said"), [
    ("en", "Only MPTF officers may do this."),
    ("fr", "Seuls les fonctionnaires du Bureau MPTF peuvent effectuer cette opération."),
    ("ar", "لا يجوز القيام بذلك إلا لموظفي مكتب الصناديق الاستئمانية المتعددة الشركاء."),
])
def test_an_officer_deactivated_while_confirming_an_entry_records_nothing_and_is_told_in_a_whole_sentence(
        app, db, users, language, said):
    """The refusal is one sentence in each language, not a role put into a sentence
    (which read "Solo un oficial…" for a plural, or an Arabic noun in the wrong case)."""
    from trustfund.closure import entry_proposals
    from trustfund.contributions.confirmed import record_interest
    from trustfund.contributions.pools import unearmarked_pool
    from trustfund.fund.entries import DIRECT_COST, FundEntry, FundEntryProposal
    from trustfund.language import speaking

    record_interest(users["mptf_officer"], value_date=dt.date(2017, 4, 25), usd_amount=Decimal("1000.00"),
                    note="Money for the cost")
    proposal_id = entry_proposals.propose_entry(
        users["mptf_officer"], kind=DIRECT_COST, pool_id=unearmarked_pool().id,
        value_date=dt.date(2017, 6, 1), usd_amount=Decimal("250.00"), description="Conference room").id
    db.session.commit()
    confirmer = _deactivated_meanwhile(db, users["mptf_officer2"])
    with app.test_request_context(), speaking(language), pytest.raises(DomainError) as refused:
        entry_proposals.confirm(confirmer, proposal_id)
    assert refused.value.message == said
    db.session.rollback()
    assert _count(db, FundEntry) == 0
    assert db.session.get(FundEntryProposal, proposal_id).status == WAITING

def test_a_change_whose_proposer_was_deactivated_since_cannot_be_confirmed_but_can_be_refused(app, db, users):
    """The proposer left, or their account was compromised and deactivated: what they
    proposed is not confirmed on their word (a setting here; transfers, user changes
    and closing decisions share second_person). Refusing it still works."""
    from trustfund.admin import setting_changes
    from trustfund.admin.models import OVERRUN_TOLERANCE, REFUSED, SettingChange, setting_on

    users["admin"].name = "Amina Diallo"
    change_id = setting_changes.propose(users["admin"], OVERRUN_TOLERANCE, "1000000", dt.date(2018, 1, 1)).id
    db.session.commit()
    users["admin"].active = False
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        setting_changes.confirm(users["admin2"], change_id)
    assert refused.value.message == (
        "Amina Diallo, who proposed it, no longer has an active account: it can no longer be confirmed. "
        "Refuse it, and propose it again yourself if it is still wanted.")
    db.session.rollback()
    assert db.session.get(SettingChange, change_id).status == "pending"
    assert setting_on(OVERRUN_TOLERANCE, dt.date(2018, 6, 1)) == Decimal("0.00")
    setting_changes.refuse(users["admin2"], change_id, "Proposed by an account deactivated since")
    db.session.commit()
    assert db.session.get(SettingChange, change_id).status == REFUSED


def test_a_transfer_whose_proposer_was_deactivated_since_moves_nothing(app, db, users):
    deposit(commitment("USD", "200000.00"), Decimal("200000.00"))
    proposal_id = transfer_changes.propose(users["admin"], pool("UNEARMARKED").id, pool("OBJ2").id,
                                           Decimal("150000.00"), "Surplus", dt.date(2018, 6, 1)).id
    users["admin"].active = False
    db.session.commit()
    figures = pool_figures()
    with pytest.raises(DomainError) as refused:
        transfer_changes.confirm(users["admin2"], proposal_id)
    assert "who proposed it, no longer has an active account" in refused.value.message
    db.session.rollback()
    assert pool_figures() == figures and _count(db, PoolTransfer) == 0


def _changed_meanwhile(db, user: User, **values) -> User:
    """`user` as their request read it, deactivated or moved to another role since by
    an admin (another session)."""
    db.session.execute(sa.update(User).where(User.id == user.id).values(**values)
                       .execution_options(synchronize_session=False))
    return user


CHANGES = pytest.mark.parametrize("change", [{"active": False}, {"role": "auditor"}],
                                  ids=["deactivated", "demoted"])


@CHANGES
def test_a_grant_approval_by_someone_deactivated_meanwhile_commits_nothing(app, db, change):
    """Travel decisions move money on one SRSG staff member's word (never the
    requester's): the decider's account is checked in the grant's guarded UPDATE."""
    from tests.factories.travel import fund_pool, make_event, make_request, srsg2
    from trustfund.travel.decisions import approve_grant, objective1_pool, reject_grant, waitlist_grant
    from trustfund.travel.models import TravelGrant

    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    grant_id, available = grant.id, objective1_pool().available
    decider = srsg2()
    for decide in (lambda: approve_grant(decider, grant), lambda: waitlist_grant(decider, grant, "Later"),
                   lambda: reject_grant(decider, grant, "Not eligible")):
        _changed_meanwhile(db, decider, **change)
        with pytest.raises(DomainError) as refused:
            decide()
        db.session.rollback()  # (the change too: each decision meets it anew)
        assert refused.value.message == "Only an active SRSG staff member can do this."
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant_id).status == "requested"
    assert objective1_pool().available == available


@CHANGES
def test_costs_and_overruns_by_someone_deactivated_meanwhile_move_nothing(app, db, change):
    from tests.factories.travel import fund_pool, make_event, make_request, srsg, srsg2
    from trustfund.travel.decisions import approve_grant, objective1_pool
    from trustfund.travel.overruns import approve_overrun
    from trustfund.travel.reconcile import cancel_grant, record_travel

    fund_pool(1, "10000.00")
    event = make_event(cap=2)
    grant, other = make_request(event, "GQ", airfare="1850.10"), make_request(event, "SN")
    approve_grant(srsg2(), grant)
    approve_grant(srsg2(), other)
    db.session.commit()
    record_travel(srsg(), grant, ticket="1950.10", dsa="1200.00", terminal="100.00")
    db.session.commit()
    assert grant.overrun_status == "pending"
    figures = (objective1_pool().available, objective1_pool().spent)
    decider = srsg2()
    for act in (lambda: approve_overrun(decider, grant),
                lambda: record_travel(decider, other, ticket="900.00", dsa="800.00", terminal="100.00"),
                lambda: cancel_grant(decider, other, "Visa refused")):
        role, active = decider.role, decider.active  # as the request read the account
        _changed_meanwhile(db, decider, **change)
        with pytest.raises(DomainError) as refused:
            act()
        db.session.rollback()  # (the change too: each act meets it anew)
        assert (decider.role, decider.active) == (role, active)
        assert refused.value.message == "Only an active SRSG staff member can do this."
    db.session.expire_all()
    assert (grant.overrun_status, other.status) == ("pending", "approved")
    assert (objective1_pool().available, objective1_pool().spent) == figures
