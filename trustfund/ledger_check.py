"""Invariants of the ledger, verified by `flask --app trustfund check`.

Each feature with a checks.py contributes a function `problems() -> list[str]`;
run_checks() gathers them all.
"""
from __future__ import annotations

import importlib
import importlib.util

FEATURES = ("contributions", "travel")


def run_checks() -> list[str]:
    """Every violated invariant, as a readable line; empty when all hold."""
    problems: list[str] = []
    for name in FEATURES:
        if importlib.util.find_spec(f"trustfund.{name}.checks") is None:
            continue
        problems.extend(importlib.import_module(f"trustfund.{name}.checks").problems())
    return problems
