"""Overruns through the pages, as SRSG staff meet them: the costs form and its
message, the grant page, the lists, the review queue's overruns with Approve and
Reject (never for the colleague who recorded the costs), no-shows before the event,
and the admin's tolerance."""
import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from tests.factories import second_admin_confirms_setting
from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from tests.pages import error_beside_reason, text
from tests.pages import post_and_confirm as decide
from trustfund.admin.models import OVERRUN_TOLERANCE, Setting
from trustfund.admin.setting_changes import form_version
from trustfund.extensions import db
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import TravelGrant

D = Decimal
# 1,850.10 + 3 × 400.00 + 100.00 = 3,150.10 committed; these costs are 3,250.10.
DEARER = {"actual_ticket": "1950.10", "actual_dsa": "1200.00", "actual_terminal": "100.00"}


def approved(country="GQ", event=None):
    grant = make_request(event or make_event(), country, airfare="1850.10")
    approve_grant(srsg2(), grant)
    db.session.commit()
    return grant


def figures():
    pool = objective1_pool()
    return pool.available, pool.committed, pool.spent


def test_recording_dearer_costs_speaks_of_an_overrun_never_of_a_negative_return(client, login_as, users):
    fund_pool(1, "10000.00")
    grant = approved()
    login_as("srsg_staff")
    form = text(client.get(f"/travel/grants/{grant.id}/travelled"))
    assert "What is not spent of it returns to the pool." in form
    assert "the pool pays it only once another SRSG staff member approves it" in form
    response = decide(client, f"/travel/grants/{grant.id}/travelled", data=DEARER, follow_redirects=True)
    done = text(response)
    assert ("Actual costs recorded: USD 3,250.10. USD 3,150.10 paid from the Objective 1 pool" in done
            and "the overrun of USD 100.00 awaits the approval of another SRSG staff member." in done)
    assert "returned" not in done and "-$" not in done
    assert "overrun of USD 100.00 awaiting approval" in done
    assert "You recorded these costs: another colleague must approve or reject the overrun." in done
    # Not offered to the recorder.
    assert f"/travel/grants/{grant.id}/overrun/approve" not in response.get_data(as_text=True)
    assert figures() == (D("6749.90"), D("0.00"), D("3150.10"))
    for page in ("/travel/grants", f"/travel/events/{grant.event_id}"):
        assert "overrun of USD 100.00 awaiting approval" in text(client.get(page)), page


def test_a_cheaper_trip_returns_money_and_says_so(client, login_as, users):
    fund_pool(1, "10000.00")
    cheaper, exact = approved("GQ", make_event(cap=2)), None
    login_as("srsg_staff")
    done = text(decide(client, f"/travel/grants/{cheaper.id}/travelled", follow_redirects=True, data={
        "actual_ticket": "1760.10", "actual_dsa": "1200.00", "actual_terminal": "100.00"}))
    assert ("Actual costs recorded: USD 3,060.10 spent, USD 90.00 returned to the Objective 1 pool"
            in done)
    assert "Returned to the pool" in done and "overrun" not in done.lower()
    exact = approved("SN", db.session.get(TravelGrant, cheaper.id).event)
    done = text(decide(client, f"/travel/grants/{exact.id}/travelled", follow_redirects=True, data={
        "actual_ticket": "1850.10", "actual_dsa": "1200.00", "actual_terminal": "100.00"}))
    assert "Actual costs recorded: USD 3,150.10 spent from the Objective 1 pool" in done
    assert "the whole amount committed." in done and "returned" not in done


