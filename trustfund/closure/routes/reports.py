"""Reports of the fund's life: the funding status on any date, and the certified
final financial statements."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent, ngettext
from flask_login import current_user

from ...donors.loaders import get_donor_or_404
from ...errors import run
from ...exports import export_response
from ...extensions import db
from ...forms import BaseForm
from ...fund.entries import CLOSING_KINDS, FUND_SUBJECT, FinalStatement, donor_subject
from ...fund.models import FINANCIALLY_CLOSED
from ...fund.status import current_fund
from ...params import date_arg
from ...permissions import ADMIN, DONOR, STAFF, roles_required
from .. import final_export  # noqa: F401  (registers the download)
from ..blueprint import bp
from ..final import final_statement, issue_final_statements
from ..funding import LINE_LABELS, funding_status, lines
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


# --- Certified final financial statements ----------------------------------------------

@bp.route("/final-statements")
@roles_required(*STAFF)
def final_statements():
    fund = current_fund() or abort(404)
    issued = db.session.scalars(sa.select(FinalStatement).order_by(FinalStatement.id)).all()
    return render_template("closure/final_statements.html", fund=fund, issued=issued, form=BaseForm(),
                           can_issue=current_user.role == ADMIN and fund.status == FINANCIALLY_CLOSED
                           and not issued)


@bp.route("/final-statements/issue", methods=["POST"])
@roles_required(ADMIN)
def issue_final():
    form = BaseForm()
    if form.validate_on_submit():
        count = run(form, lambda: issue_final_statements(current_user))
        if count is not None:
            flash(ngettext("%(num)d certified final statement issued.",
                           "%(num)d certified final statements issued.", count), "success")
            return redirect(url_for("closure.final_statements"))
    for message in form.form_errors + [e for errors in form.errors.values() for e in errors]:
        flash(message, "danger")
    return redirect(url_for("closure.final_statements"))


def _shown(found: FinalStatement | None, filters: dict):
    if found is None:  # not issued (yet): the list says so; a donor has nothing to see
        if current_user.role == DONOR:
            abort(404)
        return redirect(url_for("closure.final_statements"))
    if request.args.get("format") == "xlsx":
        return export_response("final_statement", filters, current_user)
    template = "closure/final_fund.html" if found.donor_id is None else "closure/final_donor.html"
    return render_template(template, found=found, c=found.content, labels=LINE_LABELS, kinds=CLOSING_KINDS,
                           D=Decimal, day=dt.date.fromisoformat)


@bp.route("/final-statements/fund")
@roles_required(*STAFF)
def fund_final_statement():
    return _shown(final_statement(FUND_SUBJECT), {})


@bp.route("/final-statements/<int:donor_id>")
@roles_required(DONOR, *STAFF)
def final_statement_view(donor_id: int):
    donor = get_donor_or_404(donor_id)
    return _shown(final_statement(donor_subject(donor.id)), {"donor_id": donor.id})
