"""Travel support operations: events, delegates and grant requests (DESIGN.md §5).

Each takes the acting user and plain data, changes rows, flushes, records the
audit entry and raises DomainError (with the form field it belongs to); none
commits. Approval and reconciliation are in decisions.py and reconcile.py.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from .. import clock, localized
from ..admin.models import TERMINAL_EXPENSES, setting_on
from ..audit import record, snapshot
from ..confirmation import each
from ..connections import hold_row
from ..countries.models import Country
from ..countries.services import after_change
from ..errors import DomainError, check_version
from ..extensions import db
from ..formatting import date as fmt_date
from ..formatting import money as fmt_money
from ..formatting import number as fmt_number
from ..fund.status import require_operations_open
from ..money import USD, MoneyError, amount_refusal, max_amount, parse_amount, parse_number, written
from ..permissions import SRSG_STAFF
from ..second_person import still_active
from ..validation import check_text, normalized_name
from . import rules
from .models import (
    APPROVED,
    EVENT_KINDS,
    FUNDED,
    NO_SHOW,
    OPEN_REQUEST,
    REQUESTED,
    TRAVELLED,
    WAITLISTED,
    Delegate,
    Event,
    TravelGrant,
)


def require_srsg(actor) -> None:
    """Travel operations are SRSG staff's work (DESIGN.md §2), whatever the caller."""
    if getattr(actor, "role", None) != SRSG_STAFF:
        raise DomainError(_("Only SRSG staff may do this."))


def require_still_srsg(actor) -> None:
    """After a decision's guarded UPDATE changed nothing: refuse it if `actor` is no
    longer an active SRSG staff member (a colleague deactivated the account or changed
    its role while the decision was on its way: second_person.still_active); the
    caller then says why else nothing changed."""
    if not db.session.scalar(sa.select(still_active(actor, SRSG_STAFF))):
        raise DomainError(_("Only an active SRSG staff member can do this."))


def stale_error() -> DomainError:
    return DomainError(_("Someone else changed this record while you were editing it. "
                         "Reload the page to see their change, then try again."))


def money_field(value, field: str, *, optional: bool = False) -> Decimal | None:
    """A USD amount from a form (text or Decimal), refused beside its field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if optional:
            return None
        raise DomainError(_("Enter an amount."), field=field)
    try:
        return parse_amount(value, USD)
    except MoneyError as error:
        raise DomainError(_money_message(error), field=field) from None


def _is_zero(value) -> bool:
    """Whether the user typed zero, in any spelling of their language ("0", "0,00",
    "0.000", "-0")."""
    try:
        return parse_number(str(value), "") == 0
    except MoneyError:
        return False


def cost_field(value, field: str) -> Decimal:
    """An actual cost: zero or more USD (a no-show may have cost nothing)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(_("Enter an amount (0 if nothing was paid)."), field=field)
    if _is_zero(value):
        return Decimal("0.00")
    return money_field(value, field)


COST_FIELDS = ("actual_ticket", "actual_dsa", "actual_terminal")


def trip_costs(ticket, dsa, terminal) -> dict[str, Decimal]:
    """A trip's actual costs as typed (the costs recorded, or their correction), by
    field: each checked (0 or more USD; every field in error refused at once, beside
    each), and their sum (costs_within_bound)."""
    values = each({name: (lambda value=value, name=name: cost_field(value, name))
                   for name, value in zip(COST_FIELDS, (ticket, dsa, terminal), strict=True)})
    costs_within_bound(values)
    return values


def costs_within_bound(values: dict[str, Decimal]) -> Decimal:
    """The sum of a trip's costs (by field), refused beside the largest when it is more
    than one amount can be (money.max_amount: a spreadsheet keeps 15 significant
    digits): each field stops below it, their sum did not, and an overrun of 16 digits
    was recorded and e-mailed (a colleague's review)."""
    total = sum(values.values(), Decimal("0.00"))
    if total >= max_amount(USD):
        raise DomainError(_("These amounts add up to %(total)s, more than one amount can be: check each "
                            "of them.", total=fmt_money(total)), field=max(values, key=values.get))
    return total


def _money_message(error: MoneyError) -> str:
    """The refusal of money.parse_amount, in the reader's language as it is, but for
    its example of a number: a travel amount's is USD 1,250.00."""
    text = str(error)
    if text == amount_refusal():
        return _("Enter a number such as %(example)s.", example=written("1250.00"))
    return text


