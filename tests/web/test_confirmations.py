"""Every decision that cannot be undone is confirmed first (trustfund/confirmation.py):
approve, reject, cancel, record a trip or a no-show, approve or reject an overrun,
reverse a deposit, an interest entry or one of the fund's own entries (a direct
cost, a bank charge, other income), transfer between pools, withdraw a pledge; and
the fund's closing: close a year, close the operations early, write off a
commitment, decide on a pool, close the fund, issue the certified final statements.

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
from trustfund.contributions import confirmed
from trustfund.contributions.fund_entries import record_fund_entry
from trustfund.contributions.models import Deposit, InterestEntry, Pledge
from trustfund.data_version import writes
from trustfund.extensions import db
from trustfund.fund.entries import FundEntry
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import TravelGrant
from trustfund.travel.reconcile import record_travel


def _waiting_reversals(entry_id: int) -> int:
    from trustfund.fund.entries import WAITING, FundEntryProposal

    return db.session.scalar(sa.select(sa.func.count()).select_from(FundEntryProposal)
                             .where(FundEntryProposal.reverses_id == entry_id,
                                    FundEntryProposal.status == WAITING))


def _waiting_deposit_reversals(deposit_id: int) -> int:
    from trustfund.contributions.models import DepositReversalProposal

    return db.session.scalar(sa.select(sa.func.count()).select_from(DepositReversalProposal)
                             .where(DepositReversalProposal.deposit_id == deposit_id,
                                    DepositReversalProposal.status == "pending"))


def _waiting_interest_reversals(entry_id: int) -> int:
    from trustfund.contributions.models import InterestProposal

    return db.session.scalar(sa.select(sa.func.count()).select_from(InterestProposal)
                             .where(InterestProposal.reverses_id == entry_id,
                                    InterestProposal.status == "pending"))


def _waiting_transfers() -> int:
    from trustfund.contributions.models import TransferProposal

    return db.session.scalar(sa.select(sa.func.count()).select_from(TransferProposal)
                             .where(TransferProposal.status == "pending"))


def usd(app, value) -> str:
    """An amount as the pages write it in English, read as summary_of() reads the page
    (white space folded: "USD 2,300.00", its no-break space a space)."""
    from trustfund.formatting import money

    with app.test_request_context():
        return " ".join(money(D(value)).split())


def day(app, value: dt.date) -> str:
    """A date as the pages write it in English, white space folded as by usd()."""
    from trustfund.formatting import date

    with app.test_request_context():
        return " ".join(date(value).split())


@dataclass
class Decision:
    name: str
    role: str
    url: str
    data: dict
    says: list          # words of the summary (amounts through usd()), or what gives them
    done: object        # () -> bool: the decision was carried out


def _approved_grant(country="SN", airfare="1000.00", name=None):
    grant = make_request(make_event(cap=3), country, name, airfare=airfare)
    approve_grant(srsg2(), grant)
    db.session.commit()
    return grant


def _overrun(name: str):
    # Each overrun's delegate is another person: one delegate's trips cannot overlap.
    grant = _approved_grant("GQ", name=name)
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
    objective1 = "the Objective 1 pool"  # as a sentence names it (Pool.sentence_name)
    found = []

    grant = make_request(make_event("Approve"), "SN")
    total = grant.total

    def available_now_and_after():
        now = objective1_pool().available
        return f"{usd(app, now)} available now, {usd(app, now - total)} after"

    found.append(Decision("approve", "srsg_staff2", f"/travel/grants/{grant.id}/approve", {"pool_id": "0"},
                          [f"{usd(app, total)} will be committed to this trip from the Objective 1 pool",
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
    grant = _overrun("Delegate of GQ")
    found.append(Decision("approve overrun", "srsg_staff2", f"/travel/grants/{grant.id}/overrun/approve",
                          {}, [f"The overrun of {usd(app, '100.00')} is paid from {objective1}"],
                          lambda g=grant.id: db.session.get(TravelGrant, g).overrun_status == "approved"))
    grant = _overrun("Another delegate of GQ")
    found.append(Decision("reject overrun", "srsg_staff2", f"/travel/grants/{grant.id}/overrun/reject",
                          {"reason": "Not authorised"},
                          [f"The overrun of {usd(app, '100.00')} is not paid", "Not authorised"],
                          lambda g=grant.id: db.session.get(TravelGrant, g).overrun_status == "rejected"))

    c = commitment("USD", "5000.00")
    row = deposit(c, D("1000.00"))
    found.append(Decision("reverse deposit", "mptf_officer", f"/contributions/deposits/{row.id}/reverse",
                          {"reason": "Entered twice"},
                          [f"The net amount, {usd(app, row.net)}, is taken back from", "Entered twice",
                           "Nothing is recorded until another MPTF officer confirms the reversal. It is then "
                           "dated the day of the confirmation"],
                          # Proposed: recorded when a second officer confirms it
                          # (tests/web/test_deposit_reversal_proposals.py).
                          lambda d=row.id: _waiting_deposit_reversals(d) == 1 and reversals(Deposit, d) == 0))
    entry = confirmed.record_interest(officer(), value_date=dt.date(2017, 6, 1), usd_amount="250.00")
    db.session.commit()
    found.append(Decision("reverse interest", "mptf_officer", f"/contributions/interest/{entry.id}/reverse",
                          {"reason": "Another fund's"},
                          [f"{usd(app, '250.00')} is taken back from",
                           "Nothing is recorded until another MPTF officer confirms the reversal. It is then "
                           f"dated the day of the confirmation, records {usd(app, '-250.00')} and names "
                           f"entry #{entry.id}, which stays on record"],
                          # Proposed: recorded when a second officer confirms it
                          # (tests/web/test_interest_proposals.py).
                          lambda e=entry.id: _waiting_interest_reversals(e) == 1 and
                          reversals(InterestEntry, e) == 0))
    obj1, obj2 = pool("OBJ1"), pool("OBJ2")
    found.append(Decision("transfer", "admin", "/contributions/pools/transfer", {
        "from_pool_id": str(obj1.id), "to_pool_id": str(obj2.id), "usd_amount": "100.00",
        "transferred_on": "2017-07-01", "reason": "Surplus"},
        [f"{usd(app, '100.00')} moves from the Objective 1 pool to the Objective 2 pool"],
        # Proposed: it moves when a second admin confirms it (tests/web/test_transfer_changes.py).
        lambda: _waiting_transfers() == 1))
    p = pledge("EUR", "300000.00")
    found.append(Decision("withdraw pledge", "mptf_officer", f"/contributions/pledges/{p.id}/withdraw",
                          {"reason": "Budget cut"}, ["still pledged is withdrawn", "Budget cut"],
                          lambda i=p.id: db.session.get(Pledge, i).withdrawn_at is not None))
    cost = record_fund_entry(officer(), kind="direct_cost", pool_id=objective1_pool().id,
                             value_date=dt.date(2017, 6, 1), usd_amount="400.00",
                             description="Printing of the outcome document")
    db.session.commit()

    def cost_returns():
        now = objective1_pool().available
        return f"Objective 1: {usd(app, now)} available now, {usd(app, now + D('400.00'))} after."

    found.append(Decision("reverse fund entry", "mptf_officer", f"/fund/entries/{cost.id}/reverse",
                          {"reason": "Paid by the host country"},
                          ["Direct cost", objective1, "Printing of the outcome document",
                           "Paid by the host country",
                           "Nothing is recorded until another MPTF officer confirms the reversal. It is then "
                           f"dated the day of the confirmation, records {usd(app, '-400.00')} and names "
                           f"entry #{cost.id}, which stays on record",
                           f"{usd(app, '400.00')} returns to {objective1}.", cost_returns],
                          # Proposed: recorded when a second officer confirms it
                          # (tests/web/test_fund_entry_proposals.py).
                          lambda e=cost.id: _waiting_reversals(e) == 1))
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
    """The grant's page, the review queue, the reversal, transfer and costs forms, the
    pledge's page and the fund's own entries post to the decisions, never with
    `confirmed`."""
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
    cost = record_fund_entry(officer(), kind="bank_charge", pool_id=objective1_pool().id,
                             value_date=dt.date(2017, 6, 1), usd_amount="20.00", description="Wire fee")
    db.session.commit()
    login_as("mptf_officer")
    for url in (f"/contributions/deposits/{row.id}/reverse", f"/contributions/pledges/{p.id}",
                f"/fund/entries/{cost.id}/reverse", "/fund/entries"):
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


def test_a_reversal_dated_in_a_closed_year_is_refused_before_the_confirmation(app, db, client, login_as,
                                                                              users):
    """A reversal is dated today: when today's year is closed (as a test may close
    it early), the deposit's and the interest entry's reversals say so on the first
    post, with nothing to confirm and nothing written."""
    from trustfund.fund.models import AccountingYear

    row = deposit(commitment("USD", "5000.00"), D("1000.00"))
    entry = confirmed.record_interest(officer(), value_date=dt.date(2017, 6, 1), usd_amount="250.00")
    this_year = dt.date.today().year
    db.session.add(AccountingYear(year=this_year, closed_by_id=users["admin"].id, report_reference="Report"))
    db.session.commit()
    login_as("mptf_officer")
    before = counts()
    for url in (f"/contributions/deposits/{row.id}/reverse", f"/contributions/interest/{entry.id}/reverse"):
        html = client.post(url, data={"reason": "Entered twice"}).get_data(as_text=True)
        assert confirmation(html) is None and f"{this_year} is a closed year" in html
    assert counts() == before


def test_reversing_income_the_pool_has_spent_is_refused_before_the_confirmation(app, db, client, login_as,
                                                                                 users):
    """Other income of 500.00 credited to an empty pool, 300.00 of it paid out as a
    direct cost: taking the income back would leave the pool below zero."""
    target = pool("OBJ2")
    income = record_fund_entry(officer(), kind="other_income", pool_id=target.id,
                               value_date=dt.date(2017, 6, 1), usd_amount="500.00", description="Grant")
    record_fund_entry(officer(), kind="direct_cost", pool_id=target.id, value_date=dt.date(2017, 6, 2),
                      usd_amount="300.00", description="Interpretation")
    db.session.commit()
    login_as("mptf_officer")
    before, figures = counts(), pool_figures()
    response, statements = post_logged(client, f"/fund/entries/{income.id}/reverse", {"reason": "Wrong fund"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and confirmation(html) is None
    assert (f"The {target.sentence_name} pool has only {usd(app, '200.00')} available: this reversal would "
            "take it below zero.") in " ".join(html.split())
    assert [s for s in statements if writes(s)] == []
    assert counts() == before and pool_figures() == figures and reversals(FundEntry, income.id) == 0


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
    assert ("Neither the Objective 1 pool nor the un-earmarked pool can pay USD 2,300.00 now: confirming "
            "puts the request on the waitlist (funds short) instead of approving it") in summary_of(html)
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


# --- The fund's closing (issue 18): each step, in the order the fund lives them -------

def _closing_fund():
    """Sweden and Norway in the un-earmarked pool (no fee), 4,000.00 spent: 36,000.00
    left; Norway's commitment has 1,000.00 outstanding."""
    from tests.factories import statements as data
    from trustfund import demo

    sweden, other = demo.demo_donor(), data.donor("Norway (closing)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", fee_rate="0")
    owed = data.commitment(other, "11000.00")
    data.deposit(owed, "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    db.session.commit()
    return owed, data.pool()


def closing_decisions(app) -> list[Decision]:
    from tests.factories import second_officer_confirms_write_off, second_srsg_confirms
    from trustfund.contributions.models import Commitment
    from trustfund.fund.entries import ClosingProposal, FinalStatement, PoolClosing, WriteOffProposal
    from trustfund.fund.models import AccountingYear, Fund

    owed, unearmarked = _closing_fund()
    fund = db.session.scalar(sa.select(Fund))

    def fund_status() -> str:
        db.session.expire_all()
        return db.session.scalar(sa.select(Fund.status))

    def rows(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    def proposed_then_confirmed() -> bool:
        """The confirmed post proposes the decision (nothing moves); a second SRSG staff
        member's confirmation records it (closure.proposals)."""
        if rows(ClosingProposal) == 0:
            return False
        assert rows(PoolClosing) == 0
        second_srsg_confirms(app, unearmarked.id)
        return rows(PoolClosing) == 1

    def write_off_proposed_then_confirmed() -> bool:
        """The confirmed post proposes the write-off (nothing is written off); a second
        MPTF officer's confirmation writes it off (closure.write_offs)."""
        if rows(WriteOffProposal) == 0:
            return False
        db.session.expire_all()
        assert db.session.get(Commitment, owed.id).written_off == D("0")
        second_officer_confirms_write_off(app)
        db.session.expire_all()
        return db.session.get(Commitment, owed.id).written_off == D("1000.00")

    prefix = f"pool{unearmarked.id}"
    return [
        Decision("close year", "admin", "/fund/years/2017/close", {"report_reference": "Annual report 2017"},
                 ["Annual report 2017", "No entry dated in 2017 can be recorded or corrected after"],
                 lambda: db.session.scalar(sa.select(AccountingYear.year)) == 2017),
        Decision("close operations", "admin", "/fund/close-operations",
                 {"reason": "Compact adopted", "version": str(fund.version)},
                 ["Compact adopted", "no new pledges, commitments, events, grant requests or approvals"],
                 lambda: fund_status() == "operationally_closed"),
        Decision("write off", "mptf_officer", f"/fund/closing/commitments/{owed.id}/write-off",
                 {"amount": "", "reason": "Never paid"},
                 [f"{usd(app, '1000.00')} of the commitment is written off",
                  f"Outstanding now {usd(app, '1000.00')}, after {usd(app, '0.00')}", "Never paid"],
                 write_off_proposed_then_confirmed),
        Decision("pool decision", "srsg_staff", f"/fund/closing/pools/{unearmarked.id}",
                 {f"{prefix}-kind": "refund", f"{prefix}-balance": "36000.00", f"{prefix}-note": "",
                  f"{prefix}-fund_name": "", f"{prefix}-fund_reference": ""},
                 [f"{usd(app, '36000.00')} leaves the un-earmarked pool",
                  f"Kingdom of Sweden is refunded {usd(app, '27000.00')}",
                  f"Norway (closing) is refunded {usd(app, '9000.00')}"],
                 proposed_then_confirmed),
        Decision("close fund", "admin", "/fund/closing/close", {"note": "Certified"},
                 [f"every pool holds {usd(app, '0.00')}"], lambda: fund_status() == "financially_closed"),
        Decision("issue final statements", "admin", "/fund/final-statements/issue", {},
                 ["3 certified final statements will be issued"], lambda: rows(FinalStatement) == 3),
    ]


def test_each_closing_step_is_shown_before_it_is_done_and_done_only_from_its_confirmation(
        app, db, client, login_as, users):
    from trustfund.closure.years import closable

    with app.test_request_context():
        assert closable(2017) is None  # 2017 is the fund's first year, and it has ended
    for decision in closing_decisions(app):
        login_as(decision.role)
        data = dict(decision.data)
        if decision.name == "write off":
            data["form_token"] = form_token(client, decision.url)
        before = counts()
        response, statements = post_logged(client, decision.url, data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (decision.name, response.status_code)
        found = confirmation(html)
        assert found is not None, (decision.name, html[-2000:])
        said = summary_of(html)
        for words in decision.says:
            assert words in said, (decision.name, words, said)
        assert [s for s in statements if writes(s)] == [], decision.name
        assert counts() == before and not decision.done(), decision.name
        action, fields = found
        assert action == decision.url
        answer = client.post(action, data=MultiDict(fields))
        assert answer.status_code == 302, (decision.name, answer.status_code)
        assert decision.done(), decision.name


def test_no_closing_page_but_the_confirmation_posts_a_closing_step(app, db, client, login_as, users):
    owed, _ = _closing_fund()
    pages = {"admin": ["/fund/", "/fund/years/2017/close", "/fund/close-operations", "/fund/closing",
                       "/fund/final-statements"],
             "mptf_officer": [f"/fund/closing/commitments/{owed.id}/write-off"],
             "srsg_staff": ["/fund/closing"]}
    for role, urls in pages.items():
        login_as(role)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert 'name="confirmed"' not in response.get_data(as_text=True), url


def test_a_closing_refusal_comes_before_the_confirmation(app, db, client, login_as, users):
    from trustfund.fund.status import current_fund

    owed, _ = _closing_fund()
    login_as("mptf_officer")
    response = client.post(f"/fund/closing/commitments/{owed.id}/write-off",
                           data={"amount": "1000.01", "reason": "Never paid"})
    html = response.get_data(as_text=True)
    assert confirmation(html) is None
    assert f"Only {usd(app, '1000.00')} is outstanding." in " ".join(error_beside(html, "amount").split())
    login_as("admin")
    before = counts()
    response = client.post("/fund/closing/close", data={"note": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and confirmation(html) is None
    assert "1 commitment has money outstanding" in html
    assert counts() == before and current_fund().status == "open"
