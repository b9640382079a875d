"""The SRSG staff's figures: money per pool, spending against budget, travel grants
by status, funded delegates per event, LDC and other developing countries.

Rules kept here:
- A pool's budget is what it has received: net deposits + interest + other income
  + transfers in - transfers out.
- A grant's money: while approved, its committed amount; once travelled or a
  no-show, its actual total. Funded grants are approved, travelled and no-show
  (travel.models.FUNDED), the ones that count against an event's per-country cap.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from .. import localized
from ..extensions import db
from ..travel.decisions import pays_travel
from ..travel.models import APPROVED, FUNDED, GRANT_STATUSES, Event, TravelGrant
from .services import ZERO, pools_in_order


@dataclass
class PoolFigures:
    pool_id: int
    code: str
    label: str
    deposits_net: Decimal
    interest: Decimal
    transfers_in: Decimal
    transfers_out: Decimal
    committed: Decimal
    spent: Decimal
    available: Decimal
    # The fund's own entries charged to the pool, and what its closing took out: without
    # them a row would not add up to its available money.
    other_income: Decimal = ZERO
    direct_costs: Decimal = ZERO
    bank_charges: Decimal = ZERO
    closed_out: Decimal = ZERO
    pays_travel: bool = False  # the un-earmarked and Objective 1 pools (travel.decisions)

    @property
    def budget(self) -> Decimal:
        return (self.deposits_net + self.interest + self.other_income + self.transfers_in
                - self.transfers_out)

    @property
    def spending(self) -> Decimal:
        """The pool's spending as its donors' statements count it: the grants' actual
        costs, the direct costs and the bank charges."""
        return self.spent + self.direct_costs + self.bank_charges

    @property
    def used_percent(self) -> Decimal:
        """The spending (spent, direct costs, bank charges) and what is committed to
        grants, as a percentage of the budget (one decimal)."""
        if not self.budget:
            return Decimal("0.0")
        return (100 * (self.spending + self.committed) / self.budget).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class StatusFigures:
    status: str
    count: int = 0
    requested: Decimal = ZERO  # the requests' estimated totals
    actual: Decimal = ZERO  # actual costs recorded at reconciliation


@dataclass
class EventFigures:
    event_id: int
    title: str
    city: str
    start_on: dt.date
    ldc: int
    other: int

    @property
    def total(self) -> int:
        return self.ldc + self.other


@dataclass
class LdcFigures:
    ldc: bool
    requests: int = 0
    funded: int = 0
    amount: Decimal = ZERO  # committed while approved, actual once reconciled


@dataclass
class TravelFigures:
    pools: list[PoolFigures]
    statuses: list[StatusFigures]
    events: list[EventFigures]
    ldc: list[LdcFigures]  # LDC first, then other developing countries

    @property
    def available(self) -> Decimal:
        return sum((p.available for p in self.pools), ZERO)

    @property
    def available_for_travel(self) -> Decimal:
        """What the pools that pay travel have available: money earmarked to another
        objective reaches travel only by a transfer."""
        return sum((p.available for p in self.pools if p.pays_travel), ZERO)

    @property
    def awaiting_decision(self) -> int:
        # As the review queue counts them: new requests and those waitlisted (funds short).
        return sum(s.count for s in self.statuses if s.status in ("requested", "waitlisted"))

    @property
    def funded(self) -> int:
        return sum(f.funded for f in self.ldc)


def pool_figures() -> list[PoolFigures]:
    return [PoolFigures(p.id, p.code, str(p.label), p.deposits_net, p.interest, p.transfers_in,
                        p.transfers_out, p.committed, p.spent, p.available, p.other_income, p.direct_costs,
                        p.bank_charges, p.closed_out, pays_travel(p)) for p in pools_in_order()]


def grant_sums() -> list[tuple[str, bool, int, Decimal, Decimal, Decimal]]:
    """Grants by status and LDC: (status, ldc, count, estimated totals, actual totals,
    committed), one pass over the index ix_travel_grant_dashboard, shared by the
    statuses' and the LDC figures."""
    return [(status, bool(ldc), count, requested or ZERO, actual or ZERO, committed or ZERO)
            for status, ldc, count, requested, actual, committed in db.session.execute(
                sa.select(TravelGrant.status, TravelGrant.ldc, sa.func.count(),
                          sa.func.sum(TravelGrant.total), sa.func.sum(TravelGrant.actual_total),
                          sa.func.sum(TravelGrant.committed_amount))
                .group_by(TravelGrant.status, TravelGrant.ldc))]


def status_figures(sums=None) -> list[StatusFigures]:
    """Every grant status (zeros included), in the order of the grant's life."""
    found: dict[str, StatusFigures] = {}
    for status, _ldc, count, requested, actual, _committed in (grant_sums() if sums is None else sums):
        figures = found.setdefault(status, StatusFigures(status))
        figures.count += count
        figures.requested += requested
        figures.actual += actual
    return [found.get(status, StatusFigures(status)) for status in GRANT_STATUSES]


def event_figures() -> list[EventFigures]:
    """Funded delegates of every event, LDC and other, in date order: the funded grants
    counted per event first (on SQLite from ix_travel_grant_event_figures alone, in its
    order), then joined to the events, rather than every grant joined and grouped."""
    ldc = sa.func.sum(sa.case((TravelGrant.ldc.is_(True), 1), else_=0))
    funded = (sa.select(TravelGrant.event_id, ldc.label("ldc"), sa.func.count().label("count"))
              .where(TravelGrant.status.in_(FUNDED)).group_by(TravelGrant.event_id).subquery())
    rows = db.session.execute(
        sa.select(Event.id, Event.title, Event.title_translations, Event.city, Event.start_on, funded.c.ldc,
                  funded.c.count)
        .outerjoin(funded, funded.c.event_id == Event.id)
        .order_by(Event.start_on, Event.id))
    # The title in the reader's language: the figures are kept per language (layout._figures).
    language = localized.reader_language()  # once, not once per event
    return [EventFigures(event_id, localized.pick(title, translations, language), city, start_on,
                         int(ldc_count or 0),
                         int(count or 0) - int(ldc_count or 0))
            for event_id, title, translations, city, start_on, ldc_count, count in rows]


def ldc_figures(sums=None) -> list[LdcFigures]:
    """Requests, funded delegates and their money, for LDCs and other developing countries."""
    groups = {True: LdcFigures(True), False: LdcFigures(False)}
    for status, ldc, count, _requested, actual, committed in (grant_sums() if sums is None else sums):
        group = groups[ldc]
        group.requests += count
        if status in FUNDED:
            group.funded += count
            group.amount += committed if status == APPROVED else actual
    return [groups[True], groups[False]]


def travel_figures() -> TravelFigures:
    sums = grant_sums()
    return TravelFigures(pools=pool_figures(), statuses=status_figures(sums), events=event_figures(),
                         ldc=ldc_figures(sums))
