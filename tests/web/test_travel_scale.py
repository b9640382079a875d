"""Travel pages at scale (issue 9): the participation figures are kept per worker
(trustfund.cache) while nothing changes, and every request, decision,
reconciliation or event change shows at once; SQL statements per page do not grow
with the events and grants."""
import datetime as dt
import re
from decimal import Decimal

from tests.factories import base_users
from tests.factories.travel import (
    MAY_GENEVA,
    OCTOBER_GENEVA,
    fund_pool,
    make_event,
    make_request,
    srsg,
    srsg2,
)
from tests.sql_log import first_view_counted, untimed
from tests.sql_log import get_counted as _get
from trustfund.admin.confirmed_settings import set_setting
from trustfund.admin.models import TERMINAL_EXPENSES
from trustfund.extensions import db
from trustfund.travel.decisions import approve_grant, reject_grant
from trustfund.travel.reconcile import record_travel
from trustfund.travel.services import save_event

# A grant's page with its history: 18 (the trail's names as they were, audit_text.account_at: one
# statement for every account's changes, whatever the entries; the delegate's former names,
# travel.delegates.former_names: one; a change of their name waiting, delegates.waiting_for: one).
BUDGET = 18


def _cells(html: str, row_start: str) -> list[str]:
    """The figures of the table row that contains `row_start`."""
    row = re.search(re.escape(row_start) + r".*?</tr>", html, re.DOTALL)
    assert row is not None, row_start
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(0))


def _event_row(html, event):
    return _cells(html, f'/travel/events/{event.id}">{event.title}</a>')


def _country_row(html, code):
    return _cells(html, f"<td>{code}</td>")


