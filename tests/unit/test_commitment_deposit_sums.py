"""A commitment's deposits' USD amounts and fees (deposited_usd, deposit_fees: the
dashboards' sums) follow every deposit and reversal, and stay out of what the audit
trail says of the commitment: they are running sums, not something anyone entered."""
from decimal import Decimal as D

import sqlalchemy as sa

from tests.factories.contributions import PAST, commitment, deposit, officer
from trustfund.audit import AuditEntry
from trustfund.contributions import confirmed
from trustfund.contributions.models import Commitment


def _sums(db, commitment_id):
    return tuple(db.session.execute(sa.select(Commitment.deposited_usd, Commitment.deposit_fees)
                                    .where(Commitment.id == commitment_id)).one())


def test_the_sums_follow_each_deposit_and_reversal_and_stay_out_of_the_audit_trail(app, db):
    eur = commitment("EUR", "1000000.00")
    assert _sums(db, eur.id) == (D("0.00"), D("0.00"))
    first = deposit(eur, D("500000.00"), rate=D("0.941"), value_date=PAST)
    assert _sums(db, eur.id) == (D("531349.63"), D("5313.50"))
    deposit(eur, D("250000.00"), rate=D("0.941"), value_date=PAST)
    confirmed.reverse_deposit(officer(), first, "Wrong value date")
    db.session.commit()
    assert _sums(db, eur.id) == (D("265674.81"), D("2656.75"))

    created = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "commitment.create"))
    assert "deposited" in created.after and created.after["amount"] == "1000000.00"
    assert not {"deposited_usd", "deposit_fees"} & set(created.after)
