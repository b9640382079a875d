"""Countries: the list (localized names, membership, developing and LDC status on a
date, LDC periods) and an admin's corrections."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import run
from ..exports import export_response
from ..extensions import db
from ..permissions import ADMIN, TRAVEL_READERS, roles_required
from . import exports as _exports  # noqa: F401  (registers the download)
from . import queries
from .blueprint import bp
from .forms import CountryFilterForm, CountryForm, LdcPeriodForm
from .models import Country, LdcPeriod
from .services import save_ldc_period, update_country


def get_country_or_404(code: str) -> Country:
    if len(code) != 2:
        abort(404)
    return db.session.get(Country, code.upper()) or abort(404)


def _version(form) -> int | None:
    value = form.version.data
    return int(value) if value and str(value).isdigit() else None


@bp.route("/")
@roles_required(*TRAVEL_READERS)
def index():
    if request.args.get("format") == "xlsx":
        return export_response("countries", request.args.to_dict(), current_user)
    form = CountryFilterForm(request.args)
    filters = queries.country_filters(request.args)
    if not form.ldc_on.data:
        form.ldc_on.data = filters["ldc_on"]
    rows = queries.countries(filters)
    return render_template("countries/index.html", form=form, countries=rows, on=filters["ldc_on"])


@bp.route("/<code>")
@roles_required(*TRAVEL_READERS)
def country(code: str):
    country = get_country_or_404(code)
    return render_template("countries/country.html", country=country)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit(code: str):
    country = get_country_or_404(code)
    form = CountryForm(obj=country)
    if request.method == "GET":
        form.version.data = str(country.version)
    if form.validate_on_submit():
        saved = run(form, lambda: update_country(
            current_user, country, name=form.name.data, un_member=form.un_member.data,
            observer=form.observer.data, developing=form.developing.data, version=_version(form)))
        if saved is not None:
            flash(_("%(country)s saved.", country=saved.local_name), "success")
            return redirect(url_for("countries.country", code=saved.code))
    return render_template("countries/edit.html", form=form, country=country)


@bp.route("/<code>/periods/new", methods=["GET", "POST"])
@bp.route("/<code>/periods/<int:period_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def period(code: str, period_id: int | None = None):
    country = get_country_or_404(code)
    period = None
    if period_id is not None:
        period = db.session.get(LdcPeriod, period_id)
        if period is None or period.country_code != country.code:
            abort(404)
    form = LdcPeriodForm(obj=period)
    if request.method == "GET":
        form.version.data = str(country.version)
    if form.validate_on_submit():
        saved = run(form, lambda: save_ldc_period(
            current_user, country, period, start_on=form.start_on.data, end_on=form.end_on.data,
            note=form.note.data or "", version=_version(form)))
        if saved is not None:
            flash(_("LDC period of %(country)s saved.", country=country.local_name), "success")
            return redirect(url_for("countries.country", code=country.code))
    return render_template("countries/period.html", form=form, country=country, period=period)
