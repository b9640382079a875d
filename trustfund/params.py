"""Numbers and dates in a query string or a URL, read one way everywhere.

A value a database cannot hold must never reach it: SQLite refuses an integer past
64 bits and PostgreSQL one past its column's range (a 500, not a message), and a
date of 9999-12-31 overflows as soon as a day is added to it. So:

- ids (`?event=`, `?donor=`, `<int:...>` in a URL) are ASCII digits up to MAX_ID;
  anything else is no id at all (a filter left out, a URL that matches no route:
  404). The `int` URL converter is replaced by IdConverter for every route.
- a page number is ASCII digits; past MAX_PAGE it is the last page anyone could
  reach, and anything else is page 1. Flask-SQLAlchemy's paginate() reads it here
  (extensions.SQLAlchemy), so a list that forgets to pass a page is covered too.
- dates are ASCII YYYY-MM-DD from MIN_DATE to MAX_DATE; forms refuse others beside
  the field (forms.BaseForm), query-string filters leave them out.
- the commands' options read the same way (COMMAND_ID, COMMAND_DATE): click refuses
  others with a sentence naming the option, never a traceback.

Full-width or other scripts' digits ("１２３", "١٢٣") are refused: Python's int()
and Decimal() would read them silently as 123, and nobody typing an id or a date
here means them.
"""
from __future__ import annotations

import datetime as dt
import re

import click
from werkzeug.routing import IntegerConverter

# The largest id SQLite (and PostgreSQL's bigint) can hold.
MAX_ID = 2**63 - 1
# No list has this many pages; past it the offset would overflow (50 rows a page).
MAX_PAGE = 10**9
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)

_DIGITS = re.compile(r"[0-9]+\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DATE_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)\Z")


def whole_number(text, maximum: int = MAX_ID) -> int | None:
    """A whole number written in ASCII digits, from 0 to `maximum`; else None."""
    text = str(text if text is not None else "").strip()
    if not _DIGITS.match(text) or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


def id_arg(args, name: str) -> int | None:
    """The id named `name` in a query string, or None when there is none or it could
    name no row."""
    value = whole_number((args or {}).get(name))
    return value if value else None


def page_arg(args=None, name: str = "page") -> int:
    """The page asked for: 1 unless well formed, at most MAX_PAGE."""
    if args is None:
        from flask import request

        args = request.args
    text = str(args.get(name) or "").strip()
    if not _DIGITS.match(text):
        return 1
    if len(text) > len(str(MAX_PAGE)) or int(text) > MAX_PAGE:
        return MAX_PAGE
    return max(int(text), 1)


def in_date_range(value: dt.date | None) -> bool:
    return value is not None and MIN_DATE <= value <= MAX_DATE


def iso_date(text, *, with_time: bool = False) -> dt.date | None:
    """A date written YYYY-MM-DD in ASCII digits, between MIN_DATE and MAX_DATE; with
    `with_time`, also a date and time as a spreadsheet writes one ("2017-06-01
    00:00:00"), whose time must itself be valid. Anything else, trailing text
    included ("2017-06-01T99:99 garbage"), is None: never a date guessed from part
    of the text."""
    if isinstance(text, dt.datetime):
        text = text.date()
    if isinstance(text, dt.date):
        return text if in_date_range(text) else None
    text = str(text if text is not None else "").strip()
    try:
        if _DATE.match(text):
            value = dt.date.fromisoformat(text)
        elif with_time and (match := _DATE_TIME.match(text)):
            value = dt.datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}").date()
        else:
            return None
    except ValueError:
        return None
    return value if in_date_range(value) else None


def date_arg(args, name: str) -> dt.date | None:
    """A date filter of a query string (or an export's options), None when absent or
    not a date in range."""
    return iso_date((args or {}).get(name))


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits up to MAX_ID. Werkzeug's own matches
    any Unicode digit and any size, and a 20-digit id reached the database."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register(app) -> None:
    """Before any route is added: every `<int:...>` is an IdConverter."""
    app.url_map.converters["int"] = IdConverter


class _CommandDate(click.DateTime):
    """A command's date option: YYYY-MM-DD from MIN_DATE to MAX_DATE (a datetime at
    midnight, as click.DateTime gives it)."""

    def __init__(self):
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value, param, ctx):
        moment = super().convert(value, param, ctx)
        if not in_date_range(moment.date()):
            self.fail(f"{moment.date()} is not a date from {MIN_DATE} to {MAX_DATE}.", param, ctx)
        return moment


COMMAND_ID = click.IntRange(1, MAX_ID)
COMMAND_DATE = _CommandDate()