def test_the_recorder_is_refused_and_a_colleague_approves_from_the_queue(client, login_as, users):
    fund_pool(1, "10000.00")
    grant = approved()
    login_as("srsg_staff")
    decide(client, f"/travel/grants/{grant.id}/travelled", data=DEARER)
    queue = text(client.get("/travel/queue"))
    assert "Overruns awaiting approval" in queue and "1 overrun awaits approval" in queue
    assert "You recorded these costs: a colleague decides." in queue
    refused = text(decide(client, f"/travel/grants/{grant.id}/overrun/approve",
                          data={"next": "/travel/queue"}, follow_redirects=True))
    assert "You recorded these costs: another colleague must decide on the overrun." in refused
    assert db.session.get(TravelGrant, grant.id).overrun_status == "pending"
    assert figures() == (D("6749.90"), D("0.00"), D("3150.10"))

    login_as("srsg_staff2")
    html = client.get("/travel/queue").get_data(as_text=True)
    assert f'action="/travel/grants/{grant.id}/overrun/approve"' in html
    done = decide(client, f"/travel/grants/{grant.id}/overrun/approve", data={"next": "/travel/queue"})
    assert done.headers["Location"].endswith("/travel/queue")
    queue = text(client.get("/travel/queue"))
    assert "Overrun of USD 100.00 approved and paid from the Objective 1 pool" in queue
    assert "Overruns awaiting approval" not in queue
    assert figures() == (D("6649.90"), D("0.00"), D("3250.10"))
    page = text(client.get(f"/travel/grants/{grant.id}"))
    assert "overrun of USD 100.00 approved" in page and "Overrun approved on" in page


def test_a_rejected_overrun_needs_a_reason_and_keeps_the_commitment(client, login_as, users):
    fund_pool(1, "10000.00")
    grant = approved()
    login_as("srsg_staff")
    decide(client, f"/travel/grants/{grant.id}/travelled", data=DEARER)
    login_as("srsg_staff2")
    page = client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert f'action="/travel/grants/{grant.id}/overrun/reject"' in page
    # The confirmation names who recorded the costs as every page names a colleague.
    asked = text(client.post(f"/travel/grants/{grant.id}/overrun/approve"))
    assert "Recorded by srsg_staff" in " ".join(asked.split()) and "srsg@test.example" not in asked
    empty = text(decide(client, f"/travel/grants/{grant.id}/overrun/reject", data={"reason": " "},
                             follow_redirects=True))
    assert "Say why the overrun is rejected." in empty
    refused = client.post(f"/travel/grants/{grant.id}/overrun/reject", data={"reason": " "})
    assert refused.status_code == 200  # the grant's page again, the error beside the reason
    assert error_beside_reason(refused.get_data(as_text=True), f"/travel/grants/{grant.id}/overrun/reject") \
        == "Say why the overrun is rejected."
    assert db.session.get(TravelGrant, grant.id).overrun_status == "pending"
    done = text(decide(client, f"/travel/grants/{grant.id}/overrun/reject", follow_redirects=True,
                            data={"reason": "Business class was not authorised."}))
    assert "Overrun of USD 100.00 rejected: the grant stays at the USD 3,150.10 committed." in done
    assert ("(reason: Business class was not authorised). The fund pays the USD 3,150.10 committed, "
            "not the overrun of USD 100.00.") in done
    assert figures() == (D("6749.90"), D("0.00"), D("3150.10"))
    grants = text(client.get("/travel/grants"))
    assert "overrun of USD 100.00 rejected" in grants


def test_an_overrun_the_pool_cannot_pay_is_refused_with_a_message(client, login_as, users):
    fund_pool(1, "3200.00")  # 17.90 left after the commitment
    grant = approved()
    login_as("srsg_staff")
    decide(client, f"/travel/grants/{grant.id}/travelled", data=DEARER)
    login_as("srsg_staff2")
    refused = text(decide(client, f"/travel/grants/{grant.id}/overrun/approve", follow_redirects=True))
    assert "has only USD 17.90 available, less than the overrun of USD 100.00" in refused
    # What to do, by whom: SRSG staff neither transfer nor deposit.
    assert ("The overrun stays awaiting approval until the pool has the money: a transfer into it "
            "(proposed by an administrator, confirmed by another) or a deposit (recorded by the MPTF "
            "Office).") in refused
    assert db.session.get(TravelGrant, grant.id).overrun_status == "pending"
    assert figures() == (D("17.90"), D("0.00"), D("3150.10"))


