"""Read-side queries of travel support, shared by the pages and their .xlsx exports
so that both show the same rows and the same figures."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..countries.models import Country
from ..extensions import db
from .models import APPROVED, FUNDED, GRANT_STATUSES, NO_SHOW, REQUESTED, TRAVELLED, WAITLISTED, Event, TravelGrant

ZERO = Decimal("0.00")
SPENT = (TRAVELLED, NO_SHOW)


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def grant_filters(args) -> dict:
    """The grant list's filters from a query string (unknown values are dropped)."""
    status = args.get("status") or ""
    ldc = args.get("ldc") or ""
    country = (args.get("country") or "").upper()
    return {"event": _int(args.get("event")),
            "country": country if len(country) == 2 and country.isalpha() else "",
            "status": status if status in GRANT_STATUSES else "",
            "ldc": ldc if ldc in ("yes", "no") else ""}


def _filtered(query, filters: dict):
    if filters.get("event"):
        query = query.where(TravelGrant.event_id == filters["event"])
    if filters.get("country"):
        query = query.where(TravelGrant.country_code == filters["country"])
    if filters.get("status"):
        query = query.where(TravelGrant.status == filters["status"])
    if filters.get("ldc") == "yes":
        query = query.where(TravelGrant.ldc.is_(True))
    elif filters.get("ldc") == "no":
        query = query.where(TravelGrant.ldc.is_(False))
    return query


def grants_query(filters: dict):
    query = sa.select(TravelGrant).options(
        joinedload(TravelGrant.event), joinedload(TravelGrant.delegate), joinedload(TravelGrant.country),
        joinedload(TravelGrant.pool))
    return _filtered(query, filters).order_by(TravelGrant.requested_at.desc(), TravelGrant.id.desc())


@dataclass
class GrantTotals:
    count: int
    total: Decimal
    committed: Decimal
    spent: Decimal


def grant_totals(filters: dict) -> GrantTotals:
    """Requested totals of the listed grants, the money they hold committed (approved)
    and what the closed ones cost (travelled, no-show)."""
    g = TravelGrant
    row = db.session.execute(_filtered(sa.select(
        sa.func.count(g.id), sa.func.sum(g.total),
        sa.func.sum(sa.case((g.status == APPROVED, g.committed_amount), else_=None)),
        sa.func.sum(sa.case((g.status.in_(SPENT), g.actual_total), else_=None))), filters)).one()
    return GrantTotals(row[0], row[1] or ZERO, row[2] or ZERO, row[3] or ZERO)


def queue_query(event_id: int | None = None):
    """Requests waiting for a decision: LDC requests first, then other developing
    countries, then by time of request (rules.queue_key, in SQL)."""
    query = sa.select(TravelGrant).options(
        joinedload(TravelGrant.event), joinedload(TravelGrant.delegate), joinedload(TravelGrant.country),
        joinedload(TravelGrant.requested_by)).where(TravelGrant.status.in_((REQUESTED, WAITLISTED)))
    if event_id:
        query = query.where(TravelGrant.event_id == event_id)
    return query.order_by(TravelGrant.ldc.desc(), TravelGrant.requested_at, TravelGrant.id)


# --- Participation reports ----------------------------------------------------

def report_filters(args) -> dict:
    return {"date_from": _date(args.get("date_from")), "date_to": _date(args.get("date_to"))}


def _aggregates():
    g = TravelGrant
    funded = g.status.in_(FUNDED)
    return (
        sa.func.count(g.id).label("requests"),
        sa.func.count(sa.case((funded, g.id), else_=None)).label("funded"),
        sa.func.count(sa.case((funded & g.ldc.is_(True), g.id), else_=None)).label("ldc_funded"),
        sa.func.sum(sa.case((g.status == APPROVED, g.committed_amount), else_=None)).label("committed"),
        sa.func.sum(sa.case((g.status.in_(SPENT), g.actual_total), else_=None)).label("spent"),
    )


def _event_dates(query, filters: dict):
    if filters.get("date_from"):
        query = query.where(Event.start_on >= filters["date_from"])
    if filters.get("date_to"):
        query = query.where(Event.start_on <= filters["date_to"])
    return query


@dataclass
class Participation:
    requests: int
    funded: int
    ldc_funded: int
    committed: Decimal
    spent: Decimal
    countries: int = 0  # countries funded (per event) or events attended (per country)

    @property
    def ldc_share(self) -> Decimal | None:
        """Share of the funded delegates who came from LDCs (0 to 1)."""
        if not self.funded:
            return None
        return (Decimal(self.ldc_funded) / Decimal(self.funded)).quantize(Decimal("0.0001"))


def _participation(row, distinct: int) -> Participation:
    return Participation(row.requests or 0, row.funded or 0, row.ldc_funded or 0,
                         row.committed or ZERO, row.spent or ZERO, distinct)


def participation_by_event(filters: dict) -> list[tuple[Event, Participation]]:
    g = TravelGrant
    stats = {row.event_id: row for row in db.session.execute(
        sa.select(g.event_id, *_aggregates()).group_by(g.event_id))}
    countries = dict(db.session.execute(
        sa.select(g.event_id, sa.func.count(sa.distinct(g.country_code)))
        .where(g.status.in_(FUNDED)).group_by(g.event_id)).all())
    events = db.session.scalars(_event_dates(sa.select(Event), filters)
                                .order_by(Event.start_on, Event.id)).all()
    empty = Participation(0, 0, 0, ZERO, ZERO)
    return [(event, _participation(stats[event.id], countries.get(event.id, 0))
             if event.id in stats else empty) for event in events]


def participation_by_country(filters: dict) -> list[tuple[Country, Participation]]:
    """Countries with at least one request for the events in the period."""
    g = TravelGrant
    base = _event_dates(sa.select(g.country_code, *_aggregates()).join(Event, g.event_id == Event.id),
                        filters).group_by(g.country_code)
    stats = {row.country_code: row for row in db.session.execute(base)}
    events = dict(db.session.execute(_event_dates(
        sa.select(g.country_code, sa.func.count(sa.distinct(g.event_id)))
        .join(Event, g.event_id == Event.id).where(g.status.in_(FUNDED)), filters)
        .group_by(g.country_code)).all())
    countries = db.session.scalars(sa.select(Country).where(Country.code.in_(list(stats)))).all()
    rows = [(c, _participation(stats[c.code], events.get(c.code, 0))) for c in countries]
    return sorted(rows, key=lambda pair: pair[0].local_name)


def report_totals(rows) -> Participation:
    total = Participation(0, 0, 0, ZERO, ZERO)
    for _obj, p in rows:
        total.requests += p.requests
        total.funded += p.funded
        total.ldc_funded += p.ldc_funded
        total.committed += p.committed
        total.spent += p.spent
    return total


def countries_funded(filters: dict) -> int:
    """Distinct countries with a funded delegate at the events of the period."""
    g = TravelGrant
    return db.session.scalar(_event_dates(
        sa.select(sa.func.count(sa.distinct(g.country_code))).select_from(g)
        .join(Event, g.event_id == Event.id).where(g.status.in_(FUNDED)), filters)) or 0
