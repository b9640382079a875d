"""A form's choice of one donor, at any number of donors.

Up to select_max() donors (200 by default, DONOR_FILTER_SELECT_MAX) a select
offers every donor. With more (5,000 at a hundred times the fund's size: a page
of options, slow to send and to use) the select offers the donor already chosen
(a link from the donor's page, ?donor=ID; the posted one; the edited record's)
and the donors whose name holds what was searched (?donor_name=, the
donor_search macro's form above the form), at most select_max() of them.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, request

from ..extensions import db
from .models import SAA_STATUSES, Donor
from .queries import name_holds

NAME_SEARCH_MAX = 200


def select_max() -> int:
    """Up to this many donors a select lists them all; with more, a name search."""
    return current_app.config.get("DONOR_FILTER_SELECT_MAX", 200)


def searched_name(args) -> str:
    """The ?donor_name= searched, spaces collapsed, at most NAME_SEARCH_MAX characters."""
    return " ".join(str(args.get("donor_name") or "").split())[:NAME_SEARCH_MAX]


def with_saa_status(row) -> str:
    return f"{row.name} ({SAA_STATUSES.get(row.saa_status, row.saa_status)})"


def few_donors(chosen: int | None, *columns) -> tuple[list | None, object | None]:
    """Every donor (`columns`, id and name by default) when there are at most
    select_max() of them, else None; and the row of the donor `chosen`, if any.
    One statement whatever the number of donors: at most select_max() + 1 rows,
    and the chosen one."""
    columns = columns or (Donor.id, Donor.name)
    limit = select_max()
    some = sa.select(*columns, sa.literal(0).label("chosen")).limit(limit + 1).subquery()
    query = sa.select(*(some.c[c.key] for c in columns), some.c.chosen)
    if chosen:
        query = sa.union_all(query, sa.select(*columns, sa.literal(1)).where(Donor.id == chosen))
    both = db.session.execute(query).all()
    rows = [r for r in both if not r.chosen]
    chosen_row = next((r for r in both if r.chosen), None)
    return (rows if len(rows) <= limit else None), chosen_row


def offer_donors(field, chosen: int | None, label: Callable = lambda row: row.name) -> dict | None:
    """Fill `field` (a SelectField of donor ids, 0 for none) with the donors to offer,
    `chosen` first selected on a GET. Returns what the donor_search macro shows (the
    text searched, how many found, whether more than listed), or None when every
    donor is listed."""
    limit = select_max()
    columns = (Donor.id, Donor.name, Donor.saa_status)
    rows, chosen_row = few_donors(chosen, *columns)
    search = None
    if rows is None:
        text = searched_name(request.args)
        rows = db.session.execute(
            sa.select(*columns).where(name_holds(text))
            .order_by(sa.func.lower(Donor.name), Donor.id).limit(limit + 1)).all() if text else []
        search = {"text": text, "limit": limit, "found": len(rows) if text else None,
                  "more": len(rows) > limit}
        rows = rows[:limit]
        found_one = rows[0].id if len(rows) == 1 else None
        if chosen_row is not None and all(r.id != chosen for r in rows):
            rows.append(chosen_row)
        if found_one and request.method == "GET":
            chosen = found_one  # the one donor found is the one meant; the other stays offered
    rows.sort(key=lambda r: (r.name.lower(), r.id))
    field.choices = [(0, "—")] + [(r.id, label(r)) for r in rows]
    if request.method == "GET":
        field.data = chosen or 0
    return search


def wanted_donor() -> int | None:
    """The donor id a GET names (?donor=ID) or a POST sends (donor_id), if well formed."""
    text = request.args.get("donor", "") if request.method == "GET" else request.form.get("donor_id", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None
