"""Deciding on grant requests: approve (commit money from a pool), reject, waitlist.

Approval is race-proof without any read-then-write:
1. one UPDATE claims the request (`WHERE status IN ('requested', 'waitlisted')`), so
   two approvers of the same request cannot both succeed; on SQLite this first write
   also takes the database's write lock, and pysqlite begins the transaction only
   there, so every read after it sees the latest committed data;
2. on PostgreSQL the event's row is locked, so that cap checks for one event run one
   after the other and each sees the grants the previous one approved;
3. the per-country cap is counted (this grant included);
4. the money moves through pools.move(): one guarded UPDATE that refuses to take the
   pool below zero. If no pool can pay, the request is waitlisted ("funds short") in
   the same transaction.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit import record, snapshot, utcnow
from ..connections import hold_row
from ..contributions.models import Objective, Pool
from ..contributions.pools import InsufficientFunds, move, unearmarked_pool
from ..errors import DomainError
from ..extensions import db
from ..formatting import date as fmt_date
from ..formatting import money, number
from ..fund import periods
from ..fund.status import require_operations_open
from ..permissions import SRSG_STAFF
from ..second_person import still_active
from ..seen import fingerprint, require_unchanged
from .models import APPROVED, FUNDED, REJECTED, REQUESTED, WAITLISTED, Delegate, Event, TravelGrant
from .notices import tell_requester
from .services import (
    check_still_eligible,
    hold_event,
    overlap_refusal,
    overlapping_trip,
    require_srsg,
    require_still_srsg,
)

UNDECIDED = (REQUESTED, WAITLISTED)


def objective1_pool() -> Pool | None:
    return db.session.scalar(sa.select(Pool).join(Objective, Pool.objective_id == Objective.id)
                             .where(Objective.number == 1))


def travel_pool(pool_id: int) -> Pool:
    """The pool an approver named, if travel may be paid from it: the Objective 1 pool
    (travel and participation) or the un-earmarked pool. Money a donor earmarked to
    another objective never reaches travel (DESIGN §4; a transfer out of its pool is
    refused: contributions.pools.refuse_leaving_its_earmark)."""
    pool = db.session.get(Pool, pool_id)
    if pool is None:
        raise DomainError(_("Choose a pool."), field="pool_id")
    if not pays_travel(pool):
        raise DomainError(_("The %(pool)s pool is earmarked to another objective: travel is paid from the "
                            "Objective 1 pool or the un-earmarked pool.", pool=pool.sentence_name),
                          field="pool_id")
    return pool


def pays_travel(pool: Pool) -> bool:
    return pool.is_unearmarked or (pool.objective is not None and pool.objective.number == 1)


def default_pool_ids() -> list[int]:
    """Where an approval takes money from when the approver names no pool: the
    Objective 1 pool, then the un-earmarked pool."""
    pools = [objective1_pool(), unearmarked_pool()]
    return [p.id for p in pools if p is not None]


def default_pool_for(total) -> Pool | None:
    """The pool an approval would use now (for the review page): Objective 1 if it has
    enough available, else the un-earmarked pool if it has, else None."""
    for pool in (objective1_pool(), unearmarked_pool()):
        if pool is not None and pool.available >= total:
            return pool
    return None


def default_pool_chooser(pools: list[Pool]):
    """default_pool_for() over pools already loaded (one query for a whole page)."""
    objective1 = next((p for p in pools if p.objective is not None and p.objective.number == 1), None)
    unearmarked = next((p for p in pools if p.is_unearmarked), None)

    def choose(total):
        for pool in (objective1, unearmarked):
            if pool is not None and pool.available >= total:
                return pool
        return None

    return choose


def _check_decider(actor, grant: TravelGrant, field: str | None) -> None:
    """The decider may decide (SRSG staff, not the one who entered the request), and
    the decision is dated today: in an open year (fund.periods)."""
    require_srsg(actor)
    periods.require_open(utcnow(), field)
    if grant.requested_by_id == actor.id:
        raise DomainError(_("You entered this request: another colleague must decide on it."),
                          field=field)


def _already_decided(grant: TravelGrant) -> DomainError:
    db.session.expire(grant)
    return DomainError(_("This request has already been decided (it is now %(status)s).",
                         status=grant.status_in_words))


def _claim(actor, grant: TravelGrant, **values) -> None:
    """Move the request out of requested/waitlisted in one UPDATE, or refuse."""
    statement = (sa.update(TravelGrant)
                 .where(TravelGrant.id == grant.id, TravelGrant.status.in_(UNDECIDED),
                        TravelGrant.requested_by_id != actor.id, still_active(actor, SRSG_STAFF))
                 .values(decided_by_id=actor.id, decided_at=utcnow(),
                         version=TravelGrant.version + 1, **values)
                 .execution_options(synchronize_session=False))
    if db.session.execute(statement).rowcount != 1:
        require_still_srsg(actor)
        raise _already_decided(grant)
    db.session.expire(grant)


def approval_seen(grant: TravelGrant) -> str:
    """Who the approval's confirmation page says travels, and for how much, which its
    confirmation carries: a delegate renamed by the colleague who entered the request
    while the approver read it is not approved unseen (seen.require_unchanged)."""
    delegate, event = grant.delegate, grant.event
    return "-".join((fingerprint([(delegate.id, delegate.name, delegate.function, grant.country_code,
                                   grant.event_id, str(grant.total))]),
                     fingerprint([(event.city, event.start_on.isoformat(), event.end_on.isoformat())])))


def approve_grant(actor, grant: TravelGrant, pool_id: int | None = None, *, seen: str | None = None
                  ) -> TravelGrant:
    """Approve a request and commit its total from a pool (the approver's choice, or
    Objective 1, then un-earmarked). Refused for the user who entered it, for a
    request already decided, and above the event's cap of funded delegates per
    country. When no pool can pay, the request is waitlisted instead (funds short);
    a waitlisted request that still cannot be paid is refused and stays waitlisted.
    No approval once the fund's operations are closed: requests still waiting are
    then rejected or cancelled. `seen` (the page's approval_seen; the confirmation
    always carries one): refused when the request now says another delegate."""
    _check_decider(actor, grant, "pool_id")
    require_operations_open("pool_id")
    if pool_id:
        candidates = [travel_pool(pool_id).id]
    else:
        candidates = default_pool_ids()
        if not candidates:
            raise DomainError(_("The fund has no pool to pay from."), field="pool_id")
    before = snapshot(grant)
    # 1. Claim: the first statement of the transaction, and the only way in.
    _claim(actor, grant, status=APPROVED, pool_id=candidates[0],
           committed_amount=TravelGrant.total, decision_reason="", waitlisted_pool_ids=None)
    # 2. Serialize the cap check per event (on SQLite the claim took the write lock).
    hold_event(grant.event_id, write_lock_held=True)
    event = db.session.get(Event, grant.event_id)
    # The country may have been corrected since the request was entered.
    check_still_eligible(grant, event)
    # Not funded twice for the same days: the delegate held while its trips are looked at
    # (two approvers of two overlapping requests for two events at once: one is told).
    hold_row(db.session, Delegate, grant.delegate_id, write_lock_held=True)
    if seen is not None:
        db.session.refresh(grant.delegate)
        db.session.refresh(event)
        now = approval_seen(grant)
        if seen.partition("-")[0] != now.partition("-")[0]:
            require_unchanged(None, now, _(
                "The delegate's details changed since you read this request (it now says %(name)s): read it "
                "again before approving it.", name=grant.delegate.name))
        # The event's city and dates too: moved meanwhile by one person (nothing was approved
        # yet), the approval would fund a trip the page never showed (a colleague's review).
        require_unchanged(seen, now, _(
            "The event changed since you read this request (it is now in %(city)s, %(start)s to %(end)s): "
            "read it again before approving it.", city=event.city, start=fmt_date(event.start_on),
            end=fmt_date(event.end_on)))
    other = overlapping_trip(grant.delegate_id, grant.travel_from, grant.travel_to, FUNDED,
                             other_than=grant.id)
    if other is not None:
        raise overlap_refusal(grant.delegate, other, funded=True)
    # 3. The per-country cap, counting this grant.
    funded = db.session.scalar(sa.select(sa.func.count()).select_from(TravelGrant).where(
        TravelGrant.event_id == grant.event_id, TravelGrant.country_code == grant.country_code,
        TravelGrant.status.in_(FUNDED)))
    if funded > event.max_per_country:
        raise DomainError(ngettext("%(country)s already has %(count)s funded delegate for this event, "
                                   "the most allowed: this request cannot be approved.",
                                   "%(country)s already has %(count)s funded delegates for this event, "
                                   "the most allowed: this request cannot be approved.",
                                   funded - 1, country=grant.country.local_name, count=number(funded - 1)))
    # 4. The money: one guarded UPDATE per pool tried.
    total = grant.total
    for candidate in candidates:
        try:
            move(candidate, available=-total, committed=total)
        except InsufficientFunds:
            continue
        if candidate != grant.pool_id:
            db.session.execute(sa.update(TravelGrant).where(TravelGrant.id == grant.id)
                               .values(pool_id=candidate)
                               .execution_options(synchronize_session=False))
            db.session.expire(grant)
        record(actor, "grant.approve", grant, before=before)
        tell_requester(actor, grant, "approved")
        return grant
    if before.get("status") == WAITLISTED:
        raise DomainError(_("The pool still does not have %(amount)s available: the request "
                            "stays waitlisted.", amount=money(total)), field="pool_id")
    short_pools = [db.session.get(Pool, pid) for pid in candidates]
    # The pools that lacked it, by id: each reader reads why in their language
    # (queries.decision_note), not in the approver's.
    db.session.execute(sa.update(TravelGrant).where(TravelGrant.id == grant.id).values(
        status=WAITLISTED, pool_id=None, committed_amount=0, decision_reason="",
        waitlisted_pool_ids=",".join(str(pid) for pid in candidates))
        .execution_options(synchronize_session=False))
    db.session.expire(grant)
    record(actor, "grant.waitlist", grant, before=before, note="funds short")
    tell_requester(actor, grant, "waitlisted", short_of=(total, short_pools))
    return grant


def reject_grant(actor, grant: TravelGrant, reason: str) -> TravelGrant:
    """Reject a request (requested or waitlisted), with a reason."""
    _check_decider(actor, grant, "reason")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the request is rejected."), field="reason")
    before = snapshot(grant)
    _claim(actor, grant, status=REJECTED, decision_reason=reason, pool_id=None, committed_amount=0,
           waitlisted_pool_ids=None)
    record(actor, "grant.reject", grant, before=before)
    tell_requester(actor, grant, "rejected")
    return grant


def waitlist_grant(actor, grant: TravelGrant, reason: str = "") -> TravelGrant:
    """Put a request on the waitlist (it stays in the review queue)."""
    _check_decider(actor, grant, "reason")
    before = snapshot(grant)
    statement = (sa.update(TravelGrant)
                 .where(TravelGrant.id == grant.id, TravelGrant.status == REQUESTED,
                        TravelGrant.requested_by_id != actor.id, still_active(actor, SRSG_STAFF))
                 .values(status=WAITLISTED, decided_by_id=actor.id, decided_at=utcnow(),
                         decision_reason=(reason or "").strip(), waitlisted_pool_ids=None,
                         version=TravelGrant.version + 1)
                 .execution_options(synchronize_session=False))
    if db.session.execute(statement).rowcount != 1:
        require_still_srsg(actor)
        raise _already_decided(grant)
    db.session.expire(grant)
    record(actor, "grant.waitlist", grant, before=before)
    tell_requester(actor, grant, "waitlisted")
    return grant
