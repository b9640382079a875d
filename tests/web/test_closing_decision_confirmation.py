"""A pool's closing decision waits for a second SRSG staff member (closure.proposals).

A closing decision sends a pool's whole balance out of the fund: to its donors, or
to "another fund" named by free text. Nobody alone moves money (DESIGN.md §5): the
SRSG staff member who fills in the decision only proposes it, and nothing moves until
a second, different, active SRSG staff member confirms it."""
from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import browser_of, second_srsg_confirms
from tests.factories import statements as data
from tests.factories.statements import D
from tests.pages import error_beside, error_beside_reason, post_and_confirm, reason_required, table_rows
from tests.security.helpers import changed_counts, table_counts
from trustfund import demo
from trustfund.audit import AuditEntry
from trustfund.fund import services as fund_services
from trustfund.fund.entries import WAITING, ClosingPart, ClosingProposal, PoolClosing
from trustfund.fund.models import Fund
from trustfund.fund.status import current_fund
from trustfund.ledger_check import run_checks
from trustfund.mail.models import OutboxMessage

WAITS = "It takes effect when a second SRSG staff member confirms it."


def _fund(db, users):
    """Sweden and Norway in the un-earmarked pool (no fee), 4,000.00 spent: 36,000.00
    left, nothing outstanding; the operations closed."""
    sweden, other = demo.demo_donor(), data.donor("Norway (closing)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", fee_rate="0")
    data.deposit(data.commitment(other, "10000.00"), "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    return data.pool()


def _form(pool, kind="refund", balance="36000.00", **values) -> dict:
    prefix = f"pool{pool.id}"
    fields = {"kind": kind, "balance": balance, "note": "", "fund_name": "", "fund_reference": "", **values}
    return {f"{prefix}-{k}": v for k, v in fields.items()}


def _propose(client, pool, **values):
    return post_and_confirm(client, f"/fund/closing/pools/{pool.id}", _form(pool, **values),
                            follow_redirects=True)


def _text(response) -> str:
    """A page's text as its reader reads it (entities such as &#39; unescaped)."""
    return html.unescape(response.get_data(as_text=True))


def _flashed(page: str) -> str:
    """The messages flashed at the top of a page."""
    return " ".join(re.findall(r'<div class="alert alert-[a-z]+" role="(?:alert|status)">(.*?)</div>', page,
                               re.DOTALL))


def _answer(browser, proposal_id: int, answer: str, **data) -> str:
    return _text(browser.post(f"/fund/closing/proposals/{proposal_id}/{answer}", data=data,
                              follow_redirects=True))


def _refunds(client) -> str:
    """The refunds to donors the funding status page reports."""
    page = client.get("/fund/funding-status").get_data(as_text=True)
    return re.search(r'data-line="refunds">([^<]+)<', page).group(1)


def _rows(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _waiting(db) -> ClosingProposal | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(ClosingProposal).where(ClosingProposal.status == WAITING))


def _available(db, pool) -> D:
    db.session.expire_all()
    return db.session.get(type(pool), pool.id).available


def _trail(db, action: str) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


def test_a_proposed_decision_moves_nothing_until_a_second_srsg_staff_member_confirms_it(
        app, client, login_as, db, users):
    pool = _fund(db, users)
    users["srsg_staff2"].locale = "fr"
    db.session.commit()
    login_as("srsg_staff")
    # The confirmation page says what the proposal does: nothing, until a second person.
    asked = _text(client.post(f"/fund/closing/pools/{pool.id}", data=_form(
        pool, kind="transfer", fund_name="Migration MPTF (FMR00)", fund_reference="MPTF/2019/7",
        note="Per the SAA")))
    assert "Propose the closing decision on the un-earmarked pool" in asked
    assert ("Nothing moves now: once another SRSG staff member confirms the decision, USD\u00a036,000.00 "
            "leaves the un-earmarked pool") in asked
    assert _rows(db, PoolClosing) == 0
    page = _propose(client, pool, kind="transfer", fund_name="Migration MPTF (FMR00)",
                    fund_reference="MPTF/2019/7", note="Per the SAA").get_data(as_text=True)
    assert "The decision on the un-earmarked pool is proposed: nothing has moved yet." in page
    assert WAITS in page
    # Nothing moved: no decision, no part, the pool keeps its balance.
    assert _rows(db, PoolClosing) == 0 and _rows(db, ClosingPart) == 0
    assert _available(db, pool) == D("36000.00")
    proposal = _waiting(db)
    assert (proposal.kind, proposal.usd_amount, proposal.fund_name, proposal.fund_reference) == (
        "transfer", D("36000.00"), "Migration MPTF (FMR00)", "MPTF/2019/7")
    # The page shows it as waiting, with no decision recorded; the pools' figures unchanged.
    waiting_card = page[page.index(f'id="waiting-decision-{proposal.id}"'):]
    for words in ("Transfer to another fund", "USD\u00a036,000.00", "Migration MPTF (FMR00)", "MPTF/2019/7",
                  "Per the SAA", "srsg_staff on"):
        assert words in waiting_card, words
    assert 'id="decisions"' not in page
    assert table_rows(page, "pool-balances")[0] == ["Un-earmarked", "0.00", "36,000.00", "0.00"]
    # The other active SRSG staff member is told, in their language; the proposer is not.
    [message] = db.session.scalars(sa.select(OutboxMessage)
                                   .where(OutboxMessage.kind == "closing_decision_waiting")).all()
    assert message.to_address == users["srsg_staff2"].email
    assert message.subject == "Une décision de clôture concernant une enveloppe attend votre confirmation"
    assert "Migration MPTF (FMR00)" in message.body_text and "/fund/closing" in message.body_text

    # A second SRSG staff member confirms it: only then does the balance leave the pool.
    other = browser_of(app, "srsg_staff2")
    page = other.get("/fund/closing").get_data(as_text=True)
    assert "Confirm" in page and reason_required(page, f"/fund/closing/proposals/{proposal.id}/refuse")
    done = other.post(f"/fund/closing/proposals/{proposal.id}/confirm")
    closing = db.session.scalar(sa.select(PoolClosing))
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/fund/closing/decisions/{closing.id}")
    assert _available(db, pool) == D("0.00")
    assert (closing.kind, closing.usd_amount, closing.fund_name) == ("transfer", D("36000.00"),
                                                                     "Migration MPTF (FMR00)")
    assert closing.decided_by_id == users["srsg_staff"].id  # the proposer decided; the other confirmed
    shown = client.get(f"/fund/closing/decisions/{closing.id}").get_data(as_text=True)
    assert "Migration MPTF (FMR00) (MPTF/2019/7)" in shown and "srsg_staff2 on" in shown
    # Who proposed it and who confirmed it, each named for what they did.
    compact = " ".join(re.sub(r"<[^>]+>", " ", shown).split())
    assert "Proposed by srsg_staff Confirmed by srsg_staff2 on" in compact and "Decided by" not in compact
    assert _waiting(db) is None and db.session.get(ClosingProposal, proposal.id).closing_id == closing.id
    assert run_checks() == []
    # The audit trail names both: the proposal and the confirmation.
    login_as("auditor")
    trail = client.get("/admin/audit", query_string={"action": "pool_closing.propose"}).get_data(as_text=True)
    assert "srsg_staff proposed a closing decision on the un-earmarked pool: Transfer to another fund" \
        in trail
    trail = client.get("/admin/audit", query_string={"action": "pool_closing.confirm"}).get_data(as_text=True)
    assert "srsg_staff2 confirmed the closing decision on the un-earmarked pool proposed by srsg_staff" \
        in trail


def test_a_refund_confirmed_writes_each_donors_part(app, client, login_as, db, users):
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    assert _rows(db, ClosingPart) == 0
    # The funding status reports no refund while the decision only waits.
    assert _refunds(client) == "USD\u00a00.00"
    page = second_srsg_confirms(app, pool.id).get_data(as_text=True)
    assert "Decision confirmed: USD\u00a036,000.00 left the un-earmarked pool." in page
    assert [row[4] for row in table_rows(page, "parts")] == ["27,000.00", "9,000.00"]
    assert _available(db, pool) == D("0.00")
    assert _refunds(client) == "USD\u00a036,000.00"


def test_the_proposer_can_neither_confirm_nor_refuse_their_own_but_may_withdraw_it(
        app, client, login_as, db, users):
    pool = _fund(db, users)
    login_as("srsg_staff")
    page = _propose(client, pool).get_data(as_text=True)
    proposal = _waiting(db)
    card = page[page.index(f'id="waiting-decision-{proposal.id}"'):]
    assert "Withdraw" in card and "/confirm" not in card and "/refuse" not in card
    mine = _answer(client, proposal.id, "confirm")
    assert "You proposed this decision: another SRSG staff member must confirm or refuse it." in mine
    mine = _answer(client, proposal.id, "refuse", reason="Changed my mind")
    assert "You proposed this decision" in mine
    mine = _answer(client, proposal.id, "refuse", reason="")  # no reason: still theirs to withdraw
    assert "You proposed this decision" in mine and "Say why" not in mine
    assert _rows(db, PoolClosing) == 0 and _waiting(db) is not None
    # Another SRSG staff member cannot withdraw it.
    other = browser_of(app, "srsg_staff2")
    assert "Only the SRSG staff member who proposed a decision can withdraw it." in _answer(
        other, proposal.id, "withdraw")
    withdrawn = _answer(client, proposal.id, "withdraw")
    assert "Decision withdrawn: nothing has moved." in withdrawn
    assert _waiting(db) is None and _available(db, pool) == D("36000.00")
    assert db.session.get(ClosingProposal, proposal.id).status == "withdrawn"
    assert len(_trail(db, "pool_closing.withdraw")) == 1
    # The pool may be decided on afresh.
    assert "is proposed" in _propose(client, pool).get_data(as_text=True)


def test_a_refusal_needs_its_reason_and_moves_nothing(app, client, login_as, db, users):
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    proposal = _waiting(db)
    other = browser_of(app, "srsg_staff2")
    page = _answer(other, proposal.id, "refuse", reason="  ")
    assert error_beside_reason(page, f"/fund/closing/proposals/{proposal.id}/refuse") == \
        "Say why the decision is refused."
    assert _waiting(db) is not None
    refused = _answer(other, proposal.id, "refuse", reason="The SAA says transfer, not refund")
    assert "Decision refused: nothing has moved." in refused
    db.session.expire_all()
    proposal = db.session.get(ClosingProposal, proposal.id)
    assert (proposal.status, proposal.refusal_reason, proposal.decided_by_id) == (
        "refused", "The SAA says transfer, not refund", users["srsg_staff2"].id)
    assert _rows(db, PoolClosing) == 0 and _available(db, pool) == D("36000.00")
    [entry] = _trail(db, "pool_closing.refuse")
    assert entry.user_id == users["srsg_staff2"].id and entry.note == "The SAA says transfer, not refund"
    # A refused decision can be confirmed no more.
    assert "already confirmed, refused or withdrawn" in _answer(other, proposal.id, "confirm")
    assert _rows(db, PoolClosing) == 0


def test_a_refusal_without_a_reason_is_told_beside_that_decisions_reason_and_saves_nothing(
        app, client, login_as, db, users):
    """Two pools' decisions wait; the second SRSG staff member refuses one with no
    reason: the closing page shows the message beside the reason field of that
    decision (not at the top, nor beside the other's), and nothing is written."""
    data.deposit(data.commitment(data.donor("Finland (closing)"), "5000.00", objective_number=1), "5000.00",
                 fee_rate="0")
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    _propose(client, data.pool("OBJ1"), balance="5000.00")
    first = _waiting_of(db, pool)
    second = _waiting_of(db, data.pool("OBJ1"))
    other = browser_of(app, "srsg_staff2")
    before = table_counts(db)
    answer = other.post(f"/fund/closing/proposals/{first.id}/refuse", data={"reason": ""})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Decision waiting for a second SRSG staff member" in page
    assert error_beside_reason(page, f"/fund/closing/proposals/{first.id}/refuse") == \
        "Say why the decision is refused."
    assert error_beside_reason(page, f"/fund/closing/proposals/{second.id}/refuse") is None
    assert "Say why the decision is refused." not in _flashed(page)
    assert changed_counts(before, table_counts(db)) == {}
    assert (_waiting_of(db, pool).id, _waiting_of(db, data.pool("OBJ1")).id) == (first.id, second.id)
    assert _available(db, pool) == D("36000.00") and _trail(db, "pool_closing.refuse") == []


def _waiting_of(db, pool) -> ClosingProposal:
    db.session.expire_all()
    return db.session.scalar(sa.select(ClosingProposal).where(ClosingProposal.status == WAITING,
                                                              ClosingProposal.pool_id == pool.id))


def test_a_second_proposal_while_one_waits_is_refused_beside_the_form(app, client, login_as, db, users):
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    other = browser_of(app, "srsg_staff2")
    page = other.post(f"/fund/closing/pools/{pool.id}", data=_form(pool, kind="transfer", fund_name="X",
                                                                    fund_reference="Y"))
    assert page.status_code == 200
    assert "A closing decision on this pool already waits for a second SRSG staff member." in _text(page)
    assert _rows(db, ClosingProposal) == 1


def test_a_proposal_that_could_not_be_applied_is_refused_at_once(client, login_as, db, users):
    pool = _fund(db, users)
    login_as("srsg_staff")
    page = client.post(f"/fund/closing/pools/{pool.id}", data=_form(pool, kind="transfer"))
    assert "Name the fund" in error_beside(page.get_data(as_text=True), f"pool{pool.id}-fund_name")
    page = _text(_propose(client, pool, kind="waived"))
    assert "Only a residual balance of up to" in page
    page = _text(_propose(client, pool, balance="35000.00"))
    assert "The pool's balance changed meanwhile" in page
    assert _rows(db, ClosingProposal) == 0


def test_a_balance_changed_since_the_proposal_is_not_confirmed(app, client, login_as, db, users):
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    proposal = _waiting(db)
    data.interest("12.50")  # credited to the pool after the proposal
    db.session.commit()
    other = browser_of(app, "srsg_staff2")
    page = _answer(other, proposal.id, "confirm")
    told = ("The pool's balance changed since this decision was proposed (USD\u00a036,000.00 then, "
            "USD\u00a036,012.50 now): it can no longer be confirmed, and nothing was moved.")
    assert told in _flashed(page)
    assert _rows(db, PoolClosing) == 0 and _available(db, pool) == D("36012.50")
    assert _waiting(db).id == proposal.id
    # The page says so, and offers no Confirm any more; Refuse, and Withdraw for the proposer.
    card = page[page.index(f'id="waiting-decision-{proposal.id}"'):]
    assert "it can no longer be confirmed" in card and "/confirm" not in card and "/refuse" in card


def test_a_decision_whose_proposer_left_the_role_says_so_in_place_of_confirm(app, client, login_as, db,
                                                                           users):
    """Its proposer moved to another role since (or deactivated): the closing page
    says why it cannot be confirmed on their word, offers Refuse and no Confirm, and a
    confirmation sent anyway moves nothing."""
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    proposal = _waiting(db)
    users["srsg_staff"].name, users["srsg_staff"].role = "Amina Diallo", "auditor"
    db.session.commit()
    other = browser_of(app, "srsg_staff2")
    page = _text(other.get("/fund/closing"))
    card = page[page.index(f'id="waiting-decision-{proposal.id}"'):]
    assert ("Amina Diallo, who proposed it, no longer has the role that proposes it: it can no longer be "
            "confirmed.") in card
    assert "/confirm" not in card.split("</section>")[0] and "/refuse" in card
    _answer(other, proposal.id, "confirm")
    assert _rows(db, PoolClosing) == 0 and _available(db, pool) == D("36000.00")
    assert _waiting(db).id == proposal.id


def test_a_confirmation_sent_twice_applies_once(app, client, login_as, db, users):
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    proposal = _waiting(db)
    other = browser_of(app, "srsg_staff2")
    assert other.post(f"/fund/closing/proposals/{proposal.id}/confirm").status_code == 302
    again = _answer(other, proposal.id, "confirm")
    assert "This decision was already confirmed, refused or withdrawn: nothing was done." in again
    assert _rows(db, PoolClosing) == 1 and _rows(db, ClosingPart) == 2
    assert run_checks() == []


@pytest.mark.parametrize("role", ["admin", "mptf_officer", "auditor", "donor"])
def test_other_roles_are_refused_the_decision_routes(app, client, login_as, db, users, role):
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    proposal = _waiting(db)
    login_as(role)
    for answer in ("confirm", "refuse", "withdraw"):
        answered = client.post(f"/fund/closing/proposals/{proposal.id}/{answer}", data={"reason": "No"})
        assert answered.status_code == 403, answer
    assert client.post(f"/fund/closing/pools/{pool.id}", data=_form(pool)).status_code == 403
    assert _waiting(db) is not None and _rows(db, PoolClosing) == 0


@pytest.mark.parametrize("role", ["auditor", "mptf_officer"])
def test_other_staff_see_a_waiting_decision_read_only_and_in_the_download(app, client, login_as, db, users,
                                                                          role):
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool, note="Per the SAA")
    proposal = _waiting(db)
    login_as(role)
    page = client.get("/fund/closing").get_data(as_text=True)
    card = page[page.index(f'id="waiting-decision-{proposal.id}"'):]
    assert "Decision waiting for a second SRSG staff member" in card and "Per the SAA" in card
    assert "/fund/closing/proposals/" not in page
    book = load_workbook(io.BytesIO(client.get("/fund/closing?format=xlsx").data))
    rows = list(book["Waiting decisions"].iter_rows(values_only=True))
    assert rows[1][:7] == ("Un-earmarked", "Refund to the pool's donors", 36000, None, None, "Per the SAA",
                           "srsg_staff")
    assert rows[1][8] is True
    assert list(book["Decisions"].iter_rows(values_only=True))[1:] == []


