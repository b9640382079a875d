"""After the event: actual costs of a funded trip, cancellations and no-shows.

- travelled: the actual ticket, DSA paid and terminal expenses become spending; what
  was committed and not spent returns to the pool;
- no-show: the costs actually incurred (possibly nothing) are kept as spending and
  the rest returns;
- both only once the event has started; cancelled at any time: the whole commitment
  returns to the pool (a request not yet approved is simply withdrawn);
- actual costs above the commitment are an overrun (rules.settle): within the
  admin's tolerance it is paid at once, from the pool's available money; above it,
  or when the pool cannot pay it now, the pool pays the commitment and the overrun
  waits for a second SRSG staff member (overruns.py). Nobody alone spends beyond
  what was approved.

Each closes the grant with one UPDATE `WHERE status = 'approved'` (so a grant is
closed once, whoever else tries at the same time) and moves the pool with
pools.move() in the same transaction.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import clock
from ..admin.models import OVERRUN_TOLERANCE, setting_on
from ..audit import record, snapshot, utcnow
from ..auth.colleagues import tell_others
from ..connections import hold_row
from ..contributions.models import Pool
from ..contributions.pools import InsufficientFunds, hold, move
from ..errors import DomainError
from ..extensions import db
from ..formatting import money
from ..fund import periods
from ..permissions import SRSG_STAFF
from ..second_person import still_active
from ..seen import fingerprint, require_unchanged
from . import rules
from .models import APPROVED, CANCELLED, NO_SHOW, REQUESTED, TRAVELLED, WAITLISTED, Event, TravelGrant
from .notices import tell_requester
from .services import require_srsg, require_still_srsg, trip_costs

CANCELLABLE = (REQUESTED, WAITLISTED, APPROVED)


def check_can_close(grant: TravelGrant, outcome: str) -> None:
    """Refuse to record a trip (`outcome` travelled) or a no-show for a grant that is
    not approved, or before its event has started. The pages ask this before they
    show the form, the services before they write: one rule, one message."""
    periods.require_open(utcnow())  # closed today: in the open year
    if grant.status != APPROVED:
        raise DomainError(_("The actual costs can be recorded only for an approved grant; this one "
                            "is %(status)s.", status=grant.status_in_words))
    if grant.event.start_on > clock.today():
        if outcome == NO_SHOW:
            raise DomainError(_("The event has not started yet: a no-show can be recorded once it "
                                "has. If the delegate will not travel, cancel the grant."),
                              field="actual_ticket")
        raise DomainError(_("The event has not started yet: record the trip after it."),
                          field="actual_ticket")


def check_can_cancel(grant: TravelGrant) -> None:
    """A request or an approved grant can be cancelled at any time; a closed one cannot."""
    periods.require_open(utcnow())  # cancelled today: in the open year
    if grant.status not in CANCELLABLE:
        raise DomainError(_("This grant is %(status)s: it can no longer be cancelled.",
                            status=grant.status_in_words))


def _close(actor, grant: TravelGrant, status: str, values: dict) -> None:
    """Close an approved grant in one UPDATE, computed from the commitment read
    (which cannot change while the grant is approved), or refuse."""
    committed = grant.committed_amount
    values = {**values, "status": status, "reconciled_by_id": actor.id, "reconciled_at": utcnow(),
              "version": TravelGrant.version + 1}
    statement = (sa.update(TravelGrant)
                 .where(TravelGrant.id == grant.id, TravelGrant.status == APPROVED,
                        TravelGrant.committed_amount == committed, still_active(actor, SRSG_STAFF))
                 .values(**values).execution_options(synchronize_session=False))
    if db.session.execute(statement).rowcount != 1:
        require_still_srsg(actor)
        db.session.expire(grant)
        check_can_close(grant, status)
        raise DomainError(_("This request has changed meanwhile (it is now %(status)s): "
                            "reload the page.", status=grant.status_in_words))
    db.session.expire(grant)


def _record_costs(actor, grant: TravelGrant, status: str, actuals: dict[str, Decimal],
                  reason: str = "") -> TravelGrant:
    """Close the grant with its actual costs and settle the pool: the part within the
    commitment (and an overrun within the tolerance) is paid now; an overrun above
    the tolerance is recorded as awaiting a second person's approval."""
    # The event held first, and its first day read again: an event moved to a first day
    # still to come meanwhile (its save holds it too) refuses the trip, and a save after
    # this one sees the trip recorded (services._check_recorded_trips_started).
    hold_row(db.session, Event, grant.event_id)
    db.session.refresh(grant.event, ["start_on"])
    check_can_close(grant, status)
    committed = grant.committed_amount
    costs = sum(actuals.values(), Decimal("0.00"))
    tolerance = setting_on(OVERRUN_TOLERANCE, clock.today())
    # The pool's row held from the look at its money to the move: a concurrent
    # decision on the pool waits, so what settlement() sees is what move() meets. The
    # grant's row first, as every other decision on it takes them (a cancellation of
    # this grant at the same moment would otherwise deadlock on PostgreSQL).
    hold_row(db.session, TravelGrant, grant.id)
    hold(grant.pool_id)
    settled, short = settlement(grant, costs, tolerance)
    before = snapshot(grant)
    values = {**actuals, "actual_total": settled.paid, "overrun_amount": settled.overrun,
              "overrun_status": settled.overrun_status}
    if settled.overrun_status is not None:
        values.update(overrun_recorded_by_id=actor.id, overrun_reason="")
    if settled.overrun_status == "approved":
        values["overrun_decided_at"] = utcnow()
    if reason:
        values["decision_reason"] = reason
    _close(actor, grant, status, values)
    try:
        move(grant.pool_id, **rules.reconciliation_deltas(committed, settled.paid))
    except InsufficientFunds:
        pool = db.session.get(Pool, grant.pool_id)
        raise DomainError(_("The actual costs are %(extra)s more than the %(committed)s committed, and the "
                            "%(pool)s pool has only %(available)s available. The costs can be recorded once "
                            "the pool has the money: a transfer into it (proposed by an administrator, "
                            "confirmed by another) or a deposit (recorded by the MPTF Office).",
                            extra=money(settled.overrun), committed=money(committed),
                            pool=pool.sentence_name, available=money(pool.available)),
                          field="actual_ticket") from None
    record(actor, "grant.travelled" if status == TRAVELLED else "grant.no_show", grant, before=before)
    if settled.overrun_status is not None:
        note = f"within tolerance {tolerance}" if settled.overrun_status == "approved" else None
        if short:
            note = f"within tolerance {tolerance}; the pool could not pay it"
        record(actor, "grant.overrun_record", grant, note=note)
        if settled.overrun_status != "approved":
            _tell_colleagues(actor, grant, short)
    return grant


