"""The audit trail in words (trustfund/audit_text.py): countries and their LDC periods."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit_text import EMPTY, Book, Field, Target
from ..extensions import db
from ..formatting import date
from .models import Country, localized_country_name


def load_countries(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(Country.code, Country.name).where(Country.code.in_(keys)))
    return {row.code: Target(localized_country_name(row.code, row.name), "countries.country",
                             {"code": row.code}) for row in rows}


def _day(text) -> str:
    try:
        return date(dt.date.fromisoformat(text))
    except (TypeError, ValueError):
        return str(text)


def ldc_periods(value, snapshot: dict) -> str:
    """The LDC periods as the country page lists them: "from 1 Jan 1971 to 13 Dec 2023"."""
    periods = []
    for period in value or ():
        if period.get("end_on"):
            periods.append(_("from %(start)s to %(end)s", start=_day(period.get("start_on")),
                             end=_day(period["end_on"])))
        else:
            periods.append(_("since %(start)s", start=_day(period.get("start_on"))))
    return "; ".join(periods) or EMPTY


def register(book: Book) -> None:
    book.reference("country", load_countries)
    book.object("Country", _l("Country"), {
        "name": Field(_l("Name (English, as the UN writes it)")),
        "un_member": Field(_l("UN Member State"), "bool"),
        "observer": Field(_l("Non-member observer State"), "bool"),
        "developing": Field(_l("Developing country"), "bool"),
        "ldc_periods": Field(_l("LDC periods"), show=ldc_periods),
    }, reference="country", hidden=("code",))
    book.action("country.update", _l("Country changed"), "Country",
                lambda e: _("Changed by %(user)s.", user=e.who))
    book.action("country.ldc_period", _l("LDC periods changed"), "Country",
                lambda e: _("LDC periods changed by %(user)s.", user=e.who))
