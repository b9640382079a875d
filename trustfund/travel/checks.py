"""Ledger invariants of travel support, for `flask --app trustfund check`.

- every grant's figures add up: DSA = days × rate and total = airfare + DSA +
  terminal, unless a figure was changed by hand with a reason;
- a grant holds money exactly while approved: committed_amount = total and a pool;
  requests not (yet) approved hold nothing;
- a closed trip's actual total (what the fund pays for it) is the sum of its actual
  costs, less an overrun that is awaiting approval or rejected;
- an overrun is exactly the actual costs above the commitment, and actual costs
  above the commitment are always an overrun (paid only once approved);
- a trip whose costs were corrected (travel.corrections) holds the costs of its
  last confirmed correction, and its actual total is what that correction made it:
  those costs, but no more than the commitment when its overrun was rejected (the
  overrun as recorded stays as history);
- per pool: committed = the committed amounts of its approved grants, and spent =
  the actual totals of its travelled and no-show grants (approved overruns
  included, pending and rejected ones not); the contributions checks then hold
  available = the money in - committed - spent.
Messages start with "Travel:" so that they are told apart from the contributions
checks of the same pools.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from ..admin.models import CONFIRMED
from ..contributions.models import Pool
from ..extensions import db
from . import rules
from .models import (
    APPROVED,
    CANCELLED,
    NO_SHOW,
    OVERRUN_APPROVED,
    OVERRUN_REJECTED,
    REJECTED,
    REQUESTED,
    TRAVELLED,
    WAITLISTED,
    CostCorrection,
    TravelGrant,
)

# How many offending grants each kind of problem names before summarising.
SHOW = 20
ZERO = Decimal("0.00")


def problems() -> list[str]:
    found: list[str] = []
    found.extend(_grant_problems())
    found.extend(_pool_problems())
    return found


def _grant_problems() -> list[str]:
    g = TravelGrant
    columns = (g.id, g.status, g.airfare, g.dsa_days, g.dsa_rate, g.dsa_amount, g.terminal_expenses,
               g.total, g.override_reason, g.pool_id, g.committed_amount, g.actual_ticket,
               g.actual_dsa, g.actual_terminal, g.actual_total, g.overrun_amount, g.overrun_status)
    out: list[str] = []
    counts: dict[str, int] = {}

    def add(kind: str, message: str) -> None:
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] <= SHOW:
            out.append(message)

    corrected = _last_corrections()
    rows = db.session.execute(sa.select(*columns).order_by(g.id).execution_options(yield_per=5000))
    for (gid, status, airfare, days, rate, dsa, terminal, total, reason, pool_id, committed,
         a_ticket, a_dsa, a_terminal, a_total, overrun, overrun_status) in rows:
        overridden = bool((reason or "").strip())
        if not overridden and dsa != rules.dsa_amount(days, rate):
            add("dsa", f"Travel: grant {gid} has DSA {dsa} but {days} days × {rate} = "
                       f"{rules.dsa_amount(days, rate)}, and no reason for the difference.")
        if not overridden and total != airfare + dsa + terminal:
            add("total", f"Travel: grant {gid} has total {total} but airfare {airfare} + DSA {dsa} + "
                         f"terminal {terminal} = {airfare + dsa + terminal}, and no reason for the "
                         f"difference.")
        if status == APPROVED and (committed != total or pool_id is None):
            add("approved", f"Travel: approved grant {gid} commits {committed} from pool {pool_id}; "
                            f"it should commit its total {total} from a pool.")
        if status in (REQUESTED, WAITLISTED, REJECTED) and (committed != ZERO or pool_id is not None):
            add("undecided", f"Travel: grant {gid} is {status} but holds {committed} in pool {pool_id}.")
        if status in (TRAVELLED, NO_SHOW):
            parts = (a_ticket, a_dsa, a_terminal)
            if any(p is None for p in parts) or a_total is None:
                add("actual", f"Travel: grant {gid} is {status} without its actual costs.")
            elif gid in corrected:
                _check_corrected(add, gid, parts, a_total, committed, overrun_status, corrected[gid])
            else:
                _check_costs(add, gid, parts, a_total, committed, overrun, overrun_status)
            if pool_id is None:
                add("actual", f"Travel: grant {gid} is {status} but names no pool.")
        elif overrun:
            add("overrun", f"Travel: grant {gid} is {status} but has an overrun of {overrun}.")
        if status == CANCELLED and a_total not in (None, ZERO):
            add("cancelled", f"Travel: cancelled grant {gid} has actual costs {a_total}.")
    for kind, count in counts.items():
        if count > SHOW:
            out.append(f"Travel: … and {count - SHOW} more grants with the same kind of problem ({kind}).")
    return out


def _check_costs(add, gid, parts, a_total, committed, overrun, overrun_status) -> None:
    """A closed grant's actual total against its costs, its commitment and its overrun."""
    costs = sum(parts, ZERO)
    unpaid = ZERO if overrun_status in (None, OVERRUN_APPROVED) else overrun
    if a_total != costs - unpaid:
        add("actual", f"Travel: grant {gid} has actual total {a_total} but ticket {parts[0]} + "
                      f"DSA {parts[1]} + terminal {parts[2]} = {costs}"
                      + (f", less the unpaid ({overrun_status}) overrun {overrun}, is {costs - unpaid}."
                         if unpaid else "."))
    if overrun and overrun != costs - committed:
        add("overrun", f"Travel: grant {gid} has an overrun of {overrun}, but its costs {costs} are "
                       f"{costs - committed} above its commitment {committed}.")
    # A closed grant whose commitment is not on record (0, as the bulk scale data
    # writes it) cannot be judged here; the pool checks still see its spending.
    if not overrun and committed > 0 and costs > committed:
        add("overrun", f"Travel: grant {gid} costs {costs}, {costs - committed} more than its "
                       f"commitment {committed}, without an overrun to approve.")


