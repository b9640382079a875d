"""Closing an accounting year (admin)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import run
from ...permissions import ADMIN, roles_required
from ..blueprint import bp
from ..forms import CloseYearForm
from ..years import closable, close_year


@bp.route("/years/<int:year>/close", methods=["GET", "POST"])
@roles_required(ADMIN)
def close_year_view(year: int):
    form = CloseYearForm()
    if form.validate_on_submit():
        done = run(form, lambda: close_year(current_user, year, report_reference=form.report_reference.data))
        if done is not None:
            flash(_("%(year)s is closed.", year=str(year)), "success")
            return redirect(url_for("fund.index"))
    return render_template("closure/close_year.html", form=form, year=year, refusal=closable(year))
