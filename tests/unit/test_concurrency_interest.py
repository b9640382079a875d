"""Interest waiting for a second MPTF officer, confirmed by two officers at once and by
one of them twice, from parallel threads each with its own application context,
session and database connection (as several gunicorn workers would), on SQLite and on
PostgreSQL: every confirmation has found it waiting before any decides; one guarded
UPDATE of its status lets one through, the interest is credited once, and the others
are told it was already answered. And two officers proposing the reversal of one entry
at once: one reversal waits (a partial unique index), the other is told so."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import base_users, make_user
from tests.security.helpers import Attempt, all_read_before_any_decides
from trustfund.auth.models import User
from trustfund.contributions import interest_changes
from trustfund.contributions.models import InterestEntry, InterestProposal
from trustfund.contributions.pools import unearmarked_pool
from trustfund.ledger_check import run_checks

D = Decimal
AMOUNT = D("150.25")
ALREADY = "refused: This interest was already confirmed, refused or withdrawn: nothing was done."


def test_two_officers_confirming_one_interest_at_once_credit_it_once(app, db, monkeypatch):
    users = base_users()
    officer3_id = make_user("mptf_officer", "officer3@test.example").id
    proposal_id = interest_changes.propose(users["mptf_officer"], value_date=dt.date(2017, 6, 30),
                                           usd_amount=AMOUNT, note="Q2 2017").id
    db.session.commit()
    deciders = [users["mptf_officer2"].id, officer3_id, users["mptf_officer2"].id]
    all_read_before_any_decides(monkeypatch, len(deciders))

    def confirm_as(user_id):
        def work():
            entry = interest_changes.confirm(db.session.get(User, user_id), proposal_id)
            db.session.commit()
            return f"credited {entry.usd_amount}"
        return work

    started = [Attempt(app, confirm_as(user_id)).start() for user_id in deciders]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert sorted(outcomes) == sorted([f"credited {AMOUNT}", ALREADY, ALREADY]), outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InterestEntry)) == 1
    assert unearmarked_pool().interest == AMOUNT and unearmarked_pool().available == AMOUNT
    assert db.session.get(InterestProposal, proposal_id).status == "confirmed"
    assert run_checks() == []


def test_two_officers_proposing_one_reversal_at_once_leave_one_waiting(app, db):
    users = base_users()
    entry = interest_changes.confirm(users["mptf_officer2"], interest_changes.propose(
        users["mptf_officer"], value_date=dt.date(2017, 6, 30), usd_amount=AMOUNT).id)
    db.session.commit()
    entry_id = entry.id

    def propose_as(user_id):
        def work():
            proposal = interest_changes.propose_reversal(db.session.get(User, user_id),
                                                         db.session.get(InterestEntry, entry_id), "Twice")
            db.session.commit()
            return f"waits {proposal.id}"
        return work

    started = [Attempt(app, propose_as(users[who].id)).start() for who in ("mptf_officer", "mptf_officer2")]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    waiting = [o for o in outcomes if o.startswith("waits ")]
    assert len(waiting) == 1, outcomes
    assert [o for o in outcomes if not o.startswith("waits ")] == [
        "refused: A reversal of this interest entry already waits for a second MPTF officer: it must be "
        "confirmed, refused or withdrawn first."], outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InterestProposal)
                             .where(InterestProposal.reverses_id == entry_id)) == 1


def test_two_officers_proposing_the_same_interest_at_once_leave_one_waiting(app, db, monkeypatch):
    """Two officers entering one bank line at the same moment: each looks for the same
    interest before it proposes. Whoever looks second looks after the first committed
    (the un-earmarked pool's row is held through the look), so one proposal waits and
    the other is refused beside the amount, unless said to be separate. Each look is
    held open for whoever else has looked (a barrier with a short wait): without the
    hold, both looked before either wrote, and both waited for a third officer to
    credit the interest twice."""
    import threading

    users = base_users()
    officers = [users["mptf_officer"].id, users["mptf_officer2"].id]
    db.session.commit()
    both_looked = threading.Barrier(2)
    look = interest_changes._same_interest

    def looked_together(value_date, usd):
        found = look(value_date, usd)
        try:
            both_looked.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass  # the other one could not look meanwhile: it waits for this transaction
        return found

    monkeypatch.setattr(interest_changes, "_same_interest", looked_together)

    def propose_as(user_id):
        def work():
            proposal = interest_changes.propose(db.session.get(User, user_id),
                                                value_date=dt.date(2017, 6, 30), usd_amount=AMOUNT, note="")
            db.session.commit()
            return f"proposed {proposal.usd_amount}"
        return work

    started = [Attempt(app, propose_as(user_id)).start() for user_id in officers]
    outcomes = sorted(attempt.join(timeout=60) for attempt in started)
    assert outcomes[0] == f"proposed {AMOUNT}", outcomes
    assert outcomes[1].startswith("refused: Interest of this amount with this value date is already credited "
                                  "or waiting for confirmation."), outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InterestProposal)) == 1
