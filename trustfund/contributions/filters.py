"""Template filters of the pools (registered on the app through the contributions
blueprint): every feature's pages name a pool the same way."""
from __future__ import annotations

from .blueprint import bp


@bp.app_template_filter("pool_name")
def pool_name_filter(pool) -> str:
    """"Objective 1" or "Un-earmarked": pool names short enough for a table or a select
    (the objective's full title, `pool.label`, in the cell's title)."""
    return pool.short_name if pool is not None else ""
