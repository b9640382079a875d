"""The fund's own entries take two MPTF officers (DESIGN.md §5, nobody alone moves
money): the entry form and the reversal form propose; nothing is recorded and no pool
moves until a second, different, active MPTF officer confirms it on the entries page.
The entry is then recorded as before, or, if it can no longer be (the pool cannot pay
it now, the year was closed since), nothing is and it still waits. Another officer
may refuse it with a reason, its proposer may withdraw it."""
from __future__ import annotations

import datetime
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import browser_of, close_year_meanwhile, second_officer_confirms_entry
from tests.factories import statements as data
from tests.factories.statements import D
from tests.pages import error_beside_reason, post_and_confirm, post_entry, reason_required, table_rows, text
from trustfund.audit import AuditEntry
from trustfund.closure.financial import closable_problems
from trustfund.fund.entries import CONFIRMED, REFUSED, WAITING, WITHDRAWN, FundEntry, FundEntryProposal
from trustfund.ledger_check import run_checks
from trustfund.mail.models import OutboxMessage

NEW = "/fund/entries/new"
ENTRIES = "/fund/entries"
MINE = "You proposed this entry: another MPTF officer must confirm or refuse it."


def _funded(db):
    donor = data.donor("Sweden (costs)")
    data.deposit(data.commitment(donor, "10000.00"), "10000.00", fee_rate="0")
    db.session.commit()
    return donor


def _entry(kind="direct_cost", amount="1500.00", day="2018-03-01"):
    return {"kind": kind, "pool_id": str(data.pool().id), "value_date": day, "usd_amount": amount,
            "description": "Secretariat support, first quarter"}


def _answer(browser, proposal_id: int, answer: str, **data):
    return browser.post(f"{ENTRIES}/waiting/{proposal_id}/{answer}", data=data, follow_redirects=True)


def _proposals(db, status=None) -> list[FundEntryProposal]:
    db.session.expire_all()
    query = sa.select(FundEntryProposal).order_by(FundEntryProposal.id)
    if status is not None:
        query = query.where(FundEntryProposal.status == status)
    return db.session.scalars(query).all()


def _entries(db) -> list[FundEntry]:
    db.session.expire_all()
    return db.session.scalars(sa.select(FundEntry).order_by(FundEntry.id)).all()


def _pool(db):
    db.session.expire_all()
    pool = data.pool()
    return pool.direct_costs, pool.other_income, pool.available


