"""Each staff member's dashboard says what waits for them to confirm or refuse (what a
colleague of their role proposed), and what they proposed that waits for a colleague,
each line a link to the page that answers it (trustfund/waiting.py). Read at every
view, with the figure cache on as in production: two users of one role see each
their own, and an answer shows at the next view."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from tests.factories import base_users, browser_of
from tests.factories.contributions import commitment, deposit, pool
from tests.factories.travel import fund_pool, make_event, make_request, srsg, srsg2
from tests.pages import words
from trustfund.admin import setting_changes
from trustfund.admin.models import OVERRUN_TOLERANCE
from trustfund.closure import entry_proposals
from trustfund.contributions import transfer_changes
from trustfund.contributions.confirmed import record_interest
from trustfund.contributions.pools import unearmarked_pool
from trustfund.fund.entries import DIRECT_COST
from trustfund.travel.decisions import approve_grant
from trustfund.travel.reconcile import record_travel

DASHBOARD = "/dashboard/"


def _list(page: str, list_id: str) -> list[tuple[str, str]]:
    """(link, words) of each line of the dashboard's list `list_id`; [] without it."""
    found = re.search(rf'<ul[^>]*id="{list_id}"[^>]*>(.*?)</ul>', page, re.S)
    if not found:
        return []
    return [(href, words(html))
            for href, html in re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', found.group(1), re.S)]


def _dashboard(app, who) -> str:
    response = browser_of(app, who).get(DASHBOARD)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _entry_waiting(db):
    users = base_users()
    record_interest(users["mptf_officer"], value_date=dt.date(2017, 4, 25), usd_amount=Decimal("1000.00"),
                    note="Money for the cost")
    proposal = entry_proposals.propose_entry(users["mptf_officer"], kind=DIRECT_COST,
                                             pool_id=unearmarked_pool().id, value_date=dt.date(2017, 6, 1),
                                             usd_amount=Decimal("250.00"), description="Conference room")
    db.session.commit()
    return proposal.id


def test_an_entry_proposed_by_one_officer_waits_on_the_other_officers_dashboard_until_answered(
        app, db):
    proposal_id = _entry_waiting(db)
    page = _dashboard(app, "mptf_officer2")
    assert _list(page, "waiting-for-you") == [
        ("/fund/entries", "1 entry of the fund (or its reversal) waits for you to confirm or refuse it.")]
    assert _list(page, "waiting-for-a-colleague") == []
    # Its proposer sees it waiting for a colleague, not for them to answer.
    page = _dashboard(app, "mptf_officer")
    assert _list(page, "waiting-for-you") == []
    assert _list(page, "waiting-for-a-colleague") == [
        ("/fund/entries", "1 entry of the fund (or its reversal) that you proposed waits for another MPTF "
                          "officer.")]
    # Other roles answer none of it: no box at all.
    for who in ("admin", "srsg_staff", "auditor"):
        assert 'id="waiting"' not in _dashboard(app, who), who

    # Confirmed on the entries page: gone from both dashboards at the next view.
    response = browser_of(app, "mptf_officer2").post(f"/fund/entries/waiting/{proposal_id}/confirm",
                                                     follow_redirects=True)
    assert response.status_code == 200
    for who in ("mptf_officer", "mptf_officer2"):
        assert 'id="waiting"' not in _dashboard(app, who), who


def test_an_admin_sees_a_colleagues_transfer_and_setting_and_their_own_apart(app, db):
    deposit(commitment("USD", "200000.00"), Decimal("200000.00"))
    users = base_users()
    transfer_changes.propose(users["admin"], pool("UNEARMARKED").id, pool("OBJ2").id, Decimal("150000.00"),
                             "Surplus", dt.date(2018, 6, 1))
    setting_changes.propose(users["admin2"], OVERRUN_TOLERANCE, "150", dt.date(2018, 1, 1))
    db.session.commit()

    page = _dashboard(app, "admin")
    assert _list(page, "waiting-for-you") == [
        ("/admin/settings", "1 new value of a setting waits for you to confirm or refuse it.")]
    assert _list(page, "waiting-for-a-colleague") == [
        ("/contributions/pools/transfers", "1 transfer between pools that you proposed waits for another "
                                           "administrator.")]
    page = _dashboard(app, "admin2")
    assert _list(page, "waiting-for-you") == [
        ("/contributions/pools/transfers", "1 transfer between pools waits for you to confirm or refuse it.")]
    assert _list(page, "waiting-for-a-colleague") == [
        ("/admin/settings", "1 new value of a setting that you proposed waits for another administrator.")]


def test_an_overrun_waits_for_the_srsg_staff_member_who_did_not_record_it(app, db):
    fund_pool(1, "30000.00")
    grants = []
    for country in ("SN", "ML"):
        grant = make_request(make_event(f"Overrun {country}", cap=3), country, airfare="1000.00")
        approve_grant(srsg2(), grant)
        record_travel(srsg(), grant, ticket=str(grant.airfare + Decimal("100.00")), dsa=str(grant.dsa_amount),
                      terminal=str(grant.terminal_expenses))
        grants.append(grant)
    db.session.commit()
    assert [g.overrun_status for g in grants] == ["pending", "pending"]

    page = _dashboard(app, "srsg_staff2")
    assert _list(page, "waiting-for-you") == [
        ("/travel/queue", "2 travel grants' overruns wait for you to approve or reject them.")]
    page = _dashboard(app, "srsg_staff")
    assert _list(page, "waiting-for-you") == []
    assert _list(page, "waiting-for-a-colleague") == [
        ("/travel/queue", "2 travel grants' overruns that you recorded wait for another SRSG staff member.")]


def test_interest_proposed_by_one_officer_waits_on_the_other_officers_dashboard(app, db):
    from trustfund.contributions import interest_changes

    _entry_waiting(db)
    interest_changes.propose(base_users()["mptf_officer"], value_date=dt.date(2018, 6, 30),
                             usd_amount=Decimal("10.00"), note="Q2 2018")
    db.session.commit()
    assert _list(_dashboard(app, "mptf_officer2"), "waiting-for-you") == [
        ("/fund/entries", "1 entry of the fund (or its reversal) waits for you to confirm or refuse it."),
        ("/contributions/interest",
         "1 interest entry (or its reversal) waits for you to confirm or refuse it.")]
