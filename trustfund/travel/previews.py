"""What a decision on a grant will do, said before it is done (confirmation.py):
the same checks as the services, in the same words, and the amounts that will
move, from the figures as they are now. Nothing here writes."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import clock
from ..admin.models import OVERRUN_TOLERANCE, TERMINAL_EXPENSES, setting_on
from ..confirmation import Summary
from ..contributions.models import Pool
from ..contributions.previews import available_after
from ..errors import DomainError
from ..extensions import db
from ..formatting import date, money, number
from ..fund.status import require_operations_open
from . import corrections, rules
from .decisions import (
    UNDECIDED,
    _already_decided,
    _check_decider,
    default_pool_ids,
    travel_pool,
)
from .models import (
    APPROVED,
    FUNDED,
    NO_SHOW,
    OVERRUN_PENDING,
    REQUESTED,
    TRAVELLED,
    WAITLISTED,
    TravelGrant,
)
from .overruns import _check_decider as _check_overrun_decider
from .reconcile import check_can_cancel, check_can_close, settlement
from .services import check_still_eligible, require_srsg, trip_costs


def grant_facts(grant: TravelGrant) -> list[tuple[str, str]]:
    """Who travels where: the facts every decision on a grant shows first."""
    delegate = grant.delegate.name + (f", {grant.delegate.function}" if grant.delegate.function else "")
    country = grant.country.local_name + (f" ({_('LDC')})" if grant.ldc else "")
    event = _("%(title)s, %(city)s, from %(date)s", title=grant.event.local_title, city=grant.event.city,
              date=date(grant.event.start_on))
    return [(_("Travel grant"), f"#{grant.id}"), (_("Delegate"), delegate), (_("State represented"), country),
            (_("Event"), event)]


def _reason(reason: str | None, message: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(message, field="reason")
    return text


def figures_since_moved(grant: TravelGrant) -> list[str]:
    """What a waiting request counts that its event no longer gives, in words (its
    figures were not changed by hand, with a reason): the DSA days its trip gets from
    the event's dates as they now are, the terminal expenses in force on the event's
    first day as it now is (an event moved or lengthened since the request was
    entered). The approver commits what was requested and seen; the page and the
    approval's confirmation say it (a colleague's review of a conference week)."""
    if grant.status not in (REQUESTED, WAITLISTED) or grant.override_reason:
        return []
    event, lines = grant.event, []
    days = rules.default_dsa_days(event.start_on, event.end_on, grant.travel_from, grant.travel_to)
    if days != grant.dsa_days:
        lines.append(ngettext(
            "This request counts %(num)d DSA day; the event's dates now give %(now)s. Approving commits the "
            "request's own total, %(total)s: to count them anew, reject or withdraw it and enter a new "
            "request.",
            "This request counts %(num)d DSA days; the event's dates now give %(now)s. Approving commits the "
            "request's own total, %(total)s: to count them anew, reject or withdraw it and enter a new "
            "request.",
            grant.dsa_days, now=number(days), total=money(grant.total)))
    terminal = setting_on(TERMINAL_EXPENSES, event.start_on)
    if terminal != grant.terminal_expenses:
        lines.append(_("This request counts terminal expenses of %(amount)s; on the event's first day, as it "
                       "now is, they are %(now)s. Approving commits the request's own total, %(total)s: to "
                       "count them anew, reject or withdraw it and enter a new request.",
                       amount=money(grant.terminal_expenses), now=money(terminal), total=money(grant.total)))
    return lines


def rated_before_correction(grant: TravelGrant) -> str:
    """A waiting request rated at a DSA rate the event's has been corrected from: the
    approver commits what was requested and seen, never an amount changed since."""
    return _("This request was rated at %(rate)s a day; the event's DSA rate is now %(now)s. Approving "
             "commits the request's own total, %(total)s: to rate it anew, reject or withdraw it and enter a "
             "new request.", rate=money(grant.dsa_rate), now=money(grant.event.dsa_rate),
             total=money(grant.total))


def approval(actor, grant: TravelGrant, pool_id: int | None) -> Summary:
    """Approving commits the grant's total from the chosen pool (or Objective 1, then
    un-earmarked); when no pool can pay, a request is waitlisted instead. Refused here
    already once the fund's operations are closed (decisions.approve_grant's rule), not
    after the approver read a confirmation saying it commits the money."""
    _check_decider(actor, grant, "pool_id")
    require_operations_open("pool_id")
    if grant.status not in UNDECIDED:
        raise _already_decided(grant)
    funded = db.session.scalar(sa.select(sa.func.count()).select_from(TravelGrant).where(
        TravelGrant.event_id == grant.event_id, TravelGrant.country_code == grant.country_code,
        TravelGrant.status.in_(FUNDED), TravelGrant.id != grant.id))
    if funded >= grant.event.max_per_country:
        raise DomainError(ngettext("%(country)s already has %(count)s funded delegate for this event, "
                                   "the most allowed: this request cannot be approved.",
                                   "%(country)s already has %(count)s funded delegates for this event, "
                                   "the most allowed: this request cannot be approved.",
                                   funded, country=grant.country.local_name, count=number(funded)))
    check_still_eligible(grant, grant.event)
    if pool_id:
        candidates = [travel_pool(pool_id)]
    else:
        candidates = [db.session.get(Pool, pid) for pid in default_pool_ids()]
        if not candidates:
            raise DomainError(_("The fund has no pool to pay from."), field="pool_id")
    total = grant.total
    summary = Summary(_("Approve the travel grant"), grant_facts(grant) + [(_("Total"), money(total))])
    if grant.rated_before_correction:
        summary.lines.append(rated_before_correction(grant))
    summary.lines += figures_since_moved(grant)
    paying = next((pool for pool in candidates if pool.available >= total), None)
    if paying is not None:
        summary.facts.append((_("Pay from pool"), paying.short_name))
        summary.lines += [_("%(amount)s will be committed to this trip from the %(pool)s pool.",
                            amount=money(total),
                            pool=paying.sentence_name), available_after(paying, -total)]
        summary.button = _("Approve %(amount)s", amount=money(total))
        return summary
    if grant.status == WAITLISTED:
        raise DomainError(_("The pool still does not have %(amount)s available: the request "
                            "stays waitlisted.", amount=money(total)), field="pool_id")
    if len(candidates) == 1:
        summary.warning = _("The %(pool)s pool cannot pay %(amount)s now: confirming puts the request "
                            "on the waitlist (funds short) instead of approving it.",
                            pool=candidates[0].sentence_name, amount=money(total))
    else:  # default_pool_ids: the Objective 1 pool, then the un-earmarked pool
        summary.warning = _("Neither the %(first)s pool nor the %(second)s pool can pay %(amount)s now: "
                            "confirming puts the request on the waitlist (funds short) instead of "
                            "approving it.", first=candidates[0].sentence_name,
                            second=candidates[-1].sentence_name, amount=money(total))
    summary.button = _("Waitlist the request")
    return summary


def rejection(actor, grant: TravelGrant, reason: str) -> Summary:
    _check_decider(actor, grant, "reason")
    if grant.status not in UNDECIDED:
        raise _already_decided(grant)
    reason = _reason(reason, _("Say why the request is rejected."))
    summary = Summary(_("Reject the request"), grant_facts(grant) + [(_("Total"), money(grant.total)),
                                                                    (_("Reason"), reason)])
    summary.lines.append(_("The request is rejected with this reason and leaves the review queue; "
                           "no money is committed to it."))
    return summary


def _pending_overrun(actor, grant: TravelGrant) -> None:
    _check_overrun_decider(actor, grant)
    if grant.overrun_status is None:
        raise DomainError(_("This grant has no overrun to decide on."))
    if grant.overrun_status != OVERRUN_PENDING:
        raise DomainError(_("This overrun has already been decided (it is %(status)s).",
                            status=grant.overrun_in_words))


def _overrun_facts(grant: TravelGrant) -> list[tuple[str, str]]:
    return grant_facts(grant) + [(_("Committed"), money(grant.committed_amount)),
                                 (_("Actual costs"), money(grant.actual_costs)),
                                 (_("Overrun"), money(grant.overrun_amount)),
                                 (_("Recorded by"), grant.overrun_recorded_by.shown_name)]


def overrun_approval(actor, grant: TravelGrant) -> Summary:
    _pending_overrun(actor, grant)
    amount, pool = grant.overrun_amount, grant.pool
    if pool.available < amount:
        raise DomainError(_("The %(pool)s pool has only %(available)s available, less than the overrun of "
                            "%(amount)s. The overrun stays awaiting approval until the pool has the money: a "
                            "transfer into it (proposed by an administrator, confirmed by another) or a "
                            "deposit (recorded by the MPTF Office).",
                            pool=pool.sentence_name, available=money(pool.available), amount=money(amount)))
    summary = Summary(_("Approve the overrun"), _overrun_facts(grant))
    summary.lines += [_("The overrun of %(amount)s is paid from the %(pool)s pool: the trip costs %(total)s "
                        "in all.", amount=money(amount), pool=pool.sentence_name,
                        total=money(grant.actual_total + amount)), available_after(pool, -amount)]
    return summary


def overrun_rejection(actor, grant: TravelGrant, reason: str) -> Summary:
    _pending_overrun(actor, grant)
    reason = _reason(reason, _("Say why the overrun is rejected."))
    summary = Summary(_("Reject the overrun"), _overrun_facts(grant) + [(_("Reason"), reason)])
    summary.lines.append(_("The overrun of %(amount)s is not paid: the grant stays at the %(committed)s "
                           "committed, which the pool has paid.", amount=money(grant.overrun_amount),
                           committed=money(grant.actual_total)))
    return summary


def cancellation(actor, grant: TravelGrant, reason: str) -> Summary:
    require_srsg(actor)
    check_can_cancel(grant)
    reason = _reason(reason, _("Say why the grant is cancelled."))
    summary = Summary(_("Cancel the grant"), grant_facts(grant) + [(_("Reason"), reason)])
    if grant.status == APPROVED:
        held = grant.committed_amount
        summary.lines += [_("The grant is cancelled: the whole amount committed, %(amount)s, returns to the "
                            "%(pool)s pool.", amount=money(held), pool=grant.pool.sentence_name),
                          available_after(grant.pool, held)]
    else:
        summary.lines.append(_("The request is withdrawn; no money was committed for it."))
    return summary


def closing(actor, grant: TravelGrant, outcome: str, *, ticket, dsa, terminal, reason: str = "") -> Summary:
    """Recording the actual costs (a trip or a no-show): what the pool pays, what
    returns to it, and an overrun's fate, as reconcile._record_costs will settle it."""
    require_srsg(actor)
    check_can_close(grant, outcome)
    actuals = list(trip_costs(ticket, dsa, terminal).values())
    costs = sum(actuals, Decimal("0.00"))
    if outcome == TRAVELLED and costs == 0:
        raise DomainError(_("A trip that took place has costs: enter them."), field="actual_ticket")
    committed, pool = grant.committed_amount, grant.pool
    settled, short = settlement(grant, costs, setting_on(OVERRUN_TOLERANCE, clock.today()))
    title = _("The delegate travelled: actual costs") if outcome == TRAVELLED else \
        _("No-show: costs actually incurred")
    summary = Summary(title, grant_facts(grant) + [
        (_("Committed"), money(committed)), (_("Actual airfare (USD)"), money(actuals[0])),
        (_("DSA paid (USD)"), money(actuals[1])), (_("Terminal expenses paid (USD)"), money(actuals[2])),
        (_("Actual costs"), money(costs))] + ([(_("Note"), reason.strip())] if reason.strip() else []))
    change = committed - settled.paid
    if settled.overrun_status is None:
        summary.lines.append(_("%(spent)s is spent from the %(pool)s pool and %(returned)s returns to it.",
                               spent=money(settled.paid), pool=pool.sentence_name, returned=money(change))
                             if change else
                             _("%(spent)s is spent from the %(pool)s pool, the whole amount committed.",
                               spent=money(settled.paid), pool=pool.sentence_name))
    elif settled.overrun_status == "approved":
        summary.lines.append(_("The costs exceed the amount committed by %(overrun)s, within the tolerance: "
                               "%(spent)s is spent from the %(pool)s pool at once.",
                               overrun=money(settled.overrun), spent=money(settled.paid),
                               pool=pool.sentence_name))
    elif short:
        summary.lines.append(_("The costs exceed the amount committed by %(overrun)s, within the tolerance, "
                               "but the %(pool)s pool has only %(available)s available: it pays the "
                               "%(committed)s committed, and the overrun waits for another SRSG staff "
                               "member's approval once the pool can pay it.",
                               overrun=money(settled.overrun), pool=pool.sentence_name,
                               available=money(pool.available), committed=money(committed)))
    else:
        summary.lines.append(_("The costs exceed the amount committed by %(overrun)s: the %(pool)s pool pays "
                               "the %(committed)s committed, and the overrun waits for another SRSG staff "
                               "member's approval.", overrun=money(settled.overrun), pool=pool.sentence_name,
                               committed=money(committed)))
    summary.lines.append(available_after(pool, change))
    if outcome == NO_SHOW:
        summary.lines.insert(0, _("The delegate did not attend: the grant is closed as a no-show."))
    return summary


