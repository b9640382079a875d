"""Concurrency of the ledger through the real services, on PostgreSQL and SQLite.

Several workers (threads, each with its own app context, session and connection,
as gunicorn workers would have) run a random mix of deposits, reversals, approvals,
reconciliations (travelled, no-show, cancelled) and transfers between pools on the
same few commitments, pools and events, committing after each operation and rolling
back on a refusal
(a DomainError: pool short, deposit already reversed, grant already decided...).
Afterwards every invariant that `flask --app trustfund check` verifies holds
(run_checks() is empty), no pool figure is below zero, no commitment holds more
deposits than it commits, no deposit is reversed twice, and every operation that
succeeded left exactly its entry and its audit record; none failed otherwise (a
deadlock or "database is locked" would be a 500 for a user).

8 workers x 200 operations on each database (SQLite, one writer at a time with WAL
and a busy timeout, takes under ten seconds; PostgreSQL about fifteen).
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import base_users
from tests.security.helpers import Parallel
from trustfund.auth.models import User
from trustfund.contributions import confirmed
from trustfund.contributions import services as money
from trustfund.contributions.models import Commitment, Deposit, Pool
from trustfund.donors.models import Donor
from trustfund.errors import DomainError
from trustfund.extensions import db
from trustfund.ledger_check import run_checks
from trustfund.travel import decisions, reconcile
from trustfund.travel.models import APPROVED, REQUESTED, WAITLISTED, TravelGrant
from trustfund.travel.services import request_grant, save_event

COUNTRIES = ["SN", "ML", "NE", "ET", "KH", "MM", "BD", "NP", "HT", "UG", "MW", "TZ", "PE", "BO"]
OPERATIONS = ["deposit"] * 7 + ["reverse"] * 3 + ["approve"] * 6 + ["reconcile"] * 4 + ["transfer"]
VALUE_DATE = dt.date(2017, 6, 15)


def _setup(grants: int) -> dict:
    """A signed donor with USD and EUR commitments (earmarked and not), four events
    and `grants` requested grants, entered by one SRSG colleague for the other to decide."""
    users = base_users()
    officer, srsg = users["mptf_officer"], users["srsg_staff"]
    donor = db.session.scalar(sa.select(Donor).where(Donor.saa_status == "signed").limit(1))
    confirmed.set_rate(officer, "EUR", VALUE_DATE, "0.9")
    objective1 = db.session.scalar(sa.text("SELECT id FROM objective WHERE number = 1"))
    commitments = [money.record_commitment(officer, donor, currency=currency, amount=Decimal(amount),
                                           objective_id=objective, committed_on=dt.date(2017, 5, 1)).id
                   for currency, amount, objective in (("USD", "1500000.00", None),
                                                       ("USD", "1000000.00", objective1),
                                                       ("EUR", "800000.00", None))]
    events = [save_event(srsg, None, kind="thematic_session", title=f"Session {i}", city="Geneva",
                         venue="", start_on=dt.date(2017, 6, 5 + 3 * i), end_on=dt.date(2017, 6, 6 + 3 * i),
                         dsa_rate="250.00", max_per_country=8) for i in range(4)]
    db.session.flush()
    for n in range(grants):
        event = events[n % len(events)]
        request_grant(srsg, event_id=event.id, delegate_name=f"Delegate {n}",
                      country_code=COUNTRIES[n % len(COUNTRIES)],
                      travel_from=event.start_on - dt.timedelta(days=1), travel_to=event.end_on,
                      origin_city="Dakar", airfare=f"{900 + (n * 37) % 700}.00")
    db.session.commit()
    return {"officer": officer.id, "srsg": srsg.id, "approver": users["srsg_staff2"].id,
            "admin": users["admin"].id, "commitments": commitments}


def _work(setup: dict):
    def deposit(rng, actor):
        commitment = db.session.get(Commitment, rng.choice(setup["commitments"]))
        amount = Decimal(rng.randrange(50_00, 8000_00)) / 100
        money.record_deposit(actor("officer"), commitment, value_date=VALUE_DATE, amount=amount,
                             bank_reference=f"REF-{rng.random():.8f}")

    def reverse(rng, actor):
        ids = db.session.scalars(sa.select(Deposit.id).where(Deposit.reverses_id.is_(None))).all()
        if not ids:
            raise DomainError("no deposit yet")
        confirmed.reverse_deposit(actor("officer"), db.session.get(Deposit, rng.choice(ids)), "Bank recall")

    def approve(rng, actor):
        ids = db.session.scalars(sa.select(TravelGrant.id).where(
            TravelGrant.status.in_((REQUESTED, WAITLISTED))).limit(40)).all()
        if not ids:
            raise DomainError("nothing to decide")
        pool_id = rng.choice([None, None, *setup["pools"]])
        grant = decisions.approve_grant(actor("approver"), db.session.get(TravelGrant, rng.choice(ids)),
                                        pool_id)
        return grant.status

    def close(rng, actor):
        ids = db.session.scalars(sa.select(TravelGrant.id).where(TravelGrant.status == APPROVED)).all()
        if not ids:
            raise DomainError("nothing approved yet")
        grant = db.session.get(TravelGrant, rng.choice(ids))
        way = rng.choice(["travelled", "travelled", "no_show", "cancel"])
        if way == "cancel":
            reconcile.cancel_grant(actor("srsg"), grant, "Visa refused")
            return way
        ticket = (grant.airfare * Decimal(rng.choice(["0.8", "1", "1.25"]))).quantize(Decimal("0.01"))
        if way == "travelled":
            reconcile.record_travel(actor("srsg"), grant, ticket=ticket, dsa=grant.dsa_amount,
                                    terminal=grant.terminal_expenses)
        else:
            reconcile.record_no_show(actor("srsg"), grant, ticket=ticket, dsa="0", terminal="0",
                                     reason="Did not come")
        return way

    def transfer(rng, actor):
        source, target = rng.sample(setup["pools"], 2)
        confirmed.transfer(actor("admin"), source, target, Decimal(rng.randrange(10_00, 3000_00)) / 100,
                       "Surplus moved", VALUE_DATE)

    handlers = {"deposit": deposit, "reverse": reverse, "approve": approve, "reconcile": close,
                "transfer": transfer}

    def work(worker: int, step: int):
        rng = random.Random(worker * 100_003 + step)
        operation = rng.choice(OPERATIONS)

        def actor(key):
            return db.session.get(User, setup[key])

        outcome = handlers[operation](rng, actor) or operation
        db.session.commit()
        return outcome

    return work


def _assert_ledger_whole(run: Parallel) -> None:
    db.session.expire_all()
    assert run_checks() == []
    for pool in db.session.scalars(sa.select(Pool)):
        for figure in ("available", "committed", "spent", "transfers_in", "transfers_out"):
            assert getattr(pool, figure) >= 0, (pool.code, figure, getattr(pool, figure))
    for commitment in db.session.scalars(sa.select(Commitment)):
        total = sum((d.amount for d in commitment.deposits), Decimal(0))
        assert commitment.deposited == total and 0 <= total <= commitment.amount, commitment.id
    twice = db.session.execute(sa.select(Deposit.reverses_id).where(Deposit.reverses_id.is_not(None))
                               .group_by(Deposit.reverses_id).having(sa.func.count() > 1)).all()
    assert twice == []
    # Each success left its entry and its audit record; each refusal left nothing.
    done = Counter(outcome for _w, _s, outcome in run.results)
    audit = dict(db.session.execute(sa.text(
        "SELECT action, count(*) FROM audit_entry GROUP BY action")).all())
    deposits = db.session.scalar(sa.select(sa.func.count()).where(Deposit.reverses_id.is_(None)))
    reversals = db.session.scalar(sa.select(sa.func.count()).where(Deposit.reverses_id.is_not(None)))
    assert (deposits, reversals) == (done["deposit"], done["reverse"])
    assert audit.get("deposit.create", 0) == done["deposit"]
    assert audit.get("deposit.reverse", 0) == done["reverse"]
    assert audit.get("grant.approve", 0) == done["approved"]
    assert audit.get("grant.travelled", 0) == done["travelled"]
    assert audit.get("grant.no_show", 0) == done["no_show"]
    assert audit.get("grant.cancel", 0) == done["cancel"]
    assert audit.get("pool.transfer", 0) == done["transfer"]


def test_parallel_deposits_reversals_approvals_and_reconciliations(app, db):
    workers, steps = 8, 200
    setup = _setup(grants=workers * steps // 3)
    setup["pools"] = db.session.scalars(sa.select(Pool.id)).all()
    run = Parallel(app, workers, steps, _work(setup), expected=(DomainError,)).run(timeout=900)
    assert run.errors == [], [f"worker {w} step {s}: {e!r}" for w, s, e in run.errors[:5]]
    assert len(run.results) + len(run.refused) == workers * steps
    outcomes = Counter(outcome for _w, _s, outcome in run.results)
    # The mix really ran: money came in and went out, grants were decided and closed.
    for outcome in ("deposit", "reverse", "approved", "travelled", "transfer"):
        assert outcomes[outcome] > 0, outcomes
    assert run.refused, "no operation was ever refused: the pools never ran short"
    _assert_ledger_whole(run)
