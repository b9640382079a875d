"""The audit trail in words (trustfund/audit_text.py): events, delegates and travel grants."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from .. import localized
from ..audit_text import EMPTY, Book, Field, Target, Told
from ..countries.models import Country, localized_country_name
from ..extensions import db
from ..formatting import money
from .models import (
    APPROVED,
    EVENT_KINDS,
    GRANT_STATUSES,
    OVERRUN_PENDING,
    OVERRUN_STATUSES,
    Delegate,
    Event,
    TravelGrant,
)

# The note approve_grant records when no pool could pay and the request went to the waitlist.
FUNDS_SHORT = "funds short"
# The note reconcile._record_costs records with an overrun paid at once: "within tolerance 50.00".
WITHIN_TOLERANCE = re.compile(r"within tolerance (\S+)")
# An overrun within the tolerance that its pool could not pay (reconcile.settlement).
UNPAID_WITHIN_TOLERANCE = re.compile(r"within tolerance (\S+); the pool could not pay it")


def _ids(keys: list[str]) -> list[int]:
    return [int(k) for k in keys if k.isdigit()]


def load_events(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(Event.id, Event.title, Event.title_translations)
                              .where(Event.id.in_(_ids(keys))))
    return {str(row.id): Target(localized.pick(row.title, row.title_translations), "travel.event",
                                {"event_id": row.id}) for row in rows}


def load_delegates(keys: list[str]) -> dict[str, Target]:
    # The country's UN name in English (Babel's would say "Myanmar (Burma)").
    rows = db.session.execute(sa.select(Delegate.id, Delegate.name, Delegate.country_code, Country.name)
                              .join(Country, Country.code == Delegate.country_code)
                              .where(Delegate.id.in_(_ids(keys))))
    return {str(row.id): Target(_("%(name)s (%(country)s)", name=row[1],
                                  country=localized_country_name(row[2], row[3])))
            for row in rows}


def load_grants(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(TravelGrant.id, Delegate.name)
                              .join(Delegate, TravelGrant.delegate_id == Delegate.id)
                              .where(TravelGrant.id.in_(_ids(keys))))
    return {str(row.id): Target(_("Travel grant %(id)s for %(delegate)s", id=row.id, delegate=row.name),
                                "travel.grant", {"grant_id": row.id}) for row in rows}


def _requested(e: Told) -> str:
    return _("Requested by %(user)s: %(total)s for %(delegate)s to attend %(event)s.", user=e.who,
             total=e.show("total"), delegate=e.show("delegate_id"), event=e.show("event_id"))


def _waitlisted(e: Told) -> str:
    if e.note == FUNDS_SHORT:
        e.note = ""
        return _("Waitlisted when %(user)s tried to approve it: no pool had %(amount)s available.",
                 user=e.who, amount=e.show("total"))
    e.note = e.note or (e.value("decision_reason") or "")
    return _("Waitlisted by %(user)s.", user=e.who)


def _rejected(e: Told) -> str:
    e.note = e.note or (e.value("decision_reason") or "")
    return _("Rejected by %(user)s.", user=e.who)


def _cancelled(e: Told) -> str:
    e.note = e.note or (e.value("decision_reason") or "")
    if e.value("status", "before") == APPROVED:
        return _("Cancelled by %(user)s: %(amount)s returned to the %(pool)s pool.", user=e.who,
                 amount=e.show("committed_amount", "before"), pool=e.in_sentence("pool_id", "before"))
    return _("Request withdrawn by %(user)s.", user=e.who)


def _usd(e: Told, text) -> str:
    try:
        return e.iso(money(Decimal(str(text)), "USD"))
    except (InvalidOperation, ValueError):
        return e.iso(EMPTY)


def _costs(e: Told) -> str:
    """The actual costs recorded: the ticket, DSA and terminal expenses. Not the actual
    total, which leaves out an overrun awaiting approval (the pool has not paid it)."""
    try:
        costs = sum((Decimal(str(e.value(key))) for key in ("actual_ticket", "actual_dsa",
                                                            "actual_terminal")), Decimal("0.00"))
    except (InvalidOperation, ValueError):
        return e.show("actual_total")
    return _usd(e, costs)


def _travelled(e: Told) -> str:
    return _("Trip recorded by %(user)s: actual costs %(actual)s against %(committed)s committed.",
             user=e.who, actual=_costs(e), committed=e.show("committed_amount", "before"))


def _no_show(e: Told) -> str:
    e.note = e.note or (e.value("decision_reason") or "")
    return _("No-show recorded by %(user)s: non-recoverable costs %(actual)s against %(committed)s "
             "committed.",
             user=e.who, actual=_costs(e), committed=e.show("committed_amount", "before"))


def _overrun_recorded(e: Told) -> str:
    values = {"user": e.who, "amount": e.show("overrun_amount")}
    if e.value("overrun_status") == OVERRUN_PENDING:
        unpaid = UNPAID_WITHIN_TOLERANCE.fullmatch(e.note)
        if unpaid:  # said by the sentence, in the reader's language
            e.note = ""
            return _("Overrun of %(amount)s recorded by %(user)s, within the tolerance of %(tolerance)s but "
                     "more than the %(pool)s pool had available: awaiting a second approval.",
                     pool=e.in_sentence("pool_id"), tolerance=_usd(e, unpaid.group(1)), **values)
        return _("Overrun of %(amount)s recorded by %(user)s, awaiting a second approval.", **values)
    within = WITHIN_TOLERANCE.fullmatch(e.note)
    if within:  # said by the sentence, in the reader's language
        e.note = ""
    return _("Overrun of %(amount)s recorded by %(user)s and paid at once from the %(pool)s pool: within the "
             "tolerance of %(tolerance)s.", pool=e.in_sentence("pool_id"),
             tolerance=_usd(e, within.group(1) if within else None), **values)


def _overrun_rejected(e: Told) -> str:
    e.note = e.note or (e.value("overrun_reason") or "")
    return _("Overrun of %(amount)s rejected by %(user)s: the grant stays at the %(committed)s committed.",
             user=e.who, amount=e.show("overrun_amount"), committed=e.show("committed_amount"))


def _correction_proposed(e: Told) -> str:
    return _("Correction of the actual costs proposed by %(user)s: airfare %(ticket)s, DSA %(dsa)s, terminal "
             "expenses %(terminal)s; it waits for a second SRSG staff member.", user=e.who,
             ticket=e.show("actual_ticket"), dsa=e.show("actual_dsa"), terminal=e.show("actual_terminal"))


def _correction_confirmed(e: Told) -> str:
    if e.value("actual_total") == e.value("actual_total", "before"):
        return _("Actual costs corrected by %(user)s, confirming a colleague's proposal: what the trip costs "
                 "the fund does not change (%(after)s).", user=e.who, after=e.show("actual_total"))
    return _("Actual costs corrected by %(user)s, confirming a colleague's proposal: the trip costs the fund "
             "%(after)s instead of %(before)s, from the %(pool)s pool.", user=e.who,
             after=e.show("actual_total"), before=e.show("actual_total", "before"),
             pool=e.in_sentence("pool_id"))


def _rejudged(e: Told) -> str:
    if e.value("country_corrected"):  # not the event: its country's LDC periods or standing
        if e.value("ldc"):
            return _("Judged again when %(user)s corrected %(country)s: a least developed country on the "
                     "event's first day.", user=e.who, country=e.in_sentence("country_code"))
        return _("Judged again when %(user)s corrected %(country)s: no longer a least developed country on "
                 "the event's first day.", user=e.who, country=e.in_sentence("country_code"))
    if e.value("ldc"):
        return _("Judged again when %(user)s moved the event's first day: a least developed country "
                 "on the new first day.", user=e.who)
    return _("Judged again when %(user)s moved the event's first day: no longer a least developed "
             "country on the new first day.", user=e.who)


DECISION = ("status", "pool_id", "committed_amount", "decided_by_id", "decided_at", "decision_reason",
            "reconciled_by_id", "reconciled_at", "actual_total")
# An overrun's figures: told by the grant.overrun_record entry written with the trip's.
OVERRUN = ("overrun_amount", "overrun_status", "overrun_recorded_by_id", "overrun_decided_by_id",
           "overrun_reason")


def register(book: Book) -> None:
    book.reference("event", load_events)
    book.reference("delegate", load_delegates)
    book.reference("grant", load_grants)
    usd = {"kind": "money", "currency": "USD"}
    book.object("Event", _l("Event"), {
        "kind": Field(_l("Kind"), "choice", choices=EVENT_KINDS), "title": Field(_l("Title")),
        "title_translations": Field(_l("The title in other languages"),
                                    show=lambda value, _snapshot: localized.described(value)),
        "city": Field(_l("City")), "venue": Field(_l("Venue")),
        "start_on": Field(_l("First day"), "date"), "end_on": Field(_l("Last day"), "date"),
        "dsa_rate": Field(_l("DSA rate (USD per day)"), **usd),
        "max_per_country": Field(_l("Maximum number of funded delegates per country"), "int"),
        "dates_note": Field(_l("Note on the dates")),
    }, reference="event", hidden=("created_at",))
    book.object("Delegate", _l("Delegate"), {
        "name": Field(_l("Delegate's name")), "function": Field(_l("Function")),
        "country_code": Field(_l("State represented"), "ref", ref="country"),
        "email": Field(_l("Email")), "phone": Field(_l("Phone")),
    }, reference="delegate", hidden=("created_at",))
    book.object("TravelGrant", _l("Travel grant"), {
        "event_id": Field(_l("Event"), "ref", ref="event"),
        "delegate_id": Field(_l("Delegate"), "ref", ref="delegate"),
        "country_code": Field(_l("State represented"), "ref", ref="country"),
        "ldc": Field(_l("Least developed country on the first day of the event"), "bool"),
        "travel_from": Field(_l("Departure"), "date"), "travel_to": Field(_l("Return"), "date"),
        "origin_city": Field(_l("Travelling from (city)")),
        "airfare": Field(_l("Airfare (economy class)"), **usd),
        "dsa_days": Field(_l("DSA days"), "int"),
        "dsa_rate": Field(_l("DSA rate (USD per day)"), **usd),
        "dsa_amount": Field(_l("DSA amount (USD)"), **usd),
        "terminal_expenses": Field(_l("Terminal expenses"), **usd),
        "total": Field(_l("Total"), **usd),
        "override_reason": Field(_l("Reason for changing a computed figure")),
        "status": Field(_l("Status"), "choice", choices=GRANT_STATUSES),
        "pool_id": Field(_l("Pool"), "ref", ref="pool"),
        "committed_amount": Field(lazy_pgettext("travel grant", "Committed"), **usd),
        "actual_ticket": Field(_l("Actual airfare (USD)"), **usd),
        "actual_dsa": Field(_l("DSA paid (USD)"), **usd),
        "actual_terminal": Field(_l("Terminal expenses paid (USD)"), **usd),
        "actual_total": Field(_l("Actual total"), **usd),
        "decision_reason": Field(_l("Reason")),
        "decided_by_id": Field(_l("Decided by"), "ref", ref="user"),
        "reconciled_by_id": Field(_l("Closed by"), "ref", ref="user"),
        "overrun_amount": Field(_l("Overrun"), **usd),
        "overrun_status": Field(_l("Overrun status"), "choice", choices=OVERRUN_STATUSES),
        "overrun_recorded_by_id": Field(_l("Overrun recorded by"), "ref", ref="user"),
        "overrun_decided_by_id": Field(_l("Overrun decided by"), "ref", ref="user"),
        "overrun_reason": Field(_l("Reason for rejecting the overrun")),
    }, reference="grant",
        hidden=("requested_by_id", "requested_at", "decided_at", "reconciled_at", "overrun_decided_at"))

    book.action("event.create", _l("Event created"), "Event",
                lambda e: _("Created by %(user)s: %(kind)s in %(city)s, %(start)s to %(end)s.", user=e.who,
                            kind=e.show("kind"), city=e.show("city"), start=e.show("start_on"),
                            end=e.show("end_on")))
    book.action("event.update", _l("Event changed"), "Event", lambda e: _("Changed by %(user)s.", user=e.who))
    book.action("delegate.create", _l("Delegate added"), "Delegate",
                lambda e: _("Added by %(user)s.", user=e.who))
    book.action("delegate.update", _l("Delegate's details changed"), "Delegate",
                lambda e: _("Details changed by %(user)s.", user=e.who))
    book.action("delegate.rename_propose", _l("Change of the delegate's name proposed"), "Delegate",
                lambda e: _("Change of name from %(before)s to %(name)s proposed by %(user)s; it waits for a "
                            "second SRSG staff member.", before=e.show("name", "before"), name=e.show("name"),
                            user=e.who), changes=False)
    book.action("delegate.rename_confirm", _l("Delegate renamed"), "Delegate",
                lambda e: _("Renamed from %(before)s to %(name)s by %(user)s, confirming a colleague's "
                            "proposal.", before=e.show("name", "before"), name=e.show("name"), user=e.who),
                told=("name",))
    book.action("delegate.rename_refuse", _l("Change of the delegate's name refused"), "Delegate",
                lambda e: _("Change of name refused by %(user)s: the name stands.", user=e.who),
                changes=False)
    book.action("delegate.rename_withdraw", _l("Change of the delegate's name withdrawn"), "Delegate",
                lambda e: _("Change of name withdrawn by %(user)s: the name stands.", user=e.who),
                changes=False)
    book.action("grant.request", _l("Travel grant requested"), "TravelGrant", _requested)
    book.action("grant.approve", _l("Travel grant approved"), "TravelGrant",
                lambda e: _("Approved by %(user)s from the %(pool)s pool: %(amount)s.", user=e.who,
                            pool=e.in_sentence("pool_id"), amount=e.show("committed_amount")), told=DECISION)
    book.action("grant.waitlist", _l("Travel grant waitlisted"), "TravelGrant", _waitlisted, told=DECISION)
    book.action("grant.reject", _l("Travel grant rejected"), "TravelGrant", _rejected, told=DECISION)
    book.action("grant.travelled", _l("Trip recorded"), "TravelGrant", _travelled, told=DECISION + OVERRUN)
    book.action("grant.no_show", _l("No-show recorded"), "TravelGrant", _no_show, told=DECISION + OVERRUN)
    book.action("grant.overrun_record", _l("Overrun recorded"), "TravelGrant", _overrun_recorded)
    book.action("grant.overrun_approve", _l("Overrun approved"), "TravelGrant",
                lambda e: _("Overrun of %(amount)s approved by %(user)s and paid from the %(pool)s pool.",
                            user=e.who, amount=e.show("overrun_amount"), pool=e.in_sentence("pool_id")),
                told=("overrun_status", "overrun_decided_by_id"))
    book.action("grant.overrun_reject", _l("Overrun rejected"), "TravelGrant", _overrun_rejected,
                told=("overrun_status", "overrun_decided_by_id", "overrun_reason"))
    book.action("grant.cancel", _l("Travel grant cancelled"), "TravelGrant", _cancelled, told=DECISION)
    book.action("grant.costs_correction_propose", _l("Correction of the actual costs proposed"),
                "TravelGrant", _correction_proposed, changes=False)
    book.action("grant.costs_correction_confirm", _l("Actual costs corrected"), "TravelGrant",
                _correction_confirmed, told=("actual_total",))
    book.action("grant.costs_correction_refuse", _l("Correction of the actual costs refused"), "TravelGrant",
                lambda e: _("Correction of the actual costs refused by %(user)s: the recorded costs stand.",
                            user=e.who), changes=False)
    book.action("grant.costs_correction_withdraw", _l("Correction of the actual costs withdrawn"),
                "TravelGrant",
                lambda e: _("Correction of the actual costs withdrawn by %(user)s: the recorded costs stand.",
                            user=e.who), changes=False)
    book.action("grant.ldc_rejudged", _l("LDC status judged again"), "TravelGrant", _rejudged, told=("ldc",))
