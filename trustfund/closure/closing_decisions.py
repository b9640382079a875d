"""A pool's closing decision applied (step 2 of the financial closure, see
closure.financial): its whole available balance refunded to its donors, transferred
to another fund, or left unrefunded under the waiver. It sends the pool's money out
of the fund, so it is applied only when a second SRSG staff member confirms the
proposal (closure.proposals): only that module imports this one (the import-linter
contract "closing-decisions-confirmed"; tests/unit/test_structure.py).
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from ..audit import record
from ..clock import today
from ..contributions import pools
from ..contributions.models import Pool
from ..errors import DomainError
from ..extensions import db
from ..formatting import money as fmt_money
from ..fund.entries import ClosingPart, PoolClosing
from ..fund.status import operations_open_now
from ..money import USD
from ..permissions import SRSG_STAFF
from .financial import decision_checks, operations_still_open_message, require_role

# What moves money here: imported only inside the confirming function of an allowed
# module (.importlinter; tests/unit/test_structure.py).
__all__ = ["decide", "move_closed_out"]


def decide(actor, pool: Pool, kind: str, *, fund_name: str = "", fund_reference: str = "",
           note: str = "", balance_seen=None, proposed_by=None) -> PoolClosing:
    """Record what becomes of the pool's whole available balance (see the module's
    docstring). Refused while anything is unsettled, for a balance other than the one
    the page showed (`balance_seen`), for a refund of a pool no donor's deposits reach,
    and for a waiver above the admin's setting (decision_checks).

    From the pages, a decision is first proposed and applied here when a second SRSG
    staff member (`actor`) confirms it (closure.proposals): its proposer
    (`proposed_by`) is the one who decided, in the record and its audit entry."""
    require_role(actor, SRSG_STAFF)
    decided_by = proposed_by or actor
    db.session.refresh(pool)
    checked = decision_checks(pool, kind, fund_name=fund_name, fund_reference=fund_reference, note=note,
                              balance_seen=balance_seen)
    balance, note, values, plan = checked.balance, checked.note, checked.values, checked.plan
    closing = PoolClosing(pool_id=pool.id, kind=kind, usd_amount=balance, decided_on=today(), note=note,
                          decided_by_id=getattr(decided_by, "id", None), **values)
    db.session.add(closing)
    db.session.flush()
    # The checks read the fund before this write; an extension of its end date may have
    # committed since and reopened the operations (it looks for decisions only after
    # writing the fund's row: fund.services.extend_end). The flush's guard waited for it
    # (fund.guard), so the row read now is the one that stands.
    if operations_open_now():
        raise DomainError(operations_still_open_message())
    for part in plan.parts:
        db.session.add(ClosingPart(closing_id=closing.id, donor_id=part.donor_id, pool_id=pool.id,
                                   value_date=closing.decided_on, usd_amount=part.amount, weight=part.weight,
                                   balance=part.balance, currency=part.currency))
    move_closed_out(pool, balance)
    record(decided_by, "pool.close", closing, note=note or None)
    return closing


def move_closed_out(pool: Pool, balance: Decimal) -> None:
    """The balance leaves the pool (the one pool move of a closing decision), which must
    then hold nothing available: money that arrived since the page was read is
    refused with the decision, to be decided on afresh."""
    try:
        pools.move(pool.id, closed_out=balance, available=-balance)
    except pools.InsufficientFunds:
        raise DomainError(_("The pool's balance changed meanwhile: reload the page.")) from None
    db.session.refresh(pool)
    if pool.available != 0:
        raise DomainError(_("The pool's balance changed meanwhile (it is now %(balance)s): reload the "
                            "page.", balance=fmt_money(pool.available + balance, USD)))
