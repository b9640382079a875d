"""A deposit's reversal takes two MPTF officers (DESIGN.md §5, nobody alone moves
money): a reversal takes the deposit's net back from its pool and frees its bank
reference, so that one officer alone could move a donor's money to another pool by
reversing it and recording it again on another commitment, past the two
administrators a transfer between pools needs. The reversal form proposes; nothing is
reversed and the pool does not move until a second, different, active MPTF officer
confirms it on the deposit's page. If it can no longer be recorded (the pool committed
the money since), nothing is and it still waits, the page saying why in place of
Confirm. Another officer may refuse it with a reason; its proposer may withdraw it."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories import browser_of, second_officer_confirms_reversal
from tests.factories.contributions import commitment, counts, deposit, pool_figures
from tests.factories.statements import D
from tests.factories.travel import make_event, make_request, srsg2
from tests.pages import error_beside, error_beside_reason, post_and_confirm, text
from trustfund.audit import AuditEntry
from trustfund.closure.financial import closable_problems
from trustfund.contributions.models import Commitment, Deposit, DepositReversalProposal
from trustfund.exports import REGISTERS
from trustfund.ledger_check import run_checks
from trustfund.mail.models import OutboxMessage
from trustfund.travel.decisions import approve_grant
from trustfund.travel.reconcile import cancel_grant

MINE = "You proposed this reversal: another MPTF officer must confirm or refuse it."
WAITING = "Reversal waiting for a second MPTF officer"


def _page(deposit_id: int) -> str:
    return f"/contributions/deposits/{deposit_id}"


def _answer(browser, proposal_id: int, answer: str, **values):
    return browser.post(f"/contributions/deposits/reversals/{proposal_id}/{answer}", data=values,
                        follow_redirects=True)


def _proposals(db, status=None) -> list[DepositReversalProposal]:
    db.session.expire_all()
    query = sa.select(DepositReversalProposal).order_by(DepositReversalProposal.id)
    if status is not None:
        query = query.where(DepositReversalProposal.status == status)
    return db.session.scalars(query).all()


def _reversals(db) -> list[Deposit]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Deposit).where(Deposit.reverses_id.is_not(None))).all()


def _propose(client, deposit_id: int, reason: str, **kwargs):
    return post_and_confirm(client, f"/contributions/deposits/{deposit_id}/reverse", {"reason": reason},
                            **kwargs)


def test_a_deposit_is_reversed_only_when_a_second_officer_confirms_it(app, db, client, login_as, users):
    login_as("mptf_officer")
    c = commitment("EUR", "1000000.00", objective_number=1)
    kept = deposit(c, D("400000.00"), rate=D("0.93"))
    figures = pool_figures()
    wrong = deposit(c, D("123456.78"), rate=D("0.941"))
    assert pool_figures() != figures
    form = text(client.get(f"/contributions/deposits/{wrong.id}/reverse"))
    assert "Propose the reversal" in form
    assert "nothing is recorded until another MPTF officer confirms it" in form
    preview = text(client.post(f"/contributions/deposits/{wrong.id}/reverse",
                               data={"reason": "Credited to the wrong commitment"}))
    assert "Nothing is recorded until another MPTF officer confirms the reversal." in preview
    before, moved = counts(), pool_figures()
    page = text(_propose(client, wrong.id, "Credited to the wrong commitment", follow_redirects=True))
    assert "The reversal is proposed: nothing is recorded until another MPTF officer confirms it." in page
    # Nothing reversed, the pool untouched: the reversal waits, shown on the deposit's page.
    assert _reversals(db) == [] and pool_figures() == moved
    assert counts() == {**before, "audit_entry": before["audit_entry"] + 1}
    [proposal] = _proposals(db, "pending")
    assert (proposal.deposit_id, proposal.reason, proposal.proposed_by_id) == (
        wrong.id, "Credited to the wrong commitment", users["mptf_officer"].id)
    own = client.get(_page(wrong.id)).get_data(as_text=True)
    assert WAITING in own and "Credited to the wrong commitment" in own and "Reverse this deposit" not in own
    # The proposer may withdraw it, not confirm or refuse it, even by posting.
    assert f"/reversals/{proposal.id}/withdraw" in own and f"/reversals/{proposal.id}/confirm" not in own
    assert MINE in text(_answer(client, proposal.id, "confirm"))
    assert MINE in text(_answer(client, proposal.id, "refuse", reason="mine"))
    assert _reversals(db) == [] and len(_proposals(db, "pending")) == 1
    # The deposits list names it, with a link to the deposit's page.
    listing = client.get("/contributions/deposits").get_data(as_text=True)
    assert "Reversals waiting for a second MPTF officer" in listing
    assert f'href="/contributions/deposits/{wrong.id}#waiting-reversal"' in listing
    # The other officer is told by email, and by the dashboard; the proposer is not.
    [told] = db.session.scalars(sa.select(OutboxMessage)
                                .where(OutboxMessage.kind == "deposit_reversal_waiting")).all()
    assert told.to_address == "officer2@test.example"
    body = " ".join(told.body_text.split())
    assert (f"proposed to reverse deposit #{wrong.id} of Kingdom of Sweden, EUR 123,456.78 (net USD "
            f"{wrong.net:,}), value date 10 May 2018. Reason: Credited to the wrong commitment") in body
    assert f"/contributions/deposits/{wrong.id}" in body
    other = browser_of(app, "mptf_officer2")
    assert "1 deposit's reversal waits for you to confirm or refuse it." in text(other.get("/dashboard/"))
    assert ("1 deposit's reversal that you proposed waits for another MPTF officer."
            in text(client.get("/dashboard/")))
    # The second officer sees Confirm and Refuse, and confirms it.
    listed = other.get(_page(wrong.id)).get_data(as_text=True)
    assert f"/reversals/{proposal.id}/confirm" in listed
    assert f"/reversals/{proposal.id}/withdraw" not in listed
    done = text(_answer(other, proposal.id, "confirm"))
    assert f"Deposit reversed: EUR 123,456.78, net USD {wrong.net:,} taken back from the pool." in done
    [reversal] = _reversals(db)
    assert (reversal.reverses_id, reversal.amount, reversal.reason, reversal.created_by_id) == (
        wrong.id, D("-123456.78"), "Credited to the wrong commitment", users["mptf_officer2"].id)
    assert pool_figures() == figures and run_checks() == []
    assert db.session.get(Commitment, c.id).deposited == kept.amount
    assert _proposals(db)[0].status == "confirmed" and _proposals(db)[0].reversal_id == reversal.id
    assert WAITING not in text(client.get(_page(wrong.id)))
    # The reversal's page names both officers.
    assert "Proposed by · confirmed by mptf_officer · mptf_officer2" in text(client.get(_page(reversal.id)))
    actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.user_id)
                                 .where(AuditEntry.action.like("deposit%reverse%")
                                        | AuditEntry.action.like("deposit_reversal%"))
                                 .order_by(AuditEntry.id)).all()
    assert [tuple(a) for a in actions] == [("deposit_reversal.propose", users["mptf_officer"].id),
                                           ("deposit.reverse", users["mptf_officer2"].id),
                                           ("deposit_reversal.confirm", users["mptf_officer2"].id)]
    trail = text(browser_of(app, "admin").get("/admin/audit"))
    assert "mptf_officer proposed the reversal of a deposit (Deposit of" in trail
    assert "Credited to the wrong commitment It waits for a second MPTF officer." in trail
    assert "mptf_officer2 confirmed the reversal of a deposit (Deposit of" in trail
    assert "proposed by mptf_officer: it is recorded." in trail
    # Reversed once: the form says so.
    again = text(client.post(f"/contributions/deposits/{wrong.id}/reverse", data={"reason": "again"}))
    assert "This deposit has already been reversed." in again


def test_refused_with_a_reason_or_withdrawn_nothing_is_reversed(app, db, client, login_as):
    login_as("mptf_officer")
    c = commitment("USD", "1000.00")
    first, second = deposit(c, D("300.00")), deposit(c, D("25.50"))
    _propose(client, first.id, "Bounced")
    # One reversal of a deposit waits at a time.
    again = client.post(f"/contributions/deposits/{first.id}/reverse", data={"reason": "Twice"})
    assert ("A reversal of this deposit already waits for a second MPTF officer: it must be confirmed, "
            "refused or withdrawn first.") in text(again)
    _propose(client, second.id, "Entered twice")
    before = pool_figures()
    refusal, withdrawal = _proposals(db, "pending")
    other = browser_of(app, "mptf_officer2")
    # A refusal needs a reason, said beside the field on the deposit's page.
    page = _answer(other, refusal.id, "refuse", reason=" ").get_data(as_text=True)
    assert error_beside_reason(page, f"/contributions/deposits/reversals/{refusal.id}/refuse") == (
        "Say why the reversal is refused.")
    assert "Reversal refused: nothing was recorded." in text(
        _answer(other, refusal.id, "refuse", reason="The bank confirmed the transfer"))
    # Only its proposer withdraws it.
    assert "Only the MPTF officer who proposed this reversal can withdraw it." in text(
        _answer(other, withdrawal.id, "withdraw"))
    assert "Reversal withdrawn: nothing was recorded." in text(_answer(client, withdrawal.id, "withdraw"))
    assert [(p.status, p.refusal_reason) for p in _proposals(db)] == [
        ("refused", "The bank confirmed the transfer"), ("withdrawn", None)]
    assert _reversals(db) == [] and pool_figures() == before
    # Answered already: a second answer does nothing, and says so.
    assert "This reversal was already confirmed, refused or withdrawn: nothing was done." in text(
        _answer(other, refusal.id, "confirm"))
    assert _reversals(db) == []
    # Once answered, the deposit can be proposed for reversal again.
    assert "Reverse this deposit" in text(client.get(_page(first.id)))
    trail = text(browser_of(app, "admin").get("/admin/audit"))
    assert "mptf_officer2 refused the reversal of a deposit (Deposit of" in trail
    assert "proposed by mptf_officer: The bank confirmed the transfer" in trail
    assert "mptf_officer withdrew the reversal of a deposit (Deposit of" in trail


def test_a_reversal_the_pool_committed_since_is_not_recorded_and_says_why(app, db, client, login_as, users):
    login_as("mptf_officer")
    c = commitment("USD", "1000.00")
    made = deposit(c, D("1000.00"))
    _propose(client, made.id, "Recalled by the bank")
    [proposal] = _proposals(db, "pending")
    # Meanwhile the pool commits part of the money to a delegate's trip: the reversal can
    # no longer take the net back, and the page says so in place of Confirm.
    grant = make_request(make_event("Deposit spent", rate="50.00", cap=3), "SN", airfare="300.00")
    approve_grant(srsg2(), grant, pool_id=made.pool_id)
    db.session.commit()
    other = browser_of(app, "mptf_officer2")
    listed = other.get(_page(made.id))
    assert ("This reversal can no longer be recorded as it stands: This reversal would need USD 990.00 from "
            "the un-earmarked pool") in text(listed)
    assert f"/reversals/{proposal.id}/confirm" not in listed.get_data(as_text=True)
    assert f"/reversals/{proposal.id}/refuse" in listed.get_data(as_text=True)
    # Posted all the same: nothing is recorded, and it still waits.
    refused = text(_answer(other, proposal.id, "confirm"))
    assert "Nothing was recorded, and the reversal still waits: This reversal would need" in refused
    assert _reversals(db) == [] and len(_proposals(db, "pending")) == 1
    # The trip cancelled, the money is back, and the reversal is confirmed.
    cancel_grant(srsg2(), grant, "Visa refused")
    db.session.commit()
    assert "Deposit reversed" in text(second_officer_confirms_reversal(app))
    [reversal] = _reversals(db)
    assert (reversal.net, reversal.created_by_id) == (D("-990.00"), users["mptf_officer2"].id)
    assert run_checks() == []


def test_only_mptf_officers_answer_and_other_readers_see_the_reversal_waiting(app, db, client, login_as):
    login_as("mptf_officer")
    made = deposit(commitment("USD", "1000.00"), D("500.00"))
    _propose(client, made.id, "Bounced")
    [proposal] = _proposals(db, "pending")
    for role in ("admin", "srsg_staff", "auditor"):
        browser = browser_of(app, role)
        for answer in ("confirm", "refuse", "withdraw"):
            assert _answer(browser, proposal.id, answer, reason="x").status_code == 403
        assert browser.post(f"/contributions/deposits/{made.id}/reverse", data={"reason": "x"}).status_code \
            == 403
        listed = browser.get(_page(made.id)).get_data(as_text=True)
        assert WAITING in listed and "/confirm" not in listed and "/withdraw" not in listed
    assert browser_of(app, "donor").get(_page(made.id)).status_code == 403
    assert _reversals(db) == [] and len(_proposals(db, "pending")) == 1


def test_a_waiting_reversal_holds_back_the_financial_closure(app, db, client, login_as):
    login_as("mptf_officer")
    made = deposit(commitment("USD", "1000.00"), D("500.00"))
    _propose(client, made.id, "Bounced")
    waits = "1 deposit's reversal waits for a second MPTF officer: confirm or refuse it first."
    assert waits in closable_problems()
    second_officer_confirms_reversal(app)
    assert waits not in closable_problems()


def test_a_reversal_without_a_reason_is_refused_beside_it_and_nothing_waits(app, db, client, login_as):
    login_as("mptf_officer")
    made = deposit(commitment("USD", "1000.00"), D("500.00"))
    page = client.post(f"/contributions/deposits/{made.id}/reverse", data={"reason": "  "})
    assert "Say why the deposit is reversed." in error_beside(page.get_data(as_text=True), "reason")
    assert _proposals(db) == []


def test_the_deposits_download_lists_the_waiting_reversals_for_staff_only(app, db, client, login_as, users):
    import io

    from openpyxl import load_workbook

    from tests.factories.contributions import donor, sweden

    login_as("mptf_officer")
    made = deposit(commitment("USD", "1000.00", who=sweden()), D("500.00"))
    _propose(client, made.id, "Bounced")
    book = load_workbook(io.BytesIO(client.get("/contributions/deposits?format=xlsx").data))
    header, *rows = book["Waiting reversals"].iter_rows(values_only=True)
    assert header[:7] == ("Proposal", "Deposit", "Donor", "Amount", "Net", "Reason", "Proposed by")
    assert [row[:7] for row in rows] == [(_proposals(db)[0].id, made.id, "Kingdom of Sweden", 500, 495,
                                          "Bounced", "mptf_officer")]
    # Filtered to another donor (a scheduled report for that donor: `flask export deposits --donor`),
    # the sheet carries no other donor's waiting reversal; nor does the page's list.
    other = donor("Swiss Confederation").id
    sheets, _what = REGISTERS["deposits"].build({"donor": other}, None)
    assert [list(sheet.rows) for sheet in sheets][2] == []
    assert "Reversals waiting for a second MPTF officer" not in text(
        client.get(f"/contributions/deposits?donor={other}"))
    assert "Reversals waiting for a second MPTF officer" in text(client.get("/contributions/deposits"))
    # A donor's own download (the same export): its deposits, never what waits among the staff.
    sheets, _what = REGISTERS["deposits"].build({}, users["donor"])
    assert [sheet.title for sheet in sheets] == ["Deposits", "Totals per currency"]
    for sheet in sheets:
        list(sheet.rows)  # read to the end: the deposits stream from a server-side cursor on PostgreSQL
    second_officer_confirms_reversal(app)
    book = load_workbook(io.BytesIO(client.get("/contributions/deposits?format=xlsx").data))
    assert len(list(book["Waiting reversals"].iter_rows(values_only=True))) == 1  # its header: nothing waits


def test_a_reversal_proposed_by_an_officer_moved_to_another_role_since_is_not_confirmed(
        app, db, client, login_as, users):
    """A demotion takes effect at once: the reversal the officer proposed before it is
    not recorded on their word. The page says why in place of Confirm; Refuse works."""
    from trustfund.admin.user_changes import submit_user

    login_as("mptf_officer")
    made = deposit(commitment("USD", "1000.00"), D("500.00"))
    _propose(client, made.id, "Bounced")
    [proposal] = _proposals(db, "pending")
    before = pool_figures()
    officer = users["mptf_officer"]
    submit_user(users["admin"], officer, email=officer.email, name="Amina Diallo", role="auditor",
                donor_id=None, active=True, password=None, version=officer.version)
    db.session.commit()
    gone = ("Amina Diallo, who proposed it, no longer has the role that proposes it: it can no longer be "
            "confirmed. Refuse it, and propose it again yourself if it is still wanted.")
    colleague = browser_of(app, "mptf_officer2")
    listed = colleague.get(_page(made.id)).get_data(as_text=True)
    assert gone in text(listed) and f"/reversals/{proposal.id}/confirm" not in listed
    assert gone in text(_answer(colleague, proposal.id, "confirm"))
    assert _reversals(db) == [] and pool_figures() == before and len(_proposals(db, "pending")) == 1
    _answer(colleague, proposal.id, "refuse", reason="Proposed by an officer who has left the role")
    assert _proposals(db, "pending") == [] and _reversals(db) == []
