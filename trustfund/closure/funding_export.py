"""The funding status report as a download (export register "funding_status";
`flask --app trustfund export funding_status --to DATE`)."""
from __future__ import annotations

from flask import abort
from flask_babel import gettext as _

from ..clock import today
from ..exports import DATE_TO, Col, Sheet, register_export
from ..formatting import date as fmt_date
from ..money import USD
from ..permissions import STAFF
from .funding import funding_status, lines


def report_date(filters: dict):
    """The report's date: `on` (the page), else --to (the command), else today."""
    return filters.get("on") or filters.get("date_to") or today()


@register_export("funding_status", "The fund's funding status on a date, in the MPTF Gateway's layout: "
                                   "sources, uses, balance with the Administrative Agent (--to: the date)",
                 applies=(DATE_TO,))
def funding_status_export(filters: dict, user) -> tuple[list[Sheet], str]:
    if user is not None and user.role not in STAFF:
        abort(403)
    on = report_date(filters)
    status = funding_status(on)
    columns = [
        Col(_("Funding status on %(date)s", date=fmt_date(on)), lambda line: line.label, width=55),
        Col(_("Amount (USD)"), lambda line: line.amount, "money", currency=USD),
        Col(_("Percentage of contributions"), lambda line: line.percent, "percent"),
    ]
    return ([Sheet(_("Funding status"), columns, lines(status))],
            _("Funding status of the fund on %(date)s", date=fmt_date(on)))
