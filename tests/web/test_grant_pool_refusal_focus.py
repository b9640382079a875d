"""A refused approval on a grant's page (its pool cannot pay; the error beside the pool
list) gives the pool list the keyboard's focus, as a refused decision's reason has it
(no error summary on that page takes it). (Found by a colleague's review.)"""
from __future__ import annotations

import lxml.html

from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from trustfund.extensions import db
from trustfund.travel.decisions import approve_grant, objective1_pool


def test_a_refused_approval_puts_the_focus_on_the_pool_list(client, login_as, users):
    fund_pool(1, "1000.00")
    grant = make_request(make_event(), "SN")
    approve_grant(srsg2(), grant)
    db.session.commit()
    assert grant.status == "waitlisted"
    fund_pool(None, "5000.00")
    login_as("srsg_staff2")
    refused = client.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": str(objective1_pool().id)})
    assert refused.status_code == 200
    page = lxml.html.fromstring(refused.get_data(as_text=True))
    [select] = page.xpath("//select[@name='pool_id']")
    assert "is-invalid" in select.get("class")  # refused beside the pool list
    assert select.get("autofocus") is not None, "the refused pool list does not take the focus"
