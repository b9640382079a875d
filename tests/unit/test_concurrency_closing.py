"""A pool's closing decision while the admin extends the fund's end date, from two
threads each with its own application context, session and database connection (as
two gunicorn workers would), on SQLite and on PostgreSQL. The decision's check "are
the operations closed?" passes before the extension commits; only then does it write.
The extension reopened the operations: the decision is refused, the pool keeps its
money, and the fund stays open (an extension after a decision is refused:
tests/web/test_fund_record.py)."""
from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from tests.factories import statements as data
from tests.factories.statements import D
from trustfund.auth.models import User
from trustfund.closure import closing_decisions, financial
from trustfund.contributions.models import Pool
from trustfund.errors import DomainError
from trustfund.fund import services as fund_services
from trustfund.fund.entries import PoolClosing
from trustfund.fund.status import current_fund, operations_open
from trustfund.ledger_check import run_checks
from trustfund.reference import FUND_END


def _written_after_an_extension(app, db, users, monkeypatch, write) -> tuple[list[str], int]:
    """`write(actor, pool)` (a decision or its proposal) in a worker of its own: its
    checks pass while the fund is closed by its end date, then it waits while the admin
    extends the end date and commits, then it writes. Returns what the worker was told
    and the pool's id."""
    data.deposit(data.commitment(data.donor("Norway (race)"), "5000.00"), "5000.00", fee_rate="0")
    current_fund().end_on = FUND_END  # closed by its end date
    db.session.commit()
    pool_id, srsg_id = data.pool().id, users["srsg_staff"].id
    checked, extended = threading.Event(), threading.Event()
    real = financial.unsettled
    outcome: list[str] = []

    def check_then_wait():
        problems = real()
        checked.set()
        extended.wait(timeout=30)
        return problems

    monkeypatch.setattr(financial, "unsettled", check_then_wait)

    def worker() -> None:
        with app.test_request_context():
            try:
                actor, pool = db.session.get(User, srsg_id), db.session.get(Pool, pool_id)
                db.session.commit()
                write(actor, pool)
                db.session.commit()
                outcome.append("written")
            except DomainError as error:
                db.session.rollback()
                outcome.append(f"refused: {error.message}")
            except Exception as error:  # reported by the callers' assertions
                db.session.rollback()
                outcome.append(f"error: {error!r}")
            finally:
                db.session.remove()

    thread = threading.Thread(target=worker)
    thread.start()
    assert checked.wait(timeout=30)
    fund = current_fund()
    fund_services.extend_end(users["admin"], fund, end_on=dt.date(2100, 1, 1), reason="Follow-up",
                             version=fund.version)
    db.session.commit()
    extended.set()
    thread.join(timeout=60)
    assert not thread.is_alive()
    db.session.expire_all()
    return outcome, pool_id


def test_a_decision_checked_before_an_extension_and_written_after_is_refused(app, db, users, monkeypatch):
    outcome, pool_id = _written_after_an_extension(
        app, db, users, monkeypatch, lambda actor, pool: closing_decisions.decide(actor, pool, "refund"))

    assert len(outcome) == 1 and outcome[0].startswith("refused: "), outcome
    assert "The fund's operations are still open" in outcome[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoolClosing)) == 0
    assert db.session.get(Pool, pool_id).available == D("5000.00")
    assert operations_open()
    assert run_checks() == []


def test_a_proposal_checked_before_an_extension_and_written_after_is_refused(app, db, users, monkeypatch):
    """As above, for the proposal of a decision: its checks pass before the extension
    commits, and it is written after. The extension found no waiting decision (an
    extension while one waits is refused: tests/web/test_fund_record.py), so the
    proposal is refused: no decision waits on a fund whose operations are open."""
    from trustfund.closure import proposals
    from trustfund.fund.entries import ClosingProposal

    outcome, pool_id = _written_after_an_extension(
        app, db, users, monkeypatch, lambda actor, pool: proposals.propose(actor, pool, "refund"))

    assert len(outcome) == 1 and outcome[0].startswith("refused: "), outcome
    assert "The fund's operations are still open" in outcome[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClosingProposal)) == 0
    assert db.session.get(Pool, pool_id).available == D("5000.00")
    assert operations_open()


