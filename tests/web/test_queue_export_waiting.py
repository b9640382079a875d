"""The review queue shows, above the requests, what waits for a second SRSG staff
member: the overruns awaiting approval (actual costs above the commitment, paid only
once a colleague approves them), the corrections of trips' costs and the changes of
delegates' names. Its "Download .xlsx" held the requests only: an auditor working from
the download never saw the money waiting for a decision, where the deposits', interest's
and fund entries' downloads each carry what waits for a second person."""
from __future__ import annotations

from decimal import Decimal

from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from tests.pages import post_and_confirm, sheets_of, text
from trustfund.extensions import db
from trustfund.travel import corrections
from trustfund.travel.decisions import approve_grant
from trustfund.travel.delegates import correct_delegate, delegate_seen
from trustfund.travel.reconcile import record_travel

# 1,850.10 + 3 x 400.00 + 100.00 = 3,150.10 committed; these costs are 3,250.35.
DEARER = {"actual_ticket": "1950.35", "actual_dsa": "1200.00", "actual_terminal": "100.00"}



def test_the_queue_download_holds_what_the_queue_shows_waiting(client, login_as, users):
    fund_pool(1, "20000.00")
    event = make_event(cap=5)
    dearer = make_request(event, "GQ", name="Awa Ndiaye", airfare="1850.10")
    cheaper = make_request(event, "SN", name="Bo Diallo", airfare="1000.00")
    for grant in (dearer, cheaper):
        approve_grant(srsg2(), grant)
    record_travel(users["srsg_staff"], cheaper, ticket="900.00", dsa="1200.00", terminal="100.00")
    corrections.propose(users["srsg_staff"], cheaper, ticket="950.00", dsa="1200.00", terminal="100.00",
                        reason="The airline's invoice")
    delegate = cheaper.delegate
    correct_delegate(users["srsg_staff"], delegate, name="Boubacar Diallo", function=delegate.function,
                     email=delegate.email, phone=delegate.phone, seen=delegate_seen(delegate),
                     reason="Name as in the passport")
    db.session.commit()
    login_as("srsg_staff")
    post_and_confirm(client, f"/travel/grants/{dearer.id}/travelled", data=DEARER, follow_redirects=True)
    page = text(client.get("/travel/queue"))
    assert "Overruns awaiting approval" in page and "USD 100.25" in page  # the page shows them
    assert "The airline's invoice" in page and "Boubacar Diallo" in page

    login_as("auditor")
    response = client.get("/travel/queue?format=xlsx")
    assert response.status_code == 200
    sheets = sheets_of(response)
    assert list(sheets) == ["Review queue", "Overruns awaiting approval", "Waiting cost corrections",
                            "Waiting delegate renamings", "About this export"]
    [overrun] = sheets["Overruns awaiting approval"]
    assert overrun["Grant"] == dearer.id and overrun["Delegate"] == "Awa Ndiaye"
    assert Decimal(str(overrun["Committed"])) == Decimal("3150.10")
    assert Decimal(str(overrun["Actual costs"])) == Decimal("3250.35")
    assert Decimal(str(overrun["Overrun"])) == Decimal("100.25")
    assert overrun["Recorded by"] == users["srsg_staff"].shown_name
    [correction] = sheets["Waiting cost corrections"]
    assert correction["Grant"] == cheaper.id and correction["Reason"] == "The airline's invoice"
    assert Decimal(str(correction["Recorded costs"])) == Decimal("2200.00")
    assert Decimal(str(correction["Corrected costs"])) == Decimal("2250.00")
    [renaming] = sheets["Waiting delegate renamings"]
    assert (renaming["Delegate"], renaming["New name"]) == ("Bo Diallo", "Boubacar Diallo")

    # Another event's queue: its own waiting changes only (the renaming is the delegate's).
    other = make_event(title="Another session", cap=5)
    sheets = sheets_of(client.get(f"/travel/queue?format=xlsx&event={other.id}"))
    assert sheets["Overruns awaiting approval"] == [] and sheets["Waiting cost corrections"] == []
