"""A waiting transfer dated its proposer's today can be confirmed by an admin west of
them (contributions.transfer_changes.confirm). At 08:00 on 5 March in Tokyo it is
still 4 March in New York: the value date the Tokyo admin proposed was not in the
future for them, and the New York admin confirming at once is not told it is. A date
after both admins' today stays refused."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import second_admin_confirms_transfer
from tests.factories.contributions import commitment, counts, deposit, pool, pool_figures
from tests.pages import error_beside, form_token, post_and_confirm, table_rows, text
from trustfund import clock
from trustfund.admin.models import PENDING
from trustfund.contributions.models import PoolTransfer, TransferProposal

D = Decimal
URL = "/contributions/pools/transfer"
WAITS = "waits for a second administrator to confirm it. Nothing has moved yet."
FUTURE = "The value date cannot be in the future."
REASON = "Objective 1 surplus to Objective 2"
# 08:00 on 5 March in Tokyo (UTC+9); 18:00 on 4 March in New York (UTC-5).
TOKYO_MORNING = dt.datetime(2026, 3, 4, 23, 0, tzinfo=dt.UTC)


@pytest.fixture
def tokyo_and_new_york(db, users, monkeypatch):
    """The clock at TOKYO_MORNING; the proposing admin in Tokyo, admin2 in New York.
    Objective 1's pool has USD 1,052,072.27 available, Objective 2's nothing."""
    monkeypatch.setattr(clock, "_now", lambda: TOKYO_MORNING)
    users["admin"].timezone, users["admin2"].timezone = "Asia/Tokyo", "America/New_York"
    obj1 = commitment("EUR", "1000000.00", objective_number=1)
    deposit(obj1, D("1000000.00"), rate=D("0.941"))
    commitment("USD", "1000.00", objective_number=2)
    db.session.commit()


def _propose(client, on: str):
    return post_and_confirm(client, URL, {
        "from_pool_id": str(pool("OBJ1").id), "to_pool_id": str(pool("OBJ2").id), "usd_amount": "52,072.27",
        "transferred_on": on, "reason": REASON, "form_token": form_token(client, URL)},
        follow_redirects=True)


def _waiting(db) -> list[TransferProposal]:
    db.session.expire_all()
    return db.session.scalars(sa.select(TransferProposal).where(TransferProposal.status == PENDING)).all()


def test_a_transfer_dated_the_tokyo_proposers_today_is_confirmed_by_an_admin_in_new_york(
        app, db, client, login_as, users, tokyo_and_new_york):
    login_as("admin")
    figures = pool_figures()
    assert WAITS in text(_propose(client, "2026-03-05"))
    assert pool_figures() == figures

    done = text(second_admin_confirms_transfer(app))
    assert FUTURE not in done
    assert "Transfer confirmed: USD 52,072.27 moved from" in done
    assert _waiting(db) == []
    assert pool("OBJ1").available == figures["OBJ1"]["available"] - D("52072.27")
    assert pool("OBJ2").available == D("52072.27") and pool("OBJ2").transfers_in == D("52072.27")
    assert db.session.scalars(sa.select(PoolTransfer.transferred_on)).all() == [dt.date(2026, 3, 5)]
    login_as("auditor")
    page = client.get("/contributions/pools/transfers").get_data(as_text=True)
    [shown] = table_rows(page, "transfers-made")
    assert shown[0] == "5 Mar 2026" and shown[3:] == ["52,072.27", REASON, "admin", "admin2"]


def test_a_transfer_dated_after_the_tokyo_proposers_today_cannot_be_proposed(
        app, db, client, login_as, users, tokyo_and_new_york):
    login_as("admin")
    before, figures = counts(), pool_figures()
    answer = _propose(client, "2026-03-06")
    assert answer.status_code == 200
    assert error_beside(answer.get_data(as_text=True), "transferred_on") == FUTURE
    assert counts() == before and pool_figures() == figures and _waiting(db) == []


def test_a_waiting_transfer_dated_after_both_admins_today_is_still_refused_at_the_confirmation(
        app, db, client, login_as, users, tokyo_and_new_york):
    """A transfer proposed before proposals kept their proposer's today (migration 0029)
    knows only its proposal's date in UTC, 4 March here: dated 5 March, it is after both
    that date and the New York admin's today, and still refused."""
    login_as("admin")
    _propose(client, "2026-03-05")
    [proposal] = _waiting(db)
    proposal.proposed_on = dt.date(2026, 3, 4)
    db.session.commit()
    before, figures = counts(), pool_figures()
    answer = text(second_admin_confirms_transfer(app))
    assert f"The transfer was not made, and it still waits: {FUTURE}" in answer
    assert counts() == before and pool_figures() == figures and len(_waiting(db)) == 1