def test_a_direct_cost_is_recorded_only_when_a_second_officer_confirms_it(app, db, client, login_as, users):
    _funded(db)
    login_as("mptf_officer")
    form = client.get(NEW).get_data(as_text=True)
    assert "Propose the entry" in form
    assert "nothing is recorded until another MPTF officer confirms it" in form
    assert post_entry(client, NEW, _entry()).status_code == 302
    page = text(client.get(ENTRIES))
    assert ("Direct cost of USD 1,500.00 proposed: nothing is recorded until another MPTF officer confirms "
            "it.") in page
    # Nothing recorded, the pool untouched: the entry waits, shown on the entries page.
    assert _entries(db) == [] and _pool(db) == (D("0.00"), D("0.00"), D("10000.00"))
    [proposal] = _proposals(db, WAITING)
    assert (proposal.kind, proposal.usd_amount, proposal.proposed_by_id) == (
        "direct_cost", D("1500.00"), users["mptf_officer"].id)
    own = client.get(ENTRIES).get_data(as_text=True)
    assert "Waiting for a second MPTF officer" in own and "Secretariat support, first quarter" in own
    assert table_rows(own, "entries") == [["No entry recorded."]]
    # The proposer may withdraw it, not confirm or refuse it, even by posting.
    assert f"/waiting/{proposal.id}/withdraw" in own and f"/waiting/{proposal.id}/confirm" not in own
    assert MINE in text(_answer(client, proposal.id, "confirm"))
    assert MINE in text(_answer(client, proposal.id, "refuse", reason="mine"))
    assert _entries(db) == [] and len(_proposals(db, WAITING)) == 1
    # The download has it too, on a sheet of its own: the entries' sheet has none.
    book = load_workbook(io.BytesIO(client.get(f"{ENTRIES}?format=xlsx").data))
    header, *rows = book["Waiting entries"].iter_rows(values_only=True)
    assert header[:7] == ("Proposal", "Kind", "Reverses entry", "Pool", "Amount (USD)", "Value date",
                          "Description / reason")
    assert [row[:8] for row in rows] == [(proposal.id, "Direct cost", None, "Un-earmarked", 1500,
                                          datetime.datetime(2018, 3, 1), "Secretariat support, first quarter",
                                          "mptf_officer")]
    assert len(list(book["Fund entries"].iter_rows(values_only=True))) == 1
    # The other officer is told by email; the proposer is not.
    [told] = db.session.scalars(sa.select(OutboxMessage)
                                .where(OutboxMessage.kind == "fund_entry_waiting")).all()
    assert told.to_address == "officer2@test.example"
    body = " ".join(told.body_text.split())
    assert "Direct cost of USD 1,500.00" in body and "/fund/entries" in body
    # The second officer sees Confirm and Refuse (a reason required), and confirms it.
    other = browser_of(app, "mptf_officer2")
    listed = other.get(ENTRIES).get_data(as_text=True)
    assert f"/waiting/{proposal.id}/confirm" in listed and f"/waiting/{proposal.id}/withdraw" not in listed
    assert reason_required(listed, f"{ENTRIES}/waiting/{proposal.id}/refuse")
    done = text(_answer(other, proposal.id, "confirm"))
    assert "Confirmed: Direct cost of USD 1,500.00 recorded for the un-earmarked pool." in done
    [entry] = _entries(db)
    assert (entry.kind, entry.usd_amount, entry.created_by_id) == ("direct_cost", D("1500.00"),
                                                                  users["mptf_officer2"].id)
    assert _pool(db) == (D("1500.00"), D("0.00"), D("8500.00")) and run_checks() == []
    assert _proposals(db)[0].status == CONFIRMED and _proposals(db)[0].entry_id == entry.id
    # The entries page names both officers; the trail has both steps in words.
    row = table_rows(client.get(ENTRIES).get_data(as_text=True), "entries")[0]
    assert row[1:4] == ["Direct cost", "Un-earmarked", "1,500.00"]
    assert row[5] == "mptf_officer · mptf_officer2"
    sheet = load_workbook(io.BytesIO(client.get(f"{ENTRIES}?format=xlsx").data))["Fund entries"]
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    assert header[-2:] == ("Proposed by", "Confirmed by") and first[-2:] == ("mptf_officer", "mptf_officer2")
    book = load_workbook(io.BytesIO(client.get(f"{ENTRIES}?format=xlsx").data))
    assert len(list(book["Waiting entries"].iter_rows(values_only=True))) == 1  # its header: nothing waits
    actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.user_id)
                                 .where(AuditEntry.action.like("fund_entry.%")).order_by(AuditEntry.id)).all()
    assert [tuple(a) for a in actions] == [("fund_entry.propose", users["mptf_officer"].id),
                                           ("fund_entry.create", users["mptf_officer2"].id),
                                           ("fund_entry.confirm", users["mptf_officer2"].id)]
    trail = text(browser_of(app, "admin").get("/admin/audit"))
    assert ("mptf_officer proposed an entry for the un-earmarked pool (Direct cost of USD 1,500.00, value "
            "date 1 Mar 2018); it waits for a second MPTF officer.") in trail
    assert ("mptf_officer2 confirmed the entry for the un-earmarked pool (Direct cost of USD 1,500.00) "
            "proposed by mptf_officer: it is recorded.") in trail


