"""The countries' .xlsx download."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..exports import Col, Filter, Sheet, register_export
from ..formatting import date as fmt_date
from . import queries

MEMBERSHIP = {"member": _l("UN Member States"), "observer": _l("Non-member observer States")}


def _yes(value) -> str:
    return _("yes")


@register_export("countries", "Countries with UN membership, developing and LDC flags "
                              "(q, ldc_on, ldc, developing, membership)", filters={
    "q": Filter(_l("Name or code")),
    "ldc_on": Filter(_l("LDC on")),
    "ldc": Filter(_l("Only LDCs on that day"), _yes),
    "developing": Filter(_l("Only developing countries on that day"), _yes),
    "membership": Filter(_l("Membership"), lambda v: str(MEMBERSHIP.get(v, v))),
}, reads=queries.country_filters)
def countries_export(filters: dict, user) -> tuple[list[Sheet], str]:
    filters = queries.country_filters(filters)
    on = filters["ldc_on"]
    columns = [
        Col(_("Code"), lambda c: c.code, width=8),
        Col(_("Country"), lambda c: c.local_name),
        Col(_("Name (UN, English)"), lambda c: c.name),
        Col(_("UN Member State"), lambda c: c.un_member, "bool"),
        Col(_("Non-member observer State"), lambda c: c.observer, "bool"),
        Col(_("Developing country"), lambda c: c.developing, "bool"),
        Col(_("Developing on %(date)s", date=fmt_date(on)), lambda c: c.developing_on(on), "bool"),
        Col(_("LDC on %(date)s", date=fmt_date(on)), lambda c: c.ldc_on(on), "bool"),
        Col(_("LDC periods"), queries.periods_text, width=40),
    ]
    return [Sheet(_("Countries"), columns, queries.countries(filters))], _("Countries")
