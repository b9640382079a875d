"""Dashboards: the figures equal sums worked out by hand from the rows, every chart
draws exactly its table's numbers, each role sees its own blocks, and the .xlsx
holds the same numbers as the page."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories.dashboard import (
    add_commitment,
    add_deposit,
    add_donor,
    add_pledge,
    build_fund,
    objective,
)
from tests.pages import Tables, charts, number
from trustfund.contributions import confirmed
from trustfund.contributions.models import Deposit, InterestEntry, Pool, PoolTransfer
from trustfund.dashboard import services, travel_figures
from trustfund.dashboard.layout import dashboard_for
from trustfund.donors.models import Donor
from trustfund.travel.models import TravelGrant

ON = dt.date(2026, 1, 15)

OFFICER_BLOCKS = {"overview", "by_type", "by_earmark", "by_currency", "unconverted", "overdue", "saa"}
SRSG_BLOCKS = {"pools", "budget", "grants_by_status", "events", "ldc"}


@pytest.fixture
def fund(app, db):
    return build_fund()


def test_officer_figures_are_the_sums_worked_out_by_hand(fund):
    fig = services.contribution_figures(on=ON)
    # SEK 10,000,000.00 / 8.7 + USD 250,000.00; the EUR pledge of July has no rate.
    assert fig.total.pledged == D("1399425.29")
    # EUR 1,000,000.00 / 0.941 (May 2017 rate) + USD 200,000.00
    assert fig.total.committed == D("1262699.26")
    assert fig.total.deposited == D("625079.70")
    assert (fig.fees, fig.net) == (D("6250.80"), D("618828.90"))
    member, philanthropic = fig.by_type["member_state"], fig.by_type["philanthropic_organization"]
    assert (member.pledged, member.committed, member.deposited) == \
        (D("1149425.29"), D("1062699.26"), D("425079.70"))
    assert (philanthropic.pledged, philanthropic.committed, philanthropic.deposited) == \
        (D("250000.00"), D("200000.00"), D("200000.00"))
    assert fig.by_type["regional_legislative_body"].pledged == 0
    earmarks = {label.split(".")[0] if key else "un": flow for key, label, flow in fig.by_earmark}
    assert earmarks["un"].committed == D("1062699.26")
    assert earmarks["1"].deposited == D("200000.00")
    assert earmarks["2"].pledged == earmarks["3"].pledged == 0
    for name in ("pledged", "committed", "deposited"):
        total = getattr(fig.total, name)
        assert sum(getattr(f, name) for f in fig.by_type.values()) == total
        assert sum(getattr(f, name) for _, _, f in fig.by_earmark) == total
        assert sum(getattr(c, name + "_usd") for c in fig.by_currency) == total
    eur = next(c for c in fig.by_currency if c.currency == "EUR")
    assert (eur.pledged, eur.committed, eur.deposited) == (D(50000), D(1000000), D(400000))
    assert (eur.pledged_usd, eur.committed_usd, eur.deposited_usd) == (0, D("1062699.26"), D("425079.70"))
    assert [(u.kind, u.currency, u.month, u.amount) for u in fig.unconverted] == \
        [("pledged", "EUR", dt.date(2017, 7, 1), D(50000))]
    assert [(a.donor_name, a.status) for a in fig.awaiting_saa] == \
        [("Test IGO", "under_negotiation"), ("Test Parliament", "draft_shared")]


def test_overdue_instalments_are_the_uncovered_part_of_what_fell_due(fund):
    fig = services.contribution_figures(on=ON)
    assert fig.overdue_count == 2
    assert [(o.donor_name, o.due_on, o.amount, o.shortfall) for o in fig.overdue] == [
        ("Kingdom of Sweden", dt.date(2017, 6, 1), D(500000), D(100000)),
        ("Kingdom of Sweden", dt.date(2017, 12, 1), D(500000), D(500000)),
    ]
    # Before the second due date only the first instalment is late; the USD commitment
    # deposited in full is never overdue.
    early = services.contribution_figures(on=dt.date(2017, 11, 30))
    assert [(o.due_on, o.shortfall, o.days_late) for o in early.overdue] == \
        [(dt.date(2017, 6, 1), D(100000), 182)]
    capped, count = services.overdue_instalments(ON, limit=1)
    assert (len(capped), count) == (1, 2)


def test_overdue_instalments_of_partly_deposited_commitments_only(fund, db):
    """The running sums start from each schedule's first instalment whatever is left
    out of the query (later instalments, fully deposited commitments)."""
    kind, committed_on = "philanthropic_organization", dt.date(2024, 12, 1)
    partly = add_commitment(add_donor("Partly paid", kind), "USD", "1000.00", committed_on,
                            instalments=[(dt.date(2025, 1, 1), "400.00"), (dt.date(2025, 6, 1), "400.00"),
                                         (dt.date(2026, 6, 1), "200.00")])
    add_deposit(partly, "500.00", "1", dt.date(2025, 1, 2))
    # A schedule adding up to less than the commitment, deposited in full: never overdue.
    paid = add_commitment(add_donor("Paid in full", kind), "USD", "1000.00", committed_on,
                          instalments=[(dt.date(2025, 1, 1), "300.00"), (dt.date(2025, 2, 1), "300.00")])
    add_deposit(paid, "1000.00", "1", dt.date(2025, 1, 2))
    # Two instalments due the same day: the running sum takes them in the order recorded.
    same_day = add_commitment(add_donor("Same day", kind), "USD", "1000.00", committed_on,
                              instalments=[(dt.date(2025, 3, 1), "200.00"), (dt.date(2025, 3, 1), "300.00")])
    add_deposit(same_day, "250.00", "1", dt.date(2025, 1, 2))
    db.session.commit()
    rows, count = services.overdue_instalments(ON)
    assert count == 4
    assert [(o.donor_name, o.due_on, o.amount, o.shortfall) for o in rows] == [
        ("Kingdom of Sweden", dt.date(2017, 6, 1), D(500000), D(100000)),
        ("Kingdom of Sweden", dt.date(2017, 12, 1), D(500000), D(500000)),
        ("Same day", dt.date(2025, 3, 1), D(300), D(250)),
        ("Partly paid", dt.date(2025, 6, 1), D(400), D(300)),
    ]
    # Once the June instalment of 2026 falls due, it is overdue too (nothing more deposited).
    later = services.contribution_figures(on=dt.date(2026, 6, 2), overdue_limit=None)
    assert [(o.donor_name, o.due_on, o.shortfall) for o in later.overdue][-1] == \
        ("Partly paid", dt.date(2026, 6, 1), D(200))
    assert later.overdue_count == 5


def test_amounts_without_a_rate_are_listed_by_month_then_donor_type_and_earmarking(fund, db):
    """Several groups of one month without a rate: each listed with its amount, in
    the order of donor type, then un-earmarked before earmarked, on both databases."""
    foundation = db.session.scalar(sa.select(Donor).where(Donor.name == "Test Foundation"))
    sweden = db.session.scalar(sa.select(Donor).where(Donor.name == "Kingdom of Sweden"))
    add_pledge(foundation, "EUR", "20000.00", dt.date(2017, 7, 10), objective(1).id)
    add_pledge(foundation, "EUR", "10000.00", dt.date(2017, 7, 11))
    add_pledge(sweden, "EUR", "30000.00", dt.date(2017, 7, 20), objective(2).id)
    db.session.commit()
    fig = services.contribution_figures(on=ON)
    july = [u.amount for u in fig.unconverted if u.month == dt.date(2017, 7, 1)]
    # member_state (Sweden, earmarked), philanthropic (un-earmarked, earmarked), regional (un-earmarked)
    assert july == [D(30000), D(10000), D(20000), D(50000)]


def test_pool_and_travel_figures_are_the_sums_of_the_rows(fund, db):
    fig = travel_figures.travel_figures()
    pools = {p.code: p for p in fig.pools}
    # Recomputed from the entries, not read from the pool rows.
    for code, figures in pools.items():
        pool = db.session.scalar(sa.select(Pool).where(Pool.code == code))
        net = sum((d.net for d in db.session.scalars(
            sa.select(Deposit).where(Deposit.pool_id == pool.id))), D(0))
        interest = sum((i.usd_amount for i in db.session.scalars(
            sa.select(InterestEntry).where(InterestEntry.pool_id == pool.id))), D(0))
        transfers = db.session.scalars(sa.select(PoolTransfer)).all()
        grants = db.session.scalars(sa.select(TravelGrant).where(TravelGrant.pool_id == pool.id)).all()
        committed = sum((g.committed_amount for g in grants if g.status == "approved"), D(0))
        spent = sum((g.actual_total for g in grants if g.status in ("travelled", "no_show")), D(0))
        budget = net + interest + sum((t.usd_amount for t in transfers if t.to_pool_id == pool.id), D(0)) \
            - sum((t.usd_amount for t in transfers if t.from_pool_id == pool.id), D(0))
        assert (figures.deposits_net, figures.interest, figures.committed, figures.spent) == \
            (net, interest, committed, spent)
        assert figures.budget == budget == figures.spent + figures.committed + figures.available
    assert pools["UNEARMARKED"].available == D("410928.90")
    assert (pools["OBJ1"].committed, pools["OBJ1"].spent, pools["OBJ1"].available) == \
        (D("2000.00"), D("1700.00"), D("194300.00"))
    assert pools["OBJ1"].used_percent == D("1.9")
    assert fig.available == D("615228.90")

    statuses = {s.status: s for s in fig.statuses}
    assert list(statuses) == ["requested", "approved", "rejected", "waitlisted", "travelled", "cancelled",
                              "no_show"]
    assert (statuses["travelled"].count, statuses["travelled"].requested, statuses["travelled"].actual) == \
        (1, D("1500.00"), D("1400.00"))
    assert statuses["waitlisted"].count == 0
    assert sum(s.count for s in fig.statuses) == 5
    assert fig.awaiting_decision == 1

    assert [(e.city, e.ldc, e.other) for e in fig.events] == [("Geneva", 1, 1), ("Vienna", 1, 0)]
    ldc, other = fig.ldc
    assert (ldc.requests, ldc.funded, ldc.amount) == (3, 2, D("2300.00"))  # 2,000 committed + 300 actual
    assert (other.requests, other.funded, other.amount) == (2, 1, D("1400.00"))


def test_donor_figures_hold_only_its_own_money_and_its_share_of_spending(fund):
    sweden = services.donor_figures(fund["sweden"].id)
    assert [(c.currency, c.count, c.committed, c.deposited, c.outstanding) for c in sweden.commitments] == \
        [("EUR", 1, D(1000000), D(400000), D(600000))]
    assert (sweden.deposited_usd, sweden.fees, sweden.net) == (D("425079.70"), D("4250.80"), D("420828.90"))
    assert sweden.share_of_spending == 0
    foundation = services.donor_figures(fund["foundation"].id)
    # The only donor of Objective 1's pool bears all of its spending: 1,400 + 300.
    assert [(p.label.split(".")[0], p.net, p.share_of_spending) for p in foundation.pools] == \
        [("1", D("198000.00"), D("1700.00"))]


def test_shares_of_spending_add_up_to_the_pool_spending_to_the_cent(fund, db):
    from tests.factories.dashboard import add_commitment, add_deposit, add_donor, objective

    obj1 = objective(1).id
    # Three donors with equal net deposits share 1,700.00: 566.67 + 566.67 + 566.66.
    for name in ("Second donor", "Third donor"):
        donor = add_donor(name, "philanthropic_organization")
        add_deposit(add_commitment(donor, "USD", "200000.00", dt.date(2017, 5, 10), obj1), "200000.00", "1",
                    dt.date(2017, 6, 20))
    db.session.commit()
    donors = [fund["foundation"].id] + list(db.session.scalars(
        sa.text("SELECT id FROM donor WHERE name IN ('Second donor', 'Third donor') ORDER BY id")))
    shares = [services.donor_figures(d).share_of_spending for d in donors]
    assert sorted(shares) == [D("566.66"), D("566.67"), D("566.67")]
    assert sum(shares) == D("1700.00")


def _page(client, login_as, role):
    login_as(role)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_charts_tooltip_separates_a_series_and_its_value_as_the_language_does(fund, client, login_as,
                                                                                   users, db):
    users["admin"].locale = "fr"
    db.session.commit()
    drawn = charts(_page(client, login_as, "admin"))
    assert {chart["separator"] for chart in drawn.values()} == {"\u00a0: "}
    users["admin"].locale = "zh"
    db.session.commit()
    assert {chart["separator"] for chart in charts(_page(client, login_as, "admin")).values()} == {"："}


def test_every_chart_draws_exactly_the_numbers_of_its_table(fund, client, login_as):
    html = _page(client, login_as, "admin")
    tables, drawn = Tables(html).tables, charts(html)
    assert set(drawn) == {"overview", "by_type", "by_earmark", "by_currency", "pools", "budget",
                          "grants_by_status", "events", "ldc"}
    for block, chart in drawn.items():
        table = tables[block]
        assert chart["labels"] == [row[0] for row in table["rows"]], block
        for dataset in chart["datasets"]:
            column = table["keys"].index(dataset["key"])
            assert [number(row[column]) for row in table["rows"]] == [D(v) for v in dataset["data"]], \
                (block, dataset["key"])
    overview = {row[0]: number(row[1]) for row in tables["overview"]["rows"]}
    assert overview == {"Pledged, not yet committed": D("1399425.29"), "Committed": D("1262699.26"),
                        "Deposited": D("625079.70"), "Administrative Agent fee": D("6250.80"),
                        "Net deposits": D("618828.90")}
    assert tables["by_type"]["totals"][1:] == ["1,399,425.29", "1,262,699.26", "625,079.70"]
    assert ["Kingdom of Sweden", "EUR", "500,000.00", "100,000.00"] == \
        [tables["overdue"]["rows"][0][i] for i in (0, 2, 4, 5)]
    # The canvas says what it shows and where the numbers are, and no script runs inline.
    assert 'role="img"' in html and "The same figures are in the table below." in html
    assert "<script>" not in html and " style=" not in html


@pytest.mark.parametrize("role,expected", [
    ("mptf_officer", OFFICER_BLOCKS),
    ("srsg_staff", SRSG_BLOCKS),
    ("admin", OFFICER_BLOCKS | SRSG_BLOCKS | {"audit"}),
    ("auditor", OFFICER_BLOCKS | SRSG_BLOCKS | {"audit"}),
])
def test_each_role_sees_its_own_blocks(fund, client, login_as, role, expected):
    html = _page(client, login_as, role)
    assert set(re.findall(r'<section class="card[^"]*" id="block-([a-z_]+)"', html)) == expected
    assert ("Donor type" in html) == (role != "srsg_staff")
    assert ("Funded delegates per event" in html) == (role != "mptf_officer")
    # Earmarking explained in words, not by itself.
    assert ("Earmarked money is credited to the pool of the objective the donor chose and stays with that "
            "objective (a surplus of Objective 1 may be used for Objective 2, by a transfer two people "
            "confirm). Un-earmarked money may be used for any objective." in html) \
        == (role != "srsg_staff")
    assert "may be used only for the objective" not in html  # the fund's rule lets a surplus move


def test_admin_sees_the_latest_ten_audit_entries(fund, client, login_as, db):
    from trustfund import audit

    for i in range(12):
        audit.record(None, "pool.transfer", object_type="PoolTransfer", object_id=i,
                     after={"usd_amount": f"{i}.00", "from_pool_id": None, "to_pool_id": None,
                            "transferred_on": "2017-07-01"})
    audit.record(None, "login", object_type="User", object_id=1)  # sign-ins are left out, as in the trail
    db.session.commit()
    rows = Tables(_page(client, login_as, "auditor")).tables["audit"]["rows"]
    assert [row[2] for row in rows] == [
        f"USD {i}.00 moved by the system from the — pool to the — pool on 1 Jul 2017."
        for i in range(11, 1, -1)]


def test_a_chart_is_drawn_only_when_it_has_figures(app, client, login_as):
    html = _page(client, login_as, "admin")  # an empty fund: tables of zeros, no chart
    assert charts(html) == {}
    assert "No instalment is overdue." in html
    assert Tables(html).tables["pools"]["totals"][-1] == "0.00"


def test_donors_have_no_staff_dashboard_and_land_on_their_portal(fund, client, login_as):
    login_as("donor")
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/?format=xlsx").status_code == 403
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/statements/portal")


def test_the_donor_partial_shows_its_figures_and_chart(fund, app):
    from flask import render_template_string

    html = render_template_string('{% include "dashboard/_donor.html" %}', donor=fund["foundation"])
    tables = Tables(html).tables
    assert tables["donor_pools"]["totals"][1:] == ["200,000.00", "2,000.00", "198,000.00", "", "1,700.00"]
    assert charts(html)["donor_pools"]["datasets"][1]["data"] == ["1700.00"]
    assert "425,079.70" not in html and "Un-earmarked" not in html  # Sweden's, not its own
    # The donor's words are those of its portal and statement: one name for one figure.
    assert "Net deposited" not in html and "Still to deposit" not in html
    assert "Net deposits" in html and "Outstanding" in html
    assert "chart.umd.min.js" in html and "dashboard.js" in html


def test_the_xlsx_holds_the_numbers_of_the_page(fund, client, login_as):
    login_as("mptf_officer")
    response = client.get("/dashboard/?format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:4] == ["Overview", "By donor type",
                                   "Un-earmarked and earmarked", "By currency"]
    assert "Money available per pool" not in book.sheetnames  # not the officer's block
    overview = book["Overview"]
    assert [(r[0].value, r[1].value) for r in overview.iter_rows(min_row=2)] == [
        ("Pledged, not yet committed", 1399425.29), ("Committed", 1262699.26), ("Deposited", 625079.7),
        ("Administrative Agent fee", 6250.8), ("Net deposits", 618828.9)]
    by_type = list(book["By donor type"].iter_rows(values_only=True))
    assert by_type[0] == ("Donor type", "Pledged, not yet committed (USD)", "Committed (USD)",
                          "Deposited (USD)")
    assert by_type[1] == ("Member State", 1149425.29, 1062699.26, 425079.7)
    assert by_type[-1] == ("Total", 1399425.29, 1262699.26, 625079.7)
    overdue = list(book["Overdue instalments"].iter_rows(values_only=True))
    assert overdue[1][:6] == ("Kingdom of Sweden", "C-1-EUR-1000000.00", "EUR", dt.datetime(2017, 6, 1),
                              500000, 100000)
    assert book["By currency"]["B2"].number_format == "#,##0.00"


def test_the_srsg_xlsx_has_one_sheet_per_table(fund, client, login_as):
    login_as("srsg_staff")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/dashboard/?format=xlsx").data))
    assert book.sheetnames == ["Money available per pool", "Spending against budget",
                               "Travel grants by status",
                               "Funded delegates per event", "LDCs and other countries",
                               "About this export"]
    budget = list(book["Spending against budget"].iter_rows(values_only=True))
    assert budget[2][0].startswith("1. Travel and participation of representatives")
    # Budget, spent, direct costs, bank charges, committed, refunded at closure, available, used.
    assert budget[2][1:] == (198000, 1700, 0, 0, 2000, 0, 194300, 1.9)


def test_the_dashboard_needs_the_same_few_queries_however_large_the_fund(fund, app, db):
    from tests.factories.dashboard import add_commitment, add_deposit, add_donor, add_grant

    def statements_for_admin() -> int:
        seen = []

        def count(*_args):
            seen.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            dashboard_for("admin")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        db.session.rollback()
        return len(seen)

    before = statements_for_admin()
    srsg = db.session.scalar(sa.text("SELECT id FROM \"user\" WHERE email = 'srsg@test.example'"))
    from trustfund.auth.models import User

    srsg = db.session.get(User, srsg)
    for i in range(15):
        donor = add_donor(f"Extra donor {i}", "member_state", country="FR")
        add_deposit(add_commitment(donor, "USD", "1000.00", dt.date(2017, 5, 10)), "1000.00", "1",
                    dt.date(2017, 6, 1))
        add_grant(fund["vienna"], "AF", True, "100.00", "requested", by=srsg)
    db.session.commit()
    assert statements_for_admin() == before
    assert before <= 16


def test_the_export_command_writes_the_dashboard(fund, runner, tmp_path):
    out = tmp_path / "dashboard.xlsx"
    result = runner.invoke(args=["export", "dashboard", "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert {"Overview", "Money available per pool", "Audit trail"} <= set(book.sheetnames)
    donor = tmp_path / "donor.xlsx"
    result = runner.invoke(args=["export", "dashboard", "--out", str(donor),
                                 "--donor", str(fund["foundation"].id)])
    assert result.exit_code == 0, result.output
    pools = list(openpyxl.load_workbook(donor)["Deposits and share of spending"].iter_rows(values_only=True))
    assert pools[-1] == ("Total", 200000, 2000, 198000, None, 1700)
    missing = runner.invoke(args=["export", "dashboard", "--out", str(donor), "--donor", "99999"])
    assert missing.exit_code != 0 and "There is no donor with id 99999" in missing.output


def test_the_budget_note_names_every_income_the_budget_counts(fund, client, login_as):
    """A pool's budget counts its other income (PoolFigures.budget): the note under
    "Spending against budget" says so."""
    login_as("srsg_staff")
    html = client.get("/dashboard/").get_data(as_text=True)
    note = "A pool's budget is what it received: net deposits, interest, other income and transfers in, " \
           "less transfers out."
    assert note in " ".join(html.replace("&#39;", "'").split())


def test_requests_awaiting_a_decision_are_those_of_the_review_queue(client, login_as, db, users):
    """One request new, one waitlisted (no pool could pay): both wait on the review
    queue, and the dashboard's tile counts both."""
    from tests.factories import travel as tf
    from trustfund.travel.decisions import approve_grant

    event = tf.make_event(cap=3)
    waitlisted = tf.make_request(event, "SN")
    approve_grant(users["srsg_staff2"], waitlisted)  # no pool has money: waitlisted
    db.session.commit()
    assert db.session.get(TravelGrant, waitlisted.id).status == "waitlisted"
    tf.make_request(event, "EG")
    login_as("srsg_staff")
    queue = client.get("/travel/queue").get_data(as_text=True)
    assert len(re.findall(r'<td data-label="Order">(\d+)</td>', queue)) == 2
    page = client.get("/dashboard/").get_data(as_text=True)
    tile = re.search(r'<p class="small text-body-secondary mb-1">Requests awaiting a decision</p>\s*'
                     r'<p class="h4 mb-0 num-tile">([^<]*)</p>', page)
    assert tile.group(1).strip() == "2"