# --- Events -------------------------------------------------------------------

def save_event(actor, event: Event | None, *, kind: str, title: str, city: str, venue: str,
               start_on: dt.date, end_on: dt.date, dsa_rate, max_per_country: int,
               dates_note: str = "", version: int | None = None,
               title_translations: dict | None = None) -> Event:
    """Create or change an event (its title in English, the other languages' in
    `title_translations`, an empty one standing for the English). A stale edit (the
    version the form was built from is no longer the event's) is refused; the cap per
    country may not fall below the delegates already funded; moving the start date
    re-judges the LDC priority of the requests still waiting (eligibility is as of the
    start date). No new event once the fund's operations are closed."""
    require_srsg(actor)
    if event is None:
        require_operations_open()
    if kind not in EVENT_KINDS:
        raise DomainError(_("Choose a kind of event."), field="kind")
    title, city, venue, dates_note = normalized_name(title), (city or "").strip(), \
        (venue or "").strip(), (dates_note or "").strip()
    if not title:
        raise DomainError(_("Enter a title."), field="title")
    if not city:
        raise DomainError(_("Enter the city."), field="city")
    if start_on is None:
        raise DomainError(_("Enter the first day."), field="start_on")
    if end_on is None:
        raise DomainError(_("Enter the last day."), field="end_on")
    if end_on < start_on:
        raise DomainError(_("The last day cannot be before the first day."), field="end_on")
    if (end_on - start_on).days > 60:
        raise DomainError(_("An event lasts at most 60 days."), field="end_on")
    rate = _dsa_rate(dsa_rate)
    if max_per_country is None or max_per_country < 1 or max_per_country > 50:
        raise DomainError(_("Enter a number from 1 to 50."), field="max_per_country")
    creating = event is None
    if not creating:
        check_version(event.version, version)
        # Approvals for the event wait until this change ends (they hold the event
        # too), and the funded delegates counted below include any approved before it.
        hold_event(event.id)
        _check_cap_not_below_funded(event, max_per_country)
        if (start_on, end_on) != (event.start_on, event.end_on):
            _check_trips_still_meet(event, start_on, end_on)
            _check_recorded_trips_started(event, start_on)
        if start_on != event.start_on:
            _check_funded_standing_kept(event, start_on)
        if _city_key(city) != _city_key(event.city):
            _check_city_of_funded_trips(event)
    before = None if creating else snapshot(event)
    if creating:
        event = Event()
        db.session.add(event)
    start_moved = not creating and event.start_on != start_on
    event.kind, event.title, event.city, event.venue = kind, title, city, venue
    event.title_translations = {language: normalized_name(text) for language, text
                                in localized.cleaned(title_translations).items()}
    event.start_on, event.end_on, event.dsa_rate = start_on, end_on, rate
    event.max_per_country, event.dates_note = max_per_country, dates_note
    if not creating and not db.session.is_modified(event):  # saved as shown: nothing to record
        return event
    db.session.flush()
    if start_moved:
        _rejudge_waiting_requests(actor, event)
    record(actor, "event.create" if creating else "event.update", event, before=before)
    return event


def _dsa_rate(value) -> Decimal:
    """The event's DSA rate: zero (no DSA paid), or more, USD."""
    if isinstance(value, str) and value.strip() and _is_zero(value):
        return Decimal("0.00")
    return money_field(value, "dsa_rate")


