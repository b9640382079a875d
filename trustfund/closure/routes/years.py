"""Closing an accounting year (admin), confirmed first (confirmation.py)."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...confirmation import check, confirm_page, confirmed
from ...errors import run
from ...permissions import ADMIN, roles_required
from .. import previews
from ..blueprint import bp
from ..forms import CloseYearForm
from ..years import closable, close_year


@bp.route("/years/<int:year>/close", methods=["GET", "POST"])
@roles_required(ADMIN)
def close_year_view(year: int):
    if not dt.MINYEAR <= year <= dt.MAXYEAR:  # a year no calendar has: no such page
        abort(404)
    form = CloseYearForm()
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, lambda: previews.year_closing(year, form.report_reference.data))
        if summary is not None:
            back = url_for("fund.index")
            return confirm_page(summary, form=form, button=_("Close %(year)s", year=str(year)),
                                style="danger", cancel=back,
                                crumbs=[(_("The fund"), back), (summary.title, None)])
    elif valid:
        done = run(form, lambda: close_year(current_user, year, report_reference=form.report_reference.data))
        if done is not None:
            flash(_("%(year)s is closed.", year=str(year)), "success")
            return redirect(url_for("fund.index"))
    return render_template("closure/close_year.html", form=form, year=year, refusal=closable(year))