def test_the_donors_tables_count_a_deposit_dated_in_the_recorders_today(app, client, login_as, db,
                                                                         monkeypatch):
    """At 08:00 on 1 March in Tokyo (23:00 on 28 February in UTC) a Tokyo officer
    records a deposit dated her today; the donor, whose zone is UTC, opens its portal at
    that moment: its commitments and its deposits count the deposit alike."""
    from tests.factories import make_user
    from tests.factories.contributions import commitment
    from tests.pages import post_entry
    from trustfund import clock

    monkeypatch.setattr(clock, "_now", lambda: dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC))
    c = commitment("USD", "100000.00")
    tokyo = make_user("mptf_officer", "tokyo@test.example")
    tokyo.timezone = "Asia/Tokyo"
    db.session.commit()
    login_as(tokyo)
    assert post_entry(client, f"/contributions/commitments/{c.id}/deposits/new",
                      {"value_date": "2026-03-01", "amount": "1000.00", "rate": "", "rate_note": "",
                       "bank_reference": ""}).status_code == 302
    donor = app.test_client()
    login_as("donor", donor)
    tables = Tables(donor.get("/statements/portal").get_data(as_text=True)).tables
    [usd_row] = [row for row in tables["donor_commitments"]["rows"] if row[0].startswith("USD")]
    assert usd_row[3] == "1,000.00"
    assert tables["donor_pools"]["rows"] != [["No deposits yet."]]
    assert any("1,000.00" in cell for row in tables["donor_pools"]["rows"] for cell in row)