def _check_trips_still_meet(event: Event, start_on: dt.date, end_on: dt.date) -> None:
    """New dates for an event must still fit the trips of its requests and grants not
    yet travelled (waiting, waitlisted or approved): the travel dates the request rules allow
    (rules.travel_date_problems), and no more DSA days than the new default without
    the reason an override gives. Otherwise a request would be approved, and money
    committed, for a trip that no longer meets the event (found by a colleague's
    review); the SRSG staff reject or cancel such a request (and enter it again for the
    new dates) before the event moves. A trip recorded (travelled, no-show) is what was
    paid: it stays as it was, and the event's record may be corrected (a day called off
    after the event; it could not be, the message asking to cancel a closed trip)."""
    left_behind = [
        grant for grant in db.session.scalars(
            sa.select(TravelGrant).options(sa.orm.joinedload(TravelGrant.delegate))
            .where(TravelGrant.event_id == event.id,
                   TravelGrant.status.in_((REQUESTED, WAITLISTED, APPROVED)))
            .order_by(TravelGrant.id))
        if rules.travel_date_problems(start_on, end_on, grant.travel_from, grant.travel_to)
        or (grant.dsa_days > rules.default_dsa_days(start_on, end_on, grant.travel_from, grant.travel_to)
            and not grant.override_reason)]
    if not left_behind:
        return
    first = left_behind[0]
    field = "start_on" if start_on != event.start_on else "end_on"
    raise DomainError(ngettext(
        "%(num)d request for this event no longer fits these dates: %(delegate)s, travelling from "
        "%(from)s to %(to)s with %(days)s DSA days. Reject or cancel it (and enter it again for the new "
        "dates) before the event moves.",
        "%(num)d requests for this event no longer fit these dates, among them %(delegate)s, travelling "
        "from %(from)s to %(to)s with %(days)s DSA days. Reject or cancel them (and enter them again for "
        "the new dates) before the event moves.",
        len(left_behind), delegate=first.delegate.name, days=first.dsa_days,
        **{"from": fmt_date(first.travel_from), "to": fmt_date(first.travel_to)}), field=field)


def _check_recorded_trips_started(event: Event, start_on: dt.date) -> None:
    """An event whose trips or no-shows were recorded had started (they are recorded only
    then): its first day is not moved after today. Otherwise one SRSG staff member could
    move an event to today, record a trip (money spent) and move it back (a colleague's
    review)."""
    if start_on <= clock.today():
        return
    recorded = db.session.scalar(sa.select(sa.func.count()).select_from(TravelGrant).where(
        TravelGrant.event_id == event.id, TravelGrant.status.in_((TRAVELLED, NO_SHOW))))
    if recorded:
        raise DomainError(ngettext(
            "%(num)d trip to this event was recorded, so it has started: its first day cannot be after "
            "today.",
            "%(num)d trips to this event were recorded, so it has started: its first day cannot be after "
            "today.", recorded), field="start_on")


def _city_key(city: str | None) -> str:
    """A city's name as its spelling's corrections leave it: case, spacing and accents
    ("Montreal", "MONTRÉAL " and "Montréal" are one city)."""
    decomposed = unicodedata.normalize("NFKD", normalized_name(city or ""))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _check_city_of_funded_trips(event: Event) -> None:
    """An approved grant commits an airfare to the event's city and DSA at its rate; a
    trip recorded paid them: the event does not move to another city under them (one
    SRSG staff member moved an approved trip to Geneva to Marrakech, which nobody
    approved: a colleague's review). Its city's case, spacing and accents may be
    corrected (_city_key)."""
    approved, recorded = db.session.execute(
        sa.select(sa.func.count().filter(TravelGrant.status == APPROVED),
                  sa.func.count().filter(TravelGrant.status.in_((TRAVELLED, NO_SHOW))))
        .where(TravelGrant.event_id == event.id)).one()
    if recorded and not approved:
        raise DomainError(ngettext(
            "%(num)d trip to %(city)s was recorded for this event: it stays in %(city)s.",
            "%(num)d trips to %(city)s were recorded for this event: it stays in %(city)s.",
            recorded, city=event.city), field="city")
    funded = approved + recorded
    if funded:
        raise DomainError(ngettext(
            "Travel to %(city)s was approved for %(num)d delegate of this event: it stays in %(city)s. "
            "Cancel the approved grants not yet travelled (and request them again for the new city) "
            "before it moves.",
            "Travel to %(city)s was approved for %(num)d delegates of this event: it stays in %(city)s. "
            "Cancel the approved grants not yet travelled (and request them again for the new city) "
            "before it moves.", funded, city=event.city), field="city")


def _check_cap_not_below_funded(event: Event, max_per_country: int) -> None:
    worst = db.session.execute(
        sa.select(TravelGrant.country_code, sa.func.count())
        .where(TravelGrant.event_id == event.id, TravelGrant.status.in_(FUNDED))
        .group_by(TravelGrant.country_code).order_by(sa.func.count().desc()).limit(1)).first()
    if worst is not None and worst[1] > max_per_country:
        country = db.session.get(Country, worst[0])
        raise DomainError(ngettext("%(country)s already has %(count)s funded delegate for this event.",
                                   "%(country)s already has %(count)s funded delegates for this event.",
                                   worst[1], country=country.local_name, count=fmt_number(worst[1])),
                          field="max_per_country")


