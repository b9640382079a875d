"""Travel support pages: events and participation reports here; grants, the review
queue and decisions in grants.py (same blueprint)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import localized
from ...errors import run
from ...exports import export_response
from ...extensions import db
from ...once import already_recorded, fresh_token, run_once
from ...permissions import SRSG_STAFF, TRAVEL_READERS, roles_required
from .. import exports as _exports  # noqa: F401  (registers the downloads)
from .. import queries
from ..blueprint import bp
from ..decisions import default_pool_chooser
from ..forms import EventEditForm, EventForm
from ..models import Event
from ..queries import travel_pools
from ..services import save_event

NEW_EVENT = "new_event"  # the new event form's one-time token (trustfund.submissions)
# The event page shows this many requests of each list; the full lists have pages.
EVENT_PAGE_ROWS = 100


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
    form = EventForm(obj=event) if event is None else EventEditForm(obj=event)
    if request.method == "GET":
        if event is not None:
            form.dsa_rate.data = f"{event.dsa_rate:.2f}"
            localized.fill(form, event.title_translations)
        else:
            form.max_per_country.data = 1
    if form.validate_on_submit():
        def save():
            return save_event(
                current_user, event, kind=form.kind.data, title=form.title.data, city=form.city.data,
                venue=form.venue.data or "", start_on=form.start_on.data, end_on=form.end_on.data,
                dsa_rate=form.dsa_rate.data, max_per_country=form.max_per_country.data,
                dates_note=form.dates_note.data or "",
                version=form.version.data if event is not None else None,
                title_translations=localized.translations_from(form))

        if event is not None:
            saved = run(form, save)
        else:
            done = run_once(form, NEW_EVENT, save)
            if done is not None and done.repeated:
                return already_recorded("travel.event", event_id=done.earlier_id)
            saved = done.entry if done is not None else None
        if saved is not None:
            flash(_("Event saved."), "success")
            return redirect(url_for("travel.event", event_id=saved.id))
    if event is None:
        fresh_token(form, NEW_EVENT)
    return render_template("travel/event_form.html", form=form, event=event)


@bp.route("/events/<int:event_id>")
@roles_required(*TRAVEL_READERS)
def event(event_id: int):
    event = get_event_or_404(event_id)
    pools = travel_pools()
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

