"""The audit trail in words (trustfund/audit_text.py): the fund's record and its
accounting years."""
from __future__ import annotations

import sqlalchemy as sa
from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit_text import Book, Field, Target, Told
from ..extensions import db
from .models import FUND_STATUSES, Fund


def load_funds(keys: list[str]) -> dict[str, Target]:
    ids = [int(k) for k in keys if k.isdigit()]
    rows = db.session.execute(sa.select(Fund.id, Fund.code).where(Fund.id.in_(ids)))
    return {str(row.id): Target(_("The fund %(code)s", code=row.code), "fund.index") for row in rows}


def load_years(keys: list[str]) -> dict[str, Target]:
    return {key: Target(key, "fund.index") for key in keys if key.isdigit()}


def _extended(e: Told) -> str:
    return _("End date extended by %(user)s from %(before)s to %(after)s.", user=e.who,
             before=e.show("end_on", "before"), after=e.show("end_on"))


def _reference_loaded(e: Told) -> str:
    """`flask setup-fund` (or the demo's loading) added what was missing."""
    what = [ngettext("%(num)s country", "%(num)s countries", e.value("countries") or 0),
            ngettext("%(num)s objective", "%(num)s objectives", e.value("objectives") or 0),
            ngettext("%(num)s pool", "%(num)s pools", e.value("pools") or 0),
            ngettext("%(num)s setting", "%(num)s settings", e.value("settings") or 0)]
    keys = ("countries", "objectives", "pools", "settings")
    counts = format_list([text for text, key in zip(what, keys, strict=True) if e.value(key)],
                         locale=get_locale())
    codes = " ".join(e.value("country_codes") or [])
    if e.value("fund"):
        return _("The fund's reference data loaded by %(user)s: the fund's record, %(counts)s.",
                 user=e.who, counts=counts)
    if codes:
        return _("Reference data added by %(user)s: %(counts)s (%(codes)s).", user=e.who,
                 counts=counts, codes=codes)
    return _("Reference data added by %(user)s: %(counts)s.", user=e.who, counts=counts)


def register(book: Book) -> None:
    book.reference("fund", load_funds)
    book.reference("year", load_years)
    book.object("Fund", _l("The fund"), {
        "name": Field(_l("Name")), "code": Field(_l("Code on the MPTF Gateway")),
        "start_on": Field(_l("Start date"), "date"), "end_on": Field(_l("End date"), "date"),
        "status": Field(_l("Status"), "choice", choices=FUND_STATUSES),
        "operations_closed_on": Field(_l("Operations closed on"), "date"),
    }, reference="fund", collection=Target(_l("The fund"), "fund.index"),
        hidden=("operations_closed_reason", "financially_closed_at", "financially_closed_by_id"))
    book.object("AccountingYear", _l("Accounting year"), {
        "report_reference": Field(_l("Annual report")),
    }, reference="year", hidden=("year", "closed_at", "closed_by_id"))
    book.action("year.close", _l("Accounting year closed"), "AccountingYear",
                lambda e: _("%(year)s closed by %(user)s, its annual report being out: %(report)s.",
                            year=e.iso(e.value("year")), user=e.who, report=e.show("report_reference")),
                told=("report_reference",))
    book.action("reference.load", _l("Reference data loaded"), "Fund", _reference_loaded, changes=False)
    book.action("fund.update", _l("Fund's record changed"), "Fund",
                lambda e: _("Changed by %(user)s.", user=e.who))
    book.action("fund.extend", _l("Fund's end date extended"), "Fund", _extended, told=("end_on",))
    book.action("fund.close_operations", _l("Fund's operations closed"), "Fund",
                lambda e: _("Operations closed early by %(user)s, on %(date)s.", user=e.who,
                            date=e.show("operations_closed_on")),
                told=("status", "operations_closed_on"))
