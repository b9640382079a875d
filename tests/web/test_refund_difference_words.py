"""The refund tables name the difference between a donor's part and its balance in the
pool for what it is (a colleague's review as an auditor): after a closed year (the
refund follows net deposits, the closed year fixed the shares of its spending), a
fund that earned nothing and committed no grant showed USD 50,000.00 under "Interest,
other income and rounding", and a negative difference explained as "money still
committed to travel grants not yet reconciled"."""
from __future__ import annotations

from tests.factories import base_users
from tests.factories import statements as data
from tests.pages import text


def test_the_difference_is_named_as_what_it_may_be(client, login_as, db):
    data.spent_in_a_closed_year(base_users()["admin"])
    pool = data.pool()
    assert pool.interest == 0 and pool.other_income == 0 and pool.committed == 0
    login_as("auditor")
    words = text(client.get("/fund/closing"))
    assert "Interest, other income and rounding" not in words
    assert "A negative difference is money still committed" not in words
    assert "Difference from the balance" in words
    assert ("after a closed year, what sharing the pool by net deposits (as the SAA returns a balance) gives "
            "otherwise than the closed year’s shares of its spending") in words