def cost_correction(actor, grant: TravelGrant, *, ticket, dsa, terminal, reason: str) -> Summary:
    """Proposing a correction of a closed trip's costs: the costs recorded and the
    corrected ones, and what the pool will spend once another SRSG staff member
    confirms it (corrections.py; refused as its proposal is refused)."""
    require_srsg(actor)
    values = trip_costs(ticket, dsa, terminal)
    reason = corrections.correction_refusals(grant, values, reason)
    costs = sum(values.values(), Decimal("0.00"))
    pool, before = grant.pool, grant.actual_total
    paid = corrections.paid_for(grant, costs)
    change = paid - before
    summary = Summary(_("Correct the actual costs"), grant_facts(grant) + [
        (_("Actual airfare (USD)"), _("%(before)s, corrected to %(after)s", before=money(grant.actual_ticket),
                                      after=money(values["actual_ticket"]))),
        (_("DSA paid (USD)"), _("%(before)s, corrected to %(after)s", before=money(grant.actual_dsa),
                                after=money(values["actual_dsa"]))),
        (_("Terminal expenses paid (USD)"), _("%(before)s, corrected to %(after)s",
                                              before=money(grant.actual_terminal),
                                              after=money(values["actual_terminal"]))),
        (_("Actual costs"), _("%(before)s, corrected to %(after)s", before=money(grant.actual_costs),
                              after=money(costs))),
        (_("Reason"), reason)])
    if change < 0:
        summary.lines.append(_("Once confirmed, the trip costs the fund %(paid)s instead of %(before)s: "
                               "%(returned)s returns to the %(pool)s pool.", paid=money(paid),
                               before=money(before), returned=money(-change), pool=pool.sentence_name))
    elif change > 0:
        summary.lines.append(_("Once confirmed, the trip costs the fund %(paid)s instead of %(before)s: "
                               "%(extra)s more is spent from the %(pool)s pool.", paid=money(paid),
                               before=money(before), extra=money(change), pool=pool.sentence_name))
    elif costs > paid:
        summary.lines.append(_("What the trip costs the fund does not change (%(paid)s): its overrun was "
                               "rejected, and the fund pays no more than the %(committed)s committed.",
                               paid=money(paid), committed=money(grant.committed_amount)))
    else:
        summary.lines.append(_("What the trip costs the fund does not change (%(paid)s).", paid=money(paid)))
    above = paid - corrections.agreed(grant)
    if above > 0:
        summary.warning = _("That is %(above)s more than the fund agreed to pay for this trip (its "
                            "commitment and any approved overrun): the SRSG staff member who confirms the "
                            "correction approves paying it.", above=money(above))
    summary.lines.append(available_after(pool, -change))
    summary.lines.append(_("Nothing changes until another SRSG staff member confirms the correction; it is "
                           "then dated the day it is confirmed, and earlier periods keep their figures."))
    return summary
