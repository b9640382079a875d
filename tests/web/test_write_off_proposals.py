"""A write-off takes two MPTF officers (DESIGN.md §5, nobody alone moves money): the
write-off form proposes; nothing is written off until a second, different, active
MPTF officer confirms it on the closing page. Another officer may refuse it with a
reason, its proposer may withdraw it; one whose commitment's outstanding amount
changed since can no longer be confirmed; the fund cannot be closed while one waits."""
from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import browser_of
from tests.factories import statements as data
from tests.factories.statements import D
from tests.pages import error_beside_reason, form_token, post_and_confirm, reason_required, table_rows, text
from trustfund.audit import AuditEntry
from trustfund.closure.financial import closable_problems
from trustfund.fund.entries import CONFIRMED, REFUSED, WAITING, WITHDRAWN, WriteOff, WriteOffProposal
from trustfund.ledger_check import run_checks
from trustfund.mail.models import OutboxMessage

CLOSING = "/fund/closing"
MINE = "You proposed this write-off: another MPTF officer must confirm or refuse it."


def _fund(db, users):
    return data.commitment_to_write_off(users)


def _propose(client, commitment, amount="", reason="The donor's parliament cut the budget"):
    url = f"{CLOSING}/commitments/{commitment.id}/write-off"
    return post_and_confirm(client, url, {"amount": amount, "reason": reason,
                                          "form_token": form_token(client, url)}, follow_redirects=True)


def _answer(browser, proposal_id: int, answer: str, **values):
    return browser.post(f"{CLOSING}/write-offs/{proposal_id}/{answer}", data=values, follow_redirects=True)


def _proposals(db, status=None) -> list[WriteOffProposal]:
    db.session.expire_all()
    query = sa.select(WriteOffProposal).order_by(WriteOffProposal.id)
    if status is not None:
        query = query.where(WriteOffProposal.status == status)
    return db.session.scalars(query).all()


def _written_off(db, commitment) -> D:
    db.session.expire_all()
    return db.session.get(data.Commitment, commitment.id).written_off


def _outstanding_row(html: str) -> list[str]:
    return next(row for row in table_rows(html, "outstanding") if row[0] == "Norway (write-off)")


