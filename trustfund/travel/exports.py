"""The .xlsx downloads of travel support, registered so that the pages and
`flask --app trustfund export NAME` give the same rows and figures."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext, pgettext

from ..countries.queries import country_named
from ..exports import PERIOD, Col, Filter, Sheet, no_filters, register_export, stream
from ..extensions import db
from ..formatting import number
from ..params import whole_number
from . import queries
from .models import GRANT_STATUSES, Event


def _event_named(event_id) -> str:
    """A filter's event id as the event's title in the reader's language."""
    event = db.session.get(Event, whole_number(event_id) or 0)
    return event.local_title if event else str(event_id)


LDC_CHOICES = {"yes": _l("LDC requests"), "no": _l("Other developing countries")}
EVENT_FILTER = Filter(_l("Event"), _event_named, anything=("0",))


def _pool_label(grant) -> str:
    return str(grant.pool.label) if grant.pool else ""


def grant_columns() -> list[Col]:
    return [
        Col(_("Grant"), lambda g: g.id, "int"),
        Col(_("Event"), lambda g: g.event.local_title),
        Col(_("Event starts"), lambda g: g.event.start_on, "date"),
        Col(_("Delegate"), lambda g: g.delegate.name),
        Col(_("Function"), lambda g: g.delegate.function),
        Col(_("Country code"), lambda g: g.country_code),
        Col(_("Country"), lambda g: g.country.local_name),
        Col(_("LDC"), lambda g: g.ldc, "bool"),
        Col(_("Status"), lambda g: str(g.status_label)),
        Col(_("Requested at (UTC)"), lambda g: g.requested_at, "datetime"),
        Col(_("Departure"), lambda g: g.travel_from, "date"),
        Col(_("Return"), lambda g: g.travel_to, "date"),
        Col(_("From (city)"), lambda g: g.origin_city),
        Col(_("Airfare"), lambda g: g.airfare, "money", currency="USD"),
        Col(_("DSA days"), lambda g: g.dsa_days, "int"),
        Col(_("DSA rate"), lambda g: g.dsa_rate, "money", currency="USD"),
        Col(_("DSA"), lambda g: g.dsa_amount, "money", currency="USD"),
        Col(_("Terminal expenses"), lambda g: g.terminal_expenses, "money", currency="USD"),
        Col(_("Total"), lambda g: g.total, "money", currency="USD"),
        Col(_("Reason for changed figures"), lambda g: g.override_reason),
        Col(_("Pool"), _pool_label),
        Col(pgettext("travel grant", "Committed"),
            lambda g: g.committed_amount if g.status == "approved" else None, "money", currency="USD"),
        Col(_("Actual airfare"), lambda g: g.actual_ticket, "money", currency="USD"),
        Col(_("DSA paid"), lambda g: g.actual_dsa, "money", currency="USD"),
        Col(_("Terminal expenses paid"), lambda g: g.actual_terminal, "money", currency="USD"),
        Col(_("Spent"), lambda g: g.actual_total if g.status in queries.SPENT else None,
            "money", currency="USD"),
        Col(_("Overrun"), lambda g: g.overrun_amount if g.overrun_status else None,
            "money", currency="USD"),
        Col(_("Overrun status"), lambda g: _as_cell(g.overrun_label) if g.overrun_status else ""),
        Col(_("Decision note"), queries.decision_note),
    ]


def _as_cell(label) -> str:
    """A label written for the middle of a sentence ("it is awaiting approval"), as a
    cell of its own begins, like the statuses beside it ("Awaiting approval"); Arabic
    and Chinese have no capitals and are left as they are."""
    label = str(label)
    return label[:1].upper() + label[1:]


def _grant_totals_row(columns: list[Col], totals: queries.GrantTotals) -> list:
    row = [None] * len(columns)
    row[0] = None
    row[1] = ngettext("Total (%(count)s grant)", "Total (%(count)s grants)", totals.count,
                      count=number(totals.count))
    headers = [str(c.header) for c in columns]
    row[headers.index(_("Total"))] = totals.total
    row[headers.index(pgettext("travel grant", "Committed"))] = totals.committed
    row[headers.index(_("Spent"))] = totals.spent
    return row