def test_a_cost_the_pool_cannot_pay_is_refused_at_once_and_again_at_the_confirmation(app, db, client,
                                                                                     login_as):
    _funded(db)
    login_as("mptf_officer")
    page = text(post_entry(client, NEW, _entry(amount="10000.01")))
    assert "has only USD 10,000.00 available, less than USD 10,000.01" in page
    assert _proposals(db) == []
    # Two costs proposed that the pool can each pay, not both: the second confirmation
    # records nothing, and that cost still waits.
    post_entry(client, NEW, _entry(amount="6000.00"))
    post_entry(client, NEW, _entry(amount="5000.00"))
    first, second = _proposals(db, WAITING)
    other = browser_of(app, "mptf_officer2")
    _answer(other, first.id, "confirm")
    refused = text(_answer(other, second.id, "confirm"))
    assert ("Nothing was recorded, and the entry still waits: The un-earmarked pool has only USD 4,000.00 "
            "available, less than USD 5,000.00.") in refused
    assert [e.usd_amount for e in _entries(db)] == [D("6000.00")] and _pool(db)[2] == D("4000.00")
    assert [p.id for p in _proposals(db, WAITING)] == [second.id]
    # The entries page says why beside it, in place of Confirm: the other officers may
    # refuse it, its proposer withdraw it.
    blocked = ("This entry can no longer be recorded as it stands: The un-earmarked pool has only "
               "USD 4,000.00 available, less than USD 5,000.00. Refuse it, or its proposer can withdraw it; "
               "then propose it again if it is still wanted.")
    listed = other.get(ENTRIES)
    assert blocked in text(listed)
    assert f"/waiting/{second.id}/confirm" not in listed.get_data(as_text=True)
    assert f"/waiting/{second.id}/refuse" in listed.get_data(as_text=True)
    own = client.get(ENTRIES)
    assert blocked in text(own) and f"/waiting/{second.id}/withdraw" in own.get_data(as_text=True)


def test_a_reversal_of_income_the_pool_has_spent_since_says_why_in_place_of_confirm(app, db, client,
                                                                                    login_as):
    """Other income of USD 5,000.00, its reversal proposed while the pool could give it
    back; then a cost of USD 12,000.00 is confirmed: the pool has USD 3,000.00 left,
    and the reversal waits with the reason it cannot be recorded, without Confirm."""
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry(kind="other_income", amount="5000.00"))
    second_officer_confirms_entry(app)
    [income] = _entries(db)
    post_and_confirm(client, f"/fund/entries/{income.id}/reverse", {"reason": "Booked twice"})
    [reversal] = _proposals(db, WAITING)
    other = browser_of(app, "mptf_officer2")
    assert f"/waiting/{reversal.id}/confirm" in other.get(ENTRIES).get_data(as_text=True)
    post_entry(client, NEW, _entry(amount="12000.00"))
    cost = _proposals(db, WAITING)[-1]
    _answer(other, cost.id, "confirm")
    assert _pool(db)[2] == D("3000.00")
    listed = other.get(ENTRIES)
    assert ("This entry can no longer be recorded as it stands: The un-earmarked pool has only "
            "USD 3,000.00 available: this reversal would take it below zero.") in text(listed)
    assert f"/waiting/{reversal.id}/confirm" not in listed.get_data(as_text=True)


def test_refused_with_a_reason_or_withdrawn_nothing_is_recorded(app, db, client, login_as, users):
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry("other_income", "300.00"))
    post_entry(client, NEW, _entry("bank_charge", "25.50"))
    income, charge = _proposals(db, WAITING)
    other = browser_of(app, "mptf_officer2")
    # A refusal needs a reason, said beside the field of that entry.
    page = _answer(other, income.id, "refuse", reason=" ").get_data(as_text=True)
    beside = error_beside_reason(page, f"{ENTRIES}/waiting/{income.id}/refuse")
    assert beside == "Say why the entry is refused."
    assert text(_answer(other, income.id, "refuse", reason="No such income at the bank")).count(
        "Entry refused: nothing was recorded.") == 1
    # Only its proposer withdraws an entry.
    assert "Only the MPTF officer who proposed an entry can withdraw it." in text(
        _answer(other, charge.id, "withdraw"))
    assert "Entry withdrawn: nothing was recorded." in text(_answer(client, charge.id, "withdraw"))
    assert [(p.status, p.refusal_reason) for p in _proposals(db)] == [
        (REFUSED, "No such income at the bank"), (WITHDRAWN, None)]
    assert _entries(db) == [] and _pool(db) == (D("0.00"), D("0.00"), D("10000.00"))
    # Answered already: a second answer does nothing, and says so.
    assert "This entry was already confirmed, refused or withdrawn: nothing was done." in text(
        _answer(other, income.id, "confirm"))
    assert _entries(db) == []
    trail = text(browser_of(app, "admin").get("/admin/audit"))
    assert ("mptf_officer2 refused the entry for the un-earmarked pool (Other income of USD 300.00) "
            "proposed by mptf_officer: No such income at the bank") in trail
    assert ("mptf_officer withdrew the entry for the un-earmarked pool (Bank charge of USD 25.50) they had "
            "proposed.") in trail


