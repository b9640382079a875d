"""The closing page's download says of each waiting decision and write-off whether it
"Can be confirmed". Once its proposer's account is deactivated the page says it can no
longer be confirmed (and offers no Confirm); the download must not say it can (a
colleague's review)."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.factories import browser_of
from tests.factories import statements as data
from tests.pages import propose_refund
from trustfund import demo
from trustfund.closure import write_offs
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund


def test_a_decision_whose_proposer_left_is_not_confirmable_in_the_download(app, client, login_as, db, users):
    sweden, other = demo.demo_donor(), data.donor("Norway (left)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", fee_rate="0")
    data.deposit(data.commitment(other, "10000.00"), "10000.00", fee_rate="0")
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    pool = data.pool()
    login_as("srsg_staff")
    propose_refund(client, pool.id, "40000.00")
    # A commitment left unpaid (recorded once the decision waits), proposed for writing off.
    unpaid = data.commitment(other, "5000.00")
    write_offs.propose(users["mptf_officer"], unpaid, reason="Never paid")
    users["srsg_staff"].active = users["mptf_officer"].active = False  # the proposers left
    db.session.commit()

    other_staff = browser_of(app, "srsg_staff2")
    page = other_staff.get("/fund/closing").get_data(as_text=True)
    assert "no longer has an active account: it can no longer be confirmed" in page
    book = load_workbook(io.BytesIO(other_staff.get("/fund/closing?format=xlsx").data))
    header, *rows = book["Waiting decisions"].iter_rows(values_only=True)
    assert header[8] == "Can be confirmed"
    assert rows[0][8] is False
    # The same of a write-off whose proposing MPTF officer left.
    header, *rows = book["Waiting write-offs"].iter_rows(values_only=True)
    assert header[8] == "Can be confirmed"
    assert rows[0][8] is False
