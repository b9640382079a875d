"""After the event: actual costs of a funded trip, cancellations and no-shows.

- travelled: the actual ticket, DSA paid and terminal expenses become spending; the
  difference between what was committed and what was spent returns to the pool
  (or, if the trip cost more, is taken from its available money, if it has it);
- cancelled: the whole commitment returns to the pool (a request not yet approved
  is simply withdrawn);
- no-show: the costs actually incurred (possibly nothing) are kept as spending and
  the rest returns.

Each closes the grant with one UPDATE `WHERE status = 'approved'` (so a grant is
closed once, whoever else tries at the same time) and moves the pool with
pools.move() in the same transaction.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit import record, snapshot, utcnow
from ..contributions.models import Pool
from ..contributions.pools import InsufficientFunds, move
from ..errors import DomainError
from ..extensions import db
from ..formatting import money
from . import rules
from .models import APPROVED, CANCELLED, NO_SHOW, REQUESTED, TRAVELLED, WAITLISTED, TravelGrant
from .services import cost_field, require_srsg


def _close(actor, grant: TravelGrant, status: str, actuals: dict[str, Decimal] | None,
           reason: str = "") -> None:
    values = {"status": status, "reconciled_by_id": actor.id, "reconciled_at": utcnow(),
              "version": TravelGrant.version + 1}
    if actuals is not None:
        values.update(actuals)
        values["actual_total"] = sum(actuals.values(), Decimal("0.00"))
    if reason:
        values["decision_reason"] = reason
    statement = (sa.update(TravelGrant)
                 .where(TravelGrant.id == grant.id, TravelGrant.status == APPROVED)
                 .values(**values).execution_options(synchronize_session=False))
    if db.session.execute(statement).rowcount != 1:
        db.session.expire(grant)
        raise DomainError(_("Only an approved grant can be closed; this one is %(status)s.",
                            status=grant.status_label))
    db.session.expire(grant)


def _actuals(ticket, dsa, terminal) -> dict[str, Decimal]:
    return {"actual_ticket": cost_field(ticket, "actual_ticket"),
            "actual_dsa": cost_field(dsa, "actual_dsa"),
            "actual_terminal": cost_field(terminal, "actual_terminal")}


def _settle(grant: TravelGrant) -> None:
    """Release the commitment and book the actual cost, in one guarded pool UPDATE."""
    deltas = rules.reconciliation_deltas(grant.committed_amount, grant.actual_total or Decimal(0))
    try:
        move(grant.pool_id, **deltas)
    except InsufficientFunds:
        pool = db.session.get(Pool, grant.pool_id)
        raise DomainError(_("The actual costs are %(extra)s more than the %(committed)s committed, "
                            "and %(pool)s has only %(available)s available: record a transfer "
                            "or a deposit into the pool first.",
                            extra=money(-deltas["available"]), committed=money(grant.committed_amount),
                            pool=pool.label, available=money(pool.available)),
                          field="actual_ticket") from None


def record_travel(actor, grant: TravelGrant, *, ticket, dsa, terminal) -> TravelGrant:
    """The delegate travelled: record the actual costs; the difference from the
    commitment returns to the pool, to the cent."""
    require_srsg(actor)
    actuals = _actuals(ticket, dsa, terminal)
    if sum(actuals.values()) == 0:
        raise DomainError(_("A trip that took place has costs: enter them."), field="actual_ticket")
    if grant.event.start_on > dt.date.today():
        raise DomainError(_("The event has not started yet: record the trip after it."),
                          field="actual_ticket")
    before = snapshot(grant)
    _close(actor, grant, TRAVELLED, actuals)
    _settle(grant)
    record(actor, "grant.travelled", grant, before=before)
    return grant


def record_no_show(actor, grant: TravelGrant, *, ticket, dsa, terminal, reason: str = "") -> TravelGrant:
    """The delegate did not attend: keep the costs actually incurred (a non-refundable
    ticket, say; possibly nothing) and return the rest."""
    require_srsg(actor)
    actuals = _actuals(ticket, dsa, terminal)
    before = snapshot(grant)
    _close(actor, grant, NO_SHOW, actuals, (reason or "").strip())
    _settle(grant)
    record(actor, "grant.no_show", grant, before=before)
    return grant


def cancel_grant(actor, grant: TravelGrant, reason: str) -> TravelGrant:
    """Cancel a grant: an approved one returns its whole commitment to the pool; a
    request not yet approved is withdrawn. A reason is required."""
    require_srsg(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the grant is cancelled."), field="reason")
    before = snapshot(grant)
    if grant.status in (REQUESTED, WAITLISTED):
        statement = (sa.update(TravelGrant)
                     .where(TravelGrant.id == grant.id, TravelGrant.status.in_((REQUESTED, WAITLISTED)))
                     .values(status=CANCELLED, decision_reason=reason, reconciled_by_id=actor.id,
                             reconciled_at=utcnow(), version=TravelGrant.version + 1)
                     .execution_options(synchronize_session=False))
        if db.session.execute(statement).rowcount != 1:
            db.session.expire(grant)
            raise DomainError(_("This request has changed meanwhile (it is now %(status)s): "
                                "reload the page.", status=grant.status_label))
        db.session.expire(grant)
    else:
        _close(actor, grant, CANCELLED, None, reason)
        move(grant.pool_id, committed=-grant.committed_amount, available=grant.committed_amount)
    record(actor, "grant.cancel", grant, before=before)
    return grant
