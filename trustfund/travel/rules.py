"""The travel-support rules as pure functions (DESIGN.md §5): who is eligible,
how much DSA a trip carries, what a grant costs, and in which order requests are
reviewed. No database, no request: services feed them plain values."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..money import CENT

# A delegate may travel up to this many days before the event opens and after it closes.
TRAVEL_WINDOW_DAYS = 7
# Most DSA days a grant may carry, whatever is entered.
MAX_DSA_DAYS = 60


@dataclass(frozen=True)
class Eligibility:
    """Whether a country's delegate may be funded for an event, judged on a date."""

    eligible: bool
    ldc: bool


def ldc_on(periods: Iterable[tuple[dt.date, dt.date | None]], on: dt.date) -> bool:
    """Whether `on` falls in one of the LDC periods (start inclusive; the end is the
    graduation date, from which the country is no longer an LDC)."""
    return any(start <= on and (end is None or on < end) for start, end in periods)


def eligibility(developing: bool, periods: Iterable[tuple[dt.date, dt.date | None]],
                on: dt.date) -> Eligibility:
    """A country's delegate is eligible when the country is a developing country on the
    event's start date (an LDC always is); an LDC on that date has priority."""
    is_ldc = ldc_on(periods, on)
    return Eligibility(eligible=developing or is_ldc, ldc=is_ldc)


def event_days(start_on: dt.date, end_on: dt.date) -> int:
    """Days of an event, both ends included (8-9 May is 2 days)."""
    return (end_on - start_on).days + 1


def default_dsa_days(start_on: dt.date, end_on: dt.date,
                     travel_from: dt.date | None = None, travel_to: dt.date | None = None) -> int:
    """DSA days the fund pays by default: the event's days plus one (arrival the day
    before), but never more days than the trip itself lasts."""
    days = event_days(start_on, end_on) + 1
    if travel_from is not None and travel_to is not None and travel_to >= travel_from:
        days = min(days, (travel_to - travel_from).days + 1)
    return days


def dsa_amount(days: int, rate: Decimal) -> Decimal:
    """DSA = days × the event's daily rate in USD (exact: whole days × cents)."""
    return (Decimal(days) * Decimal(rate)).quantize(CENT)


def travel_date_problems(start_on: dt.date, end_on: dt.date, travel_from: dt.date,
                         travel_to: dt.date) -> dict[str, str]:
    """Problems with a trip's dates, by field: the trip must overlap the event and
    start and end within TRAVEL_WINDOW_DAYS of it. Values are message keys:
    'order', 'too_early', 'too_late_start', 'too_early_end', 'too_late'."""
    problems: dict[str, str] = {}
    window = dt.timedelta(days=TRAVEL_WINDOW_DAYS)
    if travel_to < travel_from:
        problems["travel_to"] = "order"
        return problems
    if travel_from < start_on - window:
        problems["travel_from"] = "too_early"
    elif travel_from > end_on:
        problems["travel_from"] = "too_late_start"
    if travel_to < start_on:
        problems["travel_to"] = "too_early_end"
    elif travel_to > end_on + window:
        problems["travel_to"] = "too_late"
    return problems


@dataclass(frozen=True)
class Figures:
    """A grant's amounts: what the rules compute and what was finally entered."""

    dsa_days: int
    dsa_rate: Decimal
    dsa_amount: Decimal
    terminal_expenses: Decimal
    total: Decimal
    computed_dsa_amount: Decimal
    computed_terminal: Decimal
    computed_total: Decimal
    overridden: tuple[str, ...]  # names of the figures changed by hand

    @property
    def needs_reason(self) -> bool:
        return bool(self.overridden)


def grant_figures(*, airfare: Decimal, dsa_days: int, default_days: int, dsa_rate: Decimal,
                  terminal_setting: Decimal, dsa_override: Decimal | None = None,
                  terminal_override: Decimal | None = None,
                  total_override: Decimal | None = None) -> Figures:
    """The amounts of a grant. DSA = days × rate; terminal expenses = the setting in
    force on the event's start date; total = airfare + DSA + terminal. Any figure
    entered by hand that differs from the computed one (and DSA days above the
    default) is an override, which needs a reason."""
    overridden: list[str] = []
    if dsa_days > default_days:
        overridden.append("dsa_days")
    computed_dsa = dsa_amount(dsa_days, dsa_rate)
    dsa = computed_dsa
    if dsa_override is not None and dsa_override != computed_dsa:
        dsa = dsa_override
        overridden.append("dsa_amount")
    terminal = Decimal(terminal_setting).quantize(CENT)
    computed_terminal = terminal
    if terminal_override is not None and terminal_override != computed_terminal:
        terminal = terminal_override
        overridden.append("terminal_expenses")
    computed_total = airfare + dsa + terminal
    total = computed_total
    if total_override is not None and total_override != computed_total:
        total = total_override
        overridden.append("total")
    return Figures(dsa_days=dsa_days, dsa_rate=dsa_rate, dsa_amount=dsa, terminal_expenses=terminal,
                   total=total, computed_dsa_amount=computed_dsa, computed_terminal=computed_terminal,
                   computed_total=computed_total, overridden=tuple(overridden))


def queue_key(ldc: bool, requested_at: dt.datetime, grant_id: int) -> tuple:
    """Review order: LDC requests first, then other developing countries, then by
    time of request (the id breaks ties between requests of the same instant)."""
    return (0 if ldc else 1, requested_at, grant_id)


@dataclass(frozen=True)
class Settlement:
    """How a funded grant is settled with its actual costs: what the pool pays now
    (`paid`), and the overrun (costs above the commitment) with its state, if any."""

    paid: Decimal
    overrun: Decimal
    overrun_status: str | None  # None, "approved" (within the tolerance) or "pending"


def settle(committed: Decimal, costs: Decimal, tolerance: Decimal) -> Settlement:
    """Actual costs up to the commitment are paid at once (the rest of the commitment
    returns to the pool). Costs above it are an overrun: paid at once only when it is
    within the tolerance (an admin setting, default 0); otherwise the pool pays the
    commitment and the overrun waits for a second person's approval."""
    overrun = max(costs - committed, Decimal("0.00"))
    if overrun == 0:
        return Settlement(paid=costs, overrun=overrun, overrun_status=None)
    if overrun <= tolerance:
        return Settlement(paid=costs, overrun=overrun, overrun_status="approved")
    return Settlement(paid=committed, overrun=overrun, overrun_status="pending")


def reconciliation_deltas(committed: Decimal, paid: Decimal) -> dict[str, Decimal]:
    """How a pool's figures move when a funded grant is closed: the commitment is
    released, what the pool pays becomes spending, and the difference returns to
    (or, for an overrun within the tolerance, is taken from) the available money."""
    return {"committed": -committed, "spent": paid, "available": committed - paid}
