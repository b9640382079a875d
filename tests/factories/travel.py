"""Builders shared by the travel tests (no tests here).

Pools are funded the way the fund gets money: a commitment of the demo donor
(SAA signed) and a USD deposit through the contributions services, so that the
ledger checks of both features hold. A USD 10,000.00 deposit leaves USD 9,900.00
in the pool after the 1% fee.
"""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from functools import partial

import sqlalchemy as sa

from tests.factories import base_users
from tests.security.helpers import attempts
from trustfund.auth.models import User
from trustfund.contributions.models import Objective, Pool
from trustfund.contributions.pools import unearmarked_pool
from trustfund.donors.models import Donor
from trustfund.extensions import db
from trustfund.travel.decisions import objective1_pool
from trustfund.travel.models import TravelGrant
from trustfund.travel.services import request_grant, save_event

MAY_GENEVA = (dt.date(2017, 5, 8), dt.date(2017, 5, 9))
OCTOBER_GENEVA = (dt.date(2017, 10, 2), dt.date(2017, 10, 3))


def srsg():
    return base_users()["srsg_staff"]


def srsg2():
    return base_users()["srsg_staff2"]


def fund_pool(objective_number: int | None, gross: str | Decimal) -> Pool:
    """Deposit `gross` USD into the pool of that objective (None: un-earmarked);
    the pool receives gross less the 1% fee."""
    from trustfund.contributions.ledger import record_deposit
    from trustfund.contributions.services import record_commitment

    officer = base_users()["mptf_officer"]
    donor = db.session.scalar(sa.select(Donor).where(Donor.saa_status == "signed").limit(1))
    objective_id = None
    if objective_number is not None:
        objective_id = db.session.scalar(sa.select(Objective.id).where(Objective.number == objective_number))
    commitment = record_commitment(officer, donor, currency="USD", amount=Decimal(gross),
                                   objective_id=objective_id, committed_on=dt.date(2017, 4, 20))
    record_deposit(officer, commitment, value_date=dt.date(2017, 4, 25), amount=Decimal(gross), rate="1")
    db.session.commit()
    return objective1_pool() if objective_number == 1 else (
        unearmarked_pool() if objective_number is None else
        db.session.scalar(sa.select(Pool).where(Pool.objective_id == objective_id)))


def make_event(title="Thematic session, Geneva", dates=MAY_GENEVA, rate="400.00", cap=1,
               city="Geneva"):
    event = save_event(srsg(), None, kind="thematic_session", title=title, city=city,
                       venue="Palais des Nations", start_on=dates[0], end_on=dates[1],
                       dsa_rate=rate, max_per_country=cap)
    db.session.commit()
    return event


def make_request(event, country="SN", name=None, airfare="1000.00", by=None, commit=True, **kw):
    kw.setdefault("travel_from", event.start_on - dt.timedelta(days=1))
    kw.setdefault("travel_to", event.end_on + dt.timedelta(days=1))
    grant = request_grant(by or srsg(), event_id=event.id, delegate_name=name or f"Delegate of {country}",
                          country_code=country, origin_city="Capital", airfare=airfare, **kw)
    if commit:
        db.session.commit()
    return grant


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def decided_at_once(app, grant_ids: list[int], decider_id: int, decide, state: str) -> list[str]:
    """`decide(decider, grant)` for each grant in its own thread (tests.security.helpers.
    attempts), all released together once each has read its grant; what each thread
    saw: the grant's `state` (a column's name) after commit, or 'refused: <message>'."""
    barrier = threading.Barrier(len(grant_ids))

    def one(grant_id: int) -> str:
        grant = db.session.get(TravelGrant, grant_id)
        decider = db.session.get(User, decider_id)
        db.session.commit()  # end the read; the decision starts its own transaction
        barrier.wait(timeout=30)
        decide(decider, grant)
        db.session.commit()
        return getattr(grant, state)

    results = [each.outcome for each in attempts(app, [partial(one, gid) for gid in grant_ids])]
    db.session.expire_all()
    return results
