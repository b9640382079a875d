"""Travel pages: events, the request form, the review queue, decisions and
reconciliation through HTTP, as SRSG staff use them."""
import datetime as dt
import html as html_module
import re
from decimal import Decimal

import sqlalchemy as sa

from tests.factories.travel import count, fund_pool, make_event, make_request, srsg2
from tests.pages import error_beside_reason, form_token, post_and_confirm, post_entry, text
from trustfund.audit import AuditEntry
from trustfund.extensions import db
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import Delegate, Event, TravelGrant

GOOD = {"delegate_name": "Aminata Diop", "delegate_function": "Director", "country_code": "SN",
        "email": "", "phone": "", "travel_from": "2017-05-07", "travel_to": "2017-05-10",
        "origin_city": "Dakar", "airfare": "1,850.10", "dsa_days": "", "dsa_amount": "",
        "terminal_expenses": "", "total": "", "override_reason": "", "action": "save"}


def errors_of(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-errors">(.*?)</div>\s*</div>', html, re.DOTALL)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


def test_srsg_staff_create_and_edit_an_event_and_a_stale_edit_is_refused(client, login_as, users):
    login_as("srsg_staff")
    data = {"kind": "regional_meeting", "title": "ECLAC regional preparatory meeting", "city": "Santiago",
            "venue": "ECLAC", "start_on": "2017-08-30", "end_on": "2017-08-31", "dsa_rate": "260.00",
            "max_per_country": "1", "dates_note": "August 2017; subject to change"}
    token = form_token(client, "/travel/events/new")
    response = client.post("/travel/events/new", data=dict(data, form_token=token))
    assert response.status_code == 302
    # Sent again (a double-click, or the browser resending it): one event (each has its
    # own cap per country), and its page.
    again = client.post("/travel/events/new", data=dict(data, form_token=token), follow_redirects=True)
    assert "Nothing was recorded a second time." in again.get_data(as_text=True)
    assert count(Event) == 1
    event = db.session.scalar(sa.select(Event).where(Event.city == "Santiago"))
    assert event.dsa_rate == Decimal("260.00") and event.max_per_country == 1
    # The dates' note on a line of its own (a note in parentheses read "(... (...))").
    shown = client.get(f"/travel/events/{event.id}").get_data(as_text=True)
    assert 'id="dates-note">August 2017; subject to change</div>' in shown
    assert "(August 2017; subject to change)" not in shown
    page = client.get(f"/travel/events/{event.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    client.post(f"/travel/events/{event.id}/edit", data=dict(data, dsa_rate="270.00", version=version))
    stale = client.post(f"/travel/events/{event.id}/edit", data=dict(data, title="Mine", version=version))
    assert stale.status_code == 200
    assert "Someone else changed this record" in stale.get_data(as_text=True)
    db.session.refresh(event)
    assert (event.title, event.dsa_rate) == ("ECLAC regional preparatory meeting", Decimal("270.00"))
    bad = post_entry(client, "/travel/events/new", dict(data, end_on="2017-08-01", title="Other"))
    assert "The last day cannot be before the first day." in errors_of(bad.get_data(as_text=True), "end_on")
    assert count(Event) == 1
    login_as("mptf_officer")
    assert client.post("/travel/events/new", data=data).status_code == 403


def test_a_request_rated_before_the_events_rate_was_corrected_says_so_to_its_approver(client, login_as,
                                                                                      users):
    """A request keeps the total it was entered with, the one its approver sees and
    commits (re-rating it behind the approver's back would commit an amount nobody
    approved): once the event's DSA rate is corrected, its page and the approval's
    confirmation say so and how to rate it anew."""
    login_as("srsg_staff")
    data = {"kind": "regional_meeting", "title": "ECLAC regional preparatory meeting", "city": "Santiago",
            "venue": "ECLAC", "start_on": "2017-08-30", "end_on": "2017-08-31", "dsa_rate": "260.00",
            "max_per_country": "1", "dates_note": ""}
    assert post_entry(client, "/travel/events/new", data).status_code == 302
    event = db.session.scalar(sa.select(Event).where(Event.city == "Santiago"))
    fund_pool(1, "20000.00")
    grant = make_request(event, "SN")
    total = grant.total
    shown = client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert "rated-before-correction" not in shown
    assert re.search(r"DSA: \d+ days? × USD\u00a0260\.00<", shown)  # the rate with its currency
    page = client.get(f"/travel/events/{event.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    client.post(f"/travel/events/{event.id}/edit", data=dict(data, dsa_rate="300.00", version=version))
    db.session.expire_all()
    assert grant.total == total and grant.dsa_rate == Decimal("260.00")
    said = ("This request was rated at USD\u00a0260.00 a day; the event's DSA rate is now USD\u00a0300.00. "
            f"Approving commits the request's own total, USD\u00a0{total:,}: to rate it anew, reject or "
            "withdraw it and enter a new request.")
    login_as("srsg_staff2")
    assert said in html_module.unescape(client.get(f"/travel/grants/{grant.id}").get_data(as_text=True))
    preview = client.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"})
    assert said in html_module.unescape(preview.get_data(as_text=True))
    assert post_and_confirm(client, f"/travel/grants/{grant.id}/approve", {"pool_id": "0"}).status_code == 302
    db.session.expire_all()
    assert grant.committed_amount == total


def test_the_request_form_computes_the_figures_and_saves(client, login_as, users):
    event = make_event(rate="397.33")
    login_as("srsg_staff")
    page = client.get(f"/travel/grants/new?event={event.id}").get_data(as_text=True)
    assert 'data-figure="dsa_amount">1,191.99<' in page  # 3 days × 397.33
    # What an empty figure means, said as an instruction.
    unescaped = html_module.unescape(page)
    assert "Leave empty for the event's days plus one, no more than the days of the trip." in unescaped
    assert "Leave empty for the standard amount in force on the event's first day." in unescaped
    preview = client.post("/travel/grants/new", data=dict(GOOD, event_id=event.id, action="preview"))
    html = preview.get_data(as_text=True)
    assert 'data-figure="total">3,142.09<' in html  # 1,850.10 + 1,191.99 + 100.00
    assert count(TravelGrant) == 0
    saved = client.post("/travel/grants/new", data=dict(GOOD, event_id=event.id,
                                                        form_token=form_token(client, "/travel/grants/new")),
                        follow_redirects=True)
    assert "Request entered for Aminata Diop: USD\u00a03,142.09." in saved.get_data(as_text=True)
    grant = db.session.scalar(sa.select(TravelGrant))
    assert (grant.total, grant.ldc, grant.status) == (Decimal("3142.09"), True, "requested")


def test_a_delegate_of_an_observer_state_is_requested_for_as_a_state_represented(client, login_as, users):
    """The State of Palestine, a developing country and a non-member observer State, is
    offered and named as the "State represented", not as a Member State."""
    event = make_event()
    login_as("srsg_staff")
    page = client.get(f"/travel/grants/new?event={event.id}").get_data(as_text=True)
    assert re.search(r'<label class="form-label" for="country_code">State represented\b', page)
    assert "Member State" not in page
    assert re.search(r'<option value="PS">State of Palestine</option>', page)
    client.post("/travel/grants/new", data=dict(GOOD, event_id=event.id, country_code="PS",
                                                form_token=form_token(client, "/travel/grants/new")))
    grant = db.session.scalar(sa.select(TravelGrant))
    assert (grant.country_code, grant.ldc) == ("PS", False)
    shown = text(client.get(f"/travel/grants/{grant.id}").get_data(as_text=True))
    assert "State represented State of Palestine (PS)" in shown and "Member State" not in shown


def test_bad_input_is_refused_beside_the_fields_and_nothing_is_written(client, login_as, users):
    event = make_event()
    login_as("srsg_staff")
    before = (count(TravelGrant), count(Delegate), count(AuditEntry))
    cases = [
        ({"airfare": "12.345"}, "airfare", "USD amounts have at most 2 decimal places."),
        ({"airfare": "abc"}, "airfare", "Enter a number such as 1,250.00."),
        ({"country_code": "FR"}, "country_code", "France is not a developing country on 8 May 2017"),
        ({"travel_from": "2017-04-01"}, "travel_from", "Departure can be at most 7 days before"),
        ({"total": "9000.00"}, "override_reason", "You changed a computed figure: say why."),
        ({"travel_to": "not a date"}, "travel_to", "Enter the date as YYYY-MM-DD, for example 2018-05-10."),
        ({"delegate_name": ""}, "delegate_name", "This field is required."),
    ]
    for change, field, message in cases:
        response = post_entry(client, "/travel/grants/new", dict(GOOD, event_id=event.id, **change))
        assert response.status_code == 200
        assert message in errors_of(response.get_data(as_text=True), field), (change, field)
    assert (count(TravelGrant), count(Delegate), count(AuditEntry)) == before


def test_the_queue_shows_ldc_requests_first_and_the_pools_money(client, login_as, users):
    fund_pool(1, "10000.00")
    event = make_event(cap=3)
    for code, name in [("EC", "Ecuador first"), ("NP", "Nepal second"), ("PH", "Philippines third"),
                       ("HT", "Haiti fourth")]:
        make_request(event, code, name)
    login_as("srsg_staff2")
    html = client.get("/travel/queue").get_data(as_text=True)
    order = [m for m in re.findall(r">(\w+) (?:first|second|third|fourth)<", html)]
    assert order == ["Nepal", "Haiti", "Ecuador", "Philippines"]
    assert "USD\u00a09,900.00" in html  # Objective 1's money, beside the queue
    # Each row's place in that order, under a heading that says so (not "#", a record's number).
    assert '<th scope="col">Order</th>' in html and '<td data-label="Order">1</td>' in html
    per_event = client.get(f"/travel/events/{event.id}").get_data(as_text=True)
    assert per_event.index("Nepal second") < per_event.index("Ecuador first")


def test_waitlisted_requests_get_an_approve_button_when_money_arrives(client, login_as, users):
    fund_pool(1, "1000.00")
    grant = make_request(make_event(), "SN")
    approve_grant(srsg2(), grant)
    db.session.commit()
    assert grant.status == "waitlisted"
    login_as("srsg_staff2")
    html = client.get("/travel/queue").get_data(as_text=True)
    assert f'/travel/grants/{grant.id}/approve' not in html
    assert "Waiting for money" in html
    fund_pool(None, "5000.00")
    html = client.get("/travel/queue").get_data(as_text=True)
    assert f'/travel/grants/{grant.id}/approve' in html


def test_approve_through_the_page_and_the_requester_is_refused(client, login_as, users):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")  # entered by srsg_staff
    login_as("srsg_staff")
    page = client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert "You entered this request: another colleague must approve" in page
    refused = client.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"}, follow_redirects=True)
    assert "You entered this request: another colleague must decide on it." in refused.get_data(as_text=True)
    assert db.session.get(TravelGrant, grant.id).status == "requested"
    login_as("srsg_staff2")
    done = post_and_confirm(client, f"/travel/grants/{grant.id}/approve",
                            {"pool_id": "0", "next": "/travel/queue"})
    assert done.headers["Location"].endswith("/travel/queue")
    page = client.get("/travel/queue").get_data(as_text=True)
    assert "Approved: USD\u00a02,300.00 committed from the Objective 1 pool" in page
    assert objective1_pool().available == Decimal("7600.00")
    # An outside address in `next` is ignored.
    other = make_request(make_event("Second", (dt.date(2017, 6, 19), dt.date(2017, 6, 20))), "ML")
    away = post_and_confirm(client, f"/travel/grants/{other.id}/approve",
                            {"pool_id": "0", "next": "//evil.example/"})
    assert away.headers["Location"].endswith(f"/travel/grants/{other.id}")


def test_reject_without_a_reason_is_refused(client, login_as, users):
    grant = make_request(make_event(), "SN")
    login_as("srsg_staff2")
    response = client.post(f"/travel/grants/{grant.id}/reject", data={"reason": ""}, follow_redirects=True)
    assert "Say why the request is rejected." in response.get_data(as_text=True)
    assert db.session.get(TravelGrant, grant.id).status == "requested"
    # Told beside the reason's field of the grant's page, not in a message above it.
    refused = client.post(f"/travel/grants/{grant.id}/reject", data={"reason": " "})
    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    action = f"/travel/grants/{grant.id}/reject"
    assert error_beside_reason(page, action) == "Say why the request is rejected."
    assert error_beside_reason(page, f"/travel/grants/{grant.id}/waitlist") is None
    assert 'class="alert alert-danger' not in page  # said once, where it is to be fixed
    # A reason that is too long: the error beside it, and what was typed kept.
    long = "Duplicate. " * 200
    page = client.post(action, data={"reason": long}).get_data(as_text=True)
    assert "2000" in error_beside_reason(page, action)
    assert "Duplicate. Duplicate." in page
    assert db.session.get(TravelGrant, grant.id).status == "requested"
    post_and_confirm(client, f"/travel/grants/{grant.id}/reject",
                     {"reason": "Duplicate of the mission's request."})
    assert db.session.get(TravelGrant, grant.id).status == "rejected"
    # The page says what became of it, not that "this grant is closed".
    page = client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert "This request was rejected: nothing was committed for it." in page


def test_recording_the_trip_returns_the_difference_and_bad_costs_change_nothing(client, login_as, users):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "GQ", airfare="1850.10")  # 3,150.10
    approve_grant(srsg2(), grant)
    db.session.commit()
    login_as("srsg_staff")
    form = client.get(f"/travel/grants/{grant.id}/travelled").get_data(as_text=True)
    assert 'value="1850.10"' in form  # prefilled with the estimate, and said so
    assert ("The fields show the estimates of the request: replace them with the amounts actually "
            "paid.") in form
    assert ">Back to the grant</a>" in form  # not "Cancel", beside "Cancel the grant" elsewhere
    bad = client.post(f"/travel/grants/{grant.id}/travelled",
                      data={"actual_ticket": "1795.405", "actual_dsa": "1200", "actual_terminal": "100"})
    assert "USD amounts have at most 2 decimal places." in errors_of(
        bad.get_data(as_text=True), "actual_ticket")
    assert objective1_pool().available == Decimal("6749.90")
    done = post_and_confirm(client, f"/travel/grants/{grant.id}/travelled",
                            {"actual_ticket": "1795.41", "actual_dsa": "1199.99",
                             "actual_terminal": "100.00"}, follow_redirects=True)
    assert "USD\u00a03,095.40 spent, USD\u00a054.70 returned" in done.get_data(as_text=True)
    assert objective1_pool().available == Decimal("6804.60")
    again = client.get(f"/travel/grants/{grant.id}/travelled", follow_redirects=True)
    assert "The actual costs can be recorded only for an approved grant" in again.get_data(as_text=True)


def test_cancel_and_no_show_through_the_pages(client, login_as, users):
    fund_pool(1, "10000.00")
    event = make_event(cap=2)
    cancelled = make_request(event, "SN", "A")
    absent = make_request(event, "SN", "B")
    for grant in (cancelled, absent):
        approve_grant(srsg2(), grant)
    db.session.commit()
    login_as("srsg_staff")
    empty = client.post(f"/travel/grants/{cancelled.id}/cancel", data={"reason": ""})
    assert "Say why the grant is cancelled." in errors_of(empty.get_data(as_text=True), "reason")
    post_and_confirm(client, f"/travel/grants/{cancelled.id}/cancel", {"reason": "Visa refused."})
    post_and_confirm(client, f"/travel/grants/{absent.id}/no-show",
                     {"actual_ticket": "650.00", "actual_dsa": "0", "actual_terminal": "0", "reason": "Ill."})
    pool = objective1_pool()
    assert (pool.available, pool.committed, pool.spent) == (Decimal("9250.00"), Decimal("0.00"),
                                                            Decimal("650.00"))


def test_readers_see_but_cannot_act(client, login_as, users):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    for role in ("auditor", "mptf_officer", "admin"):
        login_as(role)
        page = client.get("/travel/queue").get_data(as_text=True)
        assert "Delegate of SN" in page and "/approve" not in page
        assert client.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"}).status_code == 403
    assert db.session.get(TravelGrant, grant.id).status == "requested"


def test_the_filters_name_a_new_or_changed_event_at_once(cached, client, login_as, users):
    """The lists' choices of events and countries are kept while the data is unchanged,
    per language: an event saved since shows in them at the next view."""
    srsg2().locale = "fr"  # a colleague who reads French, at the same data as the others
    login_as("srsg_staff")
    make_event(title="Thematic session, Geneva")
    first = client.get("/travel/grants").get_data(as_text=True)
    assert "Thematic session, Geneva — Geneva, 8 May 2017<" in first and ">Senegal<" in first
    assert "Thematic session, Geneva — Geneva" in client.get("/travel/queue").get_data(as_text=True)
    make_event(title="Regional meeting, Bangkok", city="Bangkok")
    for url in ("/travel/grants", "/travel/queue"):
        assert "Regional meeting, Bangkok — Bangkok" in client.get(url).get_data(as_text=True)
    login_as(srsg2())
    french = client.get("/travel/grants").get_data(as_text=True)
    assert ">Sénégal<" in french and ">Senegal<" not in french


def test_a_cancelled_grants_page_says_its_money_went_back_to_the_pool(client, login_as):
    """Approved for 2,300.00, then cancelled: the page no longer shows the money as
    committed (the grants list and its .xlsx leave it empty) but returned to the pool."""
    from tests.factories.travel import srsg
    from trustfund.travel.reconcile import cancel_grant

    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN", airfare="1000.00")
    approve_grant(srsg2(), grant)
    db.session.commit()
    cancel_grant(srsg(), grant, "Visa refused.")
    db.session.commit()
    login_as("srsg_staff")
    body = re.search(r"Amounts \(USD\)(.*?)</table>", client.get(f"/travel/grants/{grant.id}")
                     .get_data(as_text=True), re.DOTALL).group(1)
    rows = {cells[0]: cells[1:] for cells in (
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)) if cells}
    assert "Committed" not in rows
    assert rows["Returned to the pool"][0] == "2,300.00"
    assert objective1_pool().available == Decimal("9900.00")


def test_the_travel_pages_name_colleagues_and_actions_in_words(client, login_as, users):
    """Colleagues by name (not their email), buttons that say what they do, a
    priority and a cap in plain words."""
    users["srsg_staff"].name, users["srsg_staff2"].name = "Li Wei", "Olga Petrova"
    db.session.commit()
    fund_pool(1, "10000.00")
    event = make_event(dates=(dt.date(2017, 5, 8), dt.date(2017, 5, 9)), cap=2)
    waiting = make_request(event, "BR")  # Brazil: a developing country, not an LDC
    approved = approve_grant(srsg2(), make_request(event, "SN"))
    db.session.commit()
    login_as("srsg_staff")
    page = text(client.get(f"/travel/grants/{approved.id}"))
    assert "· Li Wei" in page and "· Olga Petrova" in page and "srsg2@" not in page
    assert "Record a no-show" in page
    queue = text(client.get("/travel/queue"))
    assert "Other developing country" in queue and waiting.delegate.name in queue and "Li Wei" in queue
    form = text(client.get(f"/travel/events/{event.id}/edit"))
    assert "Maximum number of funded delegates per country" in form
    # One name for a request, from the button to the form's title.
    for url in ("/travel/grants", f"/travel/events/{event.id}", "/travel/grants/new"):
        assert "New travel grant request" in text(client.get(url)), url
    assert "Max. funded per country" in text(client.get("/travel/events"))


def test_a_request_is_withdrawn_and_a_grant_cancelled_each_in_its_words(client, login_as, users):
    """The page that ends a request not yet approved says "Withdraw the request", the
    one that ends an approved grant "Cancel the grant"; neither puts a second "Cancel"
    beside it: the way back says where it goes."""
    fund_pool(1, "10000.00")
    event = make_event(cap=2)
    waiting, approved = make_request(event, "SN"), approve_grant(srsg2(), make_request(event, "ML"))
    db.session.commit()
    login_as("srsg_staff")
    html = client.get(f"/travel/grants/{waiting.id}/cancel").get_data(as_text=True)
    page = text(client.get(f"/travel/grants/{waiting.id}/cancel"))
    # The title, the heading and the button.
    assert page.count("Withdraw the request") >= 3 and "Cancel the grant" not in page
    assert "Back to the grant" in page and ">Cancel<" not in html
    page = text(client.get(f"/travel/grants/{approved.id}/cancel"))
    assert "Cancel the grant" in page and "Withdraw the request" not in page and "Back to the grant" in page


def test_a_refused_approval_keeps_the_pool_chosen_beside_its_refusal(client, login_as, users):
    """A waitlisted request approved from a pool that cannot pay it: the page comes back
    with the refusal beside the pool list, and the list still shows the pool chosen (not
    the default one, which a second press would then use unseen)."""
    import lxml.html

    fund_pool(1, "1000.00")
    grant = make_request(make_event(), "SN")
    approve_grant(srsg2(), grant)
    db.session.commit()
    assert grant.status == "waitlisted"
    fund_pool(None, "5000.00")  # the default pool can pay now; objective 1 still cannot
    chosen = objective1_pool().id
    login_as("srsg_staff2")
    refused = client.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": str(chosen)})
    assert refused.status_code == 200
    page = lxml.html.fromstring(refused.get_data(as_text=True))
    [select] = page.xpath("//select[@name='pool_id']")
    assert [o.get("value") for o in select.xpath(".//option[@selected]")] == [str(chosen)]
    assert "is-invalid" in select.get("class") and select.get("aria-describedby") == "pool-error"
    assert "still does not have" in page.xpath("//*[@id='pool-error']")[0].text_content()
    assert db.session.get(TravelGrant, grant.id).status == "waitlisted"


def test_an_approval_without_the_money_says_the_request_is_waitlisted_and_what_next(client, login_as, users):
    grant = make_request(make_event(), "SN")  # no pool has money
    login_as("srsg_staff2")
    page = text(post_and_confirm(client, f"/travel/grants/{grant.id}/approve", {"pool_id": "0"},
                                 follow_redirects=True))
    assert db.session.get(TravelGrant, grant.id).status == "waitlisted"
    assert "The request is waitlisted: No pool had USD" in page
    assert "available (Objective 1, Un-earmarked). Approve it again when a pool has the money." in page
    assert "Not enough money available" not in page
