"""Every decision that cannot be undone is confirmed first (trustfund/confirmation.py):
approve, reject, cancel, record a trip or a no-show, approve or reject an overrun,
reverse a deposit or an interest entry, transfer between pools, withdraw a pledge.

The form's post answers with a page that says what will happen, in words and
amounts, and sends no statement that may write; only that page's form (the one
carrying `confirmed`) does it, and no other page offers that form. A refusal the
service would give is given before confirming, beside its field or flashed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.factories.contributions import commitment, counts, deposit, officer, pledge, pool, pool_figures
from tests.factories.travel import fund_pool, make_event, make_request, srsg, srsg2
from tests.pages import confirmation, error_beside, form_token, summary_of
from tests.sql_log import post_logged
from trustfund.contributions import services as money_services
from trustfund.contributions.models import Deposit, InterestEntry, Pledge
from trustfund.data_version import writes
from trustfund.extensions import db
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import TravelGrant
from trustfund.travel.reconcile import record_travel


def usd(app, value) -> str:
    """An amount as the pages write it in English, read as summary_of() reads the page
    (white space folded: "USD 2,300.00", its no-break space a space)."""
    from trustfund.formatting import money

    with app.test_request_context():
        return " ".join(money(D(value)).split())


@dataclass
class Decision:
    name: str
    role: str
    url: str
    data: dict
    says: list          # words of the summary (amounts through usd()), or what gives them
    done: object        # () -> bool: the decision was carried out


def _approved_grant(country="SN", airfare="1000.00"):
    grant = make_request(make_event(cap=3), country, airfare=airfare)
    approve_grant(srsg2(), grant)
    db.session.commit()
    return grant


def _overrun():
    grant = _approved_grant("GQ")
    total = grant.committed_amount
    record_travel(srsg(), grant, ticket=str(grant.airfare + D("100.00")), dsa=str(grant.dsa_amount),
                  terminal=str(grant.terminal_expenses))
    db.session.commit()
    assert grant.overrun_status == "pending" and grant.committed_amount == total
    return grant


def reversals(model, original_id) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)
                             .where(model.reverses_id == original_id))


def status(grant_id) -> str:
    db.session.expire_all()
    return db.session.get(TravelGrant, grant_id).status


def decisions(app) -> list[Decision]:
    """One of each decision, made ready in the database."""
    fund_pool(1, "30000.00")  # 29,700.00 available in Objective 1's pool
    objective1 = str(objective1_pool().label)
    found = []

    grant = make_request(make_event("Approve"), "SN")
    total = grant.total

    def available_now_and_after():
        now = objective1_pool().available
        return f"{usd(app, now)} available now, {usd(app, now - total)} after"

    found.append(Decision("approve", "srsg_staff2", f"/travel/grants/{grant.id}/approve", {"pool_id": "0"},
                          [f"{usd(app, total)} will be committed to this trip from {objective1}",
                           available_now_and_after],
                          lambda g=grant.id: status(g) == "approved"))
    grant = make_request(make_event("Reject"), "ML")
    found.append(Decision("reject", "srsg_staff2", f"/travel/grants/{grant.id}/reject",
                          {"reason": "Duplicate request"}, ["Duplicate request", "no money is committed"],
                          lambda g=grant.id: status(g) == "rejected"))
    grant = _approved_grant("NE")
    held = grant.committed_amount
    found.append(Decision("cancel", "srsg_staff", f"/travel/grants/{grant.id}/cancel",
                          {"reason": "Visa refused"},
                          [f"the whole amount committed, {usd(app, held)}, returns to {objective1}"],
                          lambda g=grant.id: status(g) == "cancelled"))
    grant = _approved_grant("ET")
    costs = {"actual_ticket": "900.00", "actual_dsa": str(grant.dsa_amount),
             "actual_terminal": str(grant.terminal_expenses)}
    back = grant.committed_amount - (D("900.00") + grant.dsa_amount + grant.terminal_expenses)
    found.append(Decision("travelled", "srsg_staff", f"/travel/grants/{grant.id}/travelled", costs,
                          [f"{usd(app, back)} returns to it"], lambda g=grant.id: status(g) == "travelled"))
    grant = _approved_grant("KH")
    found.append(Decision("no-show", "srsg_staff", f"/travel/grants/{grant.id}/no-show",
                          {"actual_ticket": "650.00", "actual_dsa": "0", "actual_terminal": "0",
                           "reason": "Ill"},
                          ["The delegate did not attend", f"{usd(app, '650.00')} is spent from {objective1}"],
                          lambda g=grant.id: status(g) == "no_show"))
    grant = _overrun()
    found.append(Decision("approve overrun", "srsg_staff2", f"/travel/grants/{grant.id}/overrun/approve",
                          {}, [f"The overrun of {usd(app, '100.00')} is paid from {objective1}"],
                          lambda g=grant.id: db.session.get(TravelGrant, g).overrun_status == "approved"))
    grant = _overrun()
    found.append(Decision("reject overrun", "srsg_staff2", f"/travel/grants/{grant.id}/overrun/reject",
                          {"reason": "Not authorised"},
                          [f"The overrun of {usd(app, '100.00')} is not paid", "Not authorised"],
                          lambda g=grant.id: db.session.get(TravelGrant, g).overrun_status == "rejected"))

    c = commitment("USD", "5000.00")
    row = deposit(c, D("1000.00"))
    found.append(Decision("reverse deposit", "mptf_officer", f"/contributions/deposits/{row.id}/reverse",
                          {"reason": "Entered twice"},
                          [f"The net amount, {usd(app, row.net)}, is taken back from", "Entered twice"],
                          lambda d=row.id: reversals(Deposit, d) == 1))
    entry = money_services.record_interest(officer(), value_date=dt.date(2017, 6, 1), usd_amount="250.00")
    db.session.commit()
    found.append(Decision("reverse interest", "mptf_officer", f"/contributions/interest/{entry.id}/reverse",
                          {"reason": "Another fund's"}, [f"{usd(app, '250.00')} is taken back from"],
                          lambda e=entry.id: reversals(InterestEntry, e) == 1))
    obj1, obj2 = pool("OBJ1"), pool("OBJ2")
    found.append(Decision("transfer", "admin", "/contributions/pools/transfer", {
        "from_pool_id": str(obj1.id), "to_pool_id": str(obj2.id), "usd_amount": "100.00",
        "transferred_on": "2017-07-01", "reason": "Surplus"},
        [f"{usd(app, '100.00')} moves from {obj1.label} to {obj2.label}"],
        lambda: pool("OBJ2").transfers_in == D("100.00")))
    p = pledge("EUR", "300000.00")
    found.append(Decision("withdraw pledge", "mptf_officer", f"/contributions/pledges/{p.id}/withdraw",
                          {"reason": "Budget cut"}, ["still pledged is withdrawn", "Budget cut"],
                          lambda i=p.id: db.session.get(Pledge, i).withdrawn_at is not None))
    return found


def test_each_decision_is_shown_before_it_is_done_and_done_only_from_its_confirmation(
        app, db, client, login_as, users):
    for decision in decisions(app):
        login_as(decision.role)
        data = dict(decision.data)
        if decision.name == "transfer":
            data["form_token"] = form_token(client, decision.url)
        before, figures = counts(), pool_figures()
        response, statements = post_logged(client, decision.url, data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (decision.name, response.status_code)
        found = confirmation(html)
        assert found is not None, decision.name
        said = summary_of(html)
        for words in decision.says:
            words = words() if callable(words) else words
            assert words in said, (decision.name, words, said)
        assert [s for s in statements if writes(s)] == [], decision.name
        assert counts() == before and pool_figures() == figures, decision.name
        assert not decision.done(), decision.name
        action, fields = found
        assert action == decision.url
        answer = client.post(action, data=MultiDict(fields))
        assert answer.status_code == 302, (decision.name, answer.status_code)
        assert decision.done(), decision.name


def test_no_page_but_the_confirmation_posts_a_decision(app, db, client, login_as, users):
    """The grant's page, the review queue, the reversal, transfer and costs forms and
    the pledge's page post to the decisions, never with `confirmed`."""
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    approved = _approved_grant("ML")
    login_as("srsg_staff2")
    for url in (f"/travel/grants/{grant.id}", "/travel/queue"):
        html = client.get(url).get_data(as_text=True)
        assert f"/travel/grants/{grant.id}/approve" in html and 'name="confirmed"' not in html
    login_as("srsg_staff")
    for url in (f"/travel/grants/{approved.id}/cancel", f"/travel/grants/{approved.id}/travelled"):
        assert 'name="confirmed"' not in client.get(url).get_data(as_text=True)
    c = commitment("USD", "5000.00")
    row, p = deposit(c, D("1000.00")), pledge("EUR", "1000.00")
    login_as("mptf_officer")
    for url in (f"/contributions/deposits/{row.id}/reverse", f"/contributions/pledges/{p.id}"):
        assert 'name="confirmed"' not in client.get(url).get_data(as_text=True)


