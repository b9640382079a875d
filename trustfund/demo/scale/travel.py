"""The travel part of the scale data (see scale/__init__.py): events, delegates and
travel grants in every state.

Each grant follows the service's rules: the delegate's country is developing
(or an LDC) on the event's start date and the grant is marked LDC if it was one
then; at most `max_per_country` funded grants per country and event; the
approver is never the requester; a funded grant takes its money from the
Objective 1 pool, else the un-earmarked pool, and only if the pool still has
it after everything generated before (otherwise the request is waitlisted).
Approved grants hold their total as committed; travelled and no-show grants
have actual costs (never above the commitment) counted as spent; cancelled
grants hold nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from ...travel.models import (
    APPROVED,
    CANCELLED,
    NO_SHOW,
    OPEN_REQUEST,
    REJECTED,
    REQUESTED,
    TRAVELLED,
    WAITLISTED,
    Delegate,
    Event,
    TravelGrant,
)
from .base import bulk_insert, pick

CITIES = (
    "Geneva",
    "New York",
    "Vienna",
    "Bangkok",
    "Addis Ababa",
    "Santiago",
    "Beirut",
    "Nairobi",
    "Marrakech",
    "Puerto Vallarta",
    "Dakar",
    "Panama City",
    "Amman",
    "Suva",
)
KINDS = (
    ("thematic_session", "Thematic session"),
    ("regional_meeting", "Regional preparatory meeting"),
    ("hearing", "Multi-stakeholder hearing"),
    ("stocktaking", "Stocktaking meeting"),
    ("conference", "Review conference"),
)
FIRST = (
    "Amina",
    "Bakary",
    "Chen",
    "Dina",
    "Esteban",
    "Fatou",
    "Grace",
    "Hamid",
    "Ines",
    "Joseph",
    "Kiri",
    "Lina",
    "Moussa",
    "Nadia",
    "Omar",
    "Priya",
    "Rosa",
    "Samuel",
    "Tala",
    "Yusuf",
)
LAST = (
    "Abebe",
    "Bangura",
    "Coulibaly",
    "Diallo",
    "Estrada",
    "Fofana",
    "Gomez",
    "Haidari",
    "Islam",
    "Juma",
    "Kamara",
    "Lopez",
    "Mensah",
    "Ndlovu",
    "Osei",
    "Perera",
    "Quispe",
    "Rahman",
    "Sesay",
    "Tembo",
)
FUNCTIONS = (
    "Counsellor, Permanent Mission",
    "Director of Migration Policy",
    "Deputy Minister",
    "First Secretary, Permanent Mission",
    "Head of Consular Affairs",
)
PAST_MIX = (
    (TRAVELLED, 66),
    (NO_SHOW, 6),
    (CANCELLED, 8),
    (REJECTED, 12),
    (WAITLISTED, 5),
    (REQUESTED, 3),
)
FUTURE_MIX = ((REQUESTED, 45), (APPROVED, 38), (REJECTED, 9), (WAITLISTED, 8))
FUNDED = (APPROVED, TRAVELLED, NO_SHOW)


def seed_travel(ctx, sizes) -> dict[str, int]:

    rng = ctx.rng
    events = _events(ctx, sizes)
    eligible = [c for c in ctx.countries if c.developing or c.ldc_periods]
    delegates = []
    for number in range(sizes.delegates):
        country = rng.choice(eligible)
        delegates.append(
            {
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {number:05d}",
                "function": rng.choice(FUNCTIONS),
                "country_code": country.code,
                "email": f"delegate{number:05d}@example.org",
                "phone": "",
                "created_at": ctx.moment(dt.date(2017, 4, 3)),
            }
        )
    for row, event_id in zip(events, ctx.ids(Event, len(events)), strict=True):
        row["id"] = event_id
    for row, delegate_id in zip(delegates, ctx.ids(Delegate, len(delegates)), strict=True):
        row["id"] = delegate_id
    bulk_insert(Event, events)
    bulk_insert(Delegate, delegates)
    by_country: dict[str, list[int]] = {}
    for d in delegates:
        by_country.setdefault(d["country_code"], []).append(d["id"])
    countries = {c.code: c for c in eligible if c.code in by_country}
    funded: Counter = Counter()
    obj1 = ctx.objective_pool.get(ctx.objective_by_number.get(1))
    pools = [p for p in (obj1, ctx.unearmarked) if p]
    grants = []
    live: set[tuple[int, int]] = set()  # (event, delegate) of every live request so far
    for index in range(sizes.grants):
        event = events[index % len(events)]
        event_id = event["id"]
        start = event["start_on"]
        while True:
            code = rng.choice(list(countries))
            if countries[code].developing_on(start):
                break
        ldc = countries[code].ldc_on(start)
        past = event["end_on"] < ctx.today - dt.timedelta(days=10)
        status = pick(rng, PAST_MIX if past else FUTURE_MIX)
        if status in FUNDED and funded[(event_id, code)] >= event["max_per_country"]:
            status, reason = REJECTED, "The country's quota for this event is reached."
        else:
            reason = {
                REJECTED: "Not the delegation's focal point.",
                WAITLISTED: "Funds are short.",
            }.get(status, "")
        # One live request per delegate and event (the service's rule, an index too):
        # another of the country's delegates, or a refusal saying why.
        delegate_id = rng.choice(by_country[code])
        if (event_id, delegate_id) in live:
            free = [d for d in by_country[code] if (event_id, d) not in live]
            if free:
                delegate_id = rng.choice(free)
            else:
                status, reason = REJECTED, "The delegate already has a request for this event."
        grant = _grant(ctx, event_id, event, delegate_id, code, ldc, status, reason)
        if status in FUNDED or status == CANCELLED:
            need = (
                grant["total"]
                if status == APPROVED
                else (grant["actual_total"] if status != CANCELLED else Decimal(0))
            )
            pool = next((p for p in pools if ctx.ledger.available(p) >= need), None)
            if pool is None:
                grant = _grant(
                    ctx,
                    event_id,
                    event,
                    grant["delegate_id"],
                    code,
                    ldc,
                    WAITLISTED,
                    "Funds are short.",
                )
            else:
                grant["pool_id"] = pool
                grant["committed_amount"] = (
                    grant["total"] if status == APPROVED else Decimal("0.00")
                )
                if status == APPROVED:
                    ctx.ledger.add(pool, committed=need)
                elif status != CANCELLED:
                    ctx.ledger.add(pool, spent=need)
                if status in FUNDED:
                    funded[(event_id, code)] += 1
        grants.append(grant)
        if grant["status"] in OPEN_REQUEST:
            live.add((event_id, grant["delegate_id"]))
    return {
        "events": len(events),
        "delegates": len(delegates),
        "travel grants": bulk_insert(TravelGrant, grants),
    }


def _events(ctx, sizes) -> list[dict]:
    """Events spread from the fund's start to a month ago, each kind in turn, and
    an eighth of them (at least one) in the coming year, still open for requests."""
    future = max(1, sizes.events // 8)
    past = sizes.events - future
    spans = (
        (dt.date(2017, 5, 8), ctx.today - dt.timedelta(days=30), past),
        (ctx.today + dt.timedelta(days=7), ctx.today + dt.timedelta(days=365), future),
    )
    rows = []
    for first, last, count in spans:
        step = max(1, (last - first).days // max(1, count))
        for index in range(count):
            number = len(rows)
            kind, label = KINDS[number % len(KINDS)]
            start = first + dt.timedelta(days=index * step + ctx.rng.randint(0, max(0, step - 1)))
            city = CITIES[number % len(CITIES)]
            rows.append(
                {
                    "kind": kind,
                    "title": f"{label} {number + 1:03d} (scale data)",
                    "city": city,
                    "venue": f"Conference centre, {city}",
                    "start_on": start,
                    "end_on": start + dt.timedelta(days=ctx.rng.randint(0, 2)),
                    "dsa_rate": Decimal(ctx.rng.randint(20, 45) * 10),
                    "max_per_country": ctx.rng.randint(2, 4),
                    "dates_note": "",
                    "created_at": ctx.moment(start - dt.timedelta(days=120)),
                    "version": 1,
                }
            )
    return rows


def _grant(
    ctx,
    event_id: int,
    event: dict,
    delegate_id: int,
    code: str,
    ldc: bool,
    status: str,
    reason: str,
) -> dict:
    rng = ctx.rng
    start, end = event["start_on"], event["end_on"]
    travel_from, travel_to = start - dt.timedelta(days=1), end + dt.timedelta(days=1)
    days = (travel_to - travel_from).days
    airfare = Decimal(rng.randint(30000, 350000)).scaleb(-2)
    dsa_amount = event["dsa_rate"] * days
    terminal = ctx.terminal_on(start)
    total = airfare + dsa_amount + terminal
    requester, approver = rng.sample(ctx.srsg, 2)
    requested_at = ctx.moment(start - dt.timedelta(days=rng.randint(20, 120)))
    decided = status != REQUESTED
    row = {
        "event_id": event_id,
        "delegate_id": delegate_id,
        "country_code": code,
        "ldc": ldc,
        "travel_from": travel_from,
        "travel_to": travel_to,
        "origin_city": "Capital",
        "airfare": airfare,
        "dsa_days": days,
        "dsa_rate": event["dsa_rate"],
        "dsa_amount": dsa_amount,
        "terminal_expenses": terminal,
        "total": total,
        "override_reason": "",
        "status": status,
        "pool_id": None,
        "committed_amount": Decimal("0.00"),
        "actual_ticket": None,
        "actual_dsa": None,
        "actual_terminal": None,
        "actual_total": None,
        "decision_reason": reason,
        "requested_by_id": requester,
        "requested_at": requested_at,
        "decided_by_id": approver if decided else None,
        "decided_at": requested_at + dt.timedelta(days=rng.randint(1, 10)) if decided else None,
        "reconciled_by_id": None,
        "reconciled_at": None,
        "version": 1,
    }
    if status == TRAVELLED:
        ticket = (airfare * Decimal(rng.randint(85, 100)) / 100).quantize(Decimal("0.01"))
        dsa = dsa_amount - (event["dsa_rate"] if rng.random() < 0.1 else 0)
        row.update(
            actual_ticket=ticket,
            actual_dsa=dsa,
            actual_terminal=terminal,
            actual_total=ticket + dsa + terminal,
        )
    elif status == NO_SHOW:
        row.update(
            actual_ticket=airfare,
            actual_dsa=Decimal("0.00"),
            actual_terminal=Decimal("0.00"),
            actual_total=airfare,
        )
    if status in (TRAVELLED, NO_SHOW, CANCELLED):
        row.update(reconciled_by_id=approver, reconciled_at=ctx.moment(end + dt.timedelta(days=14)))
    return row
