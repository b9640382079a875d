"""Importing deposits from an .xlsx workbook (officers), and its template."""
from __future__ import annotations

import tempfile

import sqlalchemy as sa
from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...donors.models import Donor
from ...exports import XLSX_MIMETYPE
from ...extensions import db
from ...formatting import money as fmt_money
from ...money import USD
from ...permissions import MPTF_OFFICER, roles_required
from ..blueprint import bp
from ..forms import ImportForm
from ..importer import column_label, import_deposits, template_workbook
from ..models import Commitment


@bp.route("/deposits/import/template.xlsx")
@roles_required(MPTF_OFFICER)
def import_template():
    open_commitments = db.session.execute(
        sa.select(Commitment, Donor.name).join(Donor, Commitment.donor_id == Donor.id)
        .where(Commitment.deposited < Commitment.amount)
        .order_by(sa.func.lower(Donor.name), Commitment.committed_on)).all()
    handle = tempfile.TemporaryFile()
    template_workbook(open_commitments).save(handle)
    handle.seek(0)
    return send_file(handle, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name="deposits-import-template.xlsx", max_age=0)


@bp.route("/deposits/import", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def import_file():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = list(form.file.errors) + [_("Choose the .xlsx file to import.")]
        else:
            result = import_deposits(current_user, upload.stream, filename=upload.filename)
            if result.ok:
                db.session.commit()
                flash(_("%(count)s deposits imported: %(usd)s, net %(net)s after the fee.",
                        count=result.imported, usd=fmt_money(result.usd, USD),
                        net=fmt_money(result.net, USD)), "success")
                return redirect(url_for("contributions.deposits"))
            db.session.rollback()
            file_errors = [e.message for e in result.errors if e.row == 0]
            if file_errors:
                form.file.errors = list(form.file.errors) + file_errors
    return render_template("contributions/import.html", form=form, result=result,
                           column_label=column_label)
