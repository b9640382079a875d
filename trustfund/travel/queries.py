"""Read-side queries of travel support, shared by the pages and their .xlsx exports
so that both show the same rows and the same figures."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from .. import cache
from ..contributions.models import UNEARMARKED, Objective, Pool
from ..countries.models import Country
from ..extensions import db
from ..formatting import money
from ..params import MAX_ID, iso_date, whole_number
from .models import (
    APPROVED,
    FUNDED,
    GRANT_STATUSES,
    NO_SHOW,
    REQUESTED,
    TRAVELLED,
    WAITLISTED,
    Event,
    TravelGrant,
)

ZERO = Decimal("0.00")
SPENT = (TRAVELLED, NO_SHOW)


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID \
        else (whole_number(value) or None)


def _date(value) -> dt.date | None:
    return iso_date(value)


def _kept(key: tuple, compute):
    """compute(), kept per worker while the data is unchanged (trustfund.cache): any
    change of the data changes the data version, so the next use computes afresh."""
    return cache.keep(("travel",) + key, compute)


def decision_note(grant: TravelGrant) -> str:
    """The note of a grant's decision, in the reader's language: a request waitlisted for
    want of money says which pools did not have its total (kept as their ids,
    waitlisted_pool_ids); any other note is the reason its decider typed (or the
    sentence of a request waitlisted before the ids were kept)."""
    if grant.status == WAITLISTED and grant.waitlisted_pool_ids:
        pools = [db.session.get(Pool, int(pool_id)) for pool_id in grant.waitlisted_pool_ids.split(",")]
        return _("No pool had %(amount)s available (%(pools)s).", amount=money(grant.total),
                 pools=", ".join(pool.short_name for pool in pools if pool is not None))
    return grant.decision_reason or ""


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


# The grants' pools (four in the fund) and their objectives come in a second, small
# statement (selectinload) rather than as two more joins: PostgreSQL plans a grant
# joined to five tables in 3.6 ms at each view, to three in 0.5 ms.

def grants_query(filters: dict):
    query = sa.select(TravelGrant).options(
        joinedload(TravelGrant.event), joinedload(TravelGrant.delegate), joinedload(TravelGrant.country),
        selectinload(TravelGrant.pool).joinedload(Pool.objective))
    return _filtered(query, filters).order_by(TravelGrant.requested_at.desc(), TravelGrant.id.desc())


@dataclass(frozen=True)
class GrantTotals:
    count: int
    total: Decimal
    committed: Decimal
    spent: Decimal


def grant_totals(filters: dict) -> GrantTotals:
    """Requested totals of the listed grants, the money they hold committed (approved)
    and what the closed ones cost (travelled, no-show); kept per data version and
    filters (every grant's whole table at each page of the list otherwise)."""
    g = TravelGrant

    def compute():
        row = db.session.execute(_filtered(sa.select(
            sa.func.count(g.id), sa.func.sum(g.total),
            sa.func.sum(sa.case((g.status == APPROVED, g.committed_amount), else_=None)),
            sa.func.sum(sa.case((g.status.in_(SPENT), g.actual_total), else_=None))), filters)).one()
        return GrantTotals(row[0], row[1] or ZERO, row[2] or ZERO, row[3] or ZERO)

    key = tuple(filters.get(name) or "" for name in ("event", "country", "status", "ldc"))
    return _kept(("grant_totals",) + key, compute)


def queue_query(event_id: int | None = None):
    """Requests waiting for a decision: LDC requests first, then other developing
    countries, then by time of request (rules.queue_key, in SQL)."""
    query = sa.select(TravelGrant).options(
        joinedload(TravelGrant.event), joinedload(TravelGrant.delegate), joinedload(TravelGrant.country),
        selectinload(TravelGrant.requested_by)).where(TravelGrant.status.in_((REQUESTED, WAITLISTED)))
    if event_id:
        query = query.where(TravelGrant.event_id == event_id)
    return query.order_by(TravelGrant.ldc.desc(), TravelGrant.requested_at, TravelGrant.id)


def queue_count(event_id: int | None = None) -> int:
    """How many requests queue_query(event_id) lists, kept per data version (the
    pager's count of every waiting request, its joins included, at each view
    otherwise)."""
    def compute():
        query = sa.select(sa.func.count(TravelGrant.id)).where(
            TravelGrant.status.in_((REQUESTED, WAITLISTED)))
        if event_id:
            query = query.where(TravelGrant.event_id == event_id)
        return db.session.scalar(query)

    return _kept(("queue_count", event_id or None), compute)


# --- Participation reports ----------------------------------------------------
#
# Each report is a GROUP BY over the grants (per event, or per country for the
# events of a period; the event table is joined only for a period) and a second one
# counting the distinct countries (events) funded. The covering indexes
# ix_travel_grant_event_figures and ix_travel_grant_country_figures let SQLite
# answer both from the index alone, in group order. (One statement with
# count(DISTINCT CASE ...) beside the sums was tried: PostgreSQL then sorts each
# group instead of hashing and took longer than both statements together.) On
# PostgreSQL the reports of every event (no period) take two statements for both
# reports instead of four: _both_reports, with GROUPING SETS. The
# figures are kept per worker at the data version (trustfund.cache): any change of
# the data changes it, so the next view computes afresh.

def report_filters(args) -> dict:
    return {"date_from": _date(args.get("date_from")), "date_to": _date(args.get("date_to"))}


def _aggregates():
    """The figures of a group of grants."""
    g = TravelGrant
    funded = g.status.in_(FUNDED)
    return (
        sa.func.count(g.id).label("requests"),
        sa.func.count(sa.case((funded, g.id), else_=None)).label("funded"),
        sa.func.count(sa.case((funded & g.ldc.is_(True), g.id), else_=None)).label("ldc_funded"),
        sa.func.sum(sa.case((g.status == APPROVED, g.committed_amount), else_=None)).label("committed"),
        sa.func.sum(sa.case((g.status.in_(SPENT), g.actual_total), else_=None)).label("spent"),
    )


def _distinct_funded(key, counted) -> sa.Select:
    """(key, how many distinct `counted` values among the funded grants) per key."""
    g = TravelGrant
    return sa.select(key, sa.func.count(sa.distinct(counted))).where(g.status.in_(FUNDED))


def _event_dates(query, filters: dict):
    if filters.get("date_from"):
        query = query.where(Event.start_on >= filters["date_from"])
    if filters.get("date_to"):
        query = query.where(Event.start_on <= filters["date_to"])
    return query


@dataclass(frozen=True)
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


EMPTY = Participation(0, 0, 0, ZERO, ZERO)


def _participation(row, distinct: int) -> Participation:
    return Participation(row.requests or 0, row.funded or 0, row.ldc_funded or 0,
                         row.committed or ZERO, row.spent or ZERO, distinct or 0)


def event_stats() -> dict[int, Participation]:
    """{event id: figures of all its grants} for every event with a request."""
    g = TravelGrant

    def compute():
        countries = dict(db.session.execute(
            _distinct_funded(g.event_id, g.country_code).group_by(g.event_id)).all())
        return {row.event_id: _participation(row, countries.get(row.event_id, 0))
                for row in db.session.execute(
                    sa.select(g.event_id, *_aggregates()).group_by(g.event_id))}

    return _kept(("event_stats",), compute)


def event_participation(event_id: int) -> Participation:
    """The figures of one event's grants (its page): one search on the event's index."""
    g = TravelGrant
    row = db.session.execute(sa.select(
        *_aggregates(), sa.func.count(sa.distinct(sa.case((g.status.in_(FUNDED), g.country_code),
                                                          else_=None))).label("countries"))
        .where(g.event_id == event_id)).one()
    return _participation(row, row.countries) if row.requests else EMPTY


def _both_reports() -> tuple[dict[int, Participation], dict[str, Participation]] | None:
    """(event_stats(), country_stats() of every event) in two statements instead of
    four, on PostgreSQL: GROUPING SETS sums the grants per event and per country in
    one pass, and counts the distinct funded (event, country) pairs both ways in
    another (the four statements took about twice as long at N=100: two scans, and
    two sorts for count(DISTINCT)). None on SQLite, which has no GROUPING SETS and
    answers each of the four from a covering index in group order."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    g = TravelGrant

    def compute():
        pairs = sa.select(g.event_id, g.country_code).where(g.status.in_(FUNDED)).distinct().subquery()
        countries, events = {}, {}  # distinct countries funded per event, events per country
        for per_country, event_id, country_code, count in db.session.execute(
                sa.select(sa.func.grouping(pairs.c.event_id), pairs.c.event_id, pairs.c.country_code,
                          sa.func.count())
                .group_by(sa.func.grouping_sets(pairs.c.event_id, pairs.c.country_code))):
            if per_country:
                events[country_code] = count
            else:
                countries[event_id] = count
        by_event, by_country = {}, {}
        for row in db.session.execute(
                sa.select(sa.func.grouping(g.event_id).label("per_country"), g.event_id, g.country_code,
                          *_aggregates())
                .group_by(sa.func.grouping_sets(g.event_id, g.country_code))):
            if row.per_country:
                by_country[row.country_code] = _participation(row, events.get(row.country_code, 0))
            else:
                by_event[row.event_id] = _participation(row, countries.get(row.event_id, 0))
        return by_event, by_country

    return _kept(("both_reports",), compute)


def participation_by_event(filters: dict) -> list[tuple[Event, Participation]]:
    events = db.session.scalars(_event_dates(sa.select(Event), filters)
                                .order_by(Event.start_on, Event.id)).all()
    both = _both_reports()
    stats = both[0] if both else event_stats()
    return [(event, stats.get(event.id, EMPTY)) for event in events]


def country_stats(filters: dict) -> dict[str, Participation]:
    """{country code: figures of its grants for the events of the period} for the
    countries with at least one request there."""
    g = TravelGrant

    def in_period(query):
        if filters.get("date_from") or filters.get("date_to"):
            return _event_dates(query.join(Event, g.event_id == Event.id), filters)
        return query

    def compute():
        events = dict(db.session.execute(
            in_period(_distinct_funded(g.country_code, g.event_id)).group_by(g.country_code)).all())
        return {row.country_code: _participation(row, events.get(row.country_code, 0))
                for row in db.session.execute(
                    in_period(sa.select(g.country_code, *_aggregates())).group_by(g.country_code))}

    return _kept(("country_stats", filters.get("date_from"), filters.get("date_to")), compute)


def participation_by_country(filters: dict) -> list[tuple[Country, Participation]]:
    """Countries with at least one request for the events in the period."""
    both = None if filters.get("date_from") or filters.get("date_to") else _both_reports()
    stats = both[1] if both else country_stats(filters)
    countries = db.session.scalars(sa.select(Country).where(Country.code.in_(list(stats)))).all()
    rows = [(c, stats[c.code]) for c in countries]
    return sorted(rows, key=lambda pair: pair[0].local_name)


def report_totals(rows, countries: int = 0) -> Participation:
    """The sums of a report's rows; `countries` is the distinct count of the total
    row (it is not the sum of the rows')."""
    return Participation(sum(p.requests for _o, p in rows), sum(p.funded for _o, p in rows),
                         sum(p.ldc_funded for _o, p in rows),
                         sum((p.committed for _o, p in rows), ZERO),
                         sum((p.spent for _o, p in rows), ZERO), countries)


def countries_funded(by_country) -> int:
    """Distinct countries with a funded delegate at the events of the period, from the
    rows of participation_by_country() for that period."""
    return sum(1 for _country, p in by_country if p.funded)


def travel_pools():
    """The pools travel is paid from (decisions.pays_travel: the un-earmarked pool and
    the Objective 1 pool; money earmarked to another objective reaches travel only by
    a transfer) with their objective, in one statement, in contributions.pools.all_pools'
    order: labels and the default pool read the objective."""
    return db.session.scalars(
        sa.select(Pool).outerjoin(Objective, Pool.objective_id == Objective.id)
        .where(sa.or_(Pool.code == UNEARMARKED, Objective.number == 1))
        .options(contains_eager(Pool.objective)).order_by(Objective.number.nullsfirst())).all()
