"""The fund's closing refunds a pool after a closed year by each donor's own balance
there, the rest (interest and other income) by net deposits. (Found by a colleague's
review: by net deposits alone, a donor whose money a closed year spent in full was
refunded part of another donor's untouched money, called interest in a fund that
earned none.)"""
from __future__ import annotations

from tests.factories import base_users
from tests.factories import statements as data
from tests.factories.statements import D
from trustfund.closure import closing_decisions
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund


def test_a_refund_after_a_closed_year_gives_each_donor_its_own_balance(db, users):
    _a, b = data.spent_in_a_closed_year(base_users()["admin"])
    fund_services.close_operations(users["admin"], current_fund(), reason="The Compact was adopted")
    db.session.commit()
    closing = closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    parts = {p.donor_id: (p.usd_amount, p.balance) for p in closing.parts}
    # No interest, no other income: B's 100,000 is all that is left, and it is B's.
    assert parts == {b.id: (D("100000.00"), D("100000.00"))}