def _usd(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def test_reports_show_a_request_a_decision_and_a_trip_at_once(cached, client, login_as, users):
    fund_pool(1, "20000.00")
    may = make_event(cap=2)
    ecuador = make_request(may, "EC", "Ecuador delegate", airfare="1610.00")
    login_as("srsg_staff")
    first, cold = _get(client, "/travel/reports")
    again, warm = _get(client, "/travel/reports")
    assert untimed(again) == untimed(first) and warm < cold  # nothing changed: not summed again
    # requests, funded, countries, LDC funded, LDC share, committed, spent
    assert _event_row(first, may) == ["1", "0", "0", "0", "", "0.00", "0.00"]
    assert _country_row(first, "EC") == ["1", "0", "0", "0", "", "0.00", "0.00"]

    nepal = make_request(may, "NP", "Nepal delegate", airfare="1380.00")
    page, _ = _get(client, "/travel/reports")
    assert _event_row(page, may)[:2] == ["2", "0"]
    assert _country_row(page, "NP")[0] == "1"

    approve_grant(srsg2(), ecuador)
    approve_grant(srsg2(), nepal)
    db.session.commit()
    committed = ecuador.committed_amount + nepal.committed_amount
    page, _ = _get(client, "/travel/reports")
    assert _event_row(page, may) == ["2", "2", "2", "1", "50.0%", _usd(committed), "0.00"]
    assert _country_row(page, "EC") == ["1", "1", "1", "0", "0.0%",
                                        _usd(ecuador.committed_amount), "0.00"]
    events_page, _ = _get(client, "/travel/events")
    assert _cells(events_page, f'{may.title}</a>')[-2:] == ["2", "2"]  # requests, funded

    record_travel(srsg(), ecuador, ticket="1500.00", dsa="1199.99", terminal="100.00")
    db.session.commit()
    page, _ = _get(client, "/travel/reports")
    assert _event_row(page, may) == ["2", "2", "2", "1", "50.0%", _usd(nepal.committed_amount),
                                     "2,799.99"]
    assert _country_row(page, "EC")[-2:] == ["0.00", "2,799.99"]
    xlsx_total = client.get("/travel/reports?format=xlsx&report=country")
    assert xlsx_total.status_code == 200
    xlsx_total.close()


def test_reports_follow_an_event_moved_into_the_period(cached, client, login_as, users):
    may = make_event(cap=2)
    grant = make_request(may, "PH", "Philippines delegate")
    reject_grant(srsg2(), grant, "Covered by the mission.")
    db.session.commit()
    login_as("mptf_officer")
    autumn = "/travel/reports?date_from=2017-09-01&date_to=2017-12-31"
    page, _ = _get(client, autumn)
    assert "No events in this period." in page and "No requests in this period." in page

    save_event(srsg(), may, kind=may.kind, title=may.title, city=may.city, venue=may.venue,
               start_on=OCTOBER_GENEVA[0], end_on=OCTOBER_GENEVA[1], dsa_rate=may.dsa_rate,
               max_per_country=may.max_per_country, version=may.version)
    db.session.commit()
    page, _ = _get(client, autumn)
    assert _event_row(page, may)[:2] == ["1", "0"]
    assert _country_row(page, "PH")[:2] == ["1", "0"]
    everything, _ = _get(client, "/travel/reports")
    assert _country_row(everything, "PH")[:2] == ["1", "0"]


def test_total_row_counts_each_funded_country_once(client, login_as, users):
    fund_pool(1, "20000.00")
    may = make_event(cap=2)
    october = make_event("October session", OCTOBER_GENEVA)
    for event in (may, october):
        approve_grant(srsg2(), make_request(event, "EC", f"Ecuador at {event.title}"))
    make_request(october, "NP", "Nepal, waiting")
    db.session.commit()
    login_as("srsg_staff")
    page, _ = _get(client, "/travel/reports")
    # requests, funded, countries funded (Ecuador, once), LDC funded, share
    total = _cells(page, '<th scope="row" colspan="2">Total</th>')
    assert total[:5] == ["3", "2", "1", "0", "0.0%"]


def test_new_grant_form_gives_each_event_the_terminal_expenses_of_its_start(client, login_as,
                                                                          users):
    set_setting(base_users()["admin"], TERMINAL_EXPENSES, "120.00", dt.date(2017, 9, 1))
    db.session.commit()
    may = make_event(dates=MAY_GENEVA)
    october = make_event("October session", OCTOBER_GENEVA)
    login_as("srsg_staff")
    page, _ = _get(client, "/travel/grants/new")
    terminal = dict(re.findall(r'<option value="(\d+)"[^>]*data-terminal="([^"]+)"', page))
    assert Decimal(terminal[str(may.id)]) == Decimal("100.00")  # the default before September
    assert Decimal(terminal[str(october.id)]) == Decimal("120.00")


def _travel_pages(event, grant):
    return ["/travel/events", f"/travel/events/{event.id}", "/travel/reports",
            "/travel/reports?date_from=2017-01-01&date_to=2017-12-31", "/travel/grants",
            f"/travel/grants?event={event.id}&status=approved&ldc=no&country=EC",
            f"/travel/grants/{grant.id}", "/travel/grants/new", "/travel/queue",
            f"/travel/queue?event={event.id}"]


def _more(n: int, start: int):
    """n more events, each with a request from four countries, two of them approved
    and one reconciled."""
    codes = ["EC", "NP", "PH", "SN"]
    for i in range(start, start + n):
        day = dt.date(2017, 1, 2) + dt.timedelta(days=7 * i)
        event = make_event(f"Session {i}", (day, day + dt.timedelta(days=1)), cap=4)
        grants = [make_request(event, code, f"Delegate {i} {code}") for code in codes]
        for grant in grants[:2]:
            approve_grant(srsg2(), grant)
        db.session.commit()
        record_travel(srsg(), grants[0], ticket="900.00", dsa="800.00", terminal="100.00")
        db.session.commit()
    return event, grants[1]


def test_travel_pages_statements_do_not_grow_with_events_and_grants(client, login_as, users):
    fund_pool(1, "900000.00")
    event, grant = _more(2, 0)
    login_as("srsg_staff")
    before = {}
    for path in _travel_pages(event, grant):
        client.get(path)  # warm: the first request of a client loads session and translations
        before[path] = first_view_counted(client, path)[1]
    _more(6, 2)
    after = {path: first_view_counted(client, path)[1] for path in _travel_pages(event, grant)}
    assert after == before
    assert max(after.values()) <= BUDGET, after


def test_grant_list_totals_follow_a_decision_at_once(cached, client, login_as, users):
    fund_pool(1, "20000.00")
    may = make_event(cap=2)
    grant = make_request(may, "EC", "Ecuador delegate", airfare="1610.00")
    login_as("auditor")
    paths = ["/travel/grants", f"/travel/grants?event={may.id}&status=approved"]
    first = [_get(client, path)[0] for path in paths]
    assert "Total (1 grant)" in first[0] and "Total (0 grants)" in first[1]
    approve_grant(srsg2(), grant)
    db.session.commit()
    held = _usd(grant.committed_amount)
    after = [_get(client, path)[0] for path in paths]
    assert "Total (1 grant)" in after[1]
    for page in after:  # total requested, committed, spent
        assert _cells(page, "Total (1 grant)") == [_usd(grant.total), held, "0.00"]


def _reference(grants, key) -> dict:
    """The reports' figures summed here from every grant's row, per `key`."""
    from trustfund.travel.models import FUNDED
    from trustfund.travel.queries import SPENT, ZERO

    out: dict = {}
    for g in grants:
        funded = g.status in FUNDED
        f = out.setdefault(key(g), {"requests": 0, "funded": 0, "ldc_funded": 0, "committed": ZERO,
                                    "spent": ZERO, "other": set()})
        f["requests"] += 1
        f["funded"] += funded
        f["ldc_funded"] += funded and g.ldc
        f["committed"] += g.committed_amount if g.status == "approved" else ZERO
        f["spent"] += g.actual_total if g.status in SPENT else ZERO
        if funded:
            f["other"].add(g.country_code if key(g) == g.event_id else g.event_id)
    return {k: (f["requests"], f["funded"], f["ldc_funded"], f["committed"], f["spent"], len(f["other"]))
            for k, f in out.items()}


def test_report_figures_are_every_grants_sums_per_event_and_per_country(app, users):
    """Per event and per country at once (on PostgreSQL one GROUPING SETS pass each for
    the sums and the distinct funded pairs, queries._both_reports; on SQLite four
    statements): the same figures as every grant's row summed, the countries funded per
    event and the events attended per country counted once each."""
    from trustfund.travel import queries
    from trustfund.travel.models import TravelGrant

    fund_pool(1, "90000.00")
    may, october = make_event(cap=3), make_event("October session", OCTOBER_GENEVA, cap=3)
    for event in (may, october):
        for n, code in enumerate(("EC", "NP", "NP", "SN", "PH")):
            grant = make_request(event, code, f"{code} {n} at {event.title}", airfare=f"{1000 + 37 * n}.00")
            if n in (0, 1, 3):
                approve_grant(srsg2(), grant)
            if n == 1 and event is may:
                record_travel(srsg(), grant, ticket="900.00", dsa="812.34", terminal="100.00")
            if n == 4:
                reject_grant(srsg2(), grant, "Covered by the mission.")
    make_event("Session without requests", (dt.date(2018, 3, 5), dt.date(2018, 3, 6)))
    db.session.commit()
    grants = db.session.scalars(db.select(TravelGrant)).all()
    as_figures = lambda p: (p.requests, p.funded, p.ldc_funded, p.committed, p.spent, p.countries)  # noqa: E731
    with app.test_request_context():
        by_event = {e.id: as_figures(p) for e, p in queries.participation_by_event({})}
        by_country = {c.code: as_figures(p) for c, p in queries.participation_by_country({})}
    expected_events = _reference(grants, lambda g: g.event_id)
    assert {k: v for k, v in by_event.items() if v[0]} == expected_events
    assert len(by_event) == 3 and by_event[may.id][5] == 3  # EC, NP, SN funded at May
    assert by_country == _reference(grants, lambda g: g.country_code)
    assert by_country["NP"][5] == 2 and by_country["PH"][1] == 0


def test_queue_and_grant_list_pages_count_a_new_request_at_once(app, cached, client, login_as, users,
                                                                 monkeypatch):
    """The review queue's and the grants list's pagers take their number of rows from
    kept counts (queries.queue_count, the grant totals): a new request adds a page at
    once, a decision takes one off the queue at once, for all events and for one."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    fund_pool(1, "20000.00")
    may, october = make_event(cap=3), make_event("October session", OCTOBER_GENEVA, cap=3)
    first = make_request(may, "EC", "Ecuador delegate")
    make_request(october, "NP", "Nepal delegate")
    login_as("srsg_staff")
    paths = ["/travel/queue", f"/travel/queue?event={may.id}",
             "/travel/grants", f"/travel/grants?event={may.id}"]
    pages = lambda: [re.search(r"Page 1 of (\d+)", _get(client, p)[0]) for p in paths]  # noqa: E731
    assert [m and m.group(1) for m in pages()] == ["2", None, "2", None]
    make_request(may, "SN", "Senegal delegate")
    assert [m and m.group(1) for m in pages()] == ["3", "2", "3", "2"]
    approve_grant(srsg2(), first)
    db.session.commit()
    assert [m and m.group(1) for m in pages()] == ["2", None, "3", "2"]
