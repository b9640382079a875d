"""A download's About sheet lists the filters it was made with as its reader reads
them: each under its label in the reader's language, a donor, an event or a country by
its name, a status in words. What only chooses how a list is shown (its format, its
order, which of a page's tables) selects no rows and is not listed."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from tests.factories.travel import make_event, make_request
from trustfund.contributions.models import Commitment

# The keys of the pages' query strings, which a reader should never meet.
QUERY_KEYS = ("donor", "donor_id", "date_from", "date_to", "commitment", "kind", "sort", "format",
              "event", "country", "status", "ldc", "report", "donor_type")


@pytest.fixture
def fund(db):
    return data.two_donor_fund()


def _filters(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    about = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[-1]
    rows = {label: value for label, value in about.iter_rows(values_only=True)}
    return {label: value for label, value in rows.items() if label.startswith(("Filter: ", "Filtre"))}


def _speak(db, user, language):
    user.locale = language
    db.session.commit()


def test_a_statement_names_its_donor_and_period(client, login_as, fund):
    sweden, _evil = fund
    login_as("donor")
    assert _filters(client, f"/statements/{sweden.id}?format=xlsx&from=2017-04-03&to=2017-12-31") == {
        "Filter: Donor": "Kingdom of Sweden",
        "Filter: From": dt.datetime(2017, 4, 3), "Filter: To": dt.datetime(2017, 12, 31)
    }
    assert _filters(client, "/statements/portal?format=xlsx&list=deposits") == {
        "Filter: Donor": "Kingdom of Sweden"}


def test_lists_of_contributions_name_their_filters_and_leave_out_order_and_kind(client, login_as, db, fund):
    _sweden, evil = fund
    login_as("mptf_officer")
    commitment = db.session.scalar(sa.select(Commitment).where(Commitment.reference == "SE-2017-EUR"))
    assert _filters(client, f"/contributions/?format=xlsx&donor={evil.id}&donor_type=member_state"
                            "&status=overdue&currency=JPY&sort=date") == {
        "Filter: Donor": evil.name, "Filter: Type of donor": "Member State",
        "Filter: Status": "Instalment overdue", "Filter: Currency": "JPY"}
    assert _filters(client, f"/contributions/deposits?format=xlsx&commitment={commitment.id}"
                            "&earmark=none&sort=-date") == {
        "Filter: Commitment": commitment.reference, "Filter: Earmarking": "Un-earmarked"}


def test_the_grant_list_names_its_event_country_and_status(client, login_as, db):
    login_as("srsg_staff")
    event = make_event(title="Thematic session, Geneva")
    make_request(event, country="SN")
    assert _filters(client, f"/travel/grants?format=xlsx&event={event.id}&country=SN&status=requested"
                            "&ldc=yes") == {
        "Filter: Event": "Thematic session, Geneva", "Filter: Country": "Senegal",
        "Filter: Status": "Requested", "Filter: LDC": "LDC requests"}
    assert _filters(client, "/travel/events?format=xlsx") == {}
    assert _filters(client, "/travel/reports?format=xlsx&report=event") == {}


def test_the_filters_are_in_the_readers_language(client, login_as, db, fund):
    sweden, _evil = fund
    reader = login_as("auditor")
    _speak(db, reader, "fr")
    shown = _filters(client, f"/contributions/?format=xlsx&donor={sweden.id}&date_from=2017-01-01&sort=-date")
    assert shown == {"Filtre\u00a0: Donateur": "Kingdom of Sweden", "Filtre\u00a0: Du": "2017-01-01"}


def test_no_download_shows_a_query_key(client, login_as, db, fund):
    sweden, _evil = fund
    login_as("auditor")
    event = make_event()
    for url in (f"/statements/{sweden.id}?format=xlsx&from=2017-04-03&to=2017-12-31",
                "/statements/?format=xlsx&from=2017-04-03&to=2017-12-31",
                f"/contributions/?format=xlsx&donor={sweden.id}&kind=pledges",
                f"/contributions/deposits?format=xlsx&donor={sweden.id}",
                "/donors/?format=xlsx&type=member_state&saa=signed&country=SE&q=Swe",
                "/countries/?format=xlsx&ldc=y&ldc_on=2017-06-01&membership=member",
                f"/travel/queue?format=xlsx&event={event.id}",
                "/travel/reports?format=xlsx&report=country&date_from=2017-01-01",
                "/fund/funding-status?format=xlsx"):
        for label in _filters(client, url):
            name = label.split(": ", 1)[1]
            assert name not in QUERY_KEYS and "_" not in name, (url, label)


def test_a_period_or_donor_the_list_does_not_filter_by_is_not_listed(client, login_as, db, fund):
    """The grant list and the events have no period: a date_from in the query string
    chose no rows, and the About sheet does not say it did."""
    sweden, _evil = fund
    login_as("srsg_staff")
    make_request(make_event(), country="SN")
    assert _filters(client, f"/travel/grants?format=xlsx&date_from=2019-01-01&date_to=2019-12-31"
                            f"&donor_id={sweden.id}&country=SN") == {"Filter: Country": "Senegal"}
    assert _filters(client, "/travel/events?format=xlsx&date_from=2019-01-01") == {}


def test_an_id_no_row_can_have_is_no_filter(client, login_as, fund):
    """The pages read an id past any row's as no filter (every grant is listed): the
    About sheet does not name it."""
    login_as("auditor")
    huge = "9" * 25
    assert _filters(client, f"/travel/grants?format=xlsx&event={huge}") == {}
    assert _filters(client, f"/contributions/deposits?format=xlsx&commitment={huge}") == {}


def test_values_the_page_drops_are_not_listed(client, login_as, db, fund):
    """A value typed by hand that the page does not know filters nothing there, and
    the .xlsx holds the same rows: its About sheet does not say it was filtered by
    it. What the page does apply is still listed."""
    sweden, _evil = fund
    login_as("auditor")
    make_request(make_event(), country="SN")
    commitment = db.session.scalar(sa.select(Commitment).where(Commitment.reference == "SE-2017-EUR"))
    assert _filters(client, "/travel/grants?format=xlsx&status=bogus&ldc=maybe&country=S1&foo=1") == {}
    assert _filters(client, "/travel/grants?format=xlsx&status=bogus&ldc=no") == {
        "Filter: LDC": "Other developing countries"}
    assert _filters(client, "/travel/queue?format=xlsx&event=x&foo=1") == {}
    assert _filters(client, "/travel/events?format=xlsx&foo=1") == {}
    assert _filters(client, "/travel/reports?format=xlsx&report=country&date_from=2019-13-45") == {}
    assert _filters(client, "/countries/?format=xlsx&ldc_on=2017-06-01&membership=bogus&ldc=n") == {
        "Filter: LDC on": dt.datetime(2017, 6, 1)}
    # The commitment filter is the deposits' list's: the commitments' list ignores it.
    assert _filters(client, f"/contributions/?format=xlsx&commitment={commitment.id}&donor={sweden.id}") == {
        "Filter: Donor": "Kingdom of Sweden"}


def test_the_pages_own_any_choice_is_no_filter(client, login_as, fund):
    """The grants' filter form sends its "Any" event as event=0: the page lists every
    grant, and the About sheet names no event (it said "Event: 0")."""
    login_as("auditor")
    assert _filters(client, "/travel/grants?format=xlsx&event=0&status=") == {}
    assert _filters(client, "/travel/queue?format=xlsx&event=0") == {}


def test_the_donors_download_names_each_filter_once(client, login_as, fund):
    """Its About sheet says what was exported ("Donors") and then each filter on a row
    of its own; the filters are not said a second time in the first line."""
    login_as("mptf_officer")
    response = client.get("/donors/?format=xlsx&type=member_state&saa=signed&q=Swe")
    about = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[-1]
    rows = {label: value for label, value in about.iter_rows(values_only=True)}
    assert rows["Exported"] == "Donors"
    assert {k: v for k, v in rows.items() if k.startswith("Filter: ")} == {
        "Filter: Name contains": "Swe", "Filter: Type of donor": "Member State",
        "Filter: SAA status": "Signed"}
    said = " ".join(str(v) for v in rows.values())
    assert said.count("Member State") == 1 and said.count("Swe") == 1
