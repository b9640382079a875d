"""Money a donor earmarked to an objective stays with that objective (DESIGN §4:
"Earmarking: un-earmarked (encouraged), or earmarked to one objective of the fund"; §1
names one move only: "Any surplus of Objective 1 may be used for Objective 2"). Two
colleagues' reviews found that two admins could move Objective 2's or 3's money, or
Objective 1's, to the un-earmarked pool or another objective, whence it could pay
travel. A transfer now leaves the un-earmarked pool for any pool, Objective 1 for
Objective 2, and un-earmarked money moved into a pool by mistake goes back, no more than
came."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import second_admin_confirms_transfer
from tests.factories.contributions import commitment, deposit, pool
from tests.pages import confirmation, error_beside, form_token, post_and_confirm
from trustfund.contributions import confirmed
from trustfund.errors import DomainError

D = Decimal
URL = "/contributions/pools/transfer"


def _propose(client, source: str, target: str, amount: str):
    return post_and_confirm(client, URL, {
        "from_pool_id": str(pool(source).id), "to_pool_id": str(pool(target).id),
        "usd_amount": amount, "transferred_on": "2018-06-01",
        "reason": "earmarked money moved", "form_token": form_token(client, URL)})


@pytest.mark.parametrize("source, target", [("OBJ2", "UNEARMARKED"), ("OBJ2", "OBJ1"), ("OBJ3", "OBJ1"),
                                            ("OBJ1", "UNEARMARKED"), ("OBJ2", "OBJ3")])
def test_earmarked_money_leaves_its_objective_only_as_design_allows(app, db, client, login_as, source,
                                                                   target):
    earmarked = commitment("USD", "100000.00", objective_number=int(source[-1]))
    deposit(earmarked, D("100000.00"), value_date=dt.date(2018, 5, 10))
    assert pool(source).available == D("99000.00")
    login_as("admin")
    page = _propose(client, source, target, "99,000.00")
    assert page.status_code == 200
    said = error_beside(page.get_data(as_text=True), "to_pool_id")
    assert said.startswith(f"Money in the {pool(source).sentence_name} pool was earmarked to its objective "
                           "by its donors: it cannot move to the "), said
    with pytest.raises(ValueError):  # nothing waits for a second admin
        second_admin_confirms_transfer(app)
    db.session.expire_all()
    assert pool(source).available == D("99000.00")


def test_a_surplus_of_objective_1_moves_to_objective_2(app, db, client, login_as):
    deposit(commitment("USD", "100000.00", objective_number=1), D("100000.00"),
            value_date=dt.date(2018, 5, 10))
    login_as("admin")
    assert _propose(client, "OBJ1", "OBJ2", "9,000.00").status_code == 302
    second_admin_confirms_transfer(app)
    db.session.expire_all()
    assert (pool("OBJ1").available, pool("OBJ2").available) == (D("90000.00"), D("9000.00"))


def _given_back(db, admin, source: str, target: str, *, too_much: str, enough: str) -> DomainError:
    """A mistaken transfer given back: `too_much` refused (the refusal returned), then
    `enough` made."""
    with pytest.raises(DomainError) as refused:
        confirmed.transfer(admin, pool(source).id, pool(target).id, D(too_much), "Given back",
                           dt.date(2018, 6, 2))
    db.session.rollback()
    confirmed.transfer(admin, pool(source).id, pool(target).id, D(enough), "Given back", dt.date(2018, 6, 2))
    db.session.commit()
    return refused.value


def test_unearmarked_money_moved_by_mistake_goes_back_no_more_than_came(app, db, users):
    deposit(commitment("USD", "100000.00"), D("100000.00"), value_date=dt.date(2018, 5, 10))
    deposit(commitment("USD", "50000.00", objective_number=3), D("50000.00"),
            value_date=dt.date(2018, 5, 10))
    admin = users["admin"]
    confirmed.transfer(admin, pool("UNEARMARKED").id, pool("OBJ3").id, D("20000.00"), "Meant for Objective 1",
                       dt.date(2018, 6, 1))
    db.session.commit()
    refused = _given_back(db, admin, "OBJ3", "UNEARMARKED", too_much="20000.01", enough="20000.00")
    assert refused.field == "usd_amount"
    assert refused.message == (
        "Money in the Objective 3 pool was earmarked to its objective by its donors, but for "
        "USD\xa020,000.00 that came from the un-earmarked pool: only that may go back to it.")
    assert (pool("UNEARMARKED").available, pool("OBJ3").available) == (D("99000.00"), D("49500.00"))


def test_objective_1_money_moved_to_objective_2_by_mistake_goes_back(app, db, users):
    """The fund reverses no transfer: the opposite transfer puts a mistaken one right,
    no more than came (Objective 2 here holds Objective 1's money only)."""
    deposit(commitment("USD", "100000.00", objective_number=1), D("100000.00"),
            value_date=dt.date(2018, 5, 10))
    admin = users["admin"]
    confirmed.transfer(admin, pool("OBJ1").id, pool("OBJ2").id, D("90000.00"), "Surplus (meant 9,000.00)",
                       dt.date(2018, 6, 1))
    db.session.commit()
    refused = _given_back(db, admin, "OBJ2", "OBJ1", too_much="90000.01", enough="81000.00")
    assert "that came from the Objective 1 pool: only that may go back to it." in refused.message
    assert (pool("OBJ1").available, pool("OBJ2").available) == (D("90000.00"), D("9000.00"))


def test_the_confirmation_page_is_not_offered_for_a_transfer_the_rule_refuses(app, db, client, login_as):
    """The form's first answer gives the refusal beside the receiving pool: it offered a
    confirmation page ("... moves from the Objective 2 pool to the un-earmarked pool"),
    and only the confirmation was refused."""
    deposit(commitment("USD", "100000.00", objective_number=2), D("100000.00"),
            value_date=dt.date(2018, 5, 10))
    login_as("admin")
    first = client.post(URL, data={
        "from_pool_id": str(pool("OBJ2").id), "to_pool_id": str(pool("UNEARMARKED").id),
        "usd_amount": "99,000.00", "transferred_on": "2018-06-01", "reason": "earmarked money moved",
        "form_token": form_token(client, URL)})
    page = first.get_data(as_text=True)
    assert confirmation(page) is None, "a confirmation page was offered"
    assert error_beside(page, "to_pool_id").startswith("Money in the Objective 2 pool was earmarked")