def test_a_moment_shown_in_the_readers_zone_is_not_headed_utc(client, login_as, db, users, fund):
    """An auditor in Tokyo reads the audit trail's moments in Tokyo's time (the zone
    named in each cell): the page's header says "When"; the .xlsx, which writes them
    in UTC, says "When (UTC)"."""

    confirmed.set_rate(users["mptf_officer"], "EUR", dt.date(2018, 6, 1), "0.9")  # an entry of the trail
    users["auditor"].timezone = "Asia/Tokyo"
    db.session.commit()
    login_as("auditor")
    page = client.get("/dashboard/").get_data(as_text=True)
    audit = Tables(page).tables["audit"]
    assert 'data-key="at">When</th>' in page and "When (UTC)" not in page
    assert audit["rows"] and all("UTC+09:00" in row[0] for row in audit["rows"])
    book = openpyxl.load_workbook(io.BytesIO(client.get("/dashboard/?format=xlsx").data))
    headers = {cell.value for sheet in book.worksheets for cell in next(sheet.iter_rows(max_row=1))}
    assert "When (UTC)" in headers and "When" not in headers


def test_no_page_heads_the_readers_own_time_utc(client, login_as, db, users, fund):
    """The trail, a record's history, the users and the outbox show each moment in the
    reader's zone (named in the cell): none of their headers says "(UTC)"."""

    confirmed.set_rate(users["mptf_officer"], "EUR", dt.date(2018, 6, 1), "0.9")
    users["admin"].timezone = "Asia/Tokyo"
    db.session.commit()
    login_as("admin")
    from trustfund.donors.models import Donor

    donor_id = db.session.scalar(sa.select(Donor.id).limit(1))
    for url in ("/admin/audit", "/admin/users", "/admin/mail/", f"/donors/{donor_id}"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        page = answer.get_data(as_text=True)
        found = page.find("(UTC)")
        assert found < 0, (url, page[max(found - 300, 0):found + 20])
    assert "UTC+09:00" in client.get("/admin/audit").get_data(as_text=True)


def test_a_donors_pools_show_its_money_after_transfers_between_pools(db, app):
    """A donor's share of a pool's spending follows its net deposits after the
    transfers between pools (the statement's "Donor's net deposits in pool"): where
    transfers moved its money, its dashboard says so beside what it deposited into each
    pool, and the chart compares what the shares count; without transfers, one column."""
    from flask import render_template_string

    from tests.factories import statements as data

    a, b = data.donor("Moved Foundation"), data.donor("Other Foundation")
    obj1, obj2 = data.pool("OBJ1"), data.pool("OBJ2")
    data.deposit(data.commitment(a, "100.00", objective_number=1), "100.00", fee_rate="0",
                 value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(b, "300.00", objective_number=1), "300.00", fee_rate="0",
                 value_date=dt.date(2017, 6, 1))
    still = data.donor("Still Foundation")
    data.deposit(data.commitment(still, "50.00", objective_number=2), "50.00", fee_rate="0",
                 value_date=dt.date(2017, 5, 2))
    db.session.commit()
    html = render_template_string('{% include "dashboard/_donor.html" %}', donor=a)
    assert "after transfers between pools" not in html
    # 200.00 moved from objective 1 to 2, split 100:300 between the two donors of 1.
    data.transfer(obj1, obj2, "200.00", on=dt.date(2017, 7, 1))
    db.session.commit()
    html = render_template_string('{% include "dashboard/_donor.html" %}', donor=a)
    table = Tables(html).tables["donor_pools"]
    assert table["keys"][:5] == ["pool", "deposited_usd", "fees", "net", "weight"]
    assert "Net deposits after transfers between pools" in html
    rows = {row[0][:2]: row[1:5] for row in table["rows"]}  # "1. Travel and participation…"
    assert rows == {"1.": ["100.00", "0.00", "100.00", "50.00"], "2.": ["0.00", "0.00", "0.00", "50.00"]}
    assert table["totals"][1:5] == ["100.00", "0.00", "100.00", "100.00"]
    assert "after the transfers between pools" in html
    assert charts(html)["donor_pools"]["datasets"][0]["data"] == ["50.00", "50.00"]
    # A donor the transfer did not touch reads one column, as before.
    html = render_template_string('{% include "dashboard/_donor.html" %}', donor=still)
    assert "after transfers between pools" not in html


def test_a_deposit_dated_after_the_readers_today_is_no_transfer(db, app, monkeypatch):
    """A deposit recorded where it is already tomorrow is counted on the donor's
    dashboard as it is recorded; its shares count it from its date: no column says
    transfers moved money when none did."""
    from flask import render_template_string

    from tests.factories import statements as data
    from trustfund import clock

    donor = data.donor("Early Foundation")
    commitment = data.commitment(donor, "200.00", objective_number=1)
    data.deposit(commitment, "100.00", fee_rate="0", value_date=dt.date(2017, 5, 2))
    data.deposit(commitment, "40.00", fee_rate="0", value_date=dt.date(2017, 5, 3))
    db.session.commit()
    monkeypatch.setattr(clock, "today", lambda: dt.date(2017, 5, 2))
    figures = services.donor_figures(donor.id)
    html = render_template_string('{% include "dashboard/_donor.html" %}', donor=donor)
    [pool] = figures.pools
    assert (pool.net, pool.weight, pool.moved) == (D("140.00"), D("140.00"), False)
    assert "after transfers between pools" not in html


def test_the_srsg_tile_counts_only_the_money_travel_can_be_paid_from(client, login_as, db, users):
    """Money earmarked to Objective 2 pays no travel (a transfer brings it to travel):
    the SRSG staff's headline figure is what the Objective 1 and un-earmarked pools have
    available, not every pool's; the table of pools still shows each one."""
    from tests.factories import travel as tf

    tf.fund_pool(1, "1000.00")
    tf.fund_pool(None, "500.00")
    tf.fund_pool(2, "90000.00")
    db.session.commit()
    login_as("srsg_staff")
    page = client.get("/dashboard/").get_data(as_text=True)
    tile = re.search(r'<p class="small text-body-secondary mb-1">Available for travel</p>\s*'
                     r'<p class="h4 mb-0 num-tile">([^<]*)</p>', page)
    assert tile and tile.group(1).strip() == "USD\u00a01,485.00", tile  # 990.00 + 495.00, net of the fee
    assert "Objective 1 and un-earmarked pools" in page
    assert "Available in all pools" not in page
    assert Tables(page).tables["pools"]["totals"][-1] == "90,585.00"
