"""Accounting periods: calendar years, closed by the admin once their annual
report is out (closure/years.py). The one rule every ledger service keeps:
nothing may be dated in a closed year, nor before one (require_open): years close
in order from the fund's first, and a closed year's figures include everything
dated before it, so an entry dated in a year before the fund would change them
too. A correction of a closed year's entry is dated in the open year and names
the entry it corrects (a reversal's `reverses_id`).

require_open reads before the entry writes, and a year may close in between (its
closing then stores figures without the entry). So each year found open is noted
for the transaction, and fund.guard reads them again after the transaction's first
write, once the closing of a year (which claims the fund's row first) has
committed or cannot start before this transaction ends (check_noted_years)."""
from __future__ import annotations

import datetime as dt
import weakref

import sqlalchemy as sa
from flask_babel import gettext as _

from ..errors import DomainError
from ..extensions import db
from .models import AccountingYear

_NOTED = "trustfund.fund.periods.noted"


def closed_years() -> frozenset[int]:
    """The closed years (few: one row per year of the fund's life)."""
    return frozenset(db.session.scalars(sa.select(AccountingYear.year)))


def last_closed_year() -> int | None:
    return db.session.scalar(sa.select(sa.func.max(AccountingYear.year)))


def closed_message(year: int) -> str:
    return _("%(year)s is a closed year: nothing may be dated in it. Date the entry in the open "
             "year; a correction of an entry of %(year)s is a new entry that names it.",
             year=str(year))


def _closed_span():
    """(first, last) closed year, or (None, None) while none is."""
    return db.session.execute(sa.select(sa.func.min(AccountingYear.year),
                                        sa.func.max(AccountingYear.year))).one()


def _refusal(year: int, first: int | None, last: int | None) -> str | None:
    """Why nothing may be dated in `year` (None if it is open): a closed year, or a
    year before the first closed one (years close in order, so every year between the
    first and the last is closed)."""
    if last is None or year > last:
        return None
    if year >= first:
        return closed_message(year)
    return _("%(year)s comes before %(first)s, the first closed year: nothing may be dated in or "
             "before a closed year. Date the entry in the open year; a correction of an earlier "
             "entry is a new entry that names it.", year=str(year), first=str(first))


def require_open(day: dt.date, field: str | None = None) -> None:
    """Refuse an entry dated in a closed year or before one, beside `field`. Every
    service that records an entry calls it with the entry's date (deposits and their
    reversals, interest, transfers, pledges, commitments, grant decisions and
    reconciliations, overruns, the fund's own entries, write-offs and closing
    decisions)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if not isinstance(day, dt.date):
        return
    refusal = _refusal(day.year, *_closed_span())
    if refusal:
        raise DomainError(refusal, field=field)
    _note(db.session(), day.year)


def _note(session, year: int) -> None:
    """Note that this transaction found `year` open (see the module's docstring)."""
    transaction = session.get_transaction()
    if transaction is None:
        return
    noted = session.info.get(_NOTED)
    if noted is None or noted[0]() is not transaction:
        noted = session.info[_NOTED] = (weakref.ref(transaction), set())
    noted[1].add(year)


def check_noted_years(session) -> None:
    """Refuse the transaction if a year it found open has closed since (called by
    fund.guard after the transaction's first write)."""
    noted = session.info.get(_NOTED)
    if noted is None or noted[0]() is not session.get_transaction() or not noted[1]:
        return
    with session.no_autoflush:
        first, last = session.execute(sa.select(sa.func.min(AccountingYear.year),
                                                sa.func.max(AccountingYear.year))).one()
    refusal = _refusal(min(noted[1]), first, last)
    if refusal:
        raise DomainError(refusal)


def open_checker():
    """require_open for many dates (an import's rows): the closed years read once."""
    first, last = _closed_span()
    session = db.session()

    def check(day: dt.date, field: str | None = None) -> None:
        if not isinstance(day, dt.date):
            return
        refusal = _refusal(day.year, first, last)
        if refusal:
            raise DomainError(refusal, field=field)
        _note(session, day.year)

    return check