def test_a_reversal_waits_for_a_second_officer_too(app, db, client, login_as, users):
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry())
    second_officer_confirms_entry(app)
    [cost] = _entries(db)
    url = f"/fund/entries/{cost.id}/reverse"
    preview = text(client.post(url, data={"reason": "Charged to the wrong fund"}))
    assert "Nothing is recorded until another MPTF officer confirms the reversal." in preview
    assert "Propose the reversal" in preview
    page = text(post_and_confirm(client, url, {"reason": "Charged to the wrong fund"},
                                  follow_redirects=True))
    assert "The reversal is proposed: nothing is recorded until another MPTF officer confirms it." in page
    assert "Reversal waiting" in page
    assert len(_entries(db)) == 1 and _pool(db)[2] == D("8500.00")
    # One reversal of an entry waits at a time.
    again = text(client.post(url, data={"reason": "Twice"}))
    assert ("A reversal of this entry already waits for a second MPTF officer: it must be confirmed, refused "
            "or withdrawn first.") in again
    assert len(_proposals(db, WAITING)) == 1
    done = text(second_officer_confirms_entry(app))
    assert f"Confirmed: the reversal of entry #{cost.id} is recorded." in done
    original, reversal = _entries(db)
    assert (reversal.reverses_id, reversal.usd_amount, reversal.description, reversal.created_by_id) == (
        cost.id, D("-1500.00"), "Charged to the wrong fund", users["mptf_officer2"].id)
    assert _pool(db) == (D("0.00"), D("0.00"), D("10000.00")) and run_checks() == []


def test_a_proposal_in_a_year_closed_since_is_not_recorded_and_still_waits(app, db, client, login_as, users):
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry(day="2017-12-15"))
    close_year_meanwhile(users["admin"], 2017)
    db.session.commit()
    refused = text(second_officer_confirms_entry(app))
    assert "Nothing was recorded, and the entry still waits:" in refused and "2017" in refused
    assert _entries(db) == [] and len(_proposals(db, WAITING)) == 1


def test_an_entry_proposed_by_an_officer_deactivated_since_cannot_be_confirmed(app, db, client, login_as,
                                                                              users):
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry())
    users["mptf_officer"].active = False
    db.session.commit()
    refused = text(second_officer_confirms_entry(app))
    assert "no longer has an active account: it can no longer be confirmed" in refused
    assert _entries(db) == [] and len(_proposals(db, WAITING)) == 1


def test_only_mptf_officers_answer_and_others_read_the_waiting_entries(app, db, client, login_as):
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry())
    [proposal] = _proposals(db, WAITING)
    for role in ("admin", "srsg_staff", "auditor"):
        browser = browser_of(app, role)
        assert _answer(browser, proposal.id, "confirm").status_code == 403
        page = browser.get(ENTRIES)
        if page.status_code == 200:
            listed = page.get_data(as_text=True)
            assert "Waiting for a second MPTF officer" in listed and "/confirm" not in listed
    assert _entries(db) == [] and len(_proposals(db, WAITING)) == 1


def test_an_entry_waiting_holds_back_the_financial_closure(app, db, client, login_as):
    _funded(db)
    login_as("mptf_officer")
    post_entry(client, NEW, _entry())
    waits = "1 entry of the fund waits for a second MPTF officer: confirm or refuse it first."
    assert waits in closable_problems()
    second_officer_confirms_entry(app)
    assert not any("MPTF officer" in problem for problem in closable_problems())