OVERRUN_WAITING = _l("An overrun waits for your approval: %(delegate)s")  # its email's subject


def _tell_colleagues(actor, grant: TravelGrant, short: bool) -> None:
    """An overrun waits for an SRSG staff member other than its recorder: each of them
    is asked to approve or reject it (its requester among them); a requester who
    recorded the costs themselves is told that it waits for a colleague."""
    delegate = grant.delegate.name
    tell_others(actor, SRSG_STAFF, "overrun_waiting", "overrun_waiting",
                lambda: OVERRUN_WAITING % {"delegate": delegate},
                recorder=actor.name or actor.email, grant=grant, short=short)
    if grant.requested_by_id == actor.id:
        tell_requester(actor, grant, "overrun_pending")


def settlement(grant: TravelGrant, costs: Decimal, tolerance: Decimal) -> tuple[rules.Settlement, bool]:
    """How the grant's actual costs settle (rules.settle), and whether an overrun
    within the tolerance waits because the pool cannot pay it now (`short`). The
    trip's costs are facts: they are recorded, the pool pays the commitment, and such
    an overrun waits for a second SRSG staff member as one above the tolerance does
    (overruns.approve_overrun pays it once the pool can). The pool is read afresh
    (_record_costs holds its row first); pools.move still refuses any overspend."""
    settled = rules.settle(grant.committed_amount, costs, tolerance)
    if settled.overrun_status != "approved":
        return settled, False
    available = db.session.scalar(sa.select(Pool.available).where(Pool.id == grant.pool_id))
    if available >= settled.overrun:
        return settled, False
    return rules.Settlement(paid=grant.committed_amount, overrun=settled.overrun,
                            overrun_status="pending"), True


