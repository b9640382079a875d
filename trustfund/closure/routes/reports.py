"""Reports of the fund's life: the funding status on any date, and the certified
final financial statements."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ...confirmation import check, confirm_page, confirmed
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
from .. import (
    final_export,  # noqa: F401  (registers the download)
    previews,
)
from ..blueprint import bp
from ..final import (
    commitment_as_certified,
    final_statement,
    issue_final_statements,
    pool_name_as_certified,
    signed_off_by,
)
from ..funding import LINE_LABELS, funding_status, lines, percent_texts
from ..funding_export import report_date  # registers the download too
from ..pdf import final_statement_pdf, funding_status_pdf, stored_percents

# Who signed a certified statement off, as named then (its page, its list, its PDF).
bp.add_app_template_global(signed_off_by, "signed_off_by")


def _pdf_response(content: bytes, name: str):
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True, download_name=name,
                     max_age=0)


@bp.route("/funding-status")
@roles_required(*STAFF)
def funding_status_view():
    asked = date_arg(request.args, "on")
    on = report_date({"on": asked})
    if request.args.get("format") == "xlsx":
        return export_response("funding_status", {"on": on}, current_user)
    status = funding_status(on)
    shown = lines(status)
    percents = percent_texts((line.key, line.percent) for line in shown)
    if request.args.get("format") == "pdf":
        return _pdf_response(funding_status_pdf(status, shown, percents, current_user),
                             f"funding-status-{on.isoformat()}.pdf")
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
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, previews.final_statements)
        if summary is not None:
            back = url_for("closure.final_statements")
            return confirm_page(summary, form=form, button=_("Sign off and issue the statements"),
                                cancel=back, crumbs=[(_("Certified final financial statements"), back),
                                                     (summary.title, None)])
    elif valid:
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
    if request.args.get("format") == "pdf":
        return _pdf_response(final_statement_pdf(found), f"final-statement-{found.donor_id or 'fund'}.pdf")
    template = "closure/final_fund.html" if found.donor_id is None else "closure/final_donor.html"
    return render_template(template, found=found, c=found.content, labels=LINE_LABELS, kinds=CLOSING_KINDS,
                           D=Decimal, day=dt.date.fromisoformat, percents=stored_percents(found),
                           pool_name=pool_name_as_certified,
                           commitment_name=commitment_as_certified)


@bp.route("/final-statements/fund")
@roles_required(*STAFF)
def fund_final_statement():
    return _shown(final_statement(FUND_SUBJECT), {})


@bp.route("/final-statements/<int:donor_id>")
@roles_required(DONOR, *STAFF)
def final_statement_view(donor_id: int):
    donor = get_donor_or_404(donor_id)
    return _shown(final_statement(donor_subject(donor.id)), {"donor_id": donor.id})
