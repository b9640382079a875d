"""Interest takes two MPTF officers (DESIGN.md §5, nobody alone moves money): interest
adds to what the un-earmarked pool can commit to travel grants, as the fund's other
income does. The interest form and the reversal form propose; nothing is credited and
the pool does not move until a second, different, active MPTF officer confirms it on
the interest page. It is then recorded as before, or, if it can no longer be (the
pool has spent the interest a reversal takes back, the year was closed since),
nothing is and it still waits, the page saying why in place of Confirm. Another
officer may refuse it with a reason, its proposer may withdraw it."""
from __future__ import annotations

import datetime
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import browser_of, close_year_meanwhile, second_officer_confirms_interest
from tests.factories import statements as data
from tests.factories.statements import D
from tests.factories.travel import make_event, make_request, srsg2
from tests.pages import error_beside, error_beside_reason, post_and_confirm, post_entry, table_rows, text
from trustfund.audit import AuditEntry
from trustfund.closure.financial import closable_problems
from trustfund.contributions import confirmed
from trustfund.contributions.models import InterestEntry, InterestProposal
from trustfund.ledger_check import run_checks
from trustfund.mail.models import OutboxMessage
from trustfund.travel.decisions import approve_grant
from trustfund.travel.reconcile import cancel_grant

NEW = "/contributions/interest/new"
PAGE = "/contributions/interest"
MINE = "You proposed this interest: another MPTF officer must confirm or refuse it."


def _interest(amount="1234.56", day="2018-06-30", note="Q2 2018"):
    return {"value_date": day, "usd_amount": amount, "note": note}


def _answer(browser, proposal_id: int, answer: str, **values):
    return browser.post(f"{PAGE}/waiting/{proposal_id}/{answer}", data=values, follow_redirects=True)


def _proposals(db, status=None) -> list[InterestProposal]:
    db.session.expire_all()
    query = sa.select(InterestProposal).order_by(InterestProposal.id)
    if status is not None:
        query = query.where(InterestProposal.status == status)
    return db.session.scalars(query).all()


def _entries(db) -> list[InterestEntry]:
    db.session.expire_all()
    return db.session.scalars(sa.select(InterestEntry).order_by(InterestEntry.id)).all()


def _pool(db):
    db.session.expire_all()
    pool = data.pool()
    return pool.interest, pool.available


