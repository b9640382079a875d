"""Builders for the statement and export tests (no tests here).

They write the rows the contributions and travel services write (deposit with its
USD, fee and net; reversal; reconciled grant; transfer) and keep each pool's
running figures consistent through contributions.pools.move(), so that the
ledger a statement reads is the one the services would leave.
"""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import sqlalchemy as sa

from trustfund.admin.models import FEE_RATE, Setting
from trustfund.contributions import pools
from trustfund.contributions.models import (
    Commitment,
    Deposit,
    Instalment,
    Objective,
    Pool,
    PoolTransfer,
)
from trustfund.donors.models import Donor
from trustfund.extensions import db
from trustfund.money import split_deposit
from trustfund.travel.models import Delegate, Event, TravelGrant

EVIL = '=HYPERLINK("http://example.org","x")'
_seq = itertools.count(1)


def D(text) -> Decimal:
    return Decimal(str(text))


def pool(code: str = "UNEARMARKED") -> Pool:
    return db.session.scalar(sa.select(Pool).where(Pool.code == code))


def objective(number: int) -> Objective:
    return db.session.scalar(sa.select(Objective).where(Objective.number == number))


def donor(name: str | None = None, *, signed: bool = True) -> Donor:
    n = next(_seq)
    donor = Donor(name=name or f"Donor {n}", donor_type="philanthropic_organization")
    if signed:
        donor.saa_status = "signed"
        donor.saa_signed_on = dt.date(2017, 4, 10)
        donor.saa_signatory_donor = "Signatory for the donor"
        donor.saa_signatory_mptf = "Executive Coordinator"
        donor.saa_reference = f"SAA-{n}"
    db.session.add(donor)
    db.session.flush()
    return donor


def commitment(donor: Donor, amount="1000000.00", currency: str = "USD", *, objective_number=None,
               committed_on=dt.date(2017, 4, 15), reference: str | None = None,
               instalments=()) -> Commitment:
    c = Commitment(donor_id=donor.id, currency=currency, amount=D(amount),
                   objective_id=objective(objective_number).id if objective_number else None,
                   committed_on=committed_on, reference=reference if reference is not None
                   else f"C-{next(_seq)}")
    db.session.add(c)
    db.session.flush()
    for due_on, part in instalments:
        db.session.add(Instalment(commitment_id=c.id, due_on=due_on, amount=D(part)))
    db.session.flush()
    return c


def deposit(c: Commitment, amount, *, rate="1", value_date=dt.date(2017, 5, 2),
            fee_rate="0.01", bank_reference: str = "") -> Deposit:
    """A deposit as record_deposit makes it: USD = amount ÷ rate, fee half-up,
    net to the pool of the commitment's earmark. A fee rate other than the one in
    force on the value date becomes the one in force (the scenario's fund charges it:
    `flask check` holds each deposit to the fee schedule)."""
    amount, rate, fee_rate = D(amount), D(rate), D(fee_rate)
    _fee_in_force(fee_rate, value_date)
    usd, fee, net = split_deposit(amount, rate, fee_rate)
    target = pools.pool_for_objective(c.objective_id)
    d = Deposit(commitment_id=c.id, donor_id=c.donor_id, pool_id=target.id, value_date=value_date,
                currency=c.currency, amount=amount, rate=rate, usd_amount=usd, fee_rate=fee_rate,
                fee=fee, net=net, bank_reference=bank_reference or f"BANK-{next(_seq)}")
    db.session.add(d)
    db.session.execute(sa.update(Commitment).where(Commitment.id == c.id)
                       .values(deposited=Commitment.deposited + amount,
                               deposited_usd=Commitment.deposited_usd + usd,
                               deposit_fees=Commitment.deposit_fees + fee))
    pools.move(target.id, deposits_usd=usd, fees=fee, deposits_net=net, available=net)
    db.session.flush()
    db.session.expire(c)
    return d


def _fee_in_force(fee_rate: Decimal, value_date: dt.date) -> None:
    in_force = db.session.scalar(
        sa.select(Setting).where(Setting.key == FEE_RATE, Setting.effective_from <= value_date)
        .order_by(Setting.effective_from.desc()))
    if in_force is None:
        db.session.add(Setting(key=FEE_RATE, value=str(fee_rate), effective_from=value_date))
    elif D(in_force.value) != fee_rate:
        in_force.value = str(fee_rate)
    db.session.flush()


def reverse(d: Deposit, *, on=dt.date(2017, 6, 1), reason: str = "Entered twice") -> Deposit:
    r = Deposit(commitment_id=d.commitment_id, donor_id=d.donor_id, pool_id=d.pool_id,
                value_date=on, currency=d.currency, amount=-d.amount, rate=d.rate,
                usd_amount=-d.usd_amount, fee_rate=d.fee_rate, fee=-d.fee, net=-d.net,
                bank_reference=d.bank_reference, reverses_id=d.id, reason=reason)
    db.session.add(r)
    d.reference_key = None  # a reversed deposit holds its bank reference no more
    db.session.execute(sa.update(Commitment).where(Commitment.id == d.commitment_id)
                       .values(deposited=Commitment.deposited - d.amount,
                               deposited_usd=Commitment.deposited_usd - d.usd_amount,
                               deposit_fees=Commitment.deposit_fees - d.fee))
    pools.move(d.pool_id, deposits_usd=-d.usd_amount, fees=-d.fee, deposits_net=-d.net,
               available=-d.net)
    db.session.flush()
    return r


