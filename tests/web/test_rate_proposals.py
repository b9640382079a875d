"""A month's UN rate takes two MPTF officers (DESIGN.md §5, nobody alone moves money):
every deposit of a month takes its UN rate without a note, so one officer alone could
otherwise give a month a rate of their own (a currency's first rate has nothing to be
compared with; a rate can be moved 10% at a time). The rate form proposes; the table
does not change until a second, different, active MPTF officer confirms it on the
rates page. Another officer may refuse it with a reason, its proposer may withdraw it;
a correction built on a rate changed since is not written, and the page says why in
place of Confirm."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import browser_of, second_officer_confirms_rates
from tests.factories.contributions import commitment
from tests.pages import error_beside, error_beside_reason, post_entry
from trustfund.audit import AuditEntry
from trustfund.contributions import confirmed
from trustfund.contributions.models import Deposit, ExchangeRate, RateProposal
from trustfund.mail.models import OutboxMessage

D = Decimal
PAGE = "/contributions/rates"
MINE = "You proposed this rate: another MPTF officer must confirm or refuse it."


def _answer(browser, proposal_id: int, answer: str, **values):
    return browser.post(f"{PAGE}/waiting/{proposal_id}/{answer}", data=values, follow_redirects=True)


def _table(db) -> dict[tuple[str, str], Decimal]:
    db.session.expire_all()
    return {(r.currency, f"{r.month:%Y-%m}"): r.rate for r in db.session.scalars(sa.select(ExchangeRate))}


def _proposals(db, status=None) -> list[RateProposal]:
    db.session.expire_all()
    query = sa.select(RateProposal).order_by(RateProposal.id)
    if status is not None:
        query = query.where(RateProposal.status == status)
    return db.session.scalars(query).all()


def test_a_rate_waits_for_a_second_officer_who_confirms_it(app, db, client, login_as):
    login_as("mptf_officer")
    answer = client.post(f"{PAGE}/new", data={"currency": "EUR", "month": "2018-05", "rate": "0.941"},
                         follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert ("Proposed: 0.941 per US dollar for EUR in May 2018. The rate changes when another MPTF officer "
            "confirms it on this page.") in html
    assert _table(db) == {}
    [proposal] = _proposals(db, "pending")
    # Its proposer may only withdraw it; the page says so, and refuses a hand-made confirmation.
    card = html[html.index(f'id="waiting-rate-{proposal.id}"'):]
    assert "Withdraw" in card[:3000] and "/confirm" not in card[:3000]
    assert MINE in _answer(client, proposal.id, "confirm").get_data(as_text=True)
    assert _table(db) == {}
    # Another officer is told by email, and sees it on the dashboard and the rates page.
    [mail] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "rate_waiting")).all()
    assert "0.941 per US dollar" in mail.body_text and "/contributions/rates" in mail.body_text
    second = browser_of(app, "mptf_officer2")
    dashboard = second.get("/dashboard/").get_data(as_text=True)
    assert "1 exchange rate (or its correction) waits for you to confirm or refuse it." in dashboard
    page = second.get(PAGE).get_data(as_text=True)
    assert f"{PAGE}/waiting/{proposal.id}/confirm" in page and f"{PAGE}/waiting/{proposal.id}/refuse" in page

    done = _answer(second, proposal.id, "confirm").get_data(as_text=True)
    assert "Confirmed: the rate for EUR in May 2018 is 0.941 per US dollar." in done
    assert _table(db) == {("EUR", "2018-05"): D("0.941")}
    [proposal] = _proposals(db)
    assert proposal.status == "confirmed" and proposal.rate_id is not None
    actions = [e.action for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-3:] == ["rate_proposal.propose", "exchange_rate.create", "rate_proposal.confirm"]
    created = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "exchange_rate.create"))
    assert created.user.email == "officer2@test.example"
    # Confirmed once: a second confirmation writes nothing.
    again = _answer(second, proposal.id, "confirm").get_data(as_text=True)
    assert "This rate was already confirmed, refused or withdrawn: nothing was done." in again
    # And a deposit of May now takes it without a note.
    c = commitment("EUR", "1000.00")
    db.session.commit()
    assert post_entry(client, f"/contributions/commitments/{c.id}/deposits/new", {
        "value_date": "2018-05-10", "amount": "1000.00", "rate": "", "rate_note": "",
        "bank_reference": ""}).status_code == 302
    assert db.session.scalar(sa.select(Deposit.rate)) == D("0.941")


def test_a_rate_is_refused_with_a_reason_or_withdrawn_and_never_written(app, db, client, login_as):
    login_as("mptf_officer")
    client.post(f"{PAGE}/new", data={"currency": "EUR", "month": "2018-05", "rate": "0.941"})
    [first] = _proposals(db)
    second = browser_of(app, "mptf_officer2")
    # Only its proposer withdraws it; a refusal needs a reason, said beside it.
    answer = _answer(second, first.id, "withdraw").get_data(as_text=True)
    assert "Only the MPTF officer who proposed this rate can withdraw it." in answer
    answer = second.post(f"{PAGE}/waiting/{first.id}/refuse", data={"reason": ""})
    assert answer.status_code == 200
    assert error_beside_reason(answer.get_data(as_text=True), f"{PAGE}/waiting/{first.id}/refuse") == \
        "Say why the rate is refused."
    answer = _answer(second, first.id, "refuse", reason="The UN table says 0.914").get_data(as_text=True)
    assert "Rate refused: the rates did not change." in answer
    assert _table(db) == {} and _proposals(db)[0].refusal_reason == "The UN table says 0.914"
    # Another may now be proposed for the month; its proposer withdraws it.
    client.post(f"{PAGE}/new", data={"currency": "EUR", "month": "2018-05", "rate": "0.914"})
    [waiting] = _proposals(db, "pending")
    assert "Rate withdrawn: the rates did not change." in _answer(client, waiting.id, "withdraw").get_data(
        as_text=True)
    assert _table(db) == {} and _proposals(db, "pending") == []
    other_roles = [browser_of(app, role) for role in ("admin", "srsg_staff", "auditor", "donor")]
    assert all(_answer(browser, first.id, "confirm").status_code == 403 for browser in other_roles)


def test_one_proposal_waits_per_month_and_a_form_sent_twice_is_one(app, db, client, login_as):
    login_as("mptf_officer")
    data = {"currency": "EUR", "month": "2018-05", "rate": "0.941"}
    assert client.post(f"{PAGE}/new", data=data).status_code == 302
    assert client.post(f"{PAGE}/new", data=data).status_code == 302  # sent twice
    page = client.get(PAGE).get_data(as_text=True)
    assert page.count('id="waiting-rate-') == 1  # the officer reads one rate waiting
    assert len(_proposals(db)) == 1
    second = browser_of(app, "mptf_officer2")
    answer = second.post(f"{PAGE}/new", data={**data, "rate": "0.914"})
    assert error_beside(answer.get_data(as_text=True), "month") == (
        "A rate for EUR in May 2018 already waits for a second MPTF officer: it must be confirmed, "
        "refused or withdrawn first.")
    assert len(_proposals(db)) == 1


def test_a_correction_built_on_a_rate_changed_since_is_not_written(app, db, client, login_as):
    """Two corrections of May's euro proposed on the same version: the first confirmed
    changes the rate; the second, proposed before, would overwrite a rate its proposer
    never saw. It is not written, it still waits, and the page says why in place of
    Confirm, until it is refused or withdrawn."""
    may = confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    confirmed.set_rate(None, "EUR", dt.date(2018, 6, 1), "0.95")
    db.session.commit()
    login_as("mptf_officer")
    form = client.get(f"{PAGE}/{may.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="([^"]*)"', form).group(1)
    correction = {"currency": "EUR", "month": "2018-05", "rate": "0.944", "version": version}
    assert client.post(f"{PAGE}/{may.id}/edit", data=correction).status_code == 302
    # The same correction sent twice is the one waiting, not a "reload the page".
    twice = client.post(f"{PAGE}/{may.id}/edit", data=correction, follow_redirects=True)
    assert "Proposed: 0.944 per US dollar for EUR in May 2018." in twice.get_data(as_text=True)
    assert len(_proposals(db)) == 1
    # A colleague's form loaded before that proposal is told to reload the page.
    second = browser_of(app, "mptf_officer2")
    stale = second.post(f"{PAGE}/{may.id}/edit", data={"currency": "EUR", "month": "2018-05", "rate": "0.95",
                                                       "version": may.version})
    assert "Reload the page" in stale.get_data(as_text=True)
    # The rates list says a correction waits where it offered "Correct".
    listed = second.get(PAGE).get_data(as_text=True)
    assert "Correction waiting" in listed and f"{PAGE}/{may.id}/edit" not in listed
    [first] = _proposals(db)
    # Meanwhile May's euro is corrected by another way (two officers, a file or the same form).
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.947", entry=db.session.get(ExchangeRate, may.id),
                      version=may.version)
    db.session.commit()
    page = second.get(PAGE).get_data(as_text=True)
    assert "This rate can no longer be written as it stands: Someone else changed this record" in page
    answer = _answer(second, first.id, "confirm").get_data(as_text=True)
    assert "Nothing was changed, and the rate still waits: Someone else changed this record" in answer
    assert _table(db)[("EUR", "2018-05")] == D("0.947") and _proposals(db)[0].status == "pending"
    assert "Rate refused" in _answer(second, first.id, "refuse", reason="Corrected since").get_data(
        as_text=True)


def test_the_rate_proposals_read_as_sentences_in_the_audit_trail(app, db, client, login_as):
    login_as("mptf_officer")
    client.post(f"{PAGE}/new", data={"currency": "EUR", "month": "2018-05", "rate": "0.941"})
    second_officer_confirms_rates(app)
    auditor = browser_of(app, "auditor")
    trail = "/admin/audit"
    html = auditor.get(trail, query_string={"action": "rate_proposal.propose"}).get_data(as_text=True)
    assert ("mptf_officer proposed 0.941 EUR per US dollar for May 2018; it waits for a second MPTF officer."
            in html)
    html = auditor.get(trail, query_string={"action": "rate_proposal.confirm"}).get_data(as_text=True)
    assert ("mptf_officer2 confirmed the rate of 0.941 EUR per US dollar for May 2018 proposed by "
            "mptf_officer: it is set.") in html


def test_a_proposer_who_left_cannot_have_a_rate_confirmed_and_the_closure_waits_for_it(app, db, client,
                                                                                       login_as, users):
    """A rate whose proposer's account was deactivated since is not confirmed on their
    word (the page says so in place of Confirm; it can still be refused); and while a
    rate or a rates file waits, the fund cannot be financially closed (nobody could
    answer it afterwards)."""
    from trustfund.closure.financial import closable_problems
    from trustfund.contributions import rate_changes
    from trustfund.contributions.rate_import import keep_rate_upload

    proposal = rate_changes.propose(users["mptf_officer"], "EUR", dt.date(2018, 5, 1), "0.941", adding=True)
    keep_rate_upload(users["mptf_officer"], "june.csv", b"Currency,Month,Rate\nEUR,2018-06,0.95\n", 1)
    db.session.commit()
    problems = closable_problems()
    assert "1 exchange rate waits for a second MPTF officer: confirm or refuse it first." in problems
    assert "1 rates file waits for a second MPTF officer: confirm or refuse it first." in problems
    users["mptf_officer"].active = False
    db.session.commit()
    second = browser_of(app, "mptf_officer2")
    page = second.get(PAGE).get_data(as_text=True)
    assert "who proposed it, no longer has an active account: it can no longer be confirmed" in page
    assert f"{PAGE}/waiting/{proposal.id}/confirm" not in page
    answer = _answer(second, proposal.id, "confirm").get_data(as_text=True)
    assert "no longer has an active account" in answer and _table(db) == {}
    assert "Rate refused" in _answer(second, proposal.id, "refuse", reason="Left").get_data(as_text=True)
