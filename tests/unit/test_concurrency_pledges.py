"""A pledge withdrawn or committed from many places at once, each thread with its own
application context, session and connection (as several gunicorn workers would), on
SQLite and PostgreSQL: one guarded UPDATE lets exactly one through."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from tests.factories.contributions import pledge
from tests.security.helpers import Parallel
from trustfund.audit import AuditEntry
from trustfund.auth.models import User
from trustfund.contributions import services
from trustfund.contributions.models import Commitment, Pledge
from trustfund.donors.models import Donor
from trustfund.errors import DomainError
from trustfund.extensions import db
from trustfund.ledger_check import run_checks

D = Decimal
WORKERS = 20


def _audit(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == action))


def test_twenty_withdrawals_at_once_withdraw_once_with_one_audit_entry(app, db, users):
    p = pledge("EUR", "1000000.00")
    officer_id, pledge_id = users["mptf_officer"].id, p.id
    db.session.commit()

    def work(index: int, _step: int):
        actor = db.session.get(User, officer_id)
        row = db.session.get(Pledge, pledge_id)
        db.session.commit()  # end the reads: each withdrawal is its own transaction, all at once
        services.withdraw_pledge(actor, row, f"Withdrawn by worker {index}")
        db.session.commit()
        return index

    run = Parallel(app, WORKERS, 1, work, expected=(DomainError,)).run()
    assert run.errors == []
    assert len(run.results) == 1, run.results
    assert len(run.refused) == WORKERS - 1
    assert {str(error) for _w, _s, error in run.refused} == {"This pledge was already withdrawn."}
    db.session.expire_all()
    winner = run.results[0][0]
    row = db.session.get(Pledge, pledge_id)
    assert row.withdrawn_reason == f"Withdrawn by worker {winner}"
    assert _audit("pledge.withdraw") == 1
    assert run_checks() == []


def test_twenty_commitments_of_one_pledge_at_once_fulfil_it_once(app, db, users):
    """Each worker records the whole pledge as a commitment: the first fulfils it, the
    others find it fulfilled and write nothing."""
    p = pledge("USD", "250000.00")
    officer_id, pledge_id, donor_id, on = users["mptf_officer"].id, p.id, p.donor_id, p.pledged_on
    db.session.commit()

    def work(index: int, _step: int):
        actor = db.session.get(User, officer_id)
        donor = db.session.get(Donor, donor_id)
        db.session.commit()
        commitment = services.record_commitment(
            actor, donor, currency="USD", amount="250000.00", objective_id=None,
            committed_on=on, pledge_id=pledge_id)
        db.session.commit()
        return commitment.id

    run = Parallel(app, WORKERS, 1, work, expected=(DomainError,)).run()
    assert run.errors == []
    assert len(run.results) == 1, run.results
    assert {str(error) for _w, _s, error in run.refused} == {
        "This pledge is fulfilled: its commitments cover the whole amount, so nothing is still pledged."}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 1
    assert db.session.get(Pledge, pledge_id).fulfilled == D("250000.00")
    assert (_audit("commitment.create"), _audit("pledge.fulfil")) == (1, 1)
    assert run_checks() == []


def test_withdrawals_and_commitments_at_once_never_both_take_the_rest(app, db, users):
    """Half the workers withdraw the pledge, half commit a part of it: whatever the
    order, the pledge's fulfilment is its commitments' sum, and once withdrawn no
    commitment is added."""
    p = pledge("EUR", "1000000.00")
    officer_id, pledge_id, donor_id = users["mptf_officer"].id, p.id, p.donor_id
    on = p.pledged_on
    db.session.commit()

    def work(index: int, _step: int):
        actor = db.session.get(User, officer_id)
        row = db.session.get(Pledge, pledge_id)
        donor = db.session.get(Donor, donor_id)
        db.session.commit()
        if index % 2:
            services.withdraw_pledge(actor, row, "Withdrawn")
            db.session.commit()
            return "withdrawn"
        services.record_commitment(actor, donor, currency="EUR", amount="100000.00", objective_id=None,
                                   committed_on=on, pledge_id=pledge_id)
        db.session.commit()
        return "committed"

    run = Parallel(app, WORKERS, 1, work, expected=(DomainError,)).run()
    assert run.errors == []
    outcomes = [value for _w, _s, value in run.results]
    assert outcomes.count("withdrawn") == 1, outcomes
    db.session.expire_all()
    row = db.session.get(Pledge, pledge_id)
    committed = db.session.scalar(sa.select(sa.func.count()).select_from(Commitment))
    assert committed == outcomes.count("committed")
    assert row.fulfilled == D("100000.00") * committed and row.rest == 0
    assert _audit("pledge.withdraw") == 1 and _audit("pledge.fulfil") == committed
    assert run_checks() == []
