"""One officer, two browser tabs: tab 1 records the bank transfer of officer A's own
Swedish deposit for another donor (Swiss); tab 2, at the same instant, proposes the
reversal of the Swedish deposit. Each check (moved_refusal in record_deposit,
recorded_elsewhere in propose) may read before the other is committed, and both pass;
but the reversal's confirmation checks its proposer again, once both are committed:
officer B cannot complete A's move (found by a colleague's review, where B's
confirmation moved USD 50,000 from Sweden's pool to the un-earmarked one)."""
from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from tests.factories import base_users
from tests.factories.contributions import commitment, donor
from tests.security.helpers import Attempt
from trustfund.auth.models import User
from trustfund.contributions import references, reversal_changes, services
from trustfund.contributions.models import Commitment, Deposit, DepositReversalProposal
from trustfund.errors import DomainError

ON = dt.date(2018, 5, 10)


def _checked_then_wait(monkeypatch):
    """Both tabs pass their check before either writes (if a fix serialises them, the
    one that waits on a lock times the barrier out and goes on: no deadlock)."""
    both_checked = threading.Barrier(2, timeout=5)

    def wait():
        try:
            both_checked.wait()
        except threading.BrokenBarrierError:
            pass

    real_moved, real_elsewhere = references.moved_refusal, references.recorded_elsewhere

    def moved(*args, **kwargs):
        answer = real_moved(*args, **kwargs)
        wait()
        return answer

    def elsewhere(*args, **kwargs):
        answer = real_elsewhere(*args, **kwargs)
        wait()
        return answer

    monkeypatch.setattr(references, "moved_refusal", moved)
    monkeypatch.setattr(references, "recorded_elsewhere", elsewhere)


def test_one_officer_records_elsewhere_and_proposes_the_reversal_at_once(app, db, monkeypatch):
    users = base_users()
    a_id = users["mptf_officer"].id
    swedens = commitment("USD", "50000.00", objective_number=1)
    swiss = commitment("USD", "50000.00", who=donor("Swiss Confederation"))
    first = services.record_deposit(users["mptf_officer"], swedens, value_date=ON, amount="50000.00",
                                    bank_reference="")
    db.session.commit()
    first_id, swiss_id = first.id, swiss.id
    _checked_then_wait(monkeypatch)

    def record_for_swiss():
        made = services.record_deposit(db.session.get(User, a_id), db.session.get(Commitment, swiss_id),
                                       value_date=ON, amount="50000.00", bank_reference="")
        db.session.commit()
        return f"recorded {made.id}"

    def propose_reversal():
        proposal = reversal_changes.propose(db.session.get(User, a_id), db.session.get(Deposit, first_id),
                                            "booked to the wrong commitment")
        db.session.commit()
        return f"proposed {proposal.id}"

    started = [Attempt(app, work).start() for work in (record_for_swiss, propose_reversal)]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    db.session.expire_all()
    recorded = db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)
                                 .where(Deposit.commitment_id == swiss_id))
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(DepositReversalProposal)
                                .where(DepositReversalProposal.deposit_id == first_id))
    assert recorded + waiting >= 1, outcomes  # at least one went through
    if waiting:
        proposal = db.session.scalar(sa.select(DepositReversalProposal)
                                     .where(DepositReversalProposal.deposit_id == first_id))
        confirming = db.session.get(User, users["mptf_officer2"].id)
        if recorded:  # both passed: the confirmation refuses, and the reversal still waits
            assert "who proposed this reversal, recorded a deposit of USD" in (
                reversal_changes.why_not_now(proposal) or "")
            try:
                reversal_changes.confirm(confirming, proposal.id)
            except DomainError as refused:
                assert "who proposed this reversal, recorded a deposit of USD" in refused.message
            else:
                raise AssertionError("officer B confirmed the reversal: A's move is complete")
            db.session.rollback()
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)
                                     .where(Deposit.reverses_id == first_id)) == 0
        else:
            reversal_changes.confirm(confirming, proposal.id)
            db.session.commit()
