"""A deposit's reversal waiting for a second MPTF officer, confirmed by two officers at
once and by one of them twice, from parallel threads each with its own application
context, session and database connection (as several gunicorn workers would), on
SQLite and on PostgreSQL: every confirmation has found it waiting before any decides;
one guarded UPDATE of its status lets one through, the deposit is reversed once (its
net taken back from the pool once), and the others are told it was already answered.
And two officers proposing the reversal of one deposit at once: one waits (a partial
unique index), the other is told so."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories import base_users, make_user
from tests.factories.contributions import commitment, deposit, pool_figures
from tests.factories.statements import D
from tests.security.helpers import Attempt, all_read_before_any_decides
from trustfund.auth.models import User
from trustfund.contributions import reversal_changes
from trustfund.contributions.models import Deposit, DepositReversalProposal
from trustfund.ledger_check import run_checks

ALREADY = "refused: This reversal was already confirmed, refused or withdrawn: nothing was done."


def test_two_officers_confirming_one_reversal_at_once_reverse_the_deposit_once(app, db, monkeypatch):
    users = base_users()
    officer3_id = make_user("mptf_officer", "officer3@test.example").id
    before = pool_figures()
    made = deposit(commitment("USD", "5000.00"), D("1000.00"))
    proposal_id = reversal_changes.propose(users["mptf_officer"], made, "Entered twice").id
    db.session.commit()
    deciders = [users["mptf_officer2"].id, officer3_id, users["mptf_officer2"].id]
    all_read_before_any_decides(monkeypatch, len(deciders))

    def confirm_as(user_id):
        def work():
            reversal = reversal_changes.confirm(db.session.get(User, user_id), proposal_id)
            db.session.commit()
            return f"reversed {reversal.net}"
        return work

    started = [Attempt(app, confirm_as(user_id)).start() for user_id in deciders]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert sorted(outcomes) == sorted(["reversed -990.00", ALREADY, ALREADY]), outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)
                             .where(Deposit.reverses_id == made.id)) == 1
    assert pool_figures() == before
    assert db.session.get(DepositReversalProposal, proposal_id).status == "confirmed"
    assert run_checks() == []


def test_two_officers_proposing_one_reversal_at_once_leave_one_waiting(app, db):
    users = base_users()
    made = deposit(commitment("USD", "5000.00"), D("1000.00"))
    deposit_id = made.id

    def propose_as(user_id):
        def work():
            proposal = reversal_changes.propose(db.session.get(User, user_id),
                                                db.session.get(Deposit, deposit_id), "Twice")
            db.session.commit()
            return f"waits {proposal.id}"
        return work

    started = [Attempt(app, propose_as(users[who].id)).start() for who in ("mptf_officer", "mptf_officer2")]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert len([o for o in outcomes if o.startswith("waits ")]) == 1, outcomes
    assert [o for o in outcomes if not o.startswith("waits ")] == [
        "refused: A reversal of this deposit already waits for a second MPTF officer: it must be "
        "confirmed, refused or withdrawn first."], outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DepositReversalProposal)
                             .where(DepositReversalProposal.deposit_id == deposit_id)) == 1