def _check_funded_standing_kept(event: Event, start_on: dt.date) -> None:
    """An event whose travel was approved (or recorded) keeps a first day on which each
    funded State stands as it stood when it was approved: still a developing country,
    and a least developed country exactly if it was one. Moved past Equatorial Guinea's
    graduation (4 June 2017), its approved grant still read "least developed country on
    the first day of the event" and the reports counted it so, while its waiting
    requests were judged again (a colleague's review). Cancel those grants first."""
    funded = db.session.execute(
        sa.select(TravelGrant.country_code, TravelGrant.ldc).distinct()
        .where(TravelGrant.event_id == event.id, TravelGrant.status.in_(FUNDED))).all()
    for country_code, ldc in funded:
        country = db.session.get(Country, country_code)
        judged = judge_country(country, start_on)
        day = fmt_date(start_on)
        if not judged.eligible:
            raise DomainError(_("%(country)s would not be a developing country on %(date)s, and travel from "
                                "it was approved for this event: its first day cannot move there.",
                                country=country.local_name, date=day), field="start_on")
        if judged.ldc and not ldc:
            raise DomainError(_("Travel from %(country)s was approved for this event when it was not a "
                                "least developed country on its first day, and it would be one on %(date)s: "
                                "the first day cannot move there.", country=country.local_name, date=day),
                              field="start_on")
        if ldc and not judged.ldc:
            raise DomainError(_("Travel from %(country)s was approved for this event as a least developed "
                                "country's on its first day, and it would not be one on %(date)s: the first "
                                "day cannot move there.", country=country.local_name, date=day),
                              field="start_on")


def _rejudge_waiting_requests(actor, event: Event) -> None:
    waiting = db.session.scalars(sa.select(TravelGrant).where(
        TravelGrant.event_id == event.id, TravelGrant.status.in_((REQUESTED, WAITLISTED)))).all()
    for grant in waiting:
        judged = judge_country(grant.country, event.start_on)
        if not judged.eligible:
            raise DomainError(_("%(country)s would no longer be a developing country on the new "
                                "first day, and a request from it is waiting: reject it first.",
                                country=grant.country.local_name), field="start_on")
        _set_ldc(actor, grant, judged.ldc)


def _set_ldc(actor, grant: TravelGrant, ldc: bool, *, country_corrected: bool = False) -> None:
    """A waiting request's LDC standing judged again (its place in the review queues),
    after its event's first day moved, or its country was corrected (the trail says
    which)."""
    if grant.ldc != ldc:
        before = snapshot(grant)
        grant.ldc = ldc
        after = {**snapshot(grant), "country_corrected": True} if country_corrected else None
        record(actor, "grant.ldc_rejudged", grant, before=before, after=after)


# --- Eligibility ----------------------------------------------------------------

def judge_country(country: Country, on: dt.date) -> rules.Eligibility:
    periods = [(p.start_on, p.end_on) for p in country.ldc_periods]
    return rules.eligibility(country.developing, periods, on)


def check_eligible(country: Country, event: Event) -> rules.Eligibility:
    """Refuse a country that is not a developing country on the event's first day."""
    judged = judge_country(country, event.start_on)
    if not judged.eligible:
        raise DomainError(_("%(country)s is not a developing country on %(date)s, the first day "
                            "of this event: its delegates cannot receive travel support.",
                            country=country.local_name, date=fmt_date(event.start_on)),
                          field="country_code")
    return judged


def check_still_eligible(grant: TravelGrant, event: Event) -> None:
    """Refuse to fund a request whose country is no longer a developing country on the
    event's first day (the admin corrected the country after the request was entered)."""
    if not judge_country(grant.country, event.start_on).eligible:
        raise DomainError(_("%(country)s is not a developing country on %(date)s, the first day "
                            "of this event: this request cannot be approved. Reject it.",
                            country=grant.country.local_name, date=fmt_date(event.start_on)),
                          field="pool_id")


@after_change
def rejudge_country(actor, country: Country) -> None:
    """After the admin corrects a country (developing, LDC periods): its requests still
    waiting take the LDC standing of their event's first day, so that the review queues
    put them in their place. One no longer eligible stays waiting and cannot be approved
    (check_still_eligible): the SRSG staff reject it."""
    waiting = db.session.scalars(sa.select(TravelGrant).join(Event).where(
        TravelGrant.country_code == country.code, TravelGrant.status.in_((REQUESTED, WAITLISTED)))).all()
    for grant in waiting:
        judged = judge_country(country, grant.event.start_on)
        if judged.eligible:
            _set_ldc(actor, grant, judged.ldc, country_corrected=True)


