"""Once the fund's activities have ended (its end date passed, operations closed), an
approval is refused when the approver asks for it, beside the pool, not after a
confirmation page saying it commits the money and cannot be undone. (Found by a
colleague's review of the demo, whose fund ended on 31 December 2018: the review
queue's Approve led to that confirmation, refused only at its final submit.)"""
from __future__ import annotations

import datetime as dt
import html
import re

import sqlalchemy as sa

from tests.factories.travel import fund_pool, make_event, make_request
from trustfund.extensions import db
from trustfund.fund.models import Fund
from trustfund.travel.models import TravelGrant


def test_the_approval_is_refused_before_its_confirmation_once_the_fund_has_ended(client, login_as):
    fund_pool(1, "20000.00")
    grant = make_request(make_event(), "SN")
    fund = db.session.scalar(sa.select(Fund))
    fund.end_on = dt.date(2018, 12, 31)
    db.session.commit()
    login_as("srsg_staff2")
    page = client.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"}).get_data(as_text=True)
    beside = re.search(r'id="pool-error">([^<]*)<', page)  # the grant page's pool field
    assert beside and "The fund's activities ended on 31 Dec 2018" in html.unescape(beside.group(1))
    assert "cannot be undone" not in page
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).status == "requested"
