"""A transfer between pools waiting for a second admin, confirmed by two admins at
once and by one of them twice, from parallel threads each with its own application
context, session and database connection (as gunicorn workers would), on SQLite and
on PostgreSQL: every confirmation has found it waiting before any decides; one
guarded UPDATE of its status lets one through, the money moves once, and the others
are told it was already decided."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import base_users, make_user
from tests.factories.contributions import commitment, deposit, pool
from tests.security.helpers import Attempt, all_read_before_any_decides
from trustfund.admin.models import CONFIRMED
from trustfund.auth.models import User
from trustfund.contributions import transfer_changes
from trustfund.contributions.models import PoolTransfer, TransferProposal
from trustfund.ledger_check import run_checks

ALREADY = "refused: This transfer was already decided: nothing was done."


def _waiting_transfer(db):
    """USD 150,000.00 from the un-earmarked pool (198,000.00) to OBJ2, proposed by the
    admin and waiting; a third admin. Returns (the proposal's id, admin3's id, users)."""
    deposit(commitment("USD", "200000.00"), Decimal("200000.00"))  # 198,000.00 un-earmarked
    admin3_id = make_user("admin", "admin3@test.example").id
    users = base_users()
    proposal = transfer_changes.propose(users["admin"], pool("UNEARMARKED").id, pool("OBJ2").id,
                                        Decimal("150000.00"), "Surplus", dt.date(2018, 6, 1))
    db.session.commit()
    return proposal.id, admin3_id, users


def test_two_admins_confirming_one_transfer_at_once_move_the_money_once(app, db, monkeypatch):
    proposal_id, admin3_id, users = _waiting_transfer(db)
    deciders = [users["admin2"].id, admin3_id, users["admin2"].id]
    # Each confirmation has read the waiting transfer (and passed its checks) before any decides.
    all_read_before_any_decides(monkeypatch, len(deciders))

    def confirm_as(user_id):
        def work():
            done = transfer_changes.confirm(db.session.get(User, user_id), proposal_id)
            db.session.commit()
            return done.status
        return work

    started = [Attempt(app, confirm_as(user_id)).start() for user_id in deciders]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert sorted(outcomes) == sorted([CONFIRMED, ALREADY, ALREADY]), outcomes
    db.session.expire_all()
    assert pool("UNEARMARKED").available == Decimal("48000.00")
    assert pool("OBJ2").available == pool("OBJ2").transfers_in == Decimal("150000.00")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoolTransfer)) == 1
    proposal = db.session.get(TransferProposal, proposal_id)
    assert proposal.status == CONFIRMED and proposal.transfer_id is not None
    assert run_checks() == []


def test_an_admin_who_read_a_transfer_waiting_and_confirms_it_after_another_is_told_it_was_decided(app, db):
    """The loser's page read the transfer waiting; the winner's confirmation commits (the
    money moves) before the loser's is sent: the loser is told it was already decided,
    not that the source pool lacks the money (nothing is checked before the guarded
    answer that the winner's commit changes)."""
    proposal_id, admin3_id, users = _waiting_transfer(db)
    winner_id = users["admin2"].id
    read, decided = threading.Event(), threading.Event()

    def loser():
        seen = db.session.get(TransferProposal, proposal_id)  # the loser's page: the transfer waits
        assert seen.status == "pending"
        actor = db.session.get(User, admin3_id)
        read.set()
        assert decided.wait(timeout=30)
        return transfer_changes.confirm(actor, proposal_id).status

    def winner():
        assert read.wait(timeout=30)
        done = transfer_changes.confirm(db.session.get(User, winner_id), proposal_id)
        db.session.commit()
        return done.status

    late = Attempt(app, loser).start()
    first = Attempt(app, winner).start()
    won = first.join()
    decided.set()
    assert (won, late.join()) == (CONFIRMED, ALREADY)
    db.session.expire_all()
    assert pool("UNEARMARKED").available == Decimal("48000.00")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoolTransfer)) == 1
    assert db.session.get(TransferProposal, proposal_id).decided_by_id == winner_id
    assert run_checks() == []