def test_a_write_off_is_made_only_when_a_second_officer_confirms_it(app, db, client, login_as, users):
    commitment = _fund(db, users)
    login_as("mptf_officer")
    form = client.get(f"{CLOSING}/commitments/{commitment.id}/write-off").get_data(as_text=True)
    assert "Propose the write-off" in form
    assert "nothing is written off until a second MPTF officer confirms it" in form
    page = text(_propose(client, commitment, amount="400.00"))
    assert "The write-off is proposed: nothing is written off yet." in page
    # Nothing written off: the proposal waits, shown on the closing page.
    assert _written_off(db, commitment) == D("0")
    [proposal] = _proposals(db, WAITING)
    assert (proposal.amount, proposal.outstanding, proposal.proposed_by_id) == (
        D("400.00"), D("1000.00"), users["mptf_officer"].id)
    own = client.get(CLOSING).get_data(as_text=True)
    assert "Write-offs waiting for a second MPTF officer" in own
    assert "The donor's parliament cut the budget" in text(client.get(CLOSING))
    assert _outstanding_row(own)[5:8] == ["0.00", "1,000.00", "Write-off waiting"]
    assert "1 write-off waits for a second MPTF officer: confirm or refuse it first." in text(
        client.get(CLOSING))
    # The proposer may withdraw it, not confirm or refuse it, even by posting.
    assert f"/write-offs/{proposal.id}/withdraw" in own and f"/write-offs/{proposal.id}/confirm" not in own
    assert MINE in text(_answer(client, proposal.id, "confirm"))
    assert MINE in text(_answer(client, proposal.id, "refuse", reason="mine"))
    assert _written_off(db, commitment) == D("0") and len(_proposals(db, WAITING)) == 1
    # The download has it too, on a sheet of its own.
    book = load_workbook(io.BytesIO(client.get(f"{CLOSING}?format=xlsx").data))
    header, *rows = book["Waiting write-offs"].iter_rows(values_only=True)
    assert header == ("Donor", "Commitment", "Amount written off", "Outstanding when proposed", "Currency",
                      "Reason", "Proposed by", "When (UTC)", "Can be confirmed")
    assert [row[:7] + row[8:] for row in rows] == [
        ("Norway (write-off)", commitment.reference or f"#{commitment.id}", 400, 1000, "USD",
         "The donor's parliament cut the budget", "mptf_officer", True)]
    # The proposer's dashboard says it waits; the other officer's, that it waits for them.
    assert "1 write-off that you proposed waits for another MPTF officer." in text(client.get("/dashboard/"))
    other = browser_of(app, "mptf_officer2")
    assert "1 write-off waits for you to confirm or refuse it." in text(other.get("/dashboard/"))
    # The other officer is told by email; the proposer is not.
    [told] = db.session.scalars(sa.select(OutboxMessage)
                                .where(OutboxMessage.kind == "write_off_waiting")).all()
    assert told.to_address == "officer2@test.example"
    body = " ".join(told.body_text.split())
    assert "mptf_officer proposed to write off USD 400.00 of commitment" in body
    assert "of Norway (write-off) (outstanding: USD 1,000.00)" in body and "/fund/closing" in body
    # The second officer sees Confirm and Refuse (a reason required), and confirms it.
    listed = other.get(CLOSING).get_data(as_text=True)
    assert f"/write-offs/{proposal.id}/confirm" in listed
    assert f"/write-offs/{proposal.id}/withdraw" not in listed
    assert reason_required(listed, f"{CLOSING}/write-offs/{proposal.id}/refuse")
    done = text(_answer(other, proposal.id, "confirm"))
    assert "Write-off confirmed: USD 400.00 of the commitment is written off." in done
    assert _written_off(db, commitment) == D("400.00")
    [entry] = db.session.scalars(sa.select(WriteOff)).all()
    assert (entry.amount, entry.reason, entry.created_by_id) == (
        D("400.00"), "The donor's parliament cut the budget", users["mptf_officer2"].id)
    assert _proposals(db)[0].status == CONFIRMED and _proposals(db)[0].entry_id == entry.id
    assert _outstanding_row(other.get(CLOSING).get_data(as_text=True))[5:7] == ["400.00", "600.00"]
    assert run_checks() == []
    # A confirmation sent again confirms nothing more.
    assert "already confirmed, refused or withdrawn" in text(_answer(other, proposal.id, "confirm"))
    assert _written_off(db, commitment) == D("400.00")
    # The trail has both steps in words, each by its officer.
    actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.user_id)
                                 .where(AuditEntry.action.in_(("write_off.propose", "commitment.write_off",
                                                               "write_off.confirm")))
                                 .order_by(AuditEntry.id)).all()
    assert [tuple(a) for a in actions] == [("write_off.propose", users["mptf_officer"].id),
                                           ("commitment.write_off", users["mptf_officer2"].id),
                                           ("write_off.confirm", users["mptf_officer2"].id)]
    trail = text(browser_of(app, "admin").get("/admin/audit"))
    assert "mptf_officer proposed to write off USD 400.00 of commitment" in trail
    assert "It waits for a second MPTF officer." in trail
    assert "mptf_officer2 confirmed the write-off of USD 400.00 of commitment" in trail


def test_a_refusal_needs_a_reason_and_writes_off_nothing(app, db, client, login_as, users):
    commitment = _fund(db, users)
    login_as("mptf_officer")
    _propose(client, commitment)
    [proposal] = _proposals(db, WAITING)
    other = browser_of(app, "mptf_officer2")
    page = _answer(other, proposal.id, "refuse", reason="  ").get_data(as_text=True)
    assert error_beside_reason(page, f"{CLOSING}/write-offs/{proposal.id}/refuse") == (
        "Say why the write-off is refused.")
    assert _proposals(db)[0].status == WAITING
    done = text(_answer(other, proposal.id, "refuse", reason="Norway pays in January"))
    assert "Write-off refused: nothing was written off." in done
    [refused] = _proposals(db)
    assert (refused.status, refused.refusal_reason) == (REFUSED, "Norway pays in January")
    assert _written_off(db, commitment) == D("0")
    assert "mptf_officer2 refused the write-off of USD 1,000.00 of commitment" in text(
        browser_of(app, "auditor").get("/admin/audit"))
    # Once answered, another may be proposed.
    assert "The write-off is proposed" in text(_propose(client, commitment, amount="10.00"))