def test_interest_is_credited_only_when_a_second_officer_confirms_it(app, db, client, login_as, users):
    login_as("mptf_officer")
    form = text(client.get(NEW))
    assert "Propose the interest" in form and "once another MPTF officer confirms it" in form
    assert post_entry(client, NEW, _interest()).status_code == 302
    page = text(client.get(PAGE))
    assert ("Interest of USD 1,234.56 proposed: nothing is credited to the un-earmarked pool until another "
            "MPTF officer confirms it.") in page
    # Nothing credited, the pool untouched: the interest waits, shown on the interest page.
    assert _entries(db) == [] and _pool(db) == (D("0.00"), D("0.00"))
    [proposal] = _proposals(db, "pending")
    assert (proposal.usd_amount, proposal.value_date, proposal.proposed_by_id) == (
        D("1234.56"), datetime.date(2018, 6, 30), users["mptf_officer"].id)
    own = client.get(PAGE).get_data(as_text=True)
    assert "Waiting for a second MPTF officer" in own and "Q2 2018" in own
    assert table_rows(own, "interest") == [["No interest recorded."]]
    # The proposer may withdraw it, not confirm or refuse it, even by posting.
    assert f"/waiting/{proposal.id}/withdraw" in own and f"/waiting/{proposal.id}/confirm" not in own
    assert MINE in text(_answer(client, proposal.id, "confirm"))
    assert MINE in text(_answer(client, proposal.id, "refuse", reason="mine"))
    assert _entries(db) == [] and len(_proposals(db, "pending")) == 1
    # The download has it on a sheet of its own.
    book = load_workbook(io.BytesIO(client.get(f"{PAGE}?format=xlsx").data))
    header, *rows = book["Waiting interest"].iter_rows(values_only=True)
    assert header[:5] == ("Proposal", "Reverses entry", "Amount (USD)", "Value date", "Note / reason")
    assert [row[:6] for row in rows] == [(proposal.id, None, 1234.56, datetime.datetime(2018, 6, 30),
                                          "Q2 2018", "mptf_officer")]
    # The other officer is told by email; the proposer is not.
    [told] = db.session.scalars(sa.select(OutboxMessage)
                                .where(OutboxMessage.kind == "interest_waiting")).all()
    assert told.to_address == "officer2@test.example"
    body = " ".join(told.body_text.split())
    assert "proposed interest of USD 1,234.56, value date 30 Jun 2018" in body
    assert "/contributions/interest" in body
    # The second officer sees Confirm and Refuse, and confirms it.
    other = browser_of(app, "mptf_officer2")
    listed = other.get(PAGE).get_data(as_text=True)
    assert f"/waiting/{proposal.id}/confirm" in listed and f"/waiting/{proposal.id}/withdraw" not in listed
    done = text(_answer(other, proposal.id, "confirm"))
    assert "Confirmed: interest of USD 1,234.56 credited to the un-earmarked pool." in done
    [entry] = _entries(db)
    assert (entry.usd_amount, entry.note, entry.created_by_id) == (D("1234.56"), "Q2 2018",
                                                                   users["mptf_officer2"].id)
    assert _pool(db) == (D("1234.56"), D("1234.56")) and run_checks() == []
    assert _proposals(db)[0].status == "confirmed" and _proposals(db)[0].entry_id == entry.id
    # The page and its download name both officers; the trail has both steps in words.
    row = table_rows(client.get(PAGE).get_data(as_text=True), "interest")[0]
    assert row[1:4] == ["1,234.56", "Q2 2018", "mptf_officer · mptf_officer2"]
    book = load_workbook(io.BytesIO(client.get(f"{PAGE}?format=xlsx").data))
    header, first = list(book["Interest"].iter_rows(values_only=True))[:2]
    assert header[-2:] == ("Proposed by", "Confirmed by") and first[-2:] == ("mptf_officer", "mptf_officer2")
    assert len(list(book["Waiting interest"].iter_rows(values_only=True))) == 1  # its header: nothing waits
    actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.user_id)
                                 .where(AuditEntry.action.like("interest%")).order_by(AuditEntry.id)).all()
    assert [tuple(a) for a in actions] == [("interest_proposal.propose", users["mptf_officer"].id),
                                           ("interest.create", users["mptf_officer2"].id),
                                           ("interest_proposal.confirm", users["mptf_officer2"].id)]
    trail = text(browser_of(app, "admin").get("/admin/audit"))
    assert ("mptf_officer proposed interest of USD 1,234.56, value date 30 Jun 2018, for the un-earmarked "
            "pool; it waits for a second MPTF officer.") in trail
    assert ("mptf_officer2 confirmed the interest of USD 1,234.56 proposed by mptf_officer: it is credited "
            "to the un-earmarked pool.") in trail


def test_refused_with_a_reason_or_withdrawn_nothing_is_credited(app, db, client, login_as):
    login_as("mptf_officer")
    post_entry(client, NEW, _interest("300.00"))
    post_entry(client, NEW, _interest("25.50"))
    first, second = _proposals(db, "pending")
    other = browser_of(app, "mptf_officer2")
    # A refusal needs a reason, said beside the field of that proposal.
    page = _answer(other, first.id, "refuse", reason=" ").get_data(as_text=True)
    beside = error_beside_reason(page, f"{PAGE}/waiting/{first.id}/refuse")
    assert beside == "Say why the interest is refused."
    assert "Interest refused: nothing was recorded." in text(
        _answer(other, first.id, "refuse", reason="Not on the bank statement"))
    # Only its proposer withdraws it.
    assert "Only the MPTF officer who proposed this interest can withdraw it." in text(
        _answer(other, second.id, "withdraw"))
    assert "Interest withdrawn: nothing was recorded." in text(_answer(client, second.id, "withdraw"))
    assert [(p.status, p.refusal_reason) for p in _proposals(db)] == [
        ("refused", "Not on the bank statement"), ("withdrawn", None)]
    assert _entries(db) == [] and _pool(db) == (D("0.00"), D("0.00"))
    # Answered already: a second answer does nothing, and says so.
    assert "This interest was already confirmed, refused or withdrawn: nothing was done." in text(
        _answer(other, first.id, "confirm"))
    assert _entries(db) == []
    trail = text(browser_of(app, "admin").get("/admin/audit"))
    assert ("mptf_officer2 refused the interest of USD 300.00 proposed by mptf_officer: Not on the bank "
            "statement") in trail
    assert "mptf_officer withdrew the interest of USD 25.50 they had proposed." in trail


