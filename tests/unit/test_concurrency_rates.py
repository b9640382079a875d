"""A month's UN rate waiting for a second MPTF officer, confirmed by two officers at once
and by one of them twice, from parallel threads each with its own application context,
session and database connection (as several gunicorn workers would), on SQLite and on
PostgreSQL: every confirmation has found it waiting before any decides; one guarded
UPDATE of its status lets one through, the rate is set once, and the others are told
it was already answered. Two officers proposing a rate for one month at once: one
waits (a partial unique index), the other is told so. And a rates file and a waiting
rate confirmed at once that both add the same month: one sets it, the other is told
it was set meanwhile (exchange_rate's unique currency and month), nothing else."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import base_users, make_user
from tests.security.helpers import Attempt, all_read_before_any_decides
from trustfund.auth.models import User
from trustfund.contributions import confirmed, rate_changes, rate_import
from trustfund.contributions.models import ExchangeRate, RateImport, RateProposal

MAY = dt.date(2018, 5, 1)
ALREADY = "refused: This rate was already confirmed, refused or withdrawn: nothing was done."


def test_two_officers_confirming_one_rate_at_once_set_it_once(app, db, monkeypatch):
    users = base_users()
    officer3_id = make_user("mptf_officer", "officer3@test.example").id
    proposal_id = rate_changes.propose(users["mptf_officer"], "EUR", MAY, "0.941", adding=True).id
    db.session.commit()
    deciders = [users["mptf_officer2"].id, officer3_id, users["mptf_officer2"].id]
    all_read_before_any_decides(monkeypatch, len(deciders))

    def confirm_as(user_id):
        def work():
            rate = rate_changes.confirm(db.session.get(User, user_id), proposal_id)
            db.session.commit()
            return f"set {rate.rate}"
        return work

    started = [Attempt(app, confirm_as(user_id)).start() for user_id in deciders]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert sorted(outcomes) == sorted(["set 0.941", ALREADY, ALREADY]), outcomes
    db.session.expire_all()
    assert db.session.scalars(sa.select(ExchangeRate.rate)).all() == [Decimal("0.941")]
    assert db.session.get(RateProposal, proposal_id).status == "confirmed"


def test_two_officers_proposing_a_rate_for_one_month_at_once_leave_one_waiting(app, db):
    users = base_users()

    def propose_as(user_id, rate):
        def work():
            proposal = rate_changes.propose(db.session.get(User, user_id), "EUR", MAY, rate, adding=True)
            db.session.commit()
            return f"waits {proposal.id}"
        return work

    started = [Attempt(app, propose_as(users[who].id, rate)).start()
               for who, rate in (("mptf_officer", "0.941"), ("mptf_officer2", "0.914"))]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert len([o for o in outcomes if o.startswith("waits ")]) == 1, outcomes
    assert [o for o in outcomes if not o.startswith("waits ")] == [
        "refused: A rate for EUR in May 2018 already waits for a second MPTF officer: it must be "
        "confirmed, refused or withdrawn first."], outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RateProposal)) == 1


def _a_file_and_a_rate_waiting_for_may(db):
    """A rates file with EUR May 2018 at 0.941 and a rate adding May at 0.943, each
    waiting for a second MPTF officer: (the third officer's id, the file's id, the
    rate's id, a function confirming the file as mptf_officer2, its outcome in words)."""
    users = base_users()
    officer3_id = make_user("mptf_officer", "officer3@test.example").id
    content = b"currency,month,rate\nEUR,2018-05,0.941\n"
    upload = rate_import.keep_rate_upload(users["mptf_officer"], "rates.csv", content, rows=1)
    seen = rate_import.rates_seen(rate_import.plan_rates(content, "rates.csv"))
    proposal_id = rate_changes.propose(users["mptf_officer"], "EUR", MAY, "0.943", adding=True).id
    db.session.commit()
    upload_id, officer2_id = upload.id, users["mptf_officer2"].id

    def confirm_file():
        plan = rate_import.confirm_rate_upload(db.session.get(User, officer2_id),
                                               db.session.get(RateImport, upload_id), seen)
        db.session.commit()
        return f"file {len(plan.new)}"

    return officer3_id, upload_id, proposal_id, confirm_file


def test_a_rates_file_and_a_rate_adding_one_month_at_once_set_it_once(app, db, monkeypatch):
    officer3_id, upload_id, proposal_id, confirm_file = _a_file_and_a_rate_waiting_for_may(db)
    checks = []
    if db.engine.dialect.name != "sqlite":
        # Both find May without a rate before either adds it. (SQLite takes one writer
        # at a time from the guarded UPDATE on, so the second checks after the first.)
        both_checked = threading.Barrier(2, timeout=30)
        real_checked_rate = confirmed.checked_rate

        def check_then_wait(*args, **kwargs):
            change = real_checked_rate(*args, **kwargs)
            checks.append(change)
            both_checked.wait()
            return change

        # The check set_rate makes as it writes (confirmed.set_rate, called by both).
        monkeypatch.setattr(confirmed, "checked_rate", check_then_wait)

    def confirm_rate():
        rate = rate_changes.confirm(db.session.get(User, officer3_id), proposal_id)
        db.session.commit()
        return f"rate {rate.rate}"

    started = [Attempt(app, work).start() for work in (confirm_file, confirm_rate)]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    if db.engine.dialect.name != "sqlite":
        assert len(checks) == 2, outcomes  # the race was forced: both checked before either wrote
    assert len([o for o in outcomes if o in ("file 1", "rate 0.943")]) == 1, outcomes
    refused = [o for o in outcomes if o.startswith("refused: ")]
    assert len(refused) == 1, outcomes
    assert any(words in refused[0] for words in (
        "The UN rate of EUR for May 2018 was set meanwhile by another MPTF officer: nothing was changed.",
        "The rates on file changed since this preview", "May 2018 already has a EUR rate")), outcomes
    db.session.expire_all()
    assert db.session.scalars(sa.select(ExchangeRate.rate)).all() == (
        [Decimal("0.941")] if "file 1" in outcomes else [Decimal("0.943")])
    # The one refused still waits, to be refused or withdrawn by its officers.
    file_posted = db.session.get(RateImport, upload_id).posted_at is not None
    proposal_status = db.session.get(RateProposal, proposal_id).status
    assert (file_posted, proposal_status) in ((True, "pending"), (False, "confirmed")), outcomes


def test_a_rate_confirmed_after_a_rates_files_own_read_is_not_overwritten_by_the_file(app, db, monkeypatch):
    """A rates file's confirmation reads the table (its plan), a colleague's waiting rate
    for the same month is confirmed and committed, then the file writes: it finds May's
    rate is no longer what it read, imports nothing and says the rates changed; the
    colleague's rate stands. (Before, the file corrected it to its own unseen, as its
    own: CI found the interleaving.) PostgreSQL only: on SQLite the file's first write
    takes the database's one write lock, so the colleague's confirmation waits for it."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: one writer at a time from the file's guarded UPDATE on, so no colleague "
                    "commits between the file's read and its write")
    officer3_id, upload_id, proposal_id, confirm_file = _a_file_and_a_rate_waiting_for_may(db)
    planned, committed = threading.Event(), threading.Event()
    real_plan = rate_import.plan_rates

    def plan_then_let_the_colleague_commit(*args, **kwargs):
        plan = real_plan(*args, **kwargs)
        planned.set()
        assert committed.wait(timeout=30)
        return plan

    monkeypatch.setattr(rate_import, "plan_rates", plan_then_let_the_colleague_commit)

    def confirm_rate():
        try:
            assert planned.wait(timeout=30)
            rate = rate_changes.confirm(db.session.get(User, officer3_id), proposal_id)
            db.session.commit()
            return f"rate {rate.rate}"
        finally:
            committed.set()

    started = [Attempt(app, work).start() for work in (confirm_file, confirm_rate)]
    outcomes = [attempt.join(timeout=60) for attempt in started]
    assert outcomes[1] == "rate 0.943", outcomes
    assert outcomes[0].startswith("refused: The rates on file changed since this preview"), outcomes
    db.session.expire_all()
    assert db.session.scalars(sa.select(ExchangeRate.rate)).all() == [Decimal("0.943")]
    assert db.session.get(RateImport, upload_id).posted_at is None  # it still waits, nothing imported
