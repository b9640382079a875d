"""The request's "Withdraw the request" confirmation says "The request is withdrawn; no
money was committed for it." If a colleague approves the request while that page is
open, confirming it must not cancel the approved grant unseen (undoing a colleague's
decision and returning money the confirmation never mentioned): as the approval's own
confirmation carries what it showed (decisions.approval_seen), the cancellation should
be refused, and the page shown again as the grant now stands."""
from __future__ import annotations

from decimal import Decimal

from werkzeug.datastructures import MultiDict

from tests.factories import browser_of
from tests.factories.travel import fund_pool, make_event, make_request
from tests.pages import confirmation, summary_of, text
from trustfund.extensions import db
from trustfund.travel.decisions import objective1_pool
from trustfund.travel.models import TravelGrant


def test_withdrawing_a_request_does_not_cancel_the_grant_a_colleague_approved_meanwhile(app, client,
                                                                                        login_as):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN", name="Awa Diop")  # entered by srsg_staff
    login_as("srsg_staff")
    first = client.post(f"/travel/grants/{grant.id}/cancel", data={"reason": "Entered twice"})
    page = first.get_data(as_text=True)
    assert "The request is withdrawn; no money was committed for it." in summary_of(page)
    action, fields = confirmation(page)

    # Meanwhile srsg_staff2 approves the request: USD 2,300.00 committed.
    colleague = browser_of(app, "srsg_staff2")
    approve = colleague.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"})
    a_action, a_fields = confirmation(approve.get_data(as_text=True))
    colleague.post(a_action, data=MultiDict(a_fields))
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).status == "approved"
    committed = db.session.get(TravelGrant, grant.id).committed_amount
    assert committed == Decimal("2300.00")

    # srsg_staff confirms the page that said "no money was committed".
    answer = text(client.post(action, data=MultiDict(fields), follow_redirects=True))
    assert "This request has changed meanwhile (it is now approved): reload the page." in answer, answer
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).status == "approved", \
        "a withdrawal confirmed for a waiting request cancelled the grant a colleague approved meanwhile"
    assert objective1_pool().committed == committed
