"""Grant list, queue and participation reports: filters, totals, and .xlsx
downloads whose rows and figures equal the page's."""
import datetime as dt
import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from tests.factories.travel import OCTOBER_GENEVA, fund_pool, make_event, make_request, srsg, srsg2
from trustfund.extensions import db
from trustfund.travel.decisions import approve_grant, reject_grant
from trustfund.travel.reconcile import record_travel


def sheet(response, index=0):
    try:
        assert response.status_code == 200
        assert response.mimetype.endswith("spreadsheetml.sheet")
        return load_workbook(io.BytesIO(response.data)).worksheets[index]
    finally:
        response.close()


def table(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def money_cells(html: str, label: str) -> list[Decimal]:
    """The amounts of the total row of a page's table."""
    row = re.search(rf"{re.escape(label)}.*?</tr>", html, re.DOTALL).group(0)
    return [Decimal(v.replace(",", "")) for v in re.findall(r'class="num">([\d,]+\.\d\d)<', row)]


def scenario():
    """Two events, five requests: travelled (LDC), approved, rejected, requested."""
    fund_pool(1, "20000.00")
    may = make_event(cap=2)
    october = make_event("October session", OCTOBER_GENEVA)
    travelled = make_request(may, "GQ", "=HYPERLINK(\"http://x\",\"y\")", airfare="1850.10")  # LDC in May
    approved = make_request(may, "EC", "Ecuador delegate", airfare="1610.00")
    rejected = make_request(may, "PH", "Philippines delegate")
    waiting = make_request(october, "GQ", "Equatorial Guinea in October")  # not an LDC by then
    approved_oct = make_request(october, "NP", "Nepal delegate", airfare="1380.00")
    for grant in (travelled, approved, approved_oct):
        approve_grant(srsg2(), grant)
    reject_grant(srsg2(), rejected, "Covered by the mission.")
    db.session.commit()
    record_travel(srsg(), travelled, ticket="1795.41", dsa="1199.99", terminal="100.00")
    db.session.commit()
    return may, october, {"travelled": travelled, "approved": approved, "rejected": rejected,
                          "waiting": waiting, "approved_oct": approved_oct}


def test_grant_list_filters_totals_and_export_agree(client, login_as, users):
    _may, october, grants = scenario()
    login_as("auditor")
    html = client.get("/travel/grants").get_data(as_text=True)
    # total of all requests; committed: approved only; spent: the trip.
    assert money_cells(html, "Total (5 grants)") == [
        Decimal("3150.10") + Decimal("2910.00") + Decimal("2300.00") + Decimal("2300.00")
        + Decimal("2680.00"),
        Decimal("2910.00") + Decimal("2680.00"), Decimal("3095.40")]
    rows = table(sheet(client.get("/travel/grants?format=xlsx")))
    data, total = rows[:-1], rows[-1]
    assert len(data) == 5
    assert total["Event"] == "Total (5 grants)"
    assert Decimal(str(total["Total"])) == Decimal("13340.10")
    assert Decimal(str(total["Committed"])) == Decimal("5590.00")
    assert Decimal(str(total["Spent"])) == Decimal("3095.40")
    trip = next(r for r in data if r["Grant"] == grants["travelled"].id)
    assert trip["Delegate"] == '=HYPERLINK("http://x","y")'  # text, not a formula
    assert trip["LDC"] is True and trip["Event starts"] == dt.datetime(2017, 5, 8)
    assert Decimal(str(trip["Spent"])) == Decimal("3095.40")

    filtered = client.get(f"/travel/grants?event={october.id}&ldc=no").get_data(as_text=True)
    assert "Equatorial Guinea in October" in filtered and "Nepal delegate" not in filtered
    rows = table(sheet(client.get(f"/travel/grants?event={october.id}&ldc=no&format=xlsx")))
    assert [r["Delegate"] for r in rows[:-1]] == ["Equatorial Guinea in October"]
    by_status = table(sheet(client.get("/travel/grants?status=approved&country=NP&format=xlsx")))
    assert [r["Delegate"] for r in by_status[:-1]] == ["Nepal delegate"]


def test_queue_export_is_in_review_order(client, login_as, users):
    event = make_event(cap=3)
    for code, name in [("EC", "Ecuador"), ("NP", "Nepal"), ("PH", "Philippines"), ("HT", "Haiti")]:
        make_request(event, code, name)
    login_as("srsg_staff")
    rows = table(sheet(client.get("/travel/queue?format=xlsx")))
    assert [(r["Order"], r["Delegate"]) for r in rows] == [
        (1, "Nepal"), (2, "Haiti"), (3, "Ecuador"), (4, "Philippines")]


def test_participation_reports_per_event_and_per_country(client, login_as, users):
    may, _october, _grants = scenario()
    login_as("mptf_officer")
    html = client.get("/travel/reports").get_data(as_text=True)
    assert "Participation" in html
    by_event = table(sheet(client.get("/travel/reports?format=xlsx&report=event")))
    first = next(r for r in by_event if r["Event"] == may.title)
    assert (first["Requests"], first["Delegates funded"], first["Countries with a funded delegate"],
            first["LDC delegates funded"]) == (3, 2, 2, 1)
    assert Decimal(str(first["LDC share"])) == Decimal("0.5")
    assert Decimal(str(first["Committed"])) == Decimal("2910.00")
    assert Decimal(str(first["Spent"])) == Decimal("3095.40")
    total = by_event[-1]
    assert total["Event"] == "Total" and total["Delegates funded"] == 3
    assert total["Countries with a funded delegate"] == 3
    assert Decimal(str(total["Committed"])) == Decimal("5590.00")
    # The page shows the same totals.
    assert money_cells(html, '<th scope="row" colspan="2">Total</th>')[:2] == [
        Decimal("5590.00"), Decimal("3095.40")]

    by_country = table(sheet(client.get("/travel/reports?format=xlsx&report=country")))
    gq = next(r for r in by_country if r["Country code"] == "GQ")
    assert (gq["Requests"], gq["Delegates funded"], gq["Events with a funded delegate"],
            gq["LDC delegates funded"]) == (
        2, 1, 1, 1)
    assert Decimal(str(gq["Spent"])) == Decimal("3095.40")
    # A period: only the October events.
    october_only = table(sheet(client.get("/travel/reports?format=xlsx&report=country&date_from=2017-09-01")))
    assert sorted(r["Country code"] for r in october_only[:-1]) == ["GQ", "NP"]


def test_events_export(client, login_as, users):
    """The events page's list, with the figures the page shows beside each event."""
    fund_pool(1, "10000.00")
    event = make_event(rate="397.33")
    make_event("October session", OCTOBER_GENEVA)
    approve_grant(srsg2(), make_request(event, "SN"))
    make_request(event, "ML")
    db.session.commit()
    login_as("admin")
    rows = table(sheet(client.get("/travel/events?format=xlsx")))
    assert rows[0]["Title"] == "Thematic session, Geneva"
    assert Decimal(str(rows[0]["DSA rate (USD per day)"])) == Decimal("397.33")
    assert [(row["Requests"], row["Delegates funded"]) for row in rows] == [(2, 1), (0, 0)]
