"""Correcting a closed trip's actual costs takes two SRSG staff members.

The actual costs of a travelled or no-show grant are recorded once (reconcile.py).
A mistake in them (a refunded ticket, DSA paid for fewer days, a typing slip) is
corrected, never edited away, and nobody alone moves money (DESIGN.md §5): the SRSG
staff member who finds it proposes the corrected airfare, DSA and terminal expenses
with a reason (CostCorrection), and nothing changes while it waits; a second,
different, active SRSG staff member confirms it, and then, in one transaction, the
grant's costs become the corrected ones and its pool's spending moves by the
difference (pools.move: a correction that would take more than the pool has
available is refused, nothing recorded, and it keeps waiting); or refuses it with a
reason; its proposer may withdraw it. At most one correction of a grant waits.

What the trip then costs the fund (the grant's actual_total) is the corrected costs,
except above an overrun that was rejected: the fund still pays no more than was
committed. Corrected costs above what the fund agreed to pay (the commitment and an
approved overrun) are paid once the second person confirms: the page says so before
they do. A grant whose overrun awaits a decision is not corrected until it is
decided. Each dated figure counts the difference from the day it was confirmed
(statements.sums, iati.queries): a period's figures never change afterwards. The
grant's overrun, as it was decided when the costs were recorded, stays as history.

The same checks run at the proposal and again at the confirmation (why_not_now says
on the grant's page what would refuse it now); each answer is one guarded UPDATE of
the correction's status (second_person), in the transaction of what it does. Each
step is in the grant's audit trail, and the other SRSG staff members are told by
email, each in their language.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..admin.models import CONFIRMED, PENDING, REFUSED, WITHDRAWN
from ..audit import record, snapshot, utcnow
from ..auth.colleagues import active_in_role, tell_others
from ..connections import hold_row
from ..contributions.models import Pool
from ..contributions.pools import InsufficientFunds, hold, move
from ..contributions.rules import text_or_error
from ..errors import DomainError
from ..extensions import db
from ..formatting import date as fmt_date
from ..formatting import money
from ..fund import guard, periods
from ..fund.status import closing_began_on
from ..permissions import SRSG_STAFF
from ..second_person import still_active
from .models import (
    NO_SHOW,
    OVERRUN_APPROVED,
    OVERRUN_PENDING,
    OVERRUN_REJECTED,
    TRAVELLED,
    CostCorrection,
    TravelGrant,
)
from .services import COST_FIELDS as FIELDS
from .services import trip_costs

ZERO = Decimal("0.00")


def _require_srsg(actor) -> None:
    second_person.require_active(actor, SRSG_STAFF, _("Only SRSG staff may do this."))


def already_waiting_message() -> str:
    return _("A correction of this trip's costs already waits for a second SRSG staff member: it must be "
             "confirmed, refused or withdrawn first.")


def grant_checks(grant: TravelGrant) -> None:
    """What refuses any correction of `grant`'s costs now, whatever the amounts: a
    closed fund or year, a grant not closed as travelled or no-show, an overrun
    awaiting a decision, the pools' balances decided on."""
    guard.refuse_if_closed(db.session())  # a closed fund says so first: nothing at all is recorded
    periods.require_open(utcnow())  # confirmed today (UTC, as decided_at): in the open year
    if grant.status not in (TRAVELLED, NO_SHOW) or grant.actual_total is None:
        raise DomainError(_("Only the recorded costs of a trip (travelled or no-show) can be corrected; this "
                            "grant is %(status)s.", status=grant.status_in_words))
    if grant.overrun_status == OVERRUN_PENDING:
        raise DomainError(_("The overrun of this trip awaits a decision: approve or reject it first, then "
                            "correct the costs if they are still wrong."))
    decided_on = closing_began_on()
    if decided_on is not None:
        raise DomainError(_("The pools' balances have been under decision since %(date)s (refunded to the "
                            "donors in proportion to their net deposits, transferred to another fund or "
                            "waived): a trip's costs can no longer be corrected.", date=fmt_date(decided_on)))


def waiting_shown() -> list[CostCorrection]:
    """Every correction waiting for a second SRSG staff member, oldest first, with what
    the queue shows of each (its grant's delegate and event, its proposer) in a few
    queries."""
    grant = sa.orm.joinedload(CostCorrection.grant)
    return ANSWERS.waiting(grant.joinedload(TravelGrant.delegate), grant.joinedload(TravelGrant.event),
                           sa.orm.joinedload(CostCorrection.proposed_by))


