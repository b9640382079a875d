"""The fund as a record (issue 18): its page shows the name, code, dates, status and
the fee rate's history (read from the setting, the one source of truth); the admin
changes it with its history kept, and extends the end date only with a reason."""
from __future__ import annotations

import datetime as dt
import html

import sqlalchemy as sa

from tests.pages import error_beside, post_and_confirm, table_rows
from tests.security.helpers import changed_counts, table_counts
from trustfund import reference
from trustfund.admin.confirmed_settings import set_setting
from trustfund.admin.models import FEE_RATE
from trustfund.closure import closing_decisions
from trustfund.fund.models import Fund


def _fund(db) -> Fund:
    db.session.expire_all()
    return db.session.scalar(sa.select(Fund))


def _form(client, url: str) -> dict:
    import re

    html = client.get(url).get_data(as_text=True)
    return dict(re.findall(r'<input[^>]*name="(csrf_token|version)"[^>]*value="([^"]*)"', html))


def test_setup_fund_records_the_fund_with_its_dates(app, db):
    db.session.execute(sa.delete(Fund))
    added = reference.load_reference_data()
    assert added["fund"] == 1
    fund = _fund(db)
    assert (fund.code, fund.start_on, fund.end_on, fund.status) == (
        "MCS00", dt.date(2017, 4, 3), dt.date(2018, 12, 31), "open")
    assert "Global Compact for Safe, Orderly and Regular Migration" in fund.name
    assert reference.load_reference_data()["fund"] == 0  # idempotent


def test_the_fund_page_shows_the_record_and_the_fee_rate_history(client, login_as, db, users):
    set_setting(users["admin"], FEE_RATE, "0.02", dt.date(2019, 1, 1))
    db.session.commit()
    login_as("auditor")
    html = client.get("/fund/").get_data(as_text=True)
    assert "MCS00" in html and "Open" in html
    assert "3 Apr 2017" in html
    assert table_rows(html, "fee-rates") == [["1 Jan 2019", "2%"], ["1 Jan 2017", "1%"]]
    years = table_rows(html, "years")
    assert years[0][:2] == ["2017", "Open"]
    assert years[-1][0] == str(dt.date.today().year)


def test_the_admin_changes_the_record_and_its_history_says_so(client, login_as, db):
    login_as("admin")
    data = {**_form(client, "/fund/edit"), "name": "UN Migration Fund", "code": "MCS00",
            "start_on": "2017-04-03"}
    assert client.post("/fund/edit", data=data).status_code == 302
    assert _fund(db).name == "UN Migration Fund"
    html = client.get("/fund/").get_data(as_text=True)
    assert "Changed by admin." in html
    assert "Name: United Nations voluntary trust fund" in html and "→ UN Migration Fund" in html


def test_a_change_built_on_an_older_version_is_refused(client, login_as, db):
    login_as("admin")
    stale = _form(client, "/fund/edit")
    data = {**stale, "name": "First", "code": "MCS00", "start_on": "2017-04-03"}
    assert client.post("/fund/edit", data=data).status_code == 302
    before = table_counts(db)
    page = client.post("/fund/edit", data={**data, "name": "Second"})
    assert "Reload the page" in page.get_data(as_text=True)
    assert changed_counts(before, table_counts(db)) == {}
    assert _fund(db).name == "First"


def test_an_extension_needs_a_later_date_and_a_reason(client, login_as, db):
    login_as("admin")
    end = _fund(db).end_on
    before = table_counts(db)
    page = client.post("/fund/extend", data={**_form(client, "/fund/extend"), "end_on": "2100-06-30",
                                             "reason": ""})
    assert "This field is required." in error_beside(page.get_data(as_text=True), "reason")
    page = client.post("/fund/extend", data={**_form(client, "/fund/extend"), "end_on": "2017-12-31",
                                             "reason": "Earlier"})
    assert "moves the end date later" in error_beside(page.get_data(as_text=True), "end_on")
    assert changed_counts(before, table_counts(db)) == {}
    assert _fund(db).end_on == end

    page = client.post("/fund/extend", data={**_form(client, "/fund/extend"), "end_on": "2100-06-30",
                                             "reason": "No-cost extension for the follow-up review"})
    assert page.status_code == 302
    assert _fund(db).end_on == dt.date(2100, 6, 30)
    html = client.get("/fund/").get_data(as_text=True)
    assert "End date extended by admin from 31 Dec 2099 to 30 Jun 2100." in html
    assert "No-cost extension for the follow-up review" in html


def test_only_the_admin_changes_the_record(client, login_as):
    login_as("mptf_officer")
    assert client.get("/fund/").status_code == 200
    assert client.post("/fund/extend", data={"end_on": "2100-01-01", "reason": "x"}).status_code == 403
    assert b"Extend the end date" not in client.get("/fund/").data


