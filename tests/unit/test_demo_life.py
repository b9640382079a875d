"""The demo's fund (issue 18): `flask seed-demo` runs it to its operational closure,
31 December 2018, with 2017 closed; `close-fund --dry-run` then shows the refunds its
financial closure would make, each pool's parts adding up to its balance; the ledger
check passes, and a second run adds nothing."""
from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa

from trustfund.auth.models import User
from trustfund.contributions.models import (
    Deposit,
    DepositReversalProposal,
    ExchangeRate,
    InterestEntry,
    InterestProposal,
    PoolTransfer,
    RateImport,
    TransferProposal,
)
from trustfund.fund.entries import WAITING, FundEntry, FundEntryProposal
from trustfund.fund.models import AccountingYear
from trustfund.fund.status import current_fund, effective_status
from trustfund.reference import FUND_END
from trustfund.waiting import waiting_for_you

PART = r"^  (?!total refunded)[^\n]+?: USD\s([\d,]+\.\d\d)"  # a donor's line, not the total


def _usd(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_the_demo_runs_the_fund_to_its_operational_closure(app, db, runner):
    current_fund().end_on = FUND_END  # the real fund's end date (the tests' fund runs longer)
    db.session.commit()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "The demo fund is operationally closed" in result.output
    assert effective_status(current_fund()) == "operationally_closed"
    assert list(db.session.scalars(sa.select(AccountingYear.year))) == [2017]
    # Two costs recorded (proposed by officer@, confirmed by officer2@); the bank
    # charges wait for officer2@ (closure.entry_proposals).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundEntry)) == 2
    [waiting] = db.session.scalars(sa.select(FundEntryProposal)
                                   .where(FundEntryProposal.status == WAITING)).all()
    assert (waiting.kind, waiting.usd_amount) == ("bank_charge", Decimal("312.40"))
    # What waits, as the second admin's and the second officer's dashboards say it.
    with app.test_request_context():
        said = {email: [w.text for w in waiting_for_you(
            db.session.scalar(sa.select(User).where(User.email == email))).mine_to_answer]
            for email in ("admin2@trustfund.demo", "officer2@trustfund.demo", "officer@trustfund.demo",
                          "srsg2@trustfund.demo")}
    assert said == {
        "admin2@trustfund.demo": ["1 transfer between pools waits for you to confirm or refuse it.",
                                  "1 new value of a setting waits for you to confirm or refuse it."],
        "officer2@trustfund.demo": [
            "1 entry of the fund (or its reversal) waits for you to confirm or refuse it."],
        "officer@trustfund.demo": [],
        "srsg2@trustfund.demo": ["1 correction of a trip's costs waits for you to confirm or refuse it."]}
    # Nobody alone moved the demo's money: each deposit's reversal, interest entry and
    # transfer between pools was proposed by one person and confirmed by another (the
    # Transfers page and the audit trail name both; before, the demo recorded its
    # transfer and its reversal on one person's word).
    for entry_model, proposal_model, link in (
            (Deposit, DepositReversalProposal, DepositReversalProposal.reversal_id),
            (InterestEntry, InterestProposal, InterestProposal.entry_id),
            (PoolTransfer, TransferProposal, TransferProposal.transfer_id)):
        entries = db.session.scalars(sa.select(entry_model.id).where(
            entry_model.reverses_id.is_not(None) if entry_model is Deposit else sa.true())).all()
        assert entries, entry_model
        answered = db.session.execute(
            sa.select(link, proposal_model.proposed_by_id, proposal_model.decided_by_id)
            .where(link.in_(entries), proposal_model.status == "confirmed")).all()
        assert sorted(row[0] for row in answered) == sorted(entries), entry_model
        assert all(proposer != confirmer for _, proposer, confirmer in answered), entry_model
    # The months' UN rates came in one rates file, uploaded by officer@ and imported when
    # officer2@ confirmed it.
    officers = {u.email: u.id for u in db.session.scalars(sa.select(User).where(User.role == "mptf_officer"))}
    [upload] = db.session.scalars(sa.select(RateImport)).all()
    assert upload.created_by_id == officers["officer@trustfund.demo"] and upload.posted_at is not None
    setters = set(db.session.scalars(sa.select(ExchangeRate.created_by_id)))
    assert setters == {officers["officer2@trustfund.demo"]}
    check = runner.invoke(args=["check"])
    assert check.exit_code == 0, check.output

    dry = runner.invoke(args=["close-fund", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    balances = [_usd(b) for b in re.findall(r"unspent balance USD\s([\d,]+\.\d\d)", dry.output)]
    totals = [_usd(t) for t in re.findall(r"total refunded: USD\s([\d,]+\.\d\d)", dry.output)]
    assert len(balances) >= 2 and balances == totals
    pools = dry.output.split("unspent balance")[1:]
    for pool, balance in zip(pools, balances, strict=True):
        parts = [_usd(p) for p in re.findall(PART, pool, flags=re.M)]
        assert sum(parts) == balance
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundEntry)) == 2  # nothing written

    counted = (FundEntry, PoolTransfer, TransferProposal, DepositReversalProposal, RateImport, ExchangeRate,
               InterestEntry)
    before = [db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in counted]
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "Demo data already present; nothing added." in again.output
    assert [db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in counted] == before
    assert before[:3] == [2, 1, 2]  # the fund's entries; one transfer made, two proposed (one waits)
    assert runner.invoke(args=["check"]).exit_code == 0
