"""Reports of the fund's life: the funding status on any date, and the certified
final financial statements."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import format_percent
from flask_login import current_user

from ...exports import export_response
from ...params import date_arg
from ...permissions import STAFF, roles_required
from ..blueprint import bp
from ..funding import funding_status, lines
from ..funding_export import report_date  # registers the download too


@bp.route("/funding-status")
@roles_required(*STAFF)
def funding_status_view():
    asked = date_arg(request.args, "on")
    on = report_date({"on": asked})
    if request.args.get("format") == "xlsx":
        return export_response("funding_status", {"on": on}, current_user)
    status = funding_status(on)
    shown = lines(status)
    percents = {line.key: format_percent(line.percent, "#,##0.00%") for line in shown
                if line.percent is not None}
    return render_template("closure/funding_status.html", status=status, lines=shown, on=on,
                           percents=percents, bad_date=bool(request.args.get("on")) and asked is None)
