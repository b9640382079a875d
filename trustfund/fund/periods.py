"""Accounting periods: calendar years, closed by the admin once their annual
report is out (closure/years.py). The one rule every ledger service keeps:
nothing may be dated in a closed year (require_open). A correction of a closed
year's entry is dated in the open year and names the entry it corrects (a
reversal's `reverses_id`)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from ..errors import DomainError
from ..extensions import db
from .models import AccountingYear


def closed_years() -> frozenset[int]:
    """The closed years (few: one row per year of the fund's life)."""
    return frozenset(db.session.scalars(sa.select(AccountingYear.year)))


def last_closed_year() -> int | None:
    return db.session.scalar(sa.select(sa.func.max(AccountingYear.year)))


def closed_message(year: int) -> str:
    return _("%(year)s is a closed year: nothing may be dated in it. Date the entry in the open "
             "year; a correction of an entry of %(year)s is a new entry that names it.",
             year=str(year))


def require_open(day: dt.date, field: str | None = None) -> None:
    """Refuse an entry dated in a closed year, beside `field`. Every service that
    records an entry calls it with the entry's date (deposits and their reversals,
    interest, transfers, pledges, commitments, grant decisions and reconciliations,
    overruns, the fund's own entries, write-offs and closing decisions)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if isinstance(day, dt.date) and db.session.scalar(
            sa.select(AccountingYear.year).where(AccountingYear.year == day.year)) is not None:
        raise DomainError(closed_message(day.year), field=field)


def open_checker():
    """require_open for many dates (an import's rows): the closed years read once."""
    years = closed_years()

    def check(day: dt.date, field: str | None = None) -> None:
        if isinstance(day, dt.date) and day.year in years:
            raise DomainError(closed_message(day.year), field=field)

    return check
