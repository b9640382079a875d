"""A dashboard is a summary: the tables that grow with the data (overdue
instalments, SAAs awaiting signature, events) show ten rows, say how many more
there are and link to the full lists; their totals and charts keep every row, and
the .xlsx has every row."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories.dashboard import add_commitment, add_donor, add_grant, build_fund
from tests.pages import Tables, charts, number
from trustfund.auth.models import User
from trustfund.travel.models import Event

EXTRA = 14  # more than the ten rows a table shows


@pytest.fixture
def big_fund(app, db):
    """The dashboard tests' fund, with 14 more of each growing table's rows: donors
    awaiting signature (waiting since 2016, before the fund's own), donors with an
    overdue instalment (due in 2016, before Sweden's), and events in 2019 with one
    funded delegate each."""
    fund = build_fund()
    srsg = db.session.scalar(sa.select(User).where(User.email == "srsg@test.example"))
    srsg2 = db.session.scalar(sa.select(User).where(User.email == "srsg2@test.example"))
    for i in range(EXTRA):
        waiting = add_donor(f"Waiting donor {i:02d}", "philanthropic_organization", "draft_shared")
        waiting.saa_history[0].at = dt.datetime(2016, 1, 1 + i, 9, 0)
        late = add_donor(f"Late donor {i:02d}", "philanthropic_organization")
        add_commitment(late, "USD", "1000.00", dt.date(2016, 1, 1),
                       instalments=[(dt.date(2016, 2, 1 + i), "1000.00")])
        event = Event(kind="thematic_session", title=f"Session {i:02d}", city="Rabat",
                      start_on=dt.date(2019, 3, 1 + i), end_on=dt.date(2019, 3, 2 + i),
                      dsa_rate=D("200.00"))
        db.session.add(event)
        db.session.flush()
        add_grant(event, "AF", True, "100.00", "approved", by=srsg, decider=srsg2)
    db.session.commit()
    return fund


def _page(client, login_as, role) -> str:
    login_as(role)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _more(html: str, block: str) -> str:
    """The text and links under a block's table."""
    section = html[html.index(f'id="block-{block}"'):]
    section = section[:section.index("</section>")]
    found = re.search(r'<p class="[^"]*more-rows">(.*?)</p>', section, re.DOTALL)
    assert found, block
    return found.group(1)


def test_the_officer_sees_ten_rows_of_each_long_table_and_how_many_more(big_fund, client, login_as):
    html = _page(client, login_as, "mptf_officer")
    tables = Tables(html).tables

    # 16 overdue instalments in all (Sweden's two and the 14 late donors'): the 10 oldest.
    assert [row[0] for row in tables["overdue"]["rows"]] == [f"Late donor {i:02d}" for i in range(10)]
    more = _more(html, "overdue")
    assert "The 10 oldest of 16 overdue instalments; the .xlsx has them all." in more
    assert 'href="/contributions/?status=overdue"' in more

    # 16 SAAs awaiting signature (the fund's two and the 14 waiting since 2016).
    assert [row[0] for row in tables["saa"]["rows"]] == [f"Waiting donor {i:02d}" for i in range(10)]
    more = _more(html, "saa")
    assert "The 10 waiting longest of 16 donors; the .xlsx has them all." in more
    assert 'href="/donors/?saa=draft_shared"' in more and 'href="/donors/?saa=under_negotiation"' in more
    # Short tables say nothing more.
    assert 'id="block-by_type"' in html and html.count("more-rows") == 2


def test_the_events_table_shows_the_latest_ten_and_its_chart_and_totals_keep_them_all(
        big_fund, client, login_as):
    html = _page(client, login_as, "srsg_staff")
    table, chart = Tables(html).tables["events"], charts(html)["events"]
    events = ["Human rights (Geneva)", "Smuggling (Vienna)"] + [
        f"Session {i:02d} (Rabat)" for i in range(EXTRA)]
    assert chart["labels"] == events  # every event, in date order, as before
    assert [row[0] for row in table["rows"]] == events[-10:]
    # The table's rows are the chart's last ten, figure for figure.
    ldc = chart["datasets"][0]["data"]
    column = table["keys"].index("ldc")
    assert [number(row[column]) for row in table["rows"]] == [D(v) for v in ldc[-10:]]
    # The totals are those of every event, not of the ten shown: from LDCs, Geneva's
    # approved grant, Vienna's no-show and the 14 sessions' grants; from other
    # countries, Geneva's travelled one.
    assert table["totals"][2:] == [str(2 + EXTRA), "1", str(3 + EXTRA)]
    more = _more(html, "events")
    assert "The 10 latest of 16 events; the chart and the .xlsx have them all." in more
    assert 'href="/travel/events"' in more
    assert "The table below shows some of its figures; the .xlsx has them all." in html


def test_the_xlsx_keeps_every_row_of_the_long_tables(big_fund, client, login_as):
    login_as("admin")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/dashboard/?format=xlsx").data))
    overdue = [row[0] for row in book["Overdue instalments"].iter_rows(min_row=2, values_only=True)]
    assert overdue == [f"Late donor {i:02d}" for i in range(EXTRA)] + ["Kingdom of Sweden"] * 2
    saa = [row[0] for row in book["SAAs awaiting signature"].iter_rows(min_row=2, values_only=True)]
    assert len(saa) == EXTRA + 2 and {"Test Parliament", "Test IGO"} <= set(saa)
    events = list(book["Funded delegates per event"].iter_rows(min_row=2, values_only=True))
    assert len(events) == EXTRA + 2 + 1  # every event and the totals
    assert events[-1][0] == "Total" and events[-1][-1] == 3 + EXTRA


def test_more_than_a_hundred_overdue_instalments_are_all_in_the_xlsx(app, db, client, login_as):
    """The page reads ten of them; the .xlsx every one (it used to stop at 100)."""
    for i in range(105):
        late = add_donor(f"Late {i:03d}", "philanthropic_organization")
        add_commitment(late, "USD", "10.00", dt.date(2016, 1, 1),
                       instalments=[(dt.date(2016, 2, 1), "10.00")])
    db.session.commit()
    html = _page(client, login_as, "mptf_officer")
    assert len(Tables(html).tables["overdue"]["rows"]) == 10
    assert "The 10 oldest of 105 overdue instalments; the .xlsx has them all." in _more(html, "overdue")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/dashboard/?format=xlsx").data))
    assert book["Overdue instalments"].max_row == 1 + 105
