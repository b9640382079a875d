"""Deciding on an overrun: actual costs of a trip above what was committed
(reconcile.py records them). Nobody alone spends beyond what was approved:

- approve: a second SRSG staff member, not the one who recorded the costs, lets the
  pool pay the overrun, with the same guarded pool move as an approval (one UPDATE
  that refuses to take the pool below zero); if the pool lacks the money, nothing
  changes and the overrun stays awaiting approval;
- reject (with a reason): the pool paid the commitment and pays nothing more; the
  grant stays at its committed amount.

Each decision claims the overrun with one UPDATE `WHERE overrun_status = 'pending'
AND overrun_recorded_by_id <> :actor`, so an overrun is decided once, by someone
else than its recorder, whoever else tries at the same time (and the table's CHECK
overrun_four_eyes stands behind it).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..audit import record, snapshot, utcnow
from ..contributions.models import Pool
from ..contributions.pools import InsufficientFunds, move
from ..errors import DomainError
from ..extensions import db
from ..formatting import money
from ..fund import periods
from ..permissions import SRSG_STAFF
from ..second_person import still_active
from .models import OVERRUN_APPROVED, OVERRUN_PENDING, OVERRUN_REJECTED, TravelGrant
from .notices import tell_requester
from .services import require_srsg, require_still_srsg


def _check_decider(actor, grant: TravelGrant) -> None:
    require_srsg(actor)
    periods.require_open(utcnow())  # decided today: in the open year
    if grant.overrun_recorded_by_id == actor.id:
        raise DomainError(_("You recorded these costs: another colleague must decide on the overrun."))


def _claim(actor, grant: TravelGrant, **values) -> None:
    statement = (sa.update(TravelGrant)
                 .where(TravelGrant.id == grant.id, TravelGrant.overrun_status == OVERRUN_PENDING,
                        TravelGrant.overrun_recorded_by_id != actor.id, still_active(actor, SRSG_STAFF))
                 .values(overrun_decided_by_id=actor.id, overrun_decided_at=utcnow(),
                         version=TravelGrant.version + 1, **values)
                 .execution_options(synchronize_session=False))
    if db.session.execute(statement).rowcount != 1:
        require_still_srsg(actor)
        db.session.expire(grant)
        if grant.overrun_status is None:
            raise DomainError(_("This grant has no overrun to decide on."))
        _check_decider(actor, grant)
        raise DomainError(_("This overrun has already been decided (it is %(status)s).",
                            status=grant.overrun_in_words))
    db.session.expire(grant)


def approve_overrun(actor, grant: TravelGrant) -> TravelGrant:
    """Pay an overrun from the grant's pool: refused for the user who recorded the
    costs, for an overrun already decided, and when the pool has not the money
    available (then nothing changes)."""
    _check_decider(actor, grant)
    before = snapshot(grant)
    _claim(actor, grant, overrun_status=OVERRUN_APPROVED,
           actual_total=TravelGrant.actual_total + TravelGrant.overrun_amount)
    amount = grant.overrun_amount
    try:
        move(grant.pool_id, spent=amount, available=-amount)
    except InsufficientFunds:
        pool = db.session.get(Pool, grant.pool_id)
        raise DomainError(_("The %(pool)s pool has only %(available)s available, less than the overrun of "
                            "%(amount)s. The overrun stays awaiting approval until the pool has the money: a "
                            "transfer into it (proposed by an administrator, confirmed by another) or a "
                            "deposit (recorded by the MPTF Office).",
                            pool=pool.sentence_name, available=money(pool.available),
                            amount=money(amount))) from None
    record(actor, "grant.overrun_approve", grant, before=before)
    tell_requester(actor, grant, "overrun_approved")
    return grant


def reject_overrun(actor, grant: TravelGrant, reason: str) -> TravelGrant:
    """Refuse to pay an overrun, with a reason: the grant stays at its committed
    amount (the pool paid that when the costs were recorded, and pays nothing more)."""
    _check_decider(actor, grant)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the overrun is rejected."), field="reason")
    before = snapshot(grant)
    _claim(actor, grant, overrun_status=OVERRUN_REJECTED, overrun_reason=reason)
    record(actor, "grant.overrun_reject", grant, before=before)
    tell_requester(actor, grant, "overrun_rejected")
    return grant


# Overruns awaiting approval that the review queue shows: the oldest first.
SHOWN = 50


@dataclass(frozen=True)
class Pending:
    rows: list[TravelGrant]  # the oldest SHOWN
    count: int  # all of them


def pending_overruns_query(event_id: int | None = None):
    """Overruns awaiting approval (of one event's grants), oldest first. What each
    shows is loaded by selectinload: no statement when none awaits (the usual case
    at every view of the review queue), where PostgreSQL planned the grant joined to
    six tables in 2 ms."""
    query = (sa.select(TravelGrant)
             .options(selectinload(TravelGrant.event), selectinload(TravelGrant.delegate),
                      selectinload(TravelGrant.country),
                      selectinload(TravelGrant.pool).joinedload(Pool.objective),
                      selectinload(TravelGrant.overrun_recorded_by))
             .where(TravelGrant.overrun_status == OVERRUN_PENDING)
             .order_by(TravelGrant.reconciled_at, TravelGrant.id))
    if event_id:
        query = query.where(TravelGrant.event_id == event_id)
    return query


def pending_overruns(event_id: int | None = None) -> Pending:
    """The oldest overruns awaiting approval and how many there are (counted only
    when there are more than are shown)."""
    query = pending_overruns_query(event_id)
    rows = db.session.scalars(query.limit(SHOWN)).all()
    count = len(rows) if len(rows) < SHOWN else db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    return Pending(rows, count)
