"""Importing the month's UN operational rates from one file (officers): upload, see
what the import will do, confirm (rate_import.py keeps the rules)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import second_person
from ...errors import run
from ...extensions import db
from ...permissions import MPTF_OFFICER, roles_required
from .. import rate_changes
from ..blueprint import bp
from ..forms import ConfirmImportForm, RateImportForm, RefuseTransferForm
from ..models import RateImport
from ..rate_import import (
    column_label,
    confirm_rate_upload,
    done_message,
    keep_rate_upload,
    plan_rates,
    rates_seen,
    withdraw_rate_upload,
)


def _upload_or_404(token: str) -> RateImport:
    """A kept rates file, for any MPTF officer: its uploader sees it and may withdraw it,
    another confirms it (the rates page lists the files waiting)."""
    upload = db.session.scalar(sa.select(RateImport).where(RateImport.token == token)) \
        if len(token) <= 64 else None
    if upload is None:
        abort(404)
    return upload


def _preview_page(upload: RateImport, form: ConfirmImportForm, refuse_form=None):
    plan = None if upload.posted_at or upload.withdrawn_at else plan_rates(upload.content, upload.filename)
    if plan is not None:
        form.seen.data = rates_seen(plan)  # the rates shown now, to confirm afresh
    return render_template("contributions/rates_import_preview.html", upload=upload, plan=plan, form=form,
                           column_label=column_label, mine=upload.created_by_id == current_user.id,
                           blocked=second_person.proposer_gone(upload.created_by_id, MPTF_OFFICER),
                           active_officers=rate_changes.active_officers(),
                           refuse_form=refuse_form or RefuseTransferForm(formdata=None))


@bp.route("/rates/import", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def import_rates():
    """Upload: a file with any problem shows them all here and nothing is kept; a clean
    one is kept and its preview shown."""
    form = RateImportForm()
    plan = None
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = list(form.file.errors) + [_("Choose the .xlsx or .csv file to import.")]
        else:
            content, filename = upload.stream.read(), upload.filename
            plan = plan_rates(content, filename)
            if plan.ok:
                kept = run(form, lambda: keep_rate_upload(current_user, filename, content, plan.data_rows))
                if kept is not None:
                    return redirect(url_for("contributions.rates_import_preview", token=kept.token))
            form.file.errors = list(form.file.errors) + [e.message for e in plan.errors if e.row == 0]
    return render_template("contributions/rates_import.html", form=form, plan=plan, column_label=column_label)


@bp.route("/rates/import/<token>")
@roles_required(MPTF_OFFICER)
def rates_import_preview(token: str):
    """What the kept file will do, checked against the rates as they are now; or, once
    posted, what it did."""
    return _preview_page(_upload_or_404(token), ConfirmImportForm())


@bp.route("/rates/import/<token>/confirm", methods=["POST"])
@roles_required(MPTF_OFFICER)
def rates_import_confirm(token: str):
    upload = _upload_or_404(token)
    form = ConfirmImportForm()
    if form.validate_on_submit():
        plan = run(form, lambda: confirm_rate_upload(current_user, upload, form.seen.data))
        if plan is not None:
            flash(done_message(plan), "success")
            return redirect(url_for("contributions.rates"))
        upload = _upload_or_404(token)
    return _preview_page(upload, form)


@bp.route("/rates/import/<token>/withdraw", methods=["POST"])
@roles_required(MPTF_OFFICER)
def rates_import_withdraw(token: str):
    """Its uploader withdraws a file nobody confirmed yet; another MPTF officer refuses
    it, with a reason."""
    upload = _upload_or_404(token)
    mine = upload.created_by_id == current_user.id
    form = ConfirmImportForm() if mine else RefuseTransferForm()
    if form.validate_on_submit():
        done = run(form, lambda: withdraw_rate_upload(current_user, upload,
                                                      None if mine else form.reason.data))
        if done is not None:
            flash(_("Rates file withdrawn: nothing was imported.") if mine else
                  _("Rates file refused: nothing was imported."), "success")
            return redirect(url_for("contributions.rates"))
        upload = _upload_or_404(token)
    return _preview_page(upload, ConfirmImportForm(formdata=None) if not mine else form,
                         refuse_form=None if mine else form)
