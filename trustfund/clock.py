"""Today: the one date the application calls "today".

Value dates, due dates and event dates are plain dates (DESIGN.md §8), so "today" is
a date in somebody's time zone. In a request with a signed-in user it is the date now
in the user's own time zone (User.timezone, through the app's Flask-Babel time zone
selector, the one that shows moments): an officer in Tokyo at 08:00 on 1 March may
record a deposit received that day, while the server's clock (UTC) still says
28 February. Without a user (the command line, digests, background work, a page seen
before signing in) it is the date in the app's default zone, BABEL_DEFAULT_TIMEZONE,
which is UTC; outside the app, UTC's.

Moments that are stored (created_at and the like) stay in UTC (audit.utcnow).
Whatever is cached under "today's" figures carries this date in its key, so two users
on either side of midnight never share them.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import has_app_context
from flask_babel import get_timezone


def _now() -> dt.datetime:
    """The moment now, aware, in UTC (tests set the clock here)."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The date now for whoever is asking: in the signed-in user's time zone, else in
    the app's default zone (UTC) on the command line, in digests and in background
    work, else in UTC outside the app."""
    now = _now()
    if not has_app_context():
        return now.astimezone(dt.UTC).date()
    return now.astimezone(get_timezone() or dt.UTC).date()


def earliest_today() -> dt.date:
    """The date now where it is earliest (UTC−12): a day has ended everywhere once it is
    before this date (a year is closed only then, closure.years.closable)."""
    return (_now().astimezone(dt.UTC) - dt.timedelta(hours=12)).date()


def day_starts_at(day: dt.date) -> dt.datetime:
    """The moment `day` starts for whoever is asking (today()'s zone), as the naive UTC
    moment stored moments are compared with: a filter "from 1 March" read by a user in
    Tokyo starts at 15:00 UTC on 28 February, as the page shows her moments. Where a
    clock moves at midnight, the day starts at its first moment: the earlier of a
    midnight that happens twice (Amman left summer time at 01:00 back to 00:00), the
    hour after a midnight that never happens (zoneinfo's fold 0 gives both; pytz's
    localize gave the second midnight, an hour late)."""
    zone = (get_timezone() if has_app_context() else None) or dt.UTC
    local = dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(str(zone)))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def reversal_day(original: dt.date) -> dt.date:
    """The date of a reversal recorded now: today (the confirming user's), never before
    the entry it reverses. An officer in Tokyo records a deposit dated her today, 5
    March, while it is 4 March in New York: a colleague there confirming its reversal
    would date it the day before the deposit, a reversal of money not yet arrived in
    every list and statement ending 4 March (a colleague's review)."""
    return max(today(), original)


def utc_today() -> dt.date:
    """The date now in UTC, by which moments (decisions, reconciliations) are dated."""
    return _now().astimezone(dt.UTC).date()
