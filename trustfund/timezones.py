"""Time zones people choose (issue 17: timestamps in the user's own time zone).

Moments are stored in UTC (audit.utcnow) and shown in the user's zone
(formatting.datetime, through Flask-Babel's time zone selector); value dates and
event dates are plain dates and have no zone. The zones offered are the IANA
database's places (Africa/..., America/..., Europe/... and the other regions), plus
UTC; any name the database knows is accepted, so a browser that reports an older
alias ("Asia/Calcutta") is understood.
"""
from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from babel import Locale
from babel.dates import get_timezone_location

UTC = "UTC"
REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian",
           "Pacific")


@functools.cache
def known() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {UTC}


def is_zone(name: str | None) -> bool:
    return isinstance(name, str) and name in known()


@functools.cache
def places() -> tuple[str, ...]:
    """UTC, then the zones of the regions' places, by name."""
    return (UTC,) + tuple(sorted(name for name in known() if name.split("/", 1)[0] in REGIONS))


def utc_offset(moment: dt.datetime) -> str:
    """"UTC+01:00": how far from UTC an aware moment is."""
    text = moment.strftime("%z")
    return f"UTC{text[:3]}:{text[3:5]}"


@functools.lru_cache(maxsize=16)
def choices(locale: Locale, day: dt.date) -> tuple[tuple[str, str], ...]:
    """(zone, label) of each place: "Europe/Paris — Paris (UTC+01:00)", its city in the
    user's language and its offset at noon UTC on `day` (summer time changes it)."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    found = [(UTC, UTC)]
    for name in places()[1:]:
        zone = zoneinfo.ZoneInfo(name)
        city = get_timezone_location(zone, locale=locale, return_city=True)
        found.append((name, f"{name} — {city} ({utc_offset(noon.astimezone(zone))})"))
    return tuple(found)


def choices_with(current: str | None, locale: Locale, day: dt.date) -> list[tuple[str, str]]:
    """The choices, with the user's own zone among them even if it is an alias."""
    found = list(choices(locale, day))
    if current and is_zone(current) and current not in places():
        found.insert(1, (current, current))
    return found