def _event() -> Event:
    event = db.session.scalar(sa.select(Event).where(Event.title == "Statement test event"))
    if event is None:
        event = Event(kind="conference", title="Statement test event", city="Marrakech",
                      start_on=dt.date(2018, 12, 10), end_on=dt.date(2018, 12, 11),
                      dsa_rate=D("200.00"), max_per_country=100)
        db.session.add(event)
        db.session.flush()
    return event


def spend(p: Pool, actual, *, reconciled_on=dt.date(2017, 7, 1), status: str = "travelled",
          requested_by=None, decided_by=None) -> TravelGrant:
    """A grant approved from `p` and reconciled with actual cost `actual`: the pool's
    committed money becomes spent, as reconcile does."""
    from tests.factories import base_users

    users = base_users()
    actual = D(actual)
    delegate = Delegate(name=f"Delegate {next(_seq)}", country_code="NP")
    db.session.add(delegate)
    db.session.flush()
    grant = TravelGrant(
        event_id=_event().id, delegate_id=delegate.id, country_code="NP", ldc=True,
        travel_from=dt.date(2018, 12, 9), travel_to=dt.date(2018, 12, 12), origin_city="Kathmandu",
        airfare=actual, dsa_days=0, dsa_rate=D("0.00"), dsa_amount=D("0.00"),
        terminal_expenses=D("0.00"), total=actual if actual > 0 else D("0.01"), status=status,
        pool_id=p.id, committed_amount=D("0.00"), actual_ticket=actual, actual_dsa=D("0.00"),
        actual_terminal=D("0.00"), actual_total=actual,
        requested_by_id=(requested_by or users["srsg_staff"]).id,
        decided_by_id=(decided_by or users["srsg_staff2"]).id,
        decided_at=dt.datetime.combine(reconciled_on, dt.time(9)),
        reconciled_at=dt.datetime.combine(reconciled_on, dt.time(15, 30)))
    db.session.add(grant)
    pools.move(p.id, available=-actual, spent=actual)
    db.session.flush()
    return grant


def transfer(source: Pool, target: Pool, amount, *, on=dt.date(2017, 8, 1)) -> PoolTransfer:
    amount = D(amount)
    t = PoolTransfer(from_pool_id=source.id, to_pool_id=target.id, usd_amount=amount,
                     transferred_on=on, reason="Surplus of objective 1 to objective 2")
    db.session.add(t)
    pools.move_many([(source.id, {"available": -amount, "transfers_out": amount}),
                     (target.id, {"available": amount, "transfers_in": amount})])
    db.session.flush()
    return t


def interest(amount, *, on=dt.date(2017, 9, 30)):
    from trustfund.contributions.models import InterestEntry

    p = pool()
    db.session.add(InterestEntry(pool_id=p.id, value_date=on, usd_amount=D(amount), note="Q3"))
    pools.move(p.id, interest=D(amount), available=D(amount))
    db.session.flush()


def two_donor_fund():
    """Sweden (the base donor user's donor) and a donor named like a formula, each
    with commitments, deposits (one reversed) and a share of reconciled travel.
    Returns (sweden, evil)."""
    from trustfund import demo

    sweden = demo.demo_donor()
    evil = donor(EVIL)
    se_eur = commitment(sweden, "1500000.00", "EUR", reference="SE-2017-EUR", instalments=[
        (dt.date(2017, 6, 30), "1000000.00"), (dt.date(2018, 3, 31), "500000.00")])
    se_obj1 = commitment(sweden, "250000.00", "USD", objective_number=1, reference="SE-2017-OBJ1")
    deposit(se_eur, "1000000.00", rate="0.941", value_date=dt.date(2017, 5, 2),
            bank_reference="SE-BANK-1")
    wrong = deposit(se_obj1, "1000.00", value_date=dt.date(2017, 5, 20), bank_reference="SE-BANK-2")
    reverse(wrong, on=dt.date(2017, 5, 25), reason="Booked to the wrong commitment")
    deposit(se_obj1, "125000.00", value_date=dt.date(2017, 6, 1), bank_reference="SE-BANK-3")
    evil_jpy = commitment(evil, "77777777", "JPY", reference="=EVIL-REF", instalments=[
        (dt.date(2017, 5, 1), "77777777")])
    deposit(evil_jpy, "55555555", rate="112.9", value_date=dt.date(2017, 5, 10),
            bank_reference="@EVIL-BANK")
    deposit(commitment(evil, "444444.44", "USD", objective_number=1, reference="+EVIL-OBJ1"),
            "444444.44", value_date=dt.date(2017, 5, 11), bank_reference="-EVIL-BANK")
    spend(pool(), "123456.78", reconciled_on=dt.date(2017, 7, 3))
    spend(pool("OBJ1"), "98765.43", reconciled_on=dt.date(2017, 8, 3), status="no_show")
    db.session.commit()
    return sweden, evil