def test_a_reversal_waits_for_a_second_officer_and_says_why_once_the_pool_spent_the_interest(
        app, db, client, login_as, users):
    login_as("mptf_officer")
    post_entry(client, NEW, _interest("1000.00"))
    second_officer_confirms_interest(app)
    [entry] = _entries(db)
    url = f"{PAGE}/{entry.id}/reverse"
    preview = text(client.post(url, data={"reason": "Belonged to another fund"}))
    assert "Nothing is recorded until another MPTF officer confirms the reversal." in preview
    assert "Propose the reversal" in preview
    page = text(post_and_confirm(client, url, {"reason": "Belonged to another fund"}, follow_redirects=True))
    assert "The reversal is proposed: nothing is recorded until another MPTF officer confirms it." in page
    assert "Reversal waiting" in page
    assert len(_entries(db)) == 1 and _pool(db) == (D("1000.00"), D("1000.00"))
    # One reversal of an entry waits at a time.
    again = text(client.post(url, data={"reason": "Twice"}))
    assert ("A reversal of this interest entry already waits for a second MPTF officer: it must be "
            "confirmed, refused or withdrawn first.") in again
    [reversal] = _proposals(db, "pending")
    # Meanwhile the pool commits part of it to a delegate's trip: the reversal can no
    # longer give the interest back, and the page says so in place of Confirm.
    grant = make_request(make_event("Interest spent", rate="50.00", cap=3), "SN", airfare="300.00")
    approve_grant(srsg2(), grant, pool_id=data.pool().id)
    db.session.commit()
    left = _pool(db)[1]
    assert D("0.00") < left < D("1000.00")
    other = browser_of(app, "mptf_officer2")
    listed = other.get(PAGE)
    assert ("This interest can no longer be recorded as it stands: This reversal would need USD 1,000.00 "
            f"from the un-earmarked pool, which has only USD {left:,} available") in text(listed)
    assert f"/waiting/{reversal.id}/confirm" not in listed.get_data(as_text=True)
    assert f"/waiting/{reversal.id}/refuse" in listed.get_data(as_text=True)
    # Posted all the same: nothing is recorded, and it still waits.
    refused = text(_answer(other, reversal.id, "confirm"))
    assert "Nothing was recorded, and the interest still waits: This reversal would need" in refused
    assert len(_entries(db)) == 1 and len(_proposals(db, "pending")) == 1
    # The trip cancelled, the money is back, and the reversal is confirmed.
    cancel_grant(srsg2(), grant, "Visa refused")
    db.session.commit()
    done = text(second_officer_confirms_interest(app))
    assert f"Confirmed: the reversal of interest entry #{entry.id} is recorded." in done
    original, reversed_by = _entries(db)
    assert (reversed_by.reverses_id, reversed_by.usd_amount, reversed_by.note, reversed_by.created_by_id) == (
        entry.id, D("-1000.00"), "Belonged to another fund", users["mptf_officer2"].id)
    assert _pool(db) == (D("0.00"), D("0.00")) and run_checks() == []


def test_interest_in_a_year_closed_since_is_not_recorded_and_still_waits(app, db, client, login_as, users):
    login_as("mptf_officer")
    post_entry(client, NEW, _interest(day="2017-12-15"))
    close_year_meanwhile(users["admin"], 2017)
    db.session.commit()
    listed = text(browser_of(app, "mptf_officer2").get(PAGE))
    assert "This interest can no longer be recorded as it stands:" in listed and "2017" in listed
    refused = text(second_officer_confirms_interest(app))
    assert "Nothing was recorded, and the interest still waits:" in refused and "2017" in refused
    assert _entries(db) == [] and len(_proposals(db, "pending")) == 1


def test_only_mptf_officers_answer_and_others_read_the_waiting_interest(app, db, client, login_as):
    login_as("mptf_officer")
    post_entry(client, NEW, _interest())
    [proposal] = _proposals(db, "pending")
    for role in ("admin", "srsg_staff", "auditor"):
        browser = browser_of(app, role)
        assert _answer(browser, proposal.id, "confirm").status_code == 403
        page = browser.get(PAGE)
        if page.status_code == 200:
            listed = page.get_data(as_text=True)
            assert "Waiting for a second MPTF officer" in listed and "/confirm" not in listed
    assert _entries(db) == [] and len(_proposals(db, "pending")) == 1