def test_two_confirmations_of_one_proposed_decision_at_once_apply_it_once(app, db, users, monkeypatch):
    """Two SRSG staff members (neither the proposer) confirm the same waiting decision at
    the same moment, each in a worker of its own: both read it waiting, then both
    confirm. One guarded UPDATE of its status lets one through, in the transaction of
    the money; the other is told it was already answered. The balance leaves once."""
    from tests.factories import make_user
    from tests.security.helpers import Attempt, all_read_before_any_decides
    from trustfund.closure import proposals
    from trustfund.fund.entries import ClosingProposal

    data.deposit(data.commitment(data.donor("Norway (race)"), "5000.00"), "5000.00", fee_rate="0")
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    third = make_user("srsg_staff", "srsg3@test.example")
    proposal = proposals.propose(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    pool_id, proposal_id = data.pool().id, proposal.id
    # Each confirmation has read the waiting decision (and passed its checks) before any answers.
    all_read_before_any_decides(monkeypatch, 2)

    def confirm(user_id: int):
        def work():
            closing = proposals.confirm(db.session.get(User, user_id), proposal_id)
            db.session.commit()
            return f"recorded {closing.usd_amount}"
        return work

    first = Attempt(app, confirm(users["srsg_staff2"].id)).start()
    second = Attempt(app, confirm(third.id)).start()
    outcomes = sorted(str(a.join()) for a in (first, second))
    db.session.expire_all()

    assert outcomes == ["recorded 5000.00", "refused: This decision was already confirmed, refused or "
                                            "withdrawn: nothing was done."], outcomes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoolClosing)) == 1
    assert db.session.get(Pool, pool_id).available == D("0.00")
    assert db.session.get(ClosingProposal, proposal_id).status == "confirmed"
    assert run_checks() == []


def test_a_staff_member_who_read_a_decision_waiting_and_confirms_it_after_another_is_told_it_was_answered(
        app, db, users):
    """The loser's page read the decision waiting; the winner's confirmation commits (the
    balance leaves the pool) before the loser's is sent. The loser is told the decision
    was already answered, not that the pool's balance changed since it was proposed: the
    balance moved because the decision itself was applied."""
    from tests.factories import make_user
    from tests.security.helpers import Attempt
    from trustfund.closure import proposals
    from trustfund.fund.entries import ClosingProposal

    data.deposit(data.commitment(data.donor("Norway (race)"), "5000.00"), "5000.00", fee_rate="0")
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    third_id = make_user("srsg_staff", "srsg3@test.example").id
    proposal = proposals.propose(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    pool_id, proposal_id, winner_id = data.pool().id, proposal.id, users["srsg_staff2"].id
    read, decided = threading.Event(), threading.Event()

    def loser():
        seen = db.session.get(ClosingProposal, proposal_id)  # the loser's page: the decision waits
        assert seen.status == "waiting" and seen.pool.available == D("5000.00")
        actor = db.session.get(User, third_id)
        read.set()
        assert decided.wait(timeout=30)
        closing = proposals.confirm(actor, proposal_id)
        db.session.commit()
        return f"recorded {closing.usd_amount}"

    def winner():
        assert read.wait(timeout=30)
        closing = proposals.confirm(db.session.get(User, winner_id), proposal_id)
        db.session.commit()
        return f"recorded {closing.usd_amount}"

    late = Attempt(app, loser).start()
    first = Attempt(app, winner).start()
    won = first.join()
    decided.set()
    lost = late.join()

    assert (won, lost) == ("recorded 5000.00", "refused: This decision was already confirmed, refused or "
                                               "withdrawn: nothing was done.")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoolClosing)) == 1
    assert db.session.get(Pool, pool_id).available == D("0.00")
    answered = db.session.get(ClosingProposal, proposal_id)
    assert answered.status == "confirmed" and answered.decided_by_id == winner_id
    assert run_checks() == []
