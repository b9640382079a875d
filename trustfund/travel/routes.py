"""Travel support pages: events and participation reports here; grants, the review
queue and decisions in grant_routes.py (same blueprint)."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from babel import Locale
from babel.numbers import parse_pattern
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import run
from ..exports import export_response
from ..extensions import db
from ..permissions import SRSG_STAFF, TRAVEL_READERS, roles_required
from . import exports as _exports  # noqa: F401  (registers the downloads)
from . import queries
from .forms import EventForm
from .models import Event
from .services import save_event

bp = Blueprint("travel", __name__, url_prefix="/travel")
# The event page shows this many requests of each list; the full lists have pages.
EVENT_PAGE_ROWS = 100


# The percentage pattern, parsed once (babel.numbers.format_percent parses it at each
# call: a third of the reports page's time at 300 rows), and the texts made from it:
# a share has four decimals, so there are at most 10,001 per locale.
_PERCENT = parse_pattern("#,##0.0%")
_PERCENT_TEXTS: dict[tuple[str, object], str] = {}


@bp.app_template_filter("travel_percent")
def travel_percent(share) -> str:
    """A share (0 to 1) as the user's locale writes a percentage: 77.8%
    (flask_babel.format_percent(share, "#,##0.0%"), without parsing the pattern again)."""
    if share is None:
        return ""
    locale = get_locale() or Locale.parse("en")
    key = (str(locale), share)
    text = _PERCENT_TEXTS.get(key)
    if text is None:
        if len(_PERCENT_TEXTS) > 50_000:
            _PERCENT_TEXTS.clear()
        text = _PERCENT_TEXTS[key] = _PERCENT.apply(share, locale)
    return text


@bp.app_template_filter("pool_name")
def pool_name_filter(pool) -> str:
    """"Objective 1" or "Un-earmarked": pool names short enough for a table or a select."""
    from .decisions import pool_name

    return pool_name(pool) if pool is not None else ""


def local_next(default: str) -> str:
    """Where to go back to: a path on this site given by the form, or `default`."""
    target = request.form.get("next") or request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and "\\" not in target \
            and not parts.scheme and not parts.netloc:
        return target
    return default


def get_event_or_404(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


@bp.route("/events")
@roles_required(*TRAVEL_READERS)
def events():
    if request.args.get("format") == "xlsx":
        return export_response("events", request.args.to_dict(), current_user)
    rows = db.session.scalars(sa.select(Event).order_by(Event.start_on, Event.id)).all()
    return render_template("travel/events.html", events=rows, stats=queries.event_stats())


@bp.route("/events/new", methods=["GET", "POST"])
@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required(SRSG_STAFF)
def edit_event(event_id: int | None = None):
    event = get_event_or_404(event_id) if event_id is not None else None
    form = EventForm(obj=event)
    if request.method == "GET":
        if event is not None:
            form.dsa_rate.data = f"{event.dsa_rate:.2f}"
            form.version.data = str(event.version)
        else:
            form.max_per_country.data = 1
    if form.validate_on_submit():
        version = form.version.data
        saved = run(form, lambda: save_event(
            current_user, event, kind=form.kind.data, title=form.title.data, city=form.city.data,
            venue=form.venue.data or "", start_on=form.start_on.data, end_on=form.end_on.data,
            dsa_rate=form.dsa_rate.data, max_per_country=form.max_per_country.data,
            dates_note=form.dates_note.data or "",
            version=int(version) if version and version.isdigit() else None))
        if saved is not None:
            flash(_("Event saved."), "success")
            return redirect(url_for("travel.event", event_id=saved.id))
    return render_template("travel/event_form.html", form=form, event=event)


@bp.route("/events/<int:event_id>")
@roles_required(*TRAVEL_READERS)
def event(event_id: int):
    from .decisions import default_pool_chooser
    from .grant_routes import pools_with_money

    event = get_event_or_404(event_id)
    pools = pools_with_money()
    filters = {"event": event.id}
    grants = db.session.scalars(queries.grants_query(filters).limit(EVENT_PAGE_ROWS)).all()
    totals = queries.grant_totals(filters)
    waiting = db.session.scalars(queries.queue_query(event.id).limit(EVENT_PAGE_ROWS)).all()
    stats = queries.event_participation(event.id)
    return render_template("travel/event.html", event=event, grants=grants, totals=totals,
                           waiting=waiting, stats=stats, limit=EVENT_PAGE_ROWS, pools=pools,
                           default_pool_for=default_pool_chooser(pools))


@bp.route("/reports")
@roles_required(*TRAVEL_READERS)
def reports():
    filters = queries.report_filters(request.args)
    if request.args.get("format") == "xlsx":
        name = "participation_by_country" if request.args.get("report") == "country" \
            else "participation_by_event"
        return export_response(name, request.args.to_dict(), current_user)
    by_event = queries.participation_by_event(filters)
    by_country = queries.participation_by_country(filters)
    event_total = queries.report_totals(by_event, queries.countries_funded(by_country))
    return render_template("travel/reports.html", filters=filters, by_event=by_event,
                           by_country=by_country, event_total=event_total,
                           country_total=queries.report_totals(by_country))


from . import grant_routes  # noqa: F401  (the grant views join this blueprint)