# --- Delegates and grant requests ---------------------------------------------

def checked_delegate_name(name: str, field: str) -> str:
    """A delegate's name as typed, normalised (validation.normalized_name), or its
    refusal beside `field`."""
    name = normalized_name(check_text(name, field))
    if not name:
        raise DomainError(_("Enter the delegate's name."), field=field)
    if len(name) > 200:
        raise DomainError(_("The name is too long."), field=field)
    return name


def namesakes(country_code: str, name: str) -> list[int]:
    """The ids of the State's delegates of that name, whatever its case, oldest first:
    one person (a request reuses the first; a correction may not make a second).
    Compared in Python, not with SQL's lower(): SQLite's folds ASCII letters only, so
    "Élodie" would not find "ÉLODIE" there and a second delegate would be made."""
    key = name.casefold()
    return [delegate_id for delegate_id, other in db.session.execute(
        sa.select(Delegate.id, Delegate.name).where(Delegate.country_code == country_code)
        .order_by(Delegate.id)) if other.casefold() == key]


# The key of the transaction-level advisory lock that orders the look-up and creation
# of delegates (PostgreSQL); donors' names have theirs (donors.services).
DELEGATE_NAMES_LOCK = 7_340_002


def _one_new_delegate_at_a_time() -> None:
    """Delegates are looked up and created one transaction at a time: two SRSG staff
    members entering, at the same moment, the first requests of the same new delegate
    for two events (each request holds its own event only) made two delegates of one
    person, and neither request saw the other's trip on the same days (a colleague's
    review, PostgreSQL). PostgreSQL: an advisory lock held to the transaction's end, the
    look-up after it reading what the other committed; SQLite: the request already
    holds the database's one write lock (its event's hold)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(DELEGATE_NAMES_LOCK)))


def find_or_create_delegate(actor, *, name: str, function: str, country: Country,
                            email: str, phone: str) -> Delegate:
    """The delegate of that name and country (reused, contact details refreshed), or a
    new one."""
    name = checked_delegate_name(name, "delegate_name")
    _one_new_delegate_at_a_time()
    same = namesakes(country.code, name)
    delegate = db.session.get(Delegate, same[0]) if same else None
    changes = {"function": (function or "").strip(), "email": (email or "").strip(),
               "phone": (phone or "").strip()}
    if delegate is None:
        delegate = Delegate(name=name, country_code=country.code, **changes)
        db.session.add(delegate)
        record(actor, "delegate.create", delegate)
        return delegate
    changes = {k: v for k, v in changes.items() if v and v != getattr(delegate, k)}
    if changes:
        before = snapshot(delegate)
        for key, value in changes.items():
            setattr(delegate, key, value)
        record(actor, "delegate.update", delegate, before=before)
    return delegate


def overlapping_trip(delegate_id: int, travel_from: dt.date, travel_to: dt.date, statuses,
                     *, other_than: int | None = None, or_event: int | None = None) -> TravelGrant | None:
    """The delegate's first request or grant in `statuses` whose trip overlaps these days:
    they share a day, unless it is only one trip's return and the other's departure
    (leaving one event for the next); two trips leaving, or returning, on the same day
    overlap (two one-day trips of one day among them). With `or_event`, any of its
    requests for that event too, found first: one statement, so a request a colleague
    commits meanwhile is seen as what it is (a request for the same event), not found
    by a second look-up as a mere overlap."""
    meets = sa.or_(sa.and_(TravelGrant.travel_from < travel_to, TravelGrant.travel_to > travel_from),
                   TravelGrant.travel_from == travel_from, TravelGrant.travel_to == travel_to)
    order = [TravelGrant.id]
    if or_event is not None:
        meets = sa.or_(TravelGrant.event_id == or_event, meets)
        order.insert(0, sa.case((TravelGrant.event_id == or_event, 0), else_=1))
    query = (sa.select(TravelGrant).options(sa.orm.joinedload(TravelGrant.event))
             .where(TravelGrant.delegate_id == delegate_id, TravelGrant.status.in_(statuses), meets)
             .order_by(*order).limit(1))
    if other_than is not None:
        query = query.where(TravelGrant.id != other_than)
    return db.session.scalar(query)


def overlap_refusal(delegate: Delegate, other: TravelGrant, *, funded: bool) -> DomainError:
    """The refusal of a second trip on days of another one of the same delegate (a
    request, or a grant when `funded`): the same days would be paid twice (two
    airfares, two DSAs)."""
    values = {"delegate": delegate.name, "event": other.event.local_title,
              "from": fmt_date(other.travel_from), "to": fmt_date(other.travel_to)}
    if funded:
        return DomainError(_("%(delegate)s already has a grant for %(event)s, travelling from %(from)s "
                             "to %(to)s: a delegate's trips cannot overlap, or the same days would be paid "
                             "twice. If one journey serves both events, request it once.", **values),
                           field="travel_from")
    return DomainError(_("%(delegate)s already has a request for %(event)s, travelling from %(from)s to "
                         "%(to)s: a delegate's trips cannot overlap, or the same days would be paid twice. "
                         "If one journey serves both events, request it once.", **values),
                       field="travel_from")


def request_grant(actor, *, event_id: int, delegate_name: str, country_code: str,
                  travel_from: dt.date, travel_to: dt.date, origin_city: str, airfare,
                  delegate_function: str = "", email: str = "", phone: str = "",
                  dsa_days: int | None = None, dsa_amount=None, terminal_expenses=None,
                  total=None, override_reason: str = "") -> TravelGrant:
    """Enter a request for travel support. The country must be a developing country on
    the event's first day; an LDC on that day gives the request priority. DSA = days
    × the event's rate, terminal expenses = the setting in force on the first day,
    total = airfare + DSA + terminal; a figure changed by hand needs a reason. No new
    request once the fund's operations are closed."""
    require_srsg(actor)
    require_operations_open()
    event = db.session.get(Event, event_id) if event_id else None
    if event is None:
        raise DomainError(_("Choose an event."), field="event_id")
    country = db.session.get(Country, country_code) if country_code else None
    if country is None:
        raise DomainError(_("Choose the State the delegate represents."), field="country_code")
    # One request for the event at a time, and none while the event changes: the
    # event's first day judged here, and the look-ups of the delegate and of their
    # requests for the event below, see what a colleague committed meanwhile (two tabs,
    # two workers): a second request is refused, the same new delegate is not created
    # twice, and a request is judged on the event's first day as it now stands.
    hold_event(event.id)
    db.session.refresh(event)
    judged = check_eligible(country, event)
    if travel_from is None:
        raise DomainError(_("Enter the day of departure."), field="travel_from")
    if travel_to is None:
        raise DomainError(_("Enter the day of return."), field="travel_to")
    _check_travel_dates(event, travel_from, travel_to)
    origin_city = (origin_city or "").strip()
    if not origin_city:
        raise DomainError(_("Enter the city the delegate travels from."), field="origin_city")
    airfare_usd = money_field(airfare, "airfare")
    default_days = rules.default_dsa_days(event.start_on, event.end_on, travel_from, travel_to)
    days = default_days if dsa_days is None else dsa_days
    if days < 0 or days > rules.MAX_DSA_DAYS:
        raise DomainError(ngettext("Enter from 0 to %(count)s day.", "Enter from 0 to %(count)s days.",
                                   rules.MAX_DSA_DAYS, count=fmt_number(rules.MAX_DSA_DAYS)),
                          field="dsa_days")
    if days > (travel_to - travel_from).days + 1:
        raise DomainError(_("More DSA days than days of travel."), field="dsa_days")
    figures = rules.grant_figures(
        airfare=airfare_usd, dsa_days=days, default_days=default_days, dsa_rate=event.dsa_rate,
        terminal_setting=setting_on(TERMINAL_EXPENSES, event.start_on),
        dsa_override=_optional_amount(dsa_amount, "dsa_amount"),
        terminal_override=_optional_amount(terminal_expenses, "terminal_expenses"),
        total_override=money_field(total, "total", optional=True))
    costs_within_bound({"total": figures.total})
    reason = (override_reason or "").strip()
    if figures.needs_reason and not reason:
        raise DomainError(_("You changed a computed figure: say why."), field="override_reason")
    if not figures.needs_reason:
        reason = ""
    delegate = find_or_create_delegate(actor, name=delegate_name, function=delegate_function,
                                       country=country, email=email, phone=phone)
    if delegate.id is not None:
        # Held while its requests are looked at: a request for another event at the same
        # moment is seen below (the event's hold covers this event's only).
        hold_row(db.session, Delegate, delegate.id)
    if delegate.id is not None:
        other = overlapping_trip(delegate.id, travel_from, travel_to, OPEN_REQUEST, or_event=event.id)
        if other is not None and other.event_id == event.id:
            raise DomainError(_("This delegate already has a request for this event."),
                              field="delegate_name")
        if other is not None:
            raise overlap_refusal(delegate, other, funded=False)
    grant = TravelGrant(
        event_id=event.id, delegate=delegate, country_code=country.code, ldc=judged.ldc,
        travel_from=travel_from, travel_to=travel_to, origin_city=origin_city,
        airfare=airfare_usd, dsa_days=figures.dsa_days, dsa_rate=figures.dsa_rate,
        dsa_amount=figures.dsa_amount, terminal_expenses=figures.terminal_expenses,
        total=figures.total, override_reason=reason, status=REQUESTED,
        committed_amount=Decimal("0.00"), requested_by_id=actor.id)
    db.session.add(grant)
    try:
        db.session.flush()
    except IntegrityError as error:
        if "uq_travel_grant_open_request" in str(error.orig) or \
                "travel_grant.event_id, travel_grant.delegate_id" in str(error.orig):
            # Entered at the same moment as another request for this delegate and
            # event, which the look-up above could not see yet (the database's index).
            raise DomainError(_("This delegate already has a request for this event."),
                              field="delegate_name") from None
        raise
    record(actor, "grant.request", grant)
    return grant