def test_no_show_and_costs_wait_for_the_event_but_cancel_does_not(client, login_as, users):
    fund_pool(1, "10000.00")
    soon = dt.date.today() + dt.timedelta(days=20)
    grant = approved("SN", make_event("Future session", (soon, soon + dt.timedelta(days=1))))
    login_as("srsg_staff")
    html = client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert "can be recorded from" in html and "when the event starts" in html
    assert f"/travel/grants/{grant.id}/no-show" not in html
    assert f"/travel/grants/{grant.id}/travelled" not in html
    assert f"/travel/grants/{grant.id}/cancel" in html
    early = text(client.get(f"/travel/grants/{grant.id}/no-show", follow_redirects=True))
    assert "The event has not started yet: a no-show can be recorded once it has." in early
    posted = decide(client, f"/travel/grants/{grant.id}/no-show", data={
        "actual_ticket": "50000.00", "actual_dsa": "0", "actual_terminal": "0", "reason": ""})
    assert posted.status_code == 302
    assert db.session.get(TravelGrant, grant.id).status == "approved"
    assert figures() == (D("6749.90"), D("3150.10"), D("0.00"))
    done = text(decide(client, f"/travel/grants/{grant.id}/cancel", data={"reason": "Will not travel."},
                            follow_redirects=True))
    assert "Grant cancelled; USD 3,150.10 returned to the pool." in done
    assert figures() == (D("9900.00"), D("0.00"), D("0.00"))
    closed = text(client.get(f"/travel/grants/{grant.id}/cancel", follow_redirects=True))
    assert "This grant is cancelled: it can no longer be cancelled." in closed


def test_a_request_withdrawn_returns_nothing_and_says_so(client, login_as, users):
    grant = make_request(make_event(), "SN")
    login_as("srsg_staff")
    done = text(decide(client, f"/travel/grants/{grant.id}/cancel", data={"reason": "Entered twice."},
                            follow_redirects=True))
    assert "Request withdrawn; no money was committed for it." in done and "returned" not in done


def test_the_admin_sets_the_tolerance_and_small_overruns_pass(client, login_as, users):
    login_as("admin")
    settings = text(client.get("/admin/settings"))
    assert "Overrun tolerance per trip (USD), paid without a second approval" in settings
    bad = text(client.post(f"/admin/settings/{OVERRUN_TOLERANCE}", data={
        "value": "150.005", "effective_from": "2017-01-01", "version": form_version(OVERRUN_TOLERANCE)}))
    assert "USD amounts have at most 2 decimal places." in bad
    assert db.session.query(Setting).filter_by(key=OVERRUN_TOLERANCE).count() == 0
    client.post(f"/admin/settings/{OVERRUN_TOLERANCE}", data={
        "value": "150", "effective_from": "2017-01-01", "version": form_version(OVERRUN_TOLERANCE)})
    # The tolerance moves money: it takes effect when a second admin confirms it.
    assert db.session.query(Setting).filter_by(key=OVERRUN_TOLERANCE).count() == 0
    second_admin_confirms_setting(client.application, OVERRUN_TOLERANCE)
    assert db.session.query(Setting).filter_by(key=OVERRUN_TOLERANCE).one().value == "150.00"

    fund_pool(1, "10000.00")
    grant = approved()
    login_as("srsg_staff")
    form = text(client.get(f"/travel/grants/{grant.id}/travelled"))
    assert "An overrun of up to USD 150.00 is paid at once if the pool has the money" in form
    done = text(decide(client, f"/travel/grants/{grant.id}/travelled", data=DEARER, follow_redirects=True))
    assert ("Actual costs recorded: USD 3,250.10 spent from the Objective 1 pool" in done
            and "including an overrun of USD 100.00 within the tolerance." in done)
    assert "Overrun paid without a second approval: it was within the tolerance" in done
    assert figures() == (D("6649.90"), D("0.00"), D("3250.10"))


