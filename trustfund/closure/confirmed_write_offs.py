"""A write-off recorded (step 1 of the financial closure, see closure.financial): part
of a commitment, or all that is outstanding, taken off for good, so that no deposit
can fill it. It changes what the fund is owed, so it is recorded only when a second
MPTF officer confirms the proposal (closure.write_offs): only that module imports
this one (the import-linter contract "write-offs-confirmed";
tests/unit/test_structure.py).
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit import record
from ..clock import today
from ..contributions.models import Commitment
from ..errors import DomainError
from ..extensions import db
from ..fund.entries import WriteOff
from ..permissions import MPTF_OFFICER
from .financial import require_role, write_off_checks

# What moves money here: imported only inside the confirming function of an allowed
# module (.importlinter; tests/unit/test_structure.py).
__all__ = ["write_off"]


def write_off(actor, commitment: Commitment, *, amount=None, reason: str,
              outstanding_seen: Decimal | None = None) -> WriteOff:
    """Write off what of a commitment will not be deposited (all that is outstanding
    by default), with a reason; one guarded UPDATE, so no deposit can then fill it and
    no two write-offs take more than there is. With `outstanding_seen` (the outstanding
    amount the proposal showed) the UPDATE also compares it: a deposit recorded or
    reversed meanwhile, even one committed while this runs, writes off nothing."""
    require_role(actor, MPTF_OFFICER)
    db.session.refresh(commitment)  # its running sums as they stand, not as first read
    value, reason = write_off_checks(commitment, amount, reason)
    taken = Commitment.deposited + Commitment.written_off
    guards = [Commitment.id == commitment.id, taken + value <= Commitment.amount]
    if outstanding_seen is not None:
        guards.append(Commitment.amount - taken == outstanding_seen)
    done = db.session.execute(
        sa.update(Commitment).where(*guards)
        .values(written_off=Commitment.written_off + value)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.expire(commitment)
    if not done:
        raise DomainError(_("The commitment changed meanwhile: reload the page."), field="amount")
    entry = WriteOff(commitment_id=commitment.id, currency=commitment.currency, amount=value,
                     written_off_on=today(), reason=reason, created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    record(actor, "commitment.write_off", entry, note=reason)
    return entry