def record_travel(actor, grant: TravelGrant, *, ticket, dsa, terminal) -> TravelGrant:
    """The delegate travelled (the event has started): record the actual costs; what
    was committed and not spent returns to the pool, to the cent; costs above the
    commitment are an overrun (see _record_costs)."""
    require_srsg(actor)
    found = trip_costs(ticket, dsa, terminal)
    if sum(found.values()) == 0:
        raise DomainError(_("A trip that took place has costs: enter them."), field="actual_ticket")
    return _record_costs(actor, grant, TRAVELLED, found)


def record_no_show(actor, grant: TravelGrant, *, ticket, dsa, terminal, reason: str = "") -> TravelGrant:
    """The delegate did not attend (the event has started): keep the costs actually
    incurred (a non-refundable ticket, say; possibly nothing) and return the rest."""
    require_srsg(actor)
    found = trip_costs(ticket, dsa, terminal)
    return _record_costs(actor, grant, NO_SHOW, found, (reason or "").strip())


def cancellation_seen(grant: TravelGrant) -> str:
    """What the cancellation's confirmation page says is undone (the request withdrawn,
    or an approval and the money it committed), which its confirmation carries."""
    return fingerprint([(grant.id, grant.status, str(grant.committed_amount), grant.pool_id)])


def cancel_grant(actor, grant: TravelGrant, reason: str, *, seen: str | None = None) -> TravelGrant:
    """Cancel a grant, at any time before it is closed: an approved one returns its
    whole commitment to the pool; a request not yet approved is withdrawn. A reason
    is required. `seen` (the confirmation page's cancellation_seen; the page always
    carries one): refused when the grant changed since, so that a withdrawal confirmed
    for a waiting request does not cancel the approval a colleague made meanwhile (a
    colleague's review)."""
    require_srsg(actor)
    check_can_cancel(grant)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the grant is cancelled."), field="reason")
    if seen is not None:
        require_unchanged(seen, cancellation_seen(grant), _(
            "This request has changed meanwhile (it is now %(status)s): reload the page.",
            status=grant.status_in_words))
    before = snapshot(grant)
    undecided = grant.status in (REQUESTED, WAITLISTED)
    statement = (sa.update(TravelGrant)
                 .where(TravelGrant.id == grant.id, TravelGrant.status == grant.status,
                        TravelGrant.committed_amount == grant.committed_amount,
                        still_active(actor, SRSG_STAFF))
                 .values(status=CANCELLED, decision_reason=reason, waitlisted_pool_ids=None,
                         reconciled_by_id=actor.id,
                         reconciled_at=utcnow(), version=TravelGrant.version + 1)
                 .execution_options(synchronize_session=False))
    held = grant.committed_amount
    if db.session.execute(statement).rowcount != 1:
        require_still_srsg(actor)
        db.session.expire(grant)
        check_can_cancel(grant)
        raise DomainError(_("This request has changed meanwhile (it is now %(status)s): "
                            "reload the page.", status=grant.status_in_words))
    db.session.expire(grant)
    if not undecided:
        move(grant.pool_id, committed=-held, available=held)
    record(actor, "grant.cancel", grant, before=before)
    return grant