def paid_for(grant: TravelGrant, costs: Decimal) -> Decimal:
    """What the trip costs the fund with these costs: all of them, but no more than
    was committed when an overrun was rejected (the rejection stands)."""
    if grant.overrun_status == OVERRUN_REJECTED:
        return min(costs, grant.committed_amount)
    return costs


def agreed(grant: TravelGrant) -> Decimal:
    """What the fund has agreed to pay for the trip: the commitment and an approved
    overrun, or what it pays now if more (a correction confirmed before)."""
    approved = grant.overrun_amount if grant.overrun_status == OVERRUN_APPROVED else ZERO
    return max(grant.committed_amount + approved, grant.actual_total or ZERO)


def correction_refusals(grant: TravelGrant, values: dict[str, Decimal], reason: str) -> str:
    """Everything that refuses proposing this correction (grant_checks; costs that
    are the recorded ones; a trip that took place without costs; no reason; one
    already waiting), said before anything is written (previews.cost_correction
    too). Returns the reason as it is kept."""
    grant_checks(grant)
    costs = sum(values.values(), ZERO)
    if all(values[name] == getattr(grant, name) for name in FIELDS):
        raise DomainError(_("These are the costs already recorded: change the amounts that are wrong."),
                          field="actual_ticket")
    if grant.status == TRAVELLED and costs == 0:
        raise DomainError(_("A trip that took place has costs: enter them."), field="actual_ticket")
    reason = text_or_error(reason, "reason", _("Say why the costs are corrected."))
    if waiting_for(grant.id) is not None:
        raise DomainError(already_waiting_message())
    return reason


def propose(actor, grant: TravelGrant, *, ticket, dsa, terminal, reason: str) -> CostCorrection:
    """The corrected costs of a closed trip, checked now, then kept waiting for
    another SRSG staff member: nothing changes until they confirm it."""
    _require_srsg(actor)
    values = trip_costs(ticket, dsa, terminal)
    reason = correction_refusals(grant, values, reason)
    correction = CostCorrection(grant_id=grant.id, spent_before=grant.actual_total, reason=reason,
                                proposed_by_id=actor.id, status=PENDING, **values)
    db.session.add(correction)
    try:
        db.session.flush()
    except IntegrityError:  # another colleague proposed one meanwhile
        raise DomainError(already_waiting_message()) from None
    record(actor, "grant.costs_correction_propose", grant,
           after={**{name: str(values[name]) for name in FIELDS}, "pool_id": grant.pool_id}, note=reason)
    tell_others(actor, SRSG_STAFF, "cost_correction_waiting", "cost_correction_waiting",
                _l("A correction of a trip's costs waits for your confirmation"),
                proposer=actor.name or actor.email, correction=correction, grant=grant,
                above=paid_for(grant, correction.costs) - agreed(grant))
    return correction


def already_decided_message() -> str:
    return _("This correction was already confirmed, refused or withdrawn: nothing was done.")


ANSWERS = second_person.Answers(
    CostCorrection, SRSG_STAFF, (PENDING, CONFIRMED, REFUSED, WITHDRAWN),
    lambda: {"missing": _("This correction does not exist."),
             "only_proposer": _("Only the SRSG staff member who proposed this correction can withdraw it."),
             "not_own": _("You proposed this correction: another SRSG staff member must confirm or refuse "
                          "it."),
             "already": already_decided_message(), "no_reason": _("Say why the correction is refused."),
             "not_allowed": _("Only SRSG staff may do this.")})