def test_the_financial_closure_is_refused_while_a_decision_waits(app, client, login_as, db, users):
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    login_as("admin")
    words = ("1 pool's closing decision waits for a second SRSG staff member: nothing has left the pool "
             "until it is confirmed.")
    assert words in _text(client.get("/fund/closing"))
    page = _text(post_and_confirm(client, "/fund/closing/close", {"note": "Certified"}))
    assert words in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(Fund.status)) == "operationally_closed"
    # Confirmed, the pool is at zero and the fund closes.
    second_srsg_confirms(app, pool.id)
    assert post_and_confirm(client, "/fund/closing/close", {"note": "Certified"}).status_code == 302


def test_a_hostile_reason_for_refusing_is_refused_and_nothing_changes(app, client, login_as, db, users):
    from tests.security.helpers import BIDI_TEXT, CONTROL_TEXT, LONG_TEXT

    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    proposal_id = _waiting(db).id
    other = browser_of(app, "srsg_staff2")
    for reason, message in ((LONG_TEXT, "Field cannot be longer than 2000 characters."),
                            (CONTROL_TEXT, "control characters"), (BIDI_TEXT, "")):
        page = _answer(other, proposal_id, "refuse", reason=reason)
        assert "Decision refused" not in page, reason[:20]
        assert message in error_beside_reason(page, f"/fund/closing/proposals/{proposal_id}/refuse")
        assert _waiting(db).id == proposal_id and _trail(db, "pool_closing.refuse") == []


def test_a_refusal_without_a_reason_of_a_decision_withdrawn_meanwhile_says_it_was_answered(
        app, client, login_as, db, users):
    """The second SRSG staff member refuses, with no reason, a decision its proposer
    has withdrawn meanwhile: it is no longer on the page, so no field can show an
    error; the page says it was already answered (before: nothing at all)."""
    pool = _fund(db, users)
    login_as("srsg_staff")
    _propose(client, pool)
    proposal = _waiting(db)
    assert "Decision withdrawn" in _answer(client, proposal.id, "withdraw")
    other = browser_of(app, "srsg_staff2")
    page = _answer(other, proposal.id, "refuse", reason="")
    assert "This decision was already confirmed, refused or withdrawn: nothing was done." in _flashed(page)
    assert _waiting(db) is None and _trail(db, "pool_closing.refuse") == []
