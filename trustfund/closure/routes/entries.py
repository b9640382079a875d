"""The fund's own entries: direct costs, bank charges and other income (MPTF
officers record and reverse them; every finance reader sees them)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import submissions
from ...clock import today
from ...confirmation import check, confirm_page, confirmed
from ...contributions.fund_entries import record_fund_entry, reverse_fund_entry
from ...contributions.pools import all_pools
from ...errors import run
from ...exports import export_response
from ...extensions import db
from ...formatting import money as fmt_money
from ...fund.entries import ENTRY_KINDS, FundEntry
from ...money import USD
from ...paging import per_page
from ...permissions import FINANCE_READERS, MPTF_OFFICER, roles_required
from .. import previews
from ..blueprint import bp
from ..entries_export import entries_query, totals_by_kind
from ..forms import FundEntryForm, ReasonForm

PURPOSE = "fund_entry"


@bp.route("/entries")
@roles_required(*FINANCE_READERS)
def entries():
    if request.args.get("format") == "xlsx":
        return export_response("fund_entries", {}, current_user)
    page = db.paginate(entries_query(), per_page=per_page(), error_out=False)
    reversed_ids = set(db.session.scalars(sa.select(FundEntry.reverses_id)
                                          .where(FundEntry.reverses_id.is_not(None))))
    return render_template("closure/entries.html", page=page, totals=totals_by_kind(), kinds=ENTRY_KINDS,
                           reversed_ids=reversed_ids, can_write=current_user.role == MPTF_OFFICER)


def _form() -> FundEntryForm:
    form = FundEntryForm()
    form.kind.choices = [("", "—")] + [(k, str(v)) for k, v in ENTRY_KINDS.items()]
    form.pool_id.choices = [(0, "—")] + [(p.id, str(p.label)) for p in all_pools()]
    return form


@bp.route("/entries/new", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def new_entry():
    form = _form()
    if request.method == "GET":
        form.value_date.data = today()
    if form.validate_on_submit():
        done = run(form, lambda: submissions.once(current_user, form.form_token.data, PURPOSE, lambda: (
            record_fund_entry(current_user, kind=form.kind.data, pool_id=form.pool_id.data,
                              value_date=form.value_date.data, usd_amount=form.usd_amount.data,
                              description=form.description.data))))
        if done is not None and done.repeated:
            flash(_("This form had already been sent, and its entry is shown here. Nothing was recorded "
                    "a second time."), "warning")
            return redirect(url_for("closure.entries"))
        if done is not None:
            flash(_("%(kind)s of %(amount)s recorded.", kind=done.entry.kind_label,
                    amount=fmt_money(done.entry.usd_amount, USD)), "success")
            return redirect(url_for("closure.entries"))
    form.form_token.data = submissions.issue(current_user, PURPOSE)
    return render_template("closure/entry_form.html", form=form)


@bp.route("/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def reverse_entry(entry_id: int):
    entry = db.session.get(FundEntry, entry_id) or abort(404)
    form = ReasonForm()
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, lambda: previews.entry_reversal(entry, form.reason.data))
        if summary is not None:
            back = url_for("closure.entries")
            return confirm_page(summary, form=form, button=_("Reverse the entry"), style="danger",
                                cancel=back, crumbs=[(_("Direct costs, bank charges and other income"), back),
                                                     (summary.title, None)])
    elif valid:
        done = run(form, lambda: reverse_fund_entry(current_user, entry, form.reason.data))
        if done is not None:
            flash(_("The entry was reversed."), "success")
            return redirect(url_for("closure.entries"))
        entry = db.session.get(FundEntry, entry_id)
    return render_template("closure/reverse_entry.html", form=form, entry=entry)