def test_waiting_interest_holds_back_the_financial_closure(app, db, client, login_as):
    login_as("mptf_officer")
    post_entry(client, NEW, _interest())
    waits = "1 interest entry waits for a second MPTF officer: confirm or refuse it first."
    assert waits in closable_problems()
    second_officer_confirms_interest(app)
    assert waits not in closable_problems()


def test_interest_proposed_by_an_officer_moved_to_another_role_since_is_not_confirmed(
        app, db, client, login_as, users):
    """A demotion takes effect at once, on one admin's word (it takes power away): the
    interest the officer proposed before it is not credited on their word any more
    than a deactivated officer's. The page says why in place of Confirm; Refuse works."""
    from trustfund.admin.user_changes import submit_user

    login_as("mptf_officer")
    post_entry(client, NEW, _interest(amount="5000.00"))
    [proposal] = _proposals(db, "pending")
    before = _pool(db)
    officer = users["mptf_officer"]
    demoted = submit_user(users["admin"], officer, email=officer.email, name="Amina Diallo", role="auditor",
                          donor_id=None, active=True, password=None, version=officer.version)
    db.session.commit()
    assert demoted.role == "auditor"
    gone = ("Amina Diallo, who proposed it, no longer has the role that proposes it: it can no longer be "
            "confirmed. Refuse it, and propose it again yourself if it is still wanted.")
    colleague = browser_of(app, "mptf_officer2")
    listed = colleague.get(PAGE).get_data(as_text=True)
    assert gone in text(listed) and f"/waiting/{proposal.id}/confirm" not in listed
    assert gone in text(_answer(colleague, proposal.id, "confirm"))
    assert _entries(db) == [] and _pool(db) == before
    assert len(_proposals(db, "pending")) == 1
    _answer(colleague, proposal.id, "refuse", reason="Proposed by an officer who has left the role")
    assert _proposals(db, "pending") == [] and _entries(db) == []


def test_the_same_interest_again_needs_the_officer_to_say_it_is_separate(app, db, client, login_as, users):
    """Two officers entering one bank line would credit it twice (a third confirms
    both): interest of a value date and amount already waiting or credited is refused
    beside the amount, unless the officer ticks that it is separate interest and says
    why in the note. Once the first is reversed, the same amount is no repeat."""

    login_as("mptf_officer")
    assert post_entry(client, NEW, _interest()).status_code == 302
    second = browser_of(app, "mptf_officer2")
    answer = post_entry(second, NEW, _interest(note="Q2 2018, from the bank statement"))
    assert answer.status_code == 200
    assert "already credited or waiting for confirmation" in error_beside(answer.get_data(as_text=True),
                                                                          "usd_amount")
    assert len(_proposals(db)) == 1
    # Confirmed meanwhile: still the same interest.
    second.post(f"{PAGE}/waiting/{_proposals(db)[0].id}/confirm")
    assert len(_entries(db)) == 1
    answer = post_entry(second, NEW, _interest())
    assert "already credited" in error_beside(answer.get_data(as_text=True), "usd_amount")
    # Said to be separate, without saying why: refused beside the note.
    answer = post_entry(second, NEW, dict(_interest(note=""), separate="y"))
    assert error_beside(answer.get_data(as_text=True), "note") == (
        "Say in the note why this is a different interest payment.")
    assert len(_proposals(db)) == 1
    # Another amount, or another date, is no repeat; nor is separate interest with a reason.
    assert post_entry(second, NEW, _interest(amount="1234.57")).status_code == 302
    separate = dict(_interest(note="Second deposit account"), separate="y")
    assert post_entry(second, NEW, separate).status_code == 302
    assert len(_proposals(db, "pending")) == 2
    # The credited one reversed: the same amount and date may be proposed again plainly.
    [entry] = _entries(db)
    confirmed.reverse_interest(users["mptf_officer"], entry, "Credited to the wrong fund.")
    db.session.commit()
    # (the separate one still waits: the same again is refused until it is withdrawn)
    assert post_entry(client, NEW, _interest()).status_code == 200
    for proposal in _proposals(db, "pending"):
        _answer(second, proposal.id, "withdraw")
    assert post_entry(client, NEW, _interest()).status_code == 302
