"""The fund's page (its record, status, fee rate history, accounting years and
history) and the admin's changes to the record."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..admin.models import FEE_RATE, setting_versions
from ..admin.sentences import setting_value
from ..clock import today
from ..confirmation import check, confirm_page, confirmed
from ..errors import run
from ..extensions import db
from ..formatting import date as fmt_date
from ..permissions import ADMIN, STAFF, roles_required
from . import previews
from .blueprint import bp
from .forms import CloseOperationsForm, ExtendForm, FundForm
from .models import FUND_STATUSES, OPEN, AccountingYear
from .services import already_closed_message, close_operations, extend_end, update_fund
from .status import closing_recorded, closing_waits, current_fund, effective_status, operations_closed_message


def _fund_or_404():
    return current_fund() or abort(404)


@bp.route("/")
@roles_required(*STAFF)
def index():
    fund = current_fund()
    if fund is None:
        return render_template("fund/missing.html")
    status = effective_status(fund)
    years = db.session.scalars(sa.select(AccountingYear).order_by(AccountingYear.year)).all()
    return render_template(
        "fund/index.html", fund=fund, status=status, status_labels=FUND_STATUSES, open=status == OPEN,
        closed_note=None if status == OPEN else operations_closed_message(fund),
        fee_rates=setting_versions(FEE_RATE), fee_key=FEE_RATE, setting_value=setting_value,
        years=years, today=today(),
        # an extension is refused once a pool's closing decision is recorded, and while
        # one waits for its confirmation if it would reopen the operations
        # (services.extend_end): not offered then
        extendable=not closing_recorded() and (fund.status != OPEN or not closing_waits()))


@bp.route("/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit():
    fund = _fund_or_404()
    form = FundForm(obj=fund)
    if form.validate_on_submit():
        done = run(form, lambda: update_fund(current_user, fund, name=form.name.data, code=form.code.data,
                                             start_on=form.start_on.data, version=form.version.data))
        if done is not None:
            flash(_("The fund's record was saved."), "success")
            return redirect(url_for("fund.index"))
    return render_template("fund/form.html", form=form, title=_("Change the fund's record"),
                           submit=_("Save"))


@bp.route("/extend", methods=["GET", "POST"])
@roles_required(ADMIN)
def extend():
    fund = _fund_or_404()
    form = ExtendForm()
    if request.method == "GET":
        form.version.data = fund.version
    if form.validate_on_submit():
        if form.end_on.data == fund.end_on and str(form.version.data) != str(fund.version):
            # Sent again (a double click): the first sending extended it.
            flash(_("The end date is already %(date)s.", date=fmt_date(fund.end_on)), "info")
            return redirect(url_for("fund.index"))
        done = run(form, lambda: extend_end(current_user, fund, end_on=form.end_on.data,
                                            reason=form.reason.data, version=form.version.data))
        if done is not None:
            flash(_("The end date was extended."), "success")
            return redirect(url_for("fund.index"))
    return render_template("fund/form.html", form=form, title=_("Extend the end date"),
                           submit=_("Extend the end date"), fund=fund)


@bp.route("/close-operations", methods=["GET", "POST"])
@roles_required(ADMIN)
def close_operations_view():
    fund = _fund_or_404()
    form = CloseOperationsForm()
    if request.method == "GET":
        form.version.data = fund.version
    elif effective_status(fund) != OPEN:
        # Sent again (a double click on Confirm): the first sending closed them.
        flash(already_closed_message(), "info")
        return redirect(url_for("fund.index"))
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, lambda: previews.operations_closing(fund, form.reason.data, form.version.data))
        if summary is not None:
            back = url_for("fund.index")
            return confirm_page(summary, form=form, button=_("Close the operations"), style="danger",
                                cancel=back, crumbs=[(_("The fund"), back), (summary.title, None)])
    elif valid:
        done = run(form, lambda: close_operations(current_user, fund, reason=form.reason.data,
                                                  version=form.version.data))
        if done is not None:
            flash(_("The fund's operations are closed."), "success")
            return redirect(url_for("fund.index"))
    return render_template("fund/form.html", form=form, title=_("Close the fund's operations early"),
                           submit=_("Close the operations"), fund=fund, warn=True)