@register_export("grants", "Travel grants, with the grant list's filters (event, country, status, ldc)",
                 filters={"event": EVENT_FILTER,
                          "country": Filter(_l("Country"), country_named),
                          "status": Filter(_l("Status"), lambda code: str(GRANT_STATUSES.get(code, code))),
                          "ldc": Filter(_l("LDC"), lambda code: str(LDC_CHOICES.get(code, code)))},
                 reads=queries.grant_filters)
def grants_export(filters: dict, user) -> tuple[list[Sheet], str]:
    filters = queries.grant_filters(filters)
    columns = grant_columns()
    rows = stream(queries.grants_query(filters))
    totals = _grant_totals_row(columns, queries.grant_totals(filters))
    return [Sheet(_("Travel grants"), columns, rows, totals=totals)], _("Travel grants")


def _event_only(filters: dict) -> dict:
    """The review queue's one filter, as the queue reads it."""
    return {"event": queries.grant_filters(filters)["event"]}


def _of_second(value):
    """A column reader applied to the grant of an (order, grant) pair."""
    return lambda pair: value(pair[1])


@register_export("travel_queue", "Requests waiting for a decision, in review order (event)",
                 filters={"event": EVENT_FILTER}, reads=_event_only)
def queue_export(filters: dict, user) -> tuple[list[Sheet], str]:
    event_id = queries.grant_filters(filters)["event"]
    columns = [Col(_("Order"), lambda pair: pair[0], "int")] + [
        Col(c.header, _of_second(c.value), c.kind, c.currency)
        for c in grant_columns() if str(c.header) not in (pgettext("travel grant", "Committed"), _("Spent"))]
    rows = enumerate(stream(queries.queue_query(event_id)), start=1)
    return [Sheet(_("Review queue"), columns, rows), *_waiting_sheets(event_id)], _("Review queue")


def _waiting_sheets(event_id: int | None) -> list[Sheet]:
    """What the queue shows above the requests, waiting for a second SRSG staff member:
    the overruns awaiting approval (every one, where the page shows the oldest), the
    corrections of trips' costs (of the event's grants) and the changes of delegates'
    names. Nothing of them is paid or changed yet."""
    from . import corrections, delegates
    from .overruns import pending_overruns_query

    def by(user) -> str:
        return user.shown_name if user else ""

    overruns = [
        Col(_("Grant"), lambda g: g.id, "int"), Col(_("Delegate"), lambda g: g.delegate.name),
        Col(_("Country"), lambda g: g.country.local_name), Col(_("Event"), lambda g: g.event.local_title),
        Col(_("Event starts"), lambda g: g.event.start_on, "date"), Col(_("Pool"), _pool_label),
        Col(pgettext("travel grant", "Committed"), lambda g: g.committed_amount, "money", currency="USD"),
        Col(_("Actual costs"), lambda g: g.actual_costs, "money", currency="USD"),
        Col(_("Overrun"), lambda g: g.overrun_amount, "money", currency="USD"),
        Col(_("Recorded by"), lambda g: by(g.overrun_recorded_by))]
    corrected = [
        Col(_("Grant"), lambda c: c.grant_id, "int"), Col(_("Delegate"), lambda c: c.grant.delegate.name),
        Col(_("Event"), lambda c: c.grant.event.local_title),
        Col(_("Recorded costs"), lambda c: c.grant.actual_costs, "money", currency="USD"),
        Col(_("Corrected costs"), lambda c: c.costs, "money", currency="USD"),
        Col(_("Proposed by"), lambda c: by(c.proposed_by)), Col(_("Reason"), lambda c: c.reason, width=50)]
    renamed = [
        Col(_("Delegate"), lambda r: r.delegate.name), Col(_("New name"), lambda r: r.name),
        Col(_("Proposed by"), lambda r: by(r.proposed_by)), Col(_("Reason"), lambda r: r.reason, width=50)]
    pending = db.session.scalars(pending_overruns_query(event_id))
    return [
        Sheet(_("Overruns awaiting approval"), overruns, pending),
        Sheet(_("Waiting cost corrections"), corrected,
              [c for c in corrections.waiting_shown() if not event_id or c.grant.event_id == event_id]),
        Sheet(_("Waiting delegate renamings"), renamed, delegates.waiting_shown())]


