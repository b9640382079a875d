"""Demo data of travel support: the events of the concept note's workplan
(DESIGN.md §5) and delegates' requests in every state, made through the services
(SRSG staff member "srsg" enters, "srsg2" decides). Idempotent: an event or a
request already there is left alone. When the pools hold no money, approvals
become waitlisted requests and nothing is reconciled.

DSA rates are plausible 2017 UN rates for each city, in USD per day, for the demo
only; an SRSG staff member sets the real ones on each event.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, has_request_context

from ..extensions import db
from ..travel import corrections
from ..travel.decisions import approve_grant, reject_grant, waitlist_grant
from ..travel.models import APPROVED, CostCorrection, Delegate, Event, TravelGrant
from ..travel.overruns import approve_overrun
from ..travel.reconcile import cancel_grant, record_no_show, record_travel
from ..travel.services import request_grant
from .translations import EVENT_TITLES

D = dt.date
NOTE = "Dates subject to change (concept note workplan)"
GENEVA = ("Geneva", "Palais des Nations, United Nations Office at Geneva", Decimal("400.00"))
NEW_YORK = ("New York", "United Nations Headquarters", Decimal("400.00"))
VIENNA = ("Vienna", "Vienna International Centre, United Nations Office at Vienna", Decimal("300.00"))

# kind, title, (city, venue, DSA rate), first day, last day, note on the dates
EVENTS = [
    ("thematic_session", ("Human rights of all migrants, social inclusion, cohesion, and all forms of "
     "discrimination"), GENEVA, D(2017, 5, 8), D(2017, 5, 9), NOTE),
    ("thematic_session", ("Addressing drivers of migration, including adverse effects of climate change, "
     "natural disasters and human-made crises"), NEW_YORK, D(2017, 5, 22), D(2017, 5, 23), NOTE),
    ("thematic_session", "International cooperation and governance of migration in all its dimensions",
     GENEVA, D(2017, 6, 19), D(2017, 6, 20), NOTE),
    ("thematic_session", ("Contributions of migrants and diasporas to all dimensions of sustainable "
     "development, including remittances"), NEW_YORK, D(2017, 7, 24), D(2017, 7, 25), NOTE),
    ("thematic_session", "Smuggling of migrants, trafficking in persons and contemporary forms of slavery",
     VIENNA, D(2017, 9, 4), D(2017, 9, 5), NOTE),
    ("thematic_session", ("Irregular migration and regular pathways, including decent work, labour "
     "mobility and recognition of skills"), GENEVA, D(2017, 10, 2), D(2017, 10, 3), NOTE),
    ("regional_meeting", "ECLAC regional preparatory meeting",
     ("Santiago", "ECLAC headquarters", Decimal("260.00")), D(2017, 8, 30), D(2017, 8, 31),
     "August 2017; exact dates to be confirmed, subject to change"),
    ("regional_meeting", "ESCWA regional preparatory meeting",
     ("Beirut", "UN House, ESCWA", Decimal("280.00")), D(2017, 9, 26), D(2017, 9, 28), NOTE),
    ("regional_meeting", "ECA regional preparatory meeting",
     ("Addis Ababa", "United Nations Conference Centre, ECA", Decimal("210.00")),
     D(2017, 10, 19), D(2017, 10, 20), NOTE),
    ("regional_meeting", "ESCAP regional preparatory meeting",
     ("Bangkok", "United Nations Conference Centre, ESCAP", Decimal("230.00")),
     D(2017, 11, 6), D(2017, 11, 8), NOTE),
    ("hearing", "Multi-stakeholder hearing (full day)", NEW_YORK, D(2017, 7, 26), D(2017, 7, 26), NOTE),
    ("hearing", "Multi-stakeholder hearing (full day)", GENEVA, D(2017, 10, 4), D(2017, 10, 4),
     "To be confirmed; subject to change"),
    ("hearing", "Multi-stakeholder hearing (half day)", NEW_YORK, D(2017, 12, 18), D(2017, 12, 18), NOTE),
    ("stocktaking", "Stocktaking meeting",
     ("Puerto Vallarta", "Puerto Vallarta, Jalisco, Mexico", Decimal("250.00")),
     D(2017, 12, 4), D(2017, 12, 6), NOTE),
    ("conference", ("Intergovernmental Conference to adopt the Global Compact for Safe, Orderly and "
     "Regular Migration"), ("Marrakech", "Marrakech, Morocco", Decimal("240.00")),
     D(2018, 12, 10), D(2018, 12, 11), NOTE),
]

# The trip whose recorded costs the demo proposes to correct: (delegate, country).
CORRECTED = ("Adelina Mba Nsue", "GQ")

# event index, delegate, function, country, from, airfare, what becomes of it
REQUESTS = [
    (0, "Adelina Mba Nsue", "Director-General, Ministry of Foreign Affairs", "GQ", "Malabo", "1850.00",
     ("travelled", "1795.40", "1200.00", "100.00")),
    (0, "Jean-Pierre Kalsakau", "Counsellor, Ministry of Foreign Affairs", "VU", "Port Vila", "3420.00",
     ("travelled", "3420.00", "1200.00", "100.00")),
    (0, "Sita Gurung", "Under-Secretary, Ministry of Labour and Employment", "NP", "Kathmandu", "1380.00",
     ("no_show", "650.00", "0", "0")),
    (0, "María Fernanda Ortiz", "Second Secretary, Ministry of Foreign Affairs", "EC", "Quito", "1610.00",
     ("rejected", "The Permanent Mission in Geneva covers this session.")),
    (1, "Marie-Claude Jean-Baptiste", "Director, Office of Haitians Living Abroad", "HT", "Port-au-Prince",
     "540.00", ("travelled", "512.75", "1200.00", "100.00")),
    (1, "Rafiqul Islam", "Joint Secretary, Ministry of Expatriates' Welfare", "BD", "Dhaka", "1290.00",
     ("cancelled", "The delegate's government sent its mission staff instead.")),
    (1, "Maria Santos", "Undersecretary, Department of Labor and Employment", "PH", "Manila", "1460.00",
     ("approved",)),
    (2, "Aminata Diop", "Director of Senegalese Abroad", "SN", "Dakar", "980.00",
     ("travelled", "1010.30", "1200.00", "100.00")),
    (2, "Adelina Mba Nsue", "Director-General, Ministry of Foreign Affairs", "GQ", "Malabo", "1850.00",
     ("approved",)),
    (3, "Moussa Traoré", "Minister Counsellor, Ministry of Malians Abroad", "ML", "Bamako", "1320.00",
     ("approved",)),
    (4, "Issoufou Abdou", "Director of Migration, Ministry of the Interior", "NE", "Niamey", "1150.00",
     ("requested",)),
    (4, "Ana Lucía Pérez", "Director, Migration Policy Unit", "MX", "Mexico City", "980.00",
     ("waitlisted", "To be funded if money remains after the LDC requests.")),
    (5, "Adelina Mba Nsue", "Director-General, Ministry of Foreign Affairs", "GQ", "Malabo", "1850.00",
     ("requested",)),
    (5, "Tigist Alemu", "Director, Diaspora Engagement Affairs", "ET", "Addis Ababa", "910.00",
     ("requested",)),
    (5, "Nimal Perera", "Director, Foreign Employment Bureau", "LK", "Colombo", "1240.00",
     ("waitlisted", "")),
    (8, "Chikondi Banda", "Principal Secretary, Ministry of Homeland Security", "MW", "Lilongwe", "640.00",
     ("requested",)),
    (8, "Grace Nakato", "Commissioner for Citizenship and Immigration", "UG", "Kampala", "420.00",
     ("requested",)),
    (9, "Sokha Chea", "Deputy Director-General, Ministry of Labour", "KH", "Phnom Penh", "310.00",
     ("requested",)),
    (9, "Khin Maung Win", "Director, Department of Labour", "MM", "Yangon", "380.00", ("approved",)),
    (14, "Teuleala Manuella", "Secretary for Foreign Affairs", "TV", "Funafuti", "4250.00",
     ("requested",)),
    (14, "Said Ahmed", "Director of Migration", "KM", "Moroni", "1480.00", ("requested",)),
]


def seed_events(actor) -> list[Event]:
    from ..travel.services import save_event

    events = []
    for kind, title, (city, venue, rate), start, end, note in EVENTS:
        event = db.session.scalar(sa.select(Event).where(Event.title == title, Event.city == city))
        if event is None:
            event = save_event(actor, None, kind=kind, title=title, city=city, venue=venue,
                               start_on=start, end_on=end, dsa_rate=rate, max_per_country=1,
                               dates_note=note, title_translations=EVENT_TITLES.get(title))
        events.append(event)
    return events


def _existing(name: str, country: str, event: Event) -> TravelGrant | None:
    return db.session.scalar(sa.select(TravelGrant).join(Delegate).where(
        Delegate.name == name, Delegate.country_code == country, TravelGrant.event_id == event.id))


def seed(context: dict) -> None:
    # Messages and country names need a locale, which needs a request (the
    # seed-demo command has only an application context): use an English one.
    if has_request_context():
        _seed(context)
    else:
        with current_app.test_request_context(headers={"Accept-Language": "en"}):
            _seed(context)


def _seed(context: dict) -> None:
    users = context["users"]
    enters, decides = users["srsg"], users["srsg2"]
    events = seed_events(enters)
    for index, name, function, country, origin, airfare, outcome in REQUESTS:
        event = events[index]
        if _existing(name, country, event) is not None:
            continue
        grant = request_grant(
            enters, event_id=event.id, delegate_name=name, delegate_function=function,
            country_code=country, email=f"{name.split()[0].lower()}@example.org", phone="",
            travel_from=event.start_on - dt.timedelta(days=1), travel_to=event.end_on + dt.timedelta(days=1),
            origin_city=origin, airfare=airfare)
        _carry_out(grant, outcome, enters, decides)
        _date_the_story(grant)
    _propose_a_correction(enters, events[0])
    db.session.flush()


def _propose_a_correction(enters, event: Event) -> None:
    """A correction of a trip's recorded costs, proposed by srsg@ and waiting for srsg2@
    to confirm or refuse it on the grant's page (nothing changes until then). Once:
    whatever its answer, it is on record."""
    if db.session.scalar(sa.select(CostCorrection.id).limit(1)) is not None:
        return
    grant = _existing(*CORRECTED, event)
    if grant is None or grant.status != "travelled" or grant.actual_ticket is None:
        return
    corrections.propose(enters, grant, ticket=grant.actual_ticket - Decimal("93.25"), dsa=grant.actual_dsa,
                        terminal=grant.actual_terminal,
                        reason="The airline refunded the taxes of the unused return leg (credit note of "
                               "14 July 2017).")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def _date_the_story(grant: TravelGrant) -> None:
    """The request, the decision and the reconciliation on the story's dates, not
    today's (as the demo's reversal): requested six weeks before the event, decided a
    month before it, reconciled a week after it (cancelled a week before it), so that
    the spending of 2017's trips is 2017's, which the demo's closing of 2017 then fixes."""
    start, end = grant.event.start_on, grant.event.end_on
    grant.requested_at = _at(start - dt.timedelta(days=45), 9)
    if grant.decided_at is not None:
        grant.decided_at = _at(start - dt.timedelta(days=30), 11)
    if grant.reconciled_at is not None:
        day = start - dt.timedelta(days=7) if grant.status == "cancelled" else end + dt.timedelta(days=7)
        grant.reconciled_at = _at(day, 15)
        if grant.overrun_decided_at is not None:
            grant.overrun_decided_at = grant.reconciled_at


def _carry_out(grant: TravelGrant, outcome: tuple, enters, decides) -> None:
    what = outcome[0]
    if what == "requested":
        return
    if what == "rejected":
        reject_grant(decides, grant, outcome[1])
        return
    if what == "waitlisted":
        waitlist_grant(decides, grant, outcome[1])
        return
    approve_grant(decides, grant)
    if grant.status != APPROVED:
        return  # no money in the pools: the request is waitlisted
    if what == "travelled":
        costs = [Decimal(x) for x in outcome[1:]]
        costs[1] = min(costs[1], grant.dsa_amount)
        extra = sum(costs) - grant.committed_amount
        if extra > 0 and grant.pool.available < extra:
            costs[0] = grant.airfare  # the pool could not pay a dearer ticket
        record_travel(enters, grant, ticket=costs[0], dsa=costs[1], terminal=costs[2])
        if grant.overrun_pending:
            approve_overrun(decides, grant)  # the second pair of eyes
    elif what == "no_show":
        record_no_show(enters, grant, ticket=outcome[1], dsa=outcome[2], terminal=outcome[3],
                       reason="The delegate fell ill the day before departure; the ticket was "
                              "not refundable.")
    elif what == "cancelled":
        cancel_grant(enters, grant, outcome[1])