def test_a_year_no_calendar_has_is_not_found(client, login_as, db):
    """The year in the closing page's address is any whole number: one the calendar has
    not (0, 99999) answers 404 both ways, not 500, and nothing is written."""
    login_as("admin")
    before = table_counts(db)
    for year in (0, 99999, 99999999):
        assert client.get(f"/fund/years/{year}/close").status_code == 404, year
        response = client.post(f"/fund/years/{year}/close", data={"report_reference": "Annual report"})
        assert response.status_code == 404, year
    assert changed_counts(before, table_counts(db)) == {}
    assert client.get("/fund/years/2017/close").status_code == 200


def test_the_forms_that_close_for_good_refuse_hostile_text_and_show_html_escaped(client, login_as, db):
    """The bad-input sweep leaves these forms to this test: each accepted post changes the
    fund for good (tests/security/form_specs.py, ELSEWHERE)."""
    from tests.security.helpers import BIDI_TEXT, LONG_TEXT

    login_as("admin")
    script = "<script>alert(1)</script>"
    for url, field, extra in (("/fund/extend", "reason", {"end_on": "2100-01-01"}),
                              ("/fund/close-operations", "reason", {}),
                              ("/fund/years/2017/close", "report_reference", {})):
        for value in ("a\x00b", "bell\x07", BIDI_TEXT, LONG_TEXT, "", "  "):
            before = table_counts(db)
            page = client.post(url, data={**_form(client, url), **extra, field: value})
            assert page.status_code == 200, (url, value[:10])
            assert error_beside(page.get_data(as_text=True), field), (url, value[:10])
            assert changed_counts(before, table_counts(db)) == {}, (url, value[:10])
        done = post_and_confirm(client, url, {**_form(client, url), **extra, field: script})
        assert done.status_code == 302, url
    html = client.get("/fund/").get_data(as_text=True)
    assert script not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert _fund(db).status == "operationally_closed"


def test_once_a_pool_is_refunded_the_end_date_is_not_extended_and_operations_stay_closed(
        client, login_as, db, users):
    """A fund closed by its end date: an extension reopens its operations until a pool's
    closing decision is recorded; after it (the balance refunded to the donors) the
    extension is refused beside the date, nothing is written, the operations stay
    closed, and the fund's page no longer offers an extension as the way to reopen them."""
    from tests.factories import statements as data
    from trustfund.fund.status import current_fund, operations_open
    from trustfund.reference import FUND_END

    data.deposit(data.commitment(data.donor("Norway (extension)"), "5000.00"), "5000.00", fee_rate="0")
    current_fund().end_on = FUND_END  # 31 December 2018: closed by its end date
    db.session.commit()
    assert not operations_open()

    login_as("admin")
    reason = "Follow-up review"
    page = client.post("/fund/extend", data={**_form(client, "/fund/extend"), "end_on": "2019-06-30",
                                             "reason": reason})
    assert page.status_code == 302  # before any decision an extension works (still past: closed)
    assert _fund(db).end_on == dt.date(2019, 6, 30)
    html = client.get("/fund/").get_data(as_text=True)
    assert "An extension of the end date, with its reason, reopens them." in html
    assert "Extend the end date" in html and 'href="/fund/extend"' in html

    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()

    before = table_counts(db)
    page = client.post("/fund/extend", data={**_form(client, "/fund/extend"), "end_on": "2100-06-30",
                                             "reason": reason})
    assert page.status_code == 200
    assert "The end date can no longer be extended: a pool's closing decision is recorded" in \
        error_beside(page.get_data(as_text=True), "end_on")
    assert changed_counts(before, table_counts(db)) == {}
    assert _fund(db).end_on == dt.date(2019, 6, 30)
    assert not operations_open()
    html = client.get("/fund/").get_data(as_text=True)
    assert 'id="fund-status">Operationally closed<' in html
    assert "activities ended on 30 Jun 2019" in html and "reopens them" not in html
    # the page no longer offers what would be refused
    assert "Extend the end date" not in html and 'href="/fund/extend"' not in html