def _last_corrections() -> dict[int, CostCorrection]:
    """The last confirmed correction of each corrected grant (a handful of rows)."""
    last: dict[int, CostCorrection] = {}
    for correction in db.session.scalars(sa.select(CostCorrection).where(CostCorrection.status == CONFIRMED)
                                         .order_by(CostCorrection.decided_at, CostCorrection.id)):
        last[correction.grant_id] = correction
    return last


def _check_corrected(add, gid, parts, a_total, committed, overrun_status, correction: CostCorrection) -> None:
    """A corrected trip against its last confirmed correction."""
    wanted = (correction.actual_ticket, correction.actual_dsa, correction.actual_terminal)
    if tuple(parts) != wanted:
        add("corrected", f"Travel: grant {gid} has costs {parts[0]} + {parts[1]} + {parts[2]}, but its last "
                         f"confirmed correction ({correction.id}) made them {wanted[0]} + {wanted[1]} + "
                         f"{wanted[2]}.")
    costs = sum(parts, ZERO)
    paid = min(costs, committed) if overrun_status == OVERRUN_REJECTED else costs
    if a_total != paid or a_total != correction.spent_after:
        add("corrected", f"Travel: grant {gid} has actual total {a_total}; its corrected costs {costs} "
                         f"make it {paid}, and its last confirmed correction ({correction.id}) recorded "
                         f"{correction.spent_after}.")


def pool_spending() -> dict[int, dict[str, Decimal]]:
    """What each pool's grants hold: committed (approved grants) and spent (the actual
    totals of travelled and no-show grants: approved overruns included, overruns
    awaiting approval or rejected not), as the grants say."""
    g = TravelGrant
    committed = dict(db.session.execute(
        sa.select(g.pool_id, sa.func.sum(g.committed_amount))
        .where(g.status == APPROVED, g.pool_id.is_not(None)).group_by(g.pool_id)).all())
    spent = dict(db.session.execute(
        sa.select(g.pool_id, sa.func.sum(g.actual_total))
        .where(g.status.in_((TRAVELLED, NO_SHOW)), g.pool_id.is_not(None)).group_by(g.pool_id)).all())
    return {pool_id: {"committed": committed.get(pool_id) or ZERO, "spent": spent.get(pool_id) or ZERO}
            for pool_id in set(committed) | set(spent)}


def _pool_problems() -> list[str]:
    spending = pool_spending()
    committed = {pool_id: figures["committed"] for pool_id, figures in spending.items()}
    spent = {pool_id: figures["spent"] for pool_id, figures in spending.items()}
    out = []
    for pool in db.session.scalars(sa.select(Pool).order_by(Pool.id)):
        expected_committed = committed.get(pool.id) or ZERO
        expected_spent = spent.get(pool.id) or ZERO
        if pool.committed != expected_committed:
            out.append(f"Travel: pool {pool.code} shows committed {pool.committed}, but its approved "
                       f"grants commit {expected_committed}.")
        if pool.spent != expected_spent:
            out.append(f"Travel: pool {pool.code} shows spent {pool.spent}, but its travelled and "
                       f"no-show grants cost {expected_spent} (approved overruns included).")
    return out
