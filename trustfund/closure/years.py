"""Closing an accounting year (DESIGN.md §6a): the admin closes a calendar year once
its annual report is out. From then on nothing may be dated in it
(fund.periods.require_open), and the position at its last day (every donor's net
deposits, weights and shares of spending per pool, each pool's spending) is
stored: statements read it for that day and start from it for any later day
(statements/closed.py), so the year's figures never change."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from ..admin.models import PENDING, SettingChange
from ..audit import record, snapshot, utcnow
from ..bulk import insert_rows
from ..clock import earliest_today
from ..contributions.models import InterestProposal, RateProposal, TransferProposal
from ..contributions.rate_import import waiting_rate_files
from ..errors import DomainError
from ..extensions import db
from ..fund.entries import WAITING, FundEntryProposal
from ..fund.models import AccountingYear, Fund, YearDonorPosition, YearPoolPosition, YearShare
from ..fund.services import require_admin
from ..fund.status import current_fund
from ..statements.shares import Position, position_on, usd
from ..validation import check_text, too_long


def closable(year: int, on: dt.date | None = None) -> str | None:
    """Why `year` cannot be closed now (None if it can). A year is closed once its last
    day has ended everywhere (clock.earliest_today), not in the closing admin's zone
    alone: an admin in Tokyo on 1 January would close it while officers in New York
    still record that 31 December's transfers, and UTC still dates decisions in it."""
    on = on or earliest_today()
    fund = current_fund()
    first = fund.start_on.year if fund is not None else year
    closed = set(db.session.scalars(sa.select(AccountingYear.year)))
    if year in closed:
        return _("%(year)s is already closed.", year=str(year))
    if dt.date(year, 12, 31) >= on:
        return _("%(year)s has not ended yet everywhere: a year is closed once its last day has "
                 "ended in every time zone.", year=str(year))
    if year < first:
        return _("The fund started in %(first)s: there is nothing to close before.", first=str(first))
    missing = [y for y in range(first, year) if y not in closed]
    if missing:
        return _("Close %(year)s first: years are closed in order.", year=str(missing[0]))
    return waiting_refusal(year)


def waiting_refusal(year: int) -> str | None:
    """What waits dated in `year` (waiting_in), as the refusal of its closing; None if nothing."""
    waiting = waiting_in(year)
    if waiting:
        return _("Changes dated in %(year)s wait for a second person: %(what)s. Confirm, refuse or withdraw "
                 "them first: once %(year)s is closed, none of them could be confirmed, and its figures "
                 "would be kept without them.", year=str(year), what="; ".join(waiting))
    return None


def waiting_in(year: int) -> list[str]:
    """What waits for a second person and would be dated in `year` once confirmed (a
    month's rate of it, interest, a fund's entry, a transfer between pools, a setting's
    value from a day of it; a kept rates file, whose months are read only as it is
    confirmed), in words: each would be refused once the year is closed, and the year's
    stored figures would lack it (a colleague's review of the year-end)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    dated = (
        (InterestProposal.value_date, InterestProposal.status == PENDING,
         lambda n: ngettext("%(num)d interest entry", "%(num)d interest entries", n)),
        (FundEntryProposal.value_date, FundEntryProposal.status == WAITING,
         lambda n: ngettext("%(num)d entry of the fund", "%(num)d entries of the fund", n)),
        (TransferProposal.transferred_on, TransferProposal.status == PENDING,
         lambda n: ngettext("%(num)d transfer between pools", "%(num)d transfers between pools", n)),
        (RateProposal.month, RateProposal.status == PENDING,
         lambda n: ngettext("%(num)d exchange rate", "%(num)d exchange rates", n)),
        (SettingChange.effective_from, SettingChange.status == PENDING,
         lambda n: ngettext("%(num)d setting's value", "%(num)d settings' values", n)),
    )
    counts = [(db.session.scalar(sa.select(sa.func.count()).select_from(day.class_)
                                 .where(waiting, day.between(first, last))), words)
              for day, waiting, words in dated]
    counts.append((len(waiting_rate_files()),
                   lambda n: ngettext("%(num)d rates file", "%(num)d rates files", n)))
    return [words(n) for n, words in counts if n]


def closing_checks(year: int, report_reference: str) -> str:
    """close_year()'s refusals (also said before the confirmation:
    previews.year_closing); the annual report's reference."""
    refusal = closable(year)
    if refusal:
        raise DomainError(refusal)
    reference = check_text((report_reference or "").strip(), "report_reference")
    if not reference:
        raise DomainError(_("Name the annual report the closing follows."), field="report_reference")
    if len(reference) > 200:
        raise DomainError(too_long(200), field="report_reference")
    return reference


def close_year(actor, year: int, *, report_reference: str) -> AccountingYear:
    """Close `year` (see the module's docstring): refused before its last day has
    passed, for a year before the fund, before the earlier years are closed, and
    without the reference of its annual report."""
    require_admin(actor)
    reference = closing_checks(year, report_reference)
    # Claim the fund's row first (as the financial closure does): an entry that found
    # the year open and writes meanwhile waits for this closing, then is refused
    # (fund.guard re-reads its years); one writing already is in the position below.
    fund = current_fund()
    if fund is not None:
        db.session.execute(sa.update(Fund).where(Fund.id == fund.id).values(status=Fund.status)
                           .execution_options(synchronize_session=False))
    # Looked for again now that the fund's row is held: a change dated in the year,
    # proposed between the checks above and the claim (or waiting for it on PostgreSQL),
    # is committed and seen here (a colleague's review).
    refusal = waiting_refusal(year)
    if refusal:
        raise DomainError(refusal)
    # The position is computed before the year is marked closed: once closed, its last
    # day reads what is stored here.
    position = position_on(dt.date(year, 12, 31))
    row = AccountingYear(year=year, closed_at=utcnow(), closed_by_id=getattr(actor, "id", None),
                         report_reference=reference, all_weights=True)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(_("%(year)s is already closed.", year=str(year))) from None
    _store(year, position)
    record(actor, "year.close", row, object_id=year, after=snapshot(row))
    return row


def _store(year: int, position: Position) -> None:
    """The position's figures as rows (in bulk: thousands of donors at scale)."""
    donors = set(position.net_cents) | set(position.returned_cents)
    insert_rows(YearDonorPosition.__table__, [
        {"year": year, "donor_id": donor, "net": usd(position.net_cents.get(donor, 0)),
         "returned": usd(position.returned_cents.get(donor, 0))} for donor in sorted(donors)])
    insert_rows(YearPoolPosition.__table__, [
        {"year": year, "pool_id": pool_id, "spending": usd(pool.spending_cents)}
        for pool_id, pool in sorted(position.pools.items())])
    shares = []
    for pool_id, pool in sorted(position.pools.items()):
        # Every donor's weight, negative ones included: later dates start from them.
        for donor in sorted({d for d, w in pool.all_weights_cents.items() if w} | set(pool.shares_cents)):
            shares.append({"year": year, "pool_id": pool_id, "donor_id": donor,
                           "weight": usd(pool.all_weights_cents.get(donor, 0)),
                           "share": usd(pool.shares_cents.get(donor, 0))})
    insert_rows(YearShare.__table__, shares)
