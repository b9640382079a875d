"""A year is not closed while a change dated in it waits for a second person
(closure.years.waiting_in), also when the change is proposed while the year is being
closed: the count is read again once close_year holds the fund's row. Read only
before, interest dated in the year, proposed and committed between that count and the
claim, was left waiting in a closed year, never to be confirmed (a colleague's review
of the session's diff). From parallel threads, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from tests.factories import base_users
from tests.factories import statements as data
from tests.security.helpers import Attempt
from trustfund.auth.models import User
from trustfund.closure import years
from trustfund.contributions import interest_changes
from trustfund.contributions.models import InterestProposal
from trustfund.fund.models import AccountingYear


def test_interest_proposed_while_the_year_is_being_closed_is_not_left_waiting(app, db, monkeypatch):
    users = base_users()
    c = data.commitment(data.donor("Alpha"), "100000.00")
    data.deposit(c, "100000.00", value_date=dt.date(2017, 5, 2))
    db.session.commit()
    admin_id, officer_id = users["admin"].id, users["mptf_officer"].id

    counted = threading.Event()
    holder = {}
    real = years.waiting_in

    def count_then_let_the_officer_propose(year):
        found = real(year)
        counted.set()
        holder["proposal"].done.wait(timeout=10)
        return found

    monkeypatch.setattr(years, "waiting_in", count_then_let_the_officer_propose)

    def close():
        years.close_year(db.session.get(User, admin_id), 2017, report_reference="Annual report 2017")
        db.session.commit()
        return "closed"

    def propose():
        counted.wait(timeout=10)
        interest_changes.propose(db.session.get(User, officer_id), value_date=dt.date(2017, 12, 31),
                                 usd_amount="812.40", note="Interest Q4 2017")
        db.session.commit()
        return "proposed"

    holder["proposal"] = proposal = Attempt(app, propose)
    closing = Attempt(app, close)
    proposal.start()
    closing.start()
    outcomes = [closing.join(timeout=30), proposal.join(timeout=30)]
    db.session.expire_all()
    closed = db.session.scalar(sa.select(AccountingYear.year).where(AccountingYear.year == 2017))
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(InterestProposal).where(
        InterestProposal.status == "pending"))
    # One of the two must be refused: never a closed 2017 with its interest still waiting.
    assert not (closed and waiting), outcomes