def _apply(actor, correction: CostCorrection) -> Decimal:
    """The grant's costs become the corrected ones, and its pool's spending moves by
    the difference, or a refusal (the caller's transaction is then rolled back)."""
    grant = correction.grant
    # The grant's row, then its pool's, held before the checks: a pool's closing decision
    # (which holds the pool) cannot slip in between the look at it and the move.
    hold_row(db.session, TravelGrant, grant.id)
    hold(grant.pool_id)
    db.session.refresh(grant)
    grant_checks(grant)
    if grant.actual_total != correction.spent_before:
        raise DomainError(_("The trip's costs have changed since this correction was proposed: refuse it, "
                            "and propose it again from the costs now recorded."))
    paid = paid_for(grant, correction.costs)
    change = paid - correction.spent_before
    before = snapshot(grant)
    statement = (sa.update(TravelGrant)
                 .where(TravelGrant.id == grant.id, TravelGrant.status.in_((TRAVELLED, NO_SHOW)),
                        TravelGrant.actual_total == correction.spent_before,
                        sa.or_(TravelGrant.overrun_status.is_(None),
                               TravelGrant.overrun_status != OVERRUN_PENDING),
                        still_active(actor, SRSG_STAFF))
                 .values(actual_ticket=correction.actual_ticket, actual_dsa=correction.actual_dsa,
                         actual_terminal=correction.actual_terminal, actual_total=paid,
                         version=TravelGrant.version + 1)
                 .execution_options(synchronize_session=False))
    if db.session.execute(statement).rowcount != 1:
        raise DomainError(_("The trip's costs have changed since this correction was proposed: refuse it, "
                            "and propose it again from the costs now recorded."))
    db.session.expire(grant)
    try:
        move(grant.pool_id, spent=change, available=-change)
    except InsufficientFunds:
        pool = db.session.get(Pool, grant.pool_id)
        raise DomainError(_("The corrected costs take %(extra)s more from the %(pool)s pool, which has only "
                            "%(available)s available.", extra=money(change), pool=pool.sentence_name,
                            available=money(pool.available))) from None
    correction.spent_after = paid
    db.session.flush()
    record(actor, "grant.costs_correction_confirm", grant, before=before, note=correction.reason)
    return change


def confirm(actor, correction_id: int) -> CostCorrection:
    """A second SRSG staff member confirms a waiting correction: the grant's costs and
    its pool move now, in the transaction of the guarded UPDATE of its status. A
    refusal rolls back the whole transaction (errors.run): nothing changes and it
    still waits."""
    correction = ANSWERS.get(correction_id)
    ANSWERS.answer(actor, correction, CONFIRMED)
    try:
        _apply(actor, correction)
    except DomainError as error:
        raise DomainError(_("Nothing was changed, and the correction still waits: %(why)s",
                            why=error.message)) from None
    return correction


def why_not_now(correction: CostCorrection) -> str | None:
    """What would refuse confirming the waiting `correction` now, in words (nothing is
    written); None when it can be confirmed. The grant's page says it in place of
    Confirm."""
    gone = second_person.proposer_gone(correction.proposed_by_id, SRSG_STAFF)
    if gone:
        return gone
    grant = correction.grant
    try:
        grant_checks(grant)
        if grant.actual_total != correction.spent_before:
            raise DomainError(_("The trip's costs have changed since this correction was proposed."))
        change = paid_for(grant, correction.costs) - correction.spent_before
        if change > grant.pool.available:
            raise DomainError(_("The corrected costs take %(extra)s more from the %(pool)s pool, which has "
                                "only %(available)s available.", extra=money(change),
                                pool=grant.pool.sentence_name, available=money(grant.pool.available)))
    except DomainError as error:
        return _("This correction cannot be confirmed as it stands: %(why)s Refuse it, or its proposer can "
                 "withdraw it; then propose it again if it is still wanted.", why=error.message)
    return None


def refuse(actor, correction_id: int, reason: str) -> CostCorrection:
    correction, _before = ANSWERS.refusal(actor, correction_id, reason)
    record(actor, "grant.costs_correction_refuse", correction.grant, note=correction.refusal_reason)
    return correction


def withdraw(actor, correction_id: int) -> CostCorrection:
    correction, _before = ANSWERS.withdrawal(actor, correction_id)
    record(actor, "grant.costs_correction_withdraw", correction.grant)
    return correction


def waiting_for(grant_id: int) -> CostCorrection | None:
    return db.session.scalar(sa.select(CostCorrection).where(
        CostCorrection.grant_id == grant_id, CostCorrection.status == PENDING))


def confirmed_for(grant_id: int) -> list[CostCorrection]:
    """The grant's confirmed corrections, oldest first."""
    return db.session.scalars(sa.select(CostCorrection).where(
        CostCorrection.grant_id == grant_id, CostCorrection.status == CONFIRMED)
        .order_by(CostCorrection.decided_at, CostCorrection.id)).all()


def active_staff() -> int:
    return active_in_role(SRSG_STAFF)


__all__ = ["active_staff", "already_decided_message", "already_waiting_message", "agreed",
           "confirm", "confirmed_for", "correction_refusals", "grant_checks", "paid_for", "propose", "refuse",
           "waiting_for", "why_not_now", "withdraw"]
