"""A small fund with figures worked out by hand, for the dashboard tests.

Rows are inserted as the features' services leave them (deposits with their USD,
fee and net, commitments' running `deposited`, pools moved by pools.move()), so
that the dashboard can be checked against sums worked out on paper.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import sqlalchemy as sa

from trustfund.auth.models import User
from trustfund.contributions.models import (
    Commitment,
    Deposit,
    ExchangeRate,
    Instalment,
    InterestEntry,
    Objective,
    Pledge,
    Pool,
    PoolTransfer,
)
from trustfund.contributions.pools import move
from trustfund.donors.models import Donor, SaaStatusChange
from trustfund.extensions import db
from trustfund.money import split_deposit
from trustfund.travel.models import Delegate, Event, TravelGrant

FEE = D("0.01")


def pool(code: str) -> Pool:
    return db.session.scalar(sa.select(Pool).where(Pool.code == code))


def objective(number: int) -> Objective:
    return db.session.scalar(sa.select(Objective).where(Objective.number == number))


def add_donor(name: str, donor_type: str, status: str = "signed", country: str | None = None) -> Donor:
    signed = status in ("signed", "amended")
    donor = Donor(name=name, donor_type=donor_type, country_code=country, saa_status=status,
                  saa_signed_on=dt.date(2017, 4, 20) if signed else None,
                  saa_signatory_donor="Signatory" if signed else None,
                  saa_signatory_mptf="MPTF" if signed else None)
    db.session.add(donor)
    db.session.flush()
    db.session.add(SaaStatusChange(donor_id=donor.id, from_status="not_started", to_status=status,
                                   at=dt.datetime(2017, 5, 1, 9, 0)))
    return donor


def add_rate(currency: str, month: dt.date, rate: str) -> None:
    db.session.add(ExchangeRate(currency=currency, month=month, rate=D(rate)))


def add_pledge(donor, currency, amount, on, objective_id=None, withdrawn=False) -> Pledge:
    pledge = Pledge(donor_id=donor.id, currency=currency, amount=D(amount), pledged_on=on,
                    objective_id=objective_id,
                    withdrawn_at=dt.datetime(2017, 9, 1) if withdrawn else None)
    db.session.add(pledge)
    return pledge


def add_commitment(donor, currency, amount, on, objective_id=None, instalments=()) -> Commitment:
    commitment = Commitment(donor_id=donor.id, currency=currency, amount=D(amount), committed_on=on,
                            objective_id=objective_id, reference=f"C-{donor.id}-{currency}-{amount}")
    db.session.add(commitment)
    db.session.flush()
    for due_on, part in instalments:
        db.session.add(Instalment(commitment_id=commitment.id, due_on=due_on, amount=D(part)))
    return commitment


def add_deposit(commitment: Commitment, amount: str, rate: str, on: dt.date) -> Deposit:
    usd, fee, net = split_deposit(D(amount), D(rate), FEE)
    target = pool("UNEARMARKED") if commitment.objective_id is None else \
        db.session.scalar(sa.select(Pool).where(Pool.objective_id == commitment.objective_id))
    deposit = Deposit(commitment_id=commitment.id, donor_id=commitment.donor_id, pool_id=target.id,
                      value_date=on, currency=commitment.currency, amount=D(amount), rate=D(rate),
                      usd_amount=usd, fee_rate=FEE, fee=fee, net=net)
    db.session.add(deposit)
    commitment.deposited = commitment.deposited + D(amount)
    commitment.deposited_usd = commitment.deposited_usd + usd
    commitment.deposit_fees = commitment.deposit_fees + fee
    db.session.flush()
    move(target.id, deposits_usd=usd, fees=fee, deposits_net=net, available=net)
    return deposit


def add_grant(event, country, ldc, total, status, *, actual=None, pool_code="OBJ1", by=None, decider=None):
    delegate = Delegate(name=f"Delegate {country} {total}", country_code=country)
    db.session.add(delegate)
    db.session.flush()
    grant = TravelGrant(event_id=event.id, delegate_id=delegate.id, country_code=country, ldc=ldc,
                        travel_from=event.start_on, travel_to=event.end_on, origin_city="Capital",
                        airfare=D(total) - D("100.00"), dsa_days=0, dsa_rate=event.dsa_rate,
                        dsa_amount=D("0.00"), terminal_expenses=D("100.00"), total=D(total),
                        status=status, requested_by_id=by.id)
    if status in ("approved", "travelled", "no_show"):
        target = pool(pool_code)
        grant.pool_id = target.id
        grant.committed_amount = D(total)
        grant.decided_by_id = decider.id
        move(target.id, committed=D(total), available=-D(total))
        if status != "approved":
            grant.actual_total = D(actual)
            grant.reconciled_by_id = by.id
            grant.reconciled_at = dt.datetime(2017, 10, 1, 12, 0)
            move(target.id, committed=-D(total), spent=D(actual), available=D(total) - D(actual))
    db.session.add(grant)
    return grant


def build_fund() -> dict:
    """The fund of the tests; returns the objects and the figures expected."""
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    srsg, srsg2 = users["srsg@test.example"], users["srsg2@test.example"]
    sweden = db.session.scalar(sa.select(Donor).where(Donor.name == "Kingdom of Sweden"))
    foundation = add_donor("Test Foundation", "philanthropic_organization")
    parliament = add_donor("Test Parliament", "regional_legislative_body", "draft_shared")
    igo = add_donor("Test IGO", "intergovernmental_organization", "under_negotiation")
    obj1 = objective(1)

    add_rate("EUR", dt.date(2017, 5, 1), "0.941")
    add_rate("SEK", dt.date(2017, 6, 1), "8.7")
    add_pledge(sweden, "SEK", "10000000.00", dt.date(2017, 6, 10))  # USD 1,149,425.29
    add_pledge(foundation, "USD", "250000.00", dt.date(2017, 5, 2), obj1.id)
    add_pledge(parliament, "EUR", "50000.00", dt.date(2017, 7, 3))  # no EUR rate for July
    add_pledge(igo, "USD", "999.00", dt.date(2017, 5, 2), withdrawn=True)

    eur = add_commitment(sweden, "EUR", "1000000.00", dt.date(2017, 5, 20), instalments=[
        (dt.date(2017, 6, 1), "500000.00"), (dt.date(2017, 12, 1), "500000.00")])  # USD 1,062,699.26
    usd = add_commitment(foundation, "USD", "200000.00", dt.date(2017, 5, 10), obj1.id,
                         instalments=[(dt.date(2017, 6, 30), "200000.00")])
    add_deposit(eur, "400000.00", "0.941", dt.date(2017, 6, 5))  # 425,079.70 - 4,250.80 = 420,828.90
    add_deposit(usd, "200000.00", "1", dt.date(2017, 6, 20))  # 200,000.00 - 2,000.00 = 198,000.00

    unearmarked, obj2 = pool("UNEARMARKED"), pool("OBJ2")
    db.session.add(InterestEntry(pool_id=unearmarked.id, value_date=dt.date(2017, 12, 31),
                                 usd_amount=D("100.00")))
    move(unearmarked.id, interest=D("100.00"), available=D("100.00"))
    db.session.add(PoolTransfer(from_pool_id=unearmarked.id, to_pool_id=obj2.id, usd_amount=D("10000.00"),
                                transferred_on=dt.date(2018, 1, 5), reason="Preparations"))
    move(unearmarked.id, transfers_out=D("10000.00"), available=D("-10000.00"))
    move(obj2.id, transfers_in=D("10000.00"), available=D("10000.00"))

    geneva = Event(kind="thematic_session", title="Human rights", city="Geneva", start_on=dt.date(2017, 5, 8),
                   end_on=dt.date(2017, 5, 9), dsa_rate=D("300.00"))
    vienna = Event(kind="thematic_session", title="Smuggling", city="Vienna", start_on=dt.date(2017, 9, 4),
                   end_on=dt.date(2017, 9, 5), dsa_rate=D("250.00"))
    db.session.add_all([geneva, vienna])
    db.session.flush()
    add_grant(geneva, "AF", True, "2000.00", "approved", by=srsg, decider=srsg2)
    add_grant(geneva, "EG", False, "1500.00", "travelled", actual="1400.00", by=srsg, decider=srsg2)
    add_grant(geneva, "AF", True, "1800.00", "requested", by=srsg)
    add_grant(vienna, "EG", False, "1000.00", "rejected", by=srsg)
    add_grant(vienna, "NP", True, "900.00", "no_show", actual="300.00", by=srsg, decider=srsg2)
    db.session.commit()
    return {"sweden": sweden, "foundation": foundation, "parliament": parliament, "igo": igo,
            "geneva": geneva, "vienna": vienna}