def _decision_waits_on_a_fund_past_its_end(db, users, donor: str):
    """A fund closed by its end date (31 December 2018) whose pool holds a donor's
    5,000.00, and a refund of that pool proposed by an SRSG staff member, waiting."""
    from tests.factories import statements as data
    from trustfund.closure import proposals
    from trustfund.fund.status import current_fund
    from trustfund.reference import FUND_END

    data.deposit(data.commitment(data.donor(donor), "5000.00"), "5000.00", fee_rate="0")
    current_fund().end_on = FUND_END
    db.session.commit()
    proposal = proposals.propose(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    return proposal


WAITS = ("The end date cannot be extended while a pool's closing decision waits for a second SRSG staff "
         "member")


def test_while_a_closing_decision_waits_the_end_date_is_not_extended(app, client, login_as, db, users):
    """A pool's closing decision proposed and waiting for its confirmation: an extension
    (which would reopen the operations, so that the decision could not be confirmed) is
    refused beside the date, saying how to get past it, and nothing is written. Once
    the decision is withdrawn, the extension is made."""
    from trustfund.closure import proposals
    from trustfund.fund.entries import WAITING, ClosingProposal
    from trustfund.fund.status import operations_open
    from trustfund.reference import FUND_END

    proposal = _decision_waits_on_a_fund_past_its_end(db, users, "Norway (extension)")

    login_as("admin")
    before = table_counts(db)
    page = client.post("/fund/extend", data={**_form(client, "/fund/extend"), "end_on": "2019-06-30",
                                             "reason": "Follow-up review"})
    assert page.status_code == 200
    message = error_beside(page.get_data(as_text=True), "end_on")
    assert message.startswith(WAITS) and "refused, or withdrawn by its proposer" in message
    assert changed_counts(before, table_counts(db)) == {}
    assert _fund(db).end_on == FUND_END and not operations_open()
    assert db.session.get(ClosingProposal, proposal.id).status == WAITING

    proposals.withdraw(users["srsg_staff"], proposal.id)
    db.session.commit()
    page = client.post("/fund/extend", data={**_form(client, "/fund/extend"), "end_on": "2019-06-30",
                                             "reason": "Follow-up review"})
    assert page.status_code == 302
    assert _fund(db).end_on == dt.date(2019, 6, 30)


def test_while_a_closing_decision_waits_the_fund_page_offers_no_extension_and_says_why(app, client, login_as,
                                                                                         db, users):
    """The fund's page does not offer "Extend the end date" while a pool's closing
    decision waits (an extension would be refused), and its note says why and how to
    get past it, instead of "An extension of the end date ... reopens them"; once the
    decision is withdrawn, the extension is offered again."""
    from trustfund.closure import proposals

    proposal = _decision_waits_on_a_fund_past_its_end(db, users, "Norway (fund page)")

    login_as("admin")
    page = html.unescape(client.get("/fund/").get_data(as_text=True))
    assert 'href="/fund/extend"' not in page
    assert ("A pool's closing decision waits for a second SRSG staff member: the end date can be extended "
            "only once that decision is refused, or withdrawn by its proposer, on the closing page.") in page
    assert "reopens them" not in page

    proposals.withdraw(users["srsg_staff"], proposal.id)
    db.session.commit()
    page = html.unescape(client.get("/fund/").get_data(as_text=True))
    assert 'href="/fund/extend"' in page
    assert "An extension of the end date, with its reason, reopens them." in page


def test_a_fund_closed_early_may_have_its_end_date_extended_while_a_decision_waits(app, client, login_as,
                                                                                    db, users):
    """Operations the admin closed early stay closed whatever the end date (an extension
    does not reopen them), so a waiting closing decision can still be confirmed: the
    fund's page offers the extension, the extension is made with its reason, the
    operations stay closed, and a second SRSG staff member then confirms the decision."""
    from tests.factories import second_srsg_confirms
    from tests.factories import statements as data
    from trustfund.closure import proposals
    from trustfund.fund.entries import CONFIRMED, ClosingProposal
    from trustfund.fund.services import close_operations
    from trustfund.fund.status import current_fund, operations_open

    data.deposit(data.commitment(data.donor("Norway (closed early)"), "5000.00"), "5000.00", fee_rate="0")
    close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    end_on = _fund(db).end_on
    proposal = proposals.propose(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()

    login_as("admin")
    page = html.unescape(client.get("/fund/").get_data(as_text=True))
    assert 'href="/fund/extend"' in page and "Compact adopted" in page
    later = end_on + dt.timedelta(days=180)
    done = post_and_confirm(client, "/fund/extend",
                            {**_form(client, "/fund/extend"), "end_on": later.isoformat(),
                             "reason": "No-cost extension for the final report"})
    assert done.status_code == 302
    fund = _fund(db)
    assert fund.end_on == later and fund.status == "operationally_closed" and not operations_open()

    assert second_srsg_confirms(app, data.pool().id).status_code == 200
    db.session.expire_all()
    assert db.session.get(ClosingProposal, proposal.id).status == CONFIRMED
    # once the decision is recorded, the end date moves no more: not offered
    page = html.unescape(client.get("/fund/").get_data(as_text=True))
    assert 'href="/fund/extend"' not in page