def recorded_deposit(reference: str, amount: str, bank_reference: str = "NEW-1") -> None:
    """A deposit of today on the commitment `reference`, recorded by the base officer
    through contributions.ledger.record_deposit (with its audit entry, so that every
    kept figure must change) and committed."""
    from tests.factories import base_users
    from trustfund.contributions.ledger import record_deposit

    commitment = db.session.scalar(sa.select(Commitment).where(Commitment.reference == reference))
    record_deposit(base_users()["mptf_officer"], commitment, value_date=dt.date.today(),
                   amount=amount, bank_reference=bank_reference)
    db.session.commit()


def commitment_to_write_off(users):
    """Norway's commitment of 11,000.00 with 10,000.00 deposited (1,000.00 outstanding),
    beside Sweden's 30,000.00 and 4,000.00 of reconciled travel, the fund's operations
    closed: what a write-off's tests propose to write off."""
    from trustfund import demo
    from trustfund.fund import services as fund_services
    from trustfund.fund.status import current_fund

    sweden, norway = demo.demo_donor(), donor("Norway (write-off)")
    deposit(commitment(sweden, "30000.00"), "30000.00", fee_rate="0")
    owed = commitment(norway, "11000.00")
    deposit(owed, "10000.00", fee_rate="0")
    spend(pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    return owed


def spent_in_a_closed_year(admin) -> tuple[Donor, Donor]:
    """(A, B): A gave 100,000.00 un-earmarked in 2017, all of it spent in 2017, and 2017
    is closed; B gave 100,000.00 un-earmarked in 2018, none of it spent yet. No fee, no
    interest: the pool holds B's money alone. Committed."""
    from trustfund.closure.years import close_year

    a, b = donor("A (spent in 2017)"), donor("B (gives in 2018)")
    deposit(commitment(a, "100000.00"), "100000.00", fee_rate="0", value_date=dt.date(2017, 5, 2))
    spend(pool(), "100000.00", reconciled_on=dt.date(2017, 7, 1))
    db.session.commit()
    close_year(admin, 2017, report_reference="Annual report 2017")
    db.session.commit()
    deposit(commitment(b, "100000.00", committed_on=dt.date(2018, 1, 2)), "100000.00", fee_rate="0",
            value_date=dt.date(2018, 2, 1))
    db.session.commit()
    return a, b


def reversed_pair(name: str, reference: str, kept_bank: str, wrong_bank: str):
    """A donor's commitment with a deposit kept and one reversed ("Booked twice"),
    committed: (donor, commitment, kept, wrong, reversal)."""
    d = donor(name)
    c = commitment(d, "5000.00", reference=reference)
    kept = deposit(c, "1000.00", bank_reference=kept_bank)
    wrong = deposit(c, "2000.00", bank_reference=wrong_bank)
    reversal = reverse(wrong, reason="Booked twice")
    db.session.commit()
    return d, c, kept, wrong, reversal


# 21:00 on 1 March 2026 in New York: 02:00 on 2 March in UTC, by which moments are stored.
NEW_YORK_EVENING = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def trip_recorded_in_new_york_evening(client, login_as, monkeypatch, users, name: str) -> Donor:
    """A donor `name`'s 200,000.00 and a trip's costs (2,200.00 of 2,300.00 committed)
    recorded through the page by an SRSG staff member in New York at NEW_YORK_EVENING
    (the clock set there); the donor."""
    from tests.factories import travel
    from tests.pages import post_and_confirm
    from trustfund import clock
    from trustfund.travel import decisions

    d = donor(name)
    deposit(commitment(d, "200000.00"), "200000.00", value_date=dt.date(2017, 5, 2))
    grant = travel.make_request(travel.make_event(cap=5), "SN", "Awa Ndiaye", airfare="1000.00")
    decisions.approve_grant(users["srsg_staff2"], grant, pool().id)
    users["srsg_staff"].timezone = "America/New_York"
    db.session.commit()
    monkeypatch.setattr(clock, "_now", lambda: NEW_YORK_EVENING)
    login_as(users["srsg_staff"])
    post_and_confirm(client, f"/travel/grants/{grant.id}/travelled",
                     data={"actual_ticket": "900.00", "actual_dsa": "1200.00", "actual_terminal": "100.00"})
    # Recorded now, 21:00 in New York (audit.utcnow is the real clock: the moment as stored).
    db.session.execute(sa.update(TravelGrant).values(reconciled_at=NEW_YORK_EVENING.replace(tzinfo=None)))
    db.session.commit()
    return d