def test_a_refusal_comes_before_the_confirmation(app, db, client, login_as, users):
    fund_pool(1, "10000.00")
    grant = _approved_grant("SN")
    login_as("srsg_staff")
    before = counts()
    # Every bad cost at once, beside its field: no confirmation to give.
    response = client.post(f"/travel/grants/{grant.id}/travelled",
                           data={"actual_ticket": "-5", "actual_dsa": "abc", "actual_terminal": "1.234"})
    html = response.get_data(as_text=True)
    assert confirmation(html) is None
    for name in ("actual_ticket", "actual_dsa", "actual_terminal"):
        assert error_beside(html, name)
    assert counts() == before
    # More than the pool has: refused before, in the service's words.
    login_as("admin")
    url = "/contributions/pools/transfer"
    response = client.post(url, data={
        "from_pool_id": str(objective1_pool().id), "to_pool_id": str(pool("OBJ2").id),
        "usd_amount": "1000000.00", "transferred_on": "2017-07-01", "reason": "Too much",
        "form_token": form_token(client, url)})
    assert "has only" in error_beside(response.get_data(as_text=True), "usd_amount")
    assert counts() == before


def test_cancel_on_the_confirmation_goes_back_where_the_decision_came_from(app, db, client, login_as,
                                                                           users):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    login_as("srsg_staff2")
    html = client.post(f"/travel/grants/{grant.id}/approve",
                       data={"pool_id": "0", "next": "/travel/queue?event=1"}).get_data(as_text=True)
    assert 'class="btn btn-link" href="/travel/queue?event=1">Cancel</a>' in html
    html = client.post(f"/travel/grants/{grant.id}/approve",
                       data={"pool_id": "0", "next": "//evil.example/"}).get_data(as_text=True)
    assert f'class="btn btn-link" href="/travel/grants/{grant.id}">Cancel</a>' in html


def test_an_approval_no_pool_can_pay_says_it_waitlists(app, db, client, login_as, users):
    grant = make_request(make_event(), "SN")  # no money in any pool
    login_as("srsg_staff2")
    html = client.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"}).get_data(as_text=True)
    assert "confirming puts the request on the waitlist (funds short) instead of approving it" in \
        summary_of(html)
    assert ">Waitlist the request</button>" in html
    assert status(grant.id) == "requested"


@pytest.mark.parametrize("lang, words", [("fr", "Ce qui va se passer"), ("ar", "ما سيحدث")])
def test_the_confirmation_speaks_the_users_language(app, db, client, login_as, users, lang, words):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    user = login_as("srsg_staff2")
    user.locale = lang
    db.session.commit()
    html = client.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"}).get_data(as_text=True)
    assert words in html