@register_export("events", "Events with their DSA rates, caps, requests and delegates funded",
                 reads=no_filters)
def events_export(filters: dict, user) -> tuple[list[Sheet], str]:
    """The events page as a sheet: each event with its requests and delegates funded,
    the figures the page shows beside it."""
    stats = queries.event_stats()

    def figures(event) -> queries.Participation:
        return stats.get(event.id, queries.EMPTY)

    columns = [
        Col(_("Kind"), lambda e: str(e.kind_label)), Col(_("Title"), lambda e: e.local_title),
        Col(_("City"), lambda e: e.city), Col(_("Venue"), lambda e: e.venue),
        Col(_("First day"), lambda e: e.start_on, "date"), Col(_("Last day"), lambda e: e.end_on, "date"),
        Col(_("Note on the dates"), lambda e: e.dates_note),
        Col(_("DSA rate (USD per day)"), lambda e: e.dsa_rate, "money", currency="USD"),
        Col(_("Maximum number of funded delegates per country"), lambda e: e.max_per_country, "int"),
        Col(_("Requests"), lambda e: figures(e).requests, "int"),
        Col(_("Delegates funded"), lambda e: figures(e).funded, "int"),
    ]
    rows = db.session.scalars(sa.select(Event).order_by(Event.start_on, Event.id)).all()
    return [Sheet(_("Events"), columns, rows)], _("Events")


def _participation_columns(first: list[Col], count_header: str) -> list[Col]:
    return first + [
        Col(_("Requests"), lambda r: r[1].requests, "int"),
        Col(_("Delegates funded"), lambda r: r[1].funded, "int"),
        Col(count_header, lambda r: r[1].countries, "int"),
        Col(_("LDC delegates funded"), lambda r: r[1].ldc_funded, "int"),
        Col(_("LDC share"), lambda r: r[1].ldc_share, "percent"),
        Col(pgettext("travel grant", "Committed"), lambda r: r[1].committed, "money", currency="USD"),
        Col(_("Spent"), lambda r: r[1].spent, "money", currency="USD"),
    ]


def _totals(first_width: int, total: queries.Participation, distinct: int | None) -> list:
    return [_("Total")] + [None] * (first_width - 1) + [
        total.requests, total.funded, distinct, total.ldc_funded, total.ldc_share,
        total.committed, total.spent]


@register_export("participation_by_event", "Participation per event (date_from, date_to)", applies=PERIOD,
                 reads=queries.report_filters)
def participation_by_event_export(filters: dict, user) -> tuple[list[Sheet], str]:
    filters = queries.report_filters(filters)
    rows = queries.participation_by_event(filters)
    first = [Col(_("Event"), lambda r: r[0].local_title), Col(_("City"), lambda r: r[0].city),
             Col(_("First day"), lambda r: r[0].start_on, "date")]
    columns = _participation_columns(first, _("Countries with a funded delegate"))
    funded_in = queries.countries_funded(queries.participation_by_country(filters))
    totals = _totals(len(first), queries.report_totals(rows), funded_in)
    return [Sheet(_("Participation by event"), columns, rows, totals=totals)], \
        _("Participation by event")


@register_export("participation_by_country", "Participation per country (date_from, date_to)",
                 applies=PERIOD, reads=queries.report_filters)
def participation_by_country_export(filters: dict, user) -> tuple[list[Sheet], str]:
    filters = queries.report_filters(filters)
    rows = queries.participation_by_country(filters)
    first = [Col(_("Country code"), lambda r: r[0].code), Col(_("Country"), lambda r: r[0].local_name)]
    columns = _participation_columns(first, _("Events with a funded delegate"))
    totals = _totals(len(first), queries.report_totals(rows), None)
    return [Sheet(_("Participation by country"), columns, rows, totals=totals)], \
        _("Participation by country")
