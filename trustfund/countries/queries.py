"""The country list with its filters, shared by the page and its .xlsx export."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import clock
from ..extensions import db
from ..localized import sort_key
from ..params import date_arg
from .models import Country


def country_filters(args) -> dict:
    """Filters from a query string: q (name or code), ldc_on (a date, default today),
    ldc and developing ('y' to keep only those on that date), membership."""
    on = date_arg(args, "ldc_on")
    membership = args.get("membership") or ""
    return {"q": (args.get("q") or "").strip()[:80], "ldc_on": on or clock.today(),
            "ldc": args.get("ldc") in ("y", "on", "1", "true"),
            "developing": args.get("developing") in ("y", "on", "1", "true"),
            "membership": membership if membership in ("member", "observer") else ""}


def countries(filters: dict) -> list[Country]:
    """Countries matching the filters, sorted by their name in the user's language."""
    on = filters["ldc_on"]
    rows = db.session.scalars(sa.select(Country).options(selectinload(Country.ldc_periods))).all()
    q = filters.get("q", "").casefold()
    out = []
    for country in rows:
        if q and q not in country.local_name.casefold() and q not in country.name.casefold() \
                and q != country.code.casefold():
            continue
        if filters.get("ldc") and not country.ldc_on(on):
            continue
        if filters.get("developing") and not country.developing_on(on):
            continue
        if filters.get("membership") == "member" and not country.un_member:
            continue
        if filters.get("membership") == "observer" and not country.observer:
            continue
        out.append(country)
    return sorted(out, key=lambda c: sort_key(c.local_name))


def periods_text(country: Country) -> str:
    return "; ".join(f"{p.start_on.isoformat()} – {p.end_on.isoformat() if p.end_on else '…'}"
                     for p in country.ldc_periods)


def country_named(code) -> str:
    """A filter's country code as the country's name in the reader's language."""
    country = db.session.get(Country, str(code).upper()) if len(str(code)) == 2 else None
    return country.local_name if country else str(code)