def test_its_proposer_withdraws_it_and_only_one_waits_per_commitment(app, db, client, login_as, users):
    commitment = _fund(db, users)
    login_as("mptf_officer")
    _propose(client, commitment)
    [proposal] = _proposals(db, WAITING)
    # A second one for the same commitment, by anyone, is refused while the first waits.
    other = browser_of(app, "mptf_officer2")
    url = f"{CLOSING}/commitments/{commitment.id}/write-off"
    again = other.post(url, data={"amount": "5.00", "reason": "Rounding",
                                  "form_token": form_token(other, url)}).get_data(as_text=True)
    assert "A write-off of this commitment already waits for a second MPTF officer" in again
    assert len(_proposals(db)) == 1
    # Only its proposer withdraws it.
    assert "Only the MPTF officer who proposed a write-off can withdraw it." in text(
        _answer(other, proposal.id, "withdraw"))
    assert "Write-off withdrawn: nothing was written off." in text(_answer(client, proposal.id, "withdraw"))
    assert _proposals(db)[0].status == WITHDRAWN and _written_off(db, commitment) == D("0")
    assert "Write-offs waiting" not in client.get(CLOSING).get_data(as_text=True)


def test_a_write_off_whose_commitment_changed_since_cannot_be_confirmed(app, db, client, login_as, users):
    """All that was outstanding (1,000.00) is proposed; a deposit of 250.00 arrives
    before a colleague confirms: writing off 1,000.00 now would write off money that
    came in. The page says so in place of Confirm, a posted confirmation is refused, and
    nothing is written off."""
    commitment = _fund(db, users)
    login_as("mptf_officer")
    _propose(client, commitment)
    [proposal] = _proposals(db, WAITING)
    data.deposit(data.db.session.get(data.Commitment, commitment.id), "250.00", fee_rate="0")
    db.session.commit()
    other = browser_of(app, "mptf_officer2")
    listed = other.get(CLOSING).get_data(as_text=True)
    said = ("The commitment's outstanding amount changed since this write-off was proposed (USD 1,000.00 "
            "then, USD 750.00 now): it can no longer be confirmed")
    assert said in " ".join(text(other.get(CLOSING)).split())
    assert f"/write-offs/{proposal.id}/confirm" not in listed
    assert said in text(_answer(other, proposal.id, "confirm"))
    assert _proposals(db)[0].status == WAITING and _written_off(db, commitment) == D("0")
    assert "Write-off refused" in text(_answer(other, proposal.id, "refuse", reason="A deposit came in"))


def test_the_fund_cannot_close_while_a_write_off_waits(app, db, client, login_as, users):
    commitment = _fund(db, users)
    login_as("mptf_officer")
    _propose(client, commitment)
    assert "1 write-off waits for a second MPTF officer: confirm or refuse it first." in closable_problems()


def test_only_mptf_officers_propose_or_answer_a_write_off(app, db, client, login_as, users):
    commitment = _fund(db, users)
    login_as("mptf_officer")
    _propose(client, commitment)
    [proposal] = _proposals(db, WAITING)
    for role in ("srsg_staff", "auditor", "admin", "donor"):
        browser = browser_of(app, role)
        listed = browser.get(CLOSING)
        if listed.status_code == 200:
            html = listed.get_data(as_text=True)
            assert f"/write-offs/{proposal.id}/confirm" not in html
            assert f"/commitments/{commitment.id}/write-off" not in html
        assert browser.post(f"{CLOSING}/write-offs/{proposal.id}/confirm").status_code == 403
    assert _proposals(db)[0].status == WAITING and _written_off(db, commitment) == D("0")


def test_a_spanish_speaking_officer_confirms_the_amount_proposed(app, db, client, login_as, users):
    """Spanish writes "500.000" for five hundred thousand: the confirmation writes off
    the amount stored with the proposal, never its text read again in the confirming
    officer's language (which wrote off USD 500,000.00 for a proposed 500.00)."""
    commitment = data.commitment(data.donor("Norway (large)"), "2000000.00")
    data.deposit(commitment, "1000000.00", fee_rate="0")
    users["mptf_officer2"].locale = "es"
    db.session.commit()
    login_as("mptf_officer")
    _propose(client, commitment, amount="500.00")
    [proposal] = _proposals(db, WAITING)
    assert proposal.amount == D("500.00")
    assert _answer(browser_of(app, "mptf_officer2"), proposal.id, "confirm").status_code == 200
    assert _written_off(db, commitment) == D("500.00")
    assert _proposals(db)[0].status == CONFIRMED
