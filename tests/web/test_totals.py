"""A table's total row sums the rows the table shows, or says what it sums."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest

from tests.factories import statements as st
from tests.factories.dashboard import build_fund
from tests.pages import Tables
from trustfund.extensions import db as _db
from trustfund.travel.models import Event


def figure(text: str) -> D | None:
    cleaned = re.sub(r"[^\d.\-]", "", text.replace("\u2212", "-"))
    return D(cleaned) if cleaned not in ("", "-", ".") else None


def later_events(n: int) -> None:
    for i in range(n):
        _db.session.add(Event(kind="hearing", title=f"Hearing {i}", city="New York",
                              start_on=dt.date(2018, 1, 10) + dt.timedelta(days=i),
                              end_on=dt.date(2018, 1, 10) + dt.timedelta(days=i), dsa_rate=D("300.00")))
    _db.session.commit()


@pytest.fixture
def fund(db):
    built = build_fund()
    later_events(11)  # 13 events: the table shows the latest 10, with no funded delegate
    return built


def test_every_dashboard_total_sums_its_shown_rows_or_says_what_it_sums(client, login_as, fund):
    login_as("admin")
    tables = Tables(client.get("/dashboard/").get_data(as_text=True)).tables
    checked, said = [], []
    for name, table in tables.items():
        totals = table["totals"]
        if not totals:
            continue
        if totals[0].startswith("Total of all"):
            count = int(re.search(r"(\d+)", totals[0]).group(1))
            assert count > len(table["rows"]), name
            said.append(name)
            continue
        for column, total in enumerate(totals[1:], start=1):
            if figure(total) is None:
                continue
            shown = sum((figure(row[column]) or D(0) for row in table["rows"]), D(0))
            assert shown == figure(total), (name, table["keys"][column], shown, total)
        checked.append(name)
    assert said == ["events"]
    assert {"by_type", "by_earmark", "by_currency", "pools", "budget", "grants_by_status",
            "ldc"} <= set(checked)
    events = tables["events"]
    assert events["totals"][0] == "Total of all 13 rows"
    assert [figure(c) for c in events["totals"][2:]] == [D(2), D(1), D(3)]  # every event's
    assert all(figure(row[4]) == 0 for row in events["rows"])  # the ten shown have none


def test_a_paged_statement_says_its_total_is_the_periods(client, login_as, db, monkeypatch):
    from trustfund.statements import routes

    donor = st.donor("Paged Foundation")
    commitment = st.commitment(donor, "10000.00", reference="PAGED")
    for day in range(1, 6):
        st.deposit(commitment, "100.00", value_date=dt.date(2017, 5, day))
    db.session.commit()
    login_as("mptf_officer")
    whole = client.get(f"/statements/{donor.id}").get_data(as_text=True)
    assert re.search(r'<th scope="row" colspan="2">\s*Total\s*</th>', whole)
    monkeypatch.setattr(routes, "STATEMENT_DEPOSITS_PER_PAGE", 2)
    paged = client.get(f"/statements/{donor.id}").get_data(as_text=True)
    assert "Total of the period, every page" in paged


def test_a_paged_grant_list_says_its_total_is_every_pages(app, client, login_as, fund, monkeypatch):
    login_as("srsg_staff")
    whole = client.get("/travel/grants").get_data(as_text=True)
    assert "Total (5 grants)" in whole
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    paged = client.get("/travel/grants").get_data(as_text=True)
    assert "Total of the 5 grants found, every page" in paged
