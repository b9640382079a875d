"""Admin corrections of the countries' reference data: flags and LDC periods.

Every change is audited with the country's values before and after (its LDC
periods included) and guarded by the country's version: an admin saving a form
built from an older version is refused, and a change of the periods alone also
moves the version, so two admins never overwrite each other's correction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import flag_modified

from ..audit import record, snapshot
from ..errors import DomainError, check_version
from ..extensions import db
from ..formatting import date as fmt_date
from ..permissions import ADMIN
from .models import Country, LdcPeriod

# Extension point: what depends on a country's standing (travel judges its waiting
# requests again) registers a function of (actor, country) here from its own module;
# the features above countries in .importlinter's layers register, countries imports
# none of them. Each runs in the change's transaction, after the change is flushed.
AFTER_CHANGE: list[Callable[[object, Country], None]] = []


def after_change(function: Callable[[object, Country], None]) -> Callable[[object, Country], None]:
    AFTER_CHANGE.append(function)
    return function


def _changed(actor, country: Country) -> None:
    for function in AFTER_CHANGE:
        function(actor, country)


def country_snapshot(country: Country) -> dict:
    data = snapshot(country)
    data["ldc_periods"] = [
        {"id": p.id, "start_on": p.start_on.isoformat(),
         "end_on": p.end_on.isoformat() if p.end_on else None, "note": p.note}
        for p in country.ldc_periods]
    return data


def _require_admin(actor) -> None:
    if getattr(actor, "role", None) != ADMIN:
        raise DomainError(_("Only an administrator may change the countries."))


def _check_version(country: Country, version: int | None) -> None:
    check_version(country.version, version, _(
        "Someone else changed this country while you were editing it. "
        "Reload the page to see their change, then try again."))


def _touch(country: Country) -> None:
    """Make the flush UPDATE the country's row, so that its version moves (and a
    concurrent change of the same country fails) even when only periods changed."""
    flag_modified(country, "name")


def update_country(actor, country: Country, *, name: str, un_member: bool, observer: bool,
                   developing: bool, version: int | None) -> Country:
    """Correct a country's English (UN) name and flags. A State is either a UN Member
    or a non-member observer State, not both."""
    _require_admin(actor)
    _check_version(country, version)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Enter the country's name."), field="name")
    if len(name) > 120:
        raise DomainError(_("The name is too long."), field="name")
    if un_member and observer:
        raise DomainError(_("A State is either a UN Member State or an observer State, not both."),
                          field="observer")
    before = country_snapshot(country)
    country.name, country.un_member, country.observer, country.developing = \
        name, un_member, observer, developing
    if not db.session.is_modified(country):  # saved as shown: nothing to record
        return country
    _touch(country)
    db.session.flush()
    record(actor, "country.update", country, before=before, after=country_snapshot(country),
           object_id=country.code)
    _changed(actor, country)
    return country


def _check_periods(country: Country, period: LdcPeriod, start_on: dt.date,
                   end_on: dt.date | None) -> None:
    if start_on is None:
        raise DomainError(_("Enter the day the country was included in the list."), field="start_on")
    if end_on is not None and end_on <= start_on:
        raise DomainError(_("The graduation day must be after the day of inclusion."), field="end_on")
    for other in country.ldc_periods:
        if other is period or other.id == getattr(period, "id", -1):
            continue
        other_end = other.end_on or dt.date.max
        mine_end = end_on or dt.date.max
        if start_on < other_end and other.start_on < mine_end:
            raise DomainError(_("This period overlaps another LDC period of the country (from %(start)s).",
                                start=fmt_date(other.start_on)), field="start_on")


def save_ldc_period(actor, country: Country, period: LdcPeriod | None, *, start_on: dt.date,
                    end_on: dt.date | None, note: str, version: int | None) -> LdcPeriod:
    """Add an LDC period, or correct one (closing it is giving it its graduation day:
    the country is no longer an LDC from that day). Periods may not overlap."""
    _require_admin(actor)
    _check_version(country, version)
    if period is not None and period.country_code != country.code:
        raise DomainError(_("This period belongs to another country."))
    _check_periods(country, period, start_on, end_on)
    before = country_snapshot(country)
    if period is None:
        period = LdcPeriod(start_on=start_on, end_on=end_on, note=(note or "").strip())
        country.ldc_periods.append(period)
    else:
        period.start_on, period.end_on, period.note = start_on, end_on, (note or "").strip()
        if not db.session.is_modified(period):  # saved as shown: nothing to record
            return period
    _touch(country)
    db.session.flush()
    db.session.refresh(country, ["ldc_periods"])
    record(actor, "country.ldc_period", country, before=before, after=country_snapshot(country),
           object_id=country.code)
    _changed(actor, country)
    return period
