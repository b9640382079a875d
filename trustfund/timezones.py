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
from babel.core import get_global
from babel.dates import get_timezone_location

from .country_names import un_name

UTC = "UTC"
REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian",
           "Pacific")


@functools.cache
def known() -> frozenset[str]:
    """The zones people live in: UTC, and the regions' places (old aliases of them
    too: "Asia/Calcutta"); not the database's technical ones ("Factory",
    "Etc/GMT+5"), which Babel names "Unknown Region" or cannot load."""
    return frozenset(name for name in zoneinfo.available_timezones()
                     if name.split("/", 1)[0] in REGIONS) | {UTC}


def is_zone(name: str | None) -> bool:
    return isinstance(name, str) and name in known()


@functools.cache
def places() -> tuple[str, ...]:
    """UTC, then the zones of the regions' places, by name: each place once, by its
    current name (CLDR's aliases left out: "Asia/Calcutta" is "Asia/Kolkata",
    "Africa/Asmera" "Africa/Asmara"; a user's alias is still shown, choices_with)."""
    aliases = get_global("zone_aliases")
    return (UTC,) + tuple(sorted(name for name in known() if name != UTC and name not in aliases))


def place(name: str, locale: Locale) -> str:
    """A zone as people name it, in their language: "Nairobi, Kenya", the country as the UN
    names it (country_names: "Gaza, State of Palestine"; "Taipei" alone); UTC as itself."""
    if not is_zone(name) or name == UTC:
        return UTC if not name else name
    current = get_global("zone_aliases").get(name, name)
    zone = zoneinfo.ZoneInfo(current if current in known() else name)
    city = get_timezone_location(zone, locale=locale, return_city=True)
    territory = get_global("zone_territories").get(zone.key)
    # Named as the UN names it; a place in no Member or observer State by its city alone.
    country = un_name(territory, locale) if territory else None
    if country and city == locale.territories.get(territory):
        return country  # a zone named after its country ("Cape Verde"): the UN's name alone
    return f"{city}, {country}" if country and country != city else city


def utc_offset(moment: dt.datetime) -> str:
    """"UTC+01:00": how far from UTC an aware moment is."""
    text = moment.strftime("%z")
    return f"UTC{text[:3]}:{text[3:5]}"


def _label(name: str, locale: Locale, noon: dt.datetime) -> str:
    return f"{place(name, locale)} ({utc_offset(noon.astimezone(zoneinfo.ZoneInfo(name)))})"


@functools.lru_cache(maxsize=16)
def choices(locale: Locale, day: dt.date) -> tuple[tuple[str, str], ...]:
    """(zone, label) of each place: "Paris, France (UTC+01:00)", its city and country
    in the user's language and its offset at noon UTC on `day` (summer time changes
    it); UTC first, then by the label, as the reader reads it (the list's filter box
    finds a city or a country)."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    found = sorted(((name, _label(name, locale, noon)) for name in places()[1:]),
                   key=lambda pair: pair[1].casefold())
    return ((UTC, UTC), *found)


def choices_with(current: str | None, locale: Locale, day: dt.date) -> list[tuple[str, str]]:
    """The choices, with the user's own zone among them even if it is an alias."""
    found = list(choices(locale, day))
    if current and is_zone(current) and current not in places():
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        found.insert(1, (current, _label(current, locale, noon)))
    return found