def hold_event(event_id: int, *, write_lock_held: bool = False) -> None:
    """Hold the event's row until this transaction ends (connections.hold_row):
    another transaction holding it (a request for the event, an approval) waits here
    until that one ends, and what this one reads next of the event's requests
    includes what it committed (`write_lock_held`: on SQLite, it has written)."""
    hold_row(db.session, Event, event_id, write_lock_held=write_lock_held)


def _optional_amount(value, field: str) -> Decimal | None:
    """A hand-entered DSA or terminal amount: empty means 'as computed'; 0 is allowed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return cost_field(value, field)


def _check_travel_dates(event: Event, travel_from: dt.date, travel_to: dt.date) -> None:
    problems = rules.travel_date_problems(event.start_on, event.end_on, travel_from, travel_to)
    days = rules.TRAVEL_WINDOW_DAYS
    for field in ("travel_from", "travel_to"):
        problem = problems.get(field)
        if problem == "order":
            message = _("The day of return cannot be before the day of departure.")
        elif problem == "too_early":
            message = ngettext("Departure can be at most %(count)s day before the event opens (%(date)s).",
                               "Departure can be at most %(count)s days before the event opens (%(date)s).",
                               days, count=fmt_number(days), date=fmt_date(event.start_on))
        elif problem == "too_late_start":
            message = _("Departure must be no later than the last day of the event (%(date)s).",
                        date=fmt_date(event.end_on))
        elif problem == "too_early_end":
            message = _("Return must be no earlier than the first day of the event (%(date)s).",
                        date=fmt_date(event.start_on))
        elif problem == "too_late":
            message = ngettext("Return can be at most %(count)s day after the event closes (%(date)s).",
                               "Return can be at most %(count)s days after the event closes (%(date)s).",
                               days, count=fmt_number(days), date=fmt_date(event.end_on))
        else:
            continue
        raise DomainError(message, field=field)


def preview_figures(event: Event, *, travel_from: dt.date | None, travel_to: dt.date | None,
                    airfare: Decimal | None, dsa_days: int | None) -> dict:
    """The computed figures the request form shows before saving."""
    default_days = rules.default_dsa_days(event.start_on, event.end_on, travel_from, travel_to)
    days = default_days if dsa_days is None else dsa_days
    dsa = rules.dsa_amount(days, event.dsa_rate)
    terminal = setting_on(TERMINAL_EXPENSES, event.start_on)
    total = (airfare or Decimal("0.00")) + dsa + terminal
    return {"default_days": default_days, "dsa_days": days, "dsa_rate": event.dsa_rate,
            "dsa_amount": dsa, "terminal_expenses": terminal.quantize(Decimal("0.01")),
            "total": total if airfare is not None else None}
