"""What the list pages show beside their rows: the totals, kept per worker while the
data is unchanged (trustfund.cache); the commitments page's USD received; and
the pages of rows (Page).

At a hundred times the fund's size the totals sum 100,000 deposits at each view,
while the rows of a page are 50. The totals are the same figures as queries.py's
(the exports compute them afresh); they are kept under a key naming the filters
that change them (not the order or the page), whose rows a donor user may see, and
today's date (the overdue filter); any change of the data changes the data
version, so the next view computes afresh.
"""
from __future__ import annotations

from collections import namedtuple
from decimal import Decimal

import sqlalchemy as sa

from .. import cache
from ..clock import today
from ..extensions import db
from ..paging import Pager
from ..params import page_arg
from ..permissions import DONOR
from . import queries

# The filters that do not change which rows are listed.
_NOT_ROWS = ("sort",)

CommitmentRow = namedtuple("CommitmentRow", "Commitment donor_name usd net objective_number")


def _scope(user):
    """Whose rows the user may see: a donor user only its own, staff every donor's."""
    if user is not None and getattr(user, "role", None) == DONOR:
        return ("donor", user.donor_id)
    return ("all",)


def _kept(name: str, filters: dict, user, compute):
    shown = tuple(sorted((k, v) for k, v in filters.items() if k not in _NOT_ROWS and v not in (None, "")))
    return cache.keep(("contributions-list", name, shown, _scope(user), today()), compute)


def deposit_totals(filters: dict, user) -> tuple[list[dict], dict]:
    """queries.deposit_totals, kept while the data is unchanged (copies: the kept
    value is shared by the worker's requests)."""
    def compute():
        per_currency, usd = queries.deposit_totals(filters, user)
        return tuple(tuple(row.items()) for row in per_currency), tuple(usd.items())

    per_currency, usd = _kept("deposits", filters, user, compute)
    return [dict(row) for row in per_currency], dict(usd)


def commitment_totals(filters: dict, user) -> list[dict]:
    """queries.commitment_totals, kept while the data is unchanged."""
    rows = _kept("commitments", filters, user,
                 lambda: tuple(tuple(row.items()) for row in queries.commitment_totals(filters, user)))
    return [dict(row) for row in rows]


def pledge_totals(filters: dict, user) -> list[dict]:
    """queries.pledge_totals, kept while the data is unchanged."""
    rows = _kept("pledges", filters, user,
                 lambda: tuple(tuple(row.items()) for row in queries.pledge_totals(filters, user)))
    return [dict(row) for row in rows]


def commitment_page(filters: dict, user, args, per_page: int, total: int) -> Page:
    """One page of the commitments list: the rows of commitment_query (same order,
    same figures), the deposits summed for the page's commitments only."""
    page = page_of(queries.commitment_list_query(filters, user), args, per_page, total=total)
    received = queries.received_by_commitment(row.Commitment.id for row in page.items)
    zero = (Decimal("0.00"), Decimal("0.00"))
    page.items = [CommitmentRow(row.Commitment, row.donor_name, *received.get(row.Commitment.id, zero),
                                row.objective_number) for row in page.items]
    return page


def deposit_page(filters: dict, user, args, per_page: int, total: int) -> Page:
    """One page of the deposits list (`total`: its rows, counted by the totals). A page
    in the first half of the rows reads them in the sort's order (deposit_query's
    in_order): it finds its rows before half of the matching ones; a later page, or
    very few rows, are found through the filters and sorted."""
    page = min(max(page_arg(args), 1), max(1, -(-total // per_page)))
    in_order = page * per_page * 2 <= total
    return Page(queries.deposit_query(filters, user, in_order=in_order), page, per_page, total)


class Page(Pager):
    """One page of a query's rows, whole rows (Flask-SQLAlchemy's paginate keeps
    only the first column of a multi-column select). Same attributes as its
    Pagination, for the pager macro."""

    def __init__(self, query, page: int, per_page: int, total: int | None = None):
        """`total`: the number of rows of `query` when the caller has it already
        (from its totals), to spare a count of every row."""
        self.per_page = per_page
        self.total = total if total is not None else db.session.scalar(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(page, 1), self.pages)
        self.items = db.session.execute(query.limit(per_page).offset((self.page - 1) * per_page)).all()


def page_of(query, args, per_page: int, total: int | None = None) -> Page:
    return Page(query, page_arg(args), per_page, total)