def test_an_overrun_within_the_tolerance_the_pool_cannot_pay_waits(client, login_as, users):
    """The trip's costs are recorded whatever the pool holds: an overrun within the
    tolerance that the pool cannot pay now waits for another SRSG staff member, and
    the page says why."""
    from trustfund.admin.confirmed_settings import set_setting

    set_setting(users["admin"], OVERRUN_TOLERANCE, "150.00", dt.date(2017, 1, 1))
    db.session.commit()
    fund_pool(1, "3200.00")  # 3,168.00: 17.90 left once 3,150.10 is committed
    grant = approved()
    login_as("srsg_staff")
    form = text(client.get(f"/travel/grants/{grant.id}/travelled"))
    assert "a larger one, or one the pool cannot pay now, is paid only once another SRSG staff" in form
    preview = text(client.post(f"/travel/grants/{grant.id}/travelled", data=DEARER))
    assert ("The costs exceed the amount committed by USD 100.00, within the tolerance, but the Objective 1 "
            "pool has only USD 17.90 available") in preview
    assert ("has only USD 17.90 available: it pays the USD 3,150.10 committed, and the overrun waits for "
            "another SRSG staff member's approval once the pool can pay it.") in preview
    done = text(decide(client, f"/travel/grants/{grant.id}/travelled", data=DEARER, follow_redirects=True))
    assert "Actual costs recorded: USD 3,250.10. USD 3,150.10 paid from the Objective 1 pool" in done
    assert ("; the overrun of USD 100.00 is within the tolerance, but the pool cannot pay it now: it "
            "awaits the approval of another SRSG staff member once it can.") in done
    assert "overrun of USD 100.00 awaiting approval" in done
    # The history says it in the reader's words, not as the note recorded it.
    assert "within the tolerance of USD 150.00 but more than the Objective 1 pool had available" in done
    assert "had available: awaiting a second approval." in done and "within tolerance" not in done
    assert figures() == (D("17.90"), D("0.00"), D("3150.10"))


def test_the_grant_export_shows_the_overrun_as_the_page_does(client, login_as, users):
    fund_pool(1, "10000.00")
    grant = approved()
    login_as("srsg_staff")
    decide(client, f"/travel/grants/{grant.id}/travelled", data=DEARER)
    login_as("auditor")
    response = client.get("/travel/grants?format=xlsx")
    try:
        rows = list(load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    finally:
        response.close()
    row = dict(zip(rows[0], rows[1], strict=True))
    # Begun with a capital, as the grant's status beside it ("Travelled")
    assert row["Grant"] == grant.id and row["Overrun status"] == "Awaiting approval"
    assert D(str(row["Overrun"])) == D("100.00") and D(str(row["Spent"])) == D("3150.10")
    total = dict(zip(rows[0], rows[-1], strict=True))
    assert D(str(total["Spent"])) == D("3150.10")


def test_the_overrun_is_named_in_the_users_language(client, login_as, users):
    fund_pool(1, "10000.00")
    grant = approved()
    login_as("srsg_staff")
    decide(client, f"/travel/grants/{grant.id}/travelled", data=DEARER, follow_redirects=True)
    login_as("auditor")
    for lang, words in (("fr", "dépassement de"), ("es", "sobrecosto de"), ("ru", "перерасход"),
                        ("zh", "超支"), ("ar", "تجاوز في التكاليف")):
        page = text(client.get("/travel/grants", headers={"Accept-Language": lang}))
        assert words in page, lang
        assert "overrun" not in page.lower(), lang
    # and in the download, the overrun's state begun with a capital as a cell of its own
    response = client.get("/travel/grants?format=xlsx", headers={"Accept-Language": "fr"})
    try:
        rows = list(load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    finally:
        response.close()
    assert dict(zip(rows[0], rows[1], strict=True))["État du dépassement"] == "En attente d’approbation"
