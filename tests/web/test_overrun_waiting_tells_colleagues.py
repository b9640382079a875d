"""An overrun recorded above the tolerance waits for an SRSG staff member other than
its recorder (DESIGN.md §5): each of them is emailed, as for every other change that
waits for a second person. It emailed only the grant's requester: when the requester
recorded the costs (the usual case, one staff member following their request), the one
email went to the only person who may not approve it, and the colleague who must
decide was never told."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.factories import make_user
from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from tests.pages import post_and_confirm
from trustfund.extensions import db
from trustfund.mail.models import OutboxMessage
from trustfund.travel.decisions import approve_grant
from trustfund.travel.models import TravelGrant

# 1,850.10 + 3 x 400.00 + 100.00 = 3,150.10 committed; these costs are 3,250.10.
DEARER = {"actual_ticket": "1950.10", "actual_dsa": "1200.00", "actual_terminal": "100.00"}


def _messages() -> dict[str, OutboxMessage]:
    return {m.to_address: m for m in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind.like("%overrun%")))}


def _overrun_recorded(client, login_as) -> TravelGrant:
    """A grant entered by srsg_staff, approved by srsg_staff2, whose costs srsg_staff
    records through the page above its commitment: the overrun waits."""
    grant = make_request(make_event(), "GQ", airfare="1850.10")
    approve_grant(srsg2(), grant)
    db.session.commit()
    login_as("srsg_staff")
    post_and_confirm(client, f"/travel/grants/{grant.id}/travelled", data=DEARER)
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).overrun_status == "pending"
    return grant


def test_a_recorded_overrun_is_emailed_to_each_colleague_who_may_decide(client, login_as, users):
    fund_pool(1, "10000.00")
    third = make_user("srsg_staff", "srsg3@test.example")
    make_user("srsg_staff", "gone@test.example", active=False)
    grant = _overrun_recorded(client, login_as)

    told = _messages()
    assert set(told) == {users["srsg_staff2"].email, third.email, users["srsg_staff"].email}
    for colleague in (users["srsg_staff2"].email, third.email):
        message = told[colleague]
        assert message.subject == "An overrun waits for your approval: Delegate of GQ"
        body = " ".join(message.body_text.split())
        assert (f"{users['srsg_staff'].name} recorded the actual costs of the trip of Delegate of GQ "
                f"(travel grant {grant.id},") in body
        assert "USD 100.00 above the amount committed" in body
        assert "Approve or reject it on the grant’s page:" in body
        assert f"/travel/grants/{grant.id}" in body
    # The requester recorded the costs: told that it waits for a colleague, not asked.
    assert told[users["srsg_staff"].email].subject == "Overrun awaiting approval: Delegate of GQ"


def test_an_overrun_within_the_tolerance_the_pool_cannot_pay_says_so(client, login_as, users):
    from trustfund.admin.models import OVERRUN_TOLERANCE, Setting

    fund_pool(1, "3181.92")  # 3,150.10 after the fee: exactly the commitment
    db.session.add(Setting(key=OVERRUN_TOLERANCE, value="500", effective_from=dt.date(2000, 1, 1)))
    _overrun_recorded(client, login_as)
    body = " ".join(_messages()[users["srsg_staff2"].email].body_text.split())
    assert ("The overrun is within the tolerance, but the Objective 1 pool cannot pay it now: it can be "
            "approved once the pool has the money.") in body
