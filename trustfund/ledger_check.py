"""Invariants of the ledger, verified by `flask --app trustfund check`: each feature's
checks.py lists the problems it finds; run_checks() gathers them."""
from __future__ import annotations

from .closure import checks as closure_checks
from .contributions import checks as contribution_checks
from .travel import checks as travel_checks


def run_checks() -> list[str]:
    """Every violated invariant, as a readable line; empty when all hold."""
    return (contribution_checks.problems(travel_checks.pool_spending()) + travel_checks.problems()
            + closure_checks.problems())
