"""Importing deposits from an .xlsx workbook (officers), and its template: upload,
see what the import will do, confirm."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ...donors.models import Donor
from ...errors import run
from ...exports import XLSX_MIMETYPE, temp_file
from ...extensions import db
from ...formatting import money as fmt_money
from ...formatting import number as fmt_number
from ...money import USD
from ...paging import Pager
from ...params import page_arg
from ...permissions import MPTF_OFFICER, roles_required
from ..blueprint import bp
from ..forms import ConfirmImportForm, ImportForm
from ..import_uploads import confirm_upload, figures_seen, keep_upload
from ..importer import column_label, plan_import, template_workbook
from ..loaders import get_upload_or_404
from ..models import Commitment, Pool


@bp.route("/deposits/import/template.xlsx")
@roles_required(MPTF_OFFICER)
def import_template():
    open_commitments = db.session.execute(
        sa.select(Commitment, Donor.name).join(Donor, Commitment.donor_id == Donor.id)
        .where(Commitment.open_condition())
        .order_by(sa.func.lower(Donor.name), Commitment.committed_on)).all()
    handle = temp_file(template_workbook(open_commitments).save)
    return send_file(handle, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name="deposits-import-template.xlsx", max_age=0)


def _page_limit() -> int:
    return int(current_app.config.get("IMPORT_PAGE_MAX_ROWS", 10_000))


# Rows of the file on a page of its preview.
ROWS_PER_PAGE = 100


class RowsPage(Pager):
    """One page of the rows an import will record (all of them, a hundred at a time)."""

    def __init__(self, planned: list, page: int):
        self.total = len(planned)
        self.pages = max(1, -(-self.total // ROWS_PER_PAGE))
        self.page = min(max(page, 1), self.pages)
        start = (self.page - 1) * ROWS_PER_PAGE
        self.items = planned[start:start + ROWS_PER_PAGE]
        self.first, self.last = start + 1, start + len(self.items)


def _render(template: str, result=None, **context):
    pools = {p.id: p for p in db.session.scalars(sa.select(Pool))}
    rows = RowsPage(result.planned, page_arg()) if result is not None else None
    return render_template(template, column_label=column_label, pools=pools, result=result, rows=rows,
                           **context)


@bp.route("/deposits/import", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def import_file():
    """Upload: a file with any problem shows them all here, and nothing is kept; a
    clean one is kept and its preview shown."""
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = list(form.file.errors) + [_("Choose the .xlsx file to import.")]
        else:
            content = upload.stream.read()
            result = plan_import(content, filename=upload.filename, command_above=_page_limit(),
                                     actor=current_user)
            if result.ok:
                kept = run(form, lambda: keep_upload(current_user, upload.filename, content,
                                                     result.data_rows))
                if kept is not None:
                    return redirect(url_for("contributions.import_preview", token=kept.token))
            form.file.errors = list(form.file.errors) + [e.message for e in result.errors if e.row == 0]
    return _render("contributions/import.html", form=form, result=result)


@bp.route("/deposits/import/<token>")
@roles_required(MPTF_OFFICER)
def import_preview(token: str):
    """What the kept file will do, checked against the ledger as it is now; or, once
    posted, what it did."""
    upload = get_upload_or_404(token, current_user)
    result = None if upload.posted_at else plan_import(upload.content, filename=upload.filename,
                                                       actor=current_user)
    form = ConfirmImportForm()
    if result is not None:
        form.seen.data = figures_seen(result)
    return _render("contributions/import_preview.html", upload=upload, result=result, form=form)


@bp.route("/deposits/import/<token>/confirm", methods=["POST"])
@roles_required(MPTF_OFFICER)
def import_confirm(token: str):
    upload = get_upload_or_404(token, current_user)
    form = ConfirmImportForm()
    if form.validate_on_submit():
        result = run(form, lambda: confirm_upload(current_user, upload, form.seen.data))
        if result is not None:
            flash(ngettext("%(count)s deposit imported: %(usd)s, net %(net)s after the fee.",
                           "%(count)s deposits imported: %(usd)s, net %(net)s after the fee.",
                           result.imported, count=fmt_number(result.imported), usd=fmt_money(result.usd, USD),
                    net=fmt_money(result.net, USD)), "success")
            return redirect(url_for("contributions.deposits"))
        upload = get_upload_or_404(token, current_user)
    result = None if upload.posted_at else plan_import(upload.content, filename=upload.filename,
                                                       actor=current_user)
    if result is not None:
        form.seen.data = figures_seen(result)  # the figures shown now, to confirm afresh
    return _render("contributions/import_preview.html", upload=upload, result=result, form=form)
