"""The scale data generator (trustfund/demo/scale/): a small fund of the same shape
as `seed-demo --scale 100`, on SQLite and PostgreSQL, consistent to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from trustfund.contributions.models import (
    Commitment,
    Deposit,
    ExchangeRate,
    InterestEntry,
    Pool,
    PoolTransfer,
)
from trustfund.demo.scale import MARKER, SCALE_DONOR_EMAIL, Sizes, generate
from trustfund.donors.models import Donor
from trustfund.money import split_deposit
from trustfund.travel.models import Delegate, Event, TravelGrant

SMALL = Sizes(
    donors=40,
    deposits=600,
    grants=300,
    events=4,
    delegates=60,
    big_donor_deposits=80,
    interest_entries=12,
    pledges=10,
    transfers=2,
)
TODAY = dt.date(2026, 6, 30)


def count(model, *where) -> int:
    from trustfund.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def total(column, *where) -> Decimal:
    from trustfund.extensions import db

    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(column), 0)).where(*where))


def expected_pool(pool_id: int) -> dict[str, Decimal]:
    """A pool's figures recomputed from the entries."""
    figures = {
        "deposits_usd": total(Deposit.usd_amount, Deposit.pool_id == pool_id),
        "fees": total(Deposit.fee, Deposit.pool_id == pool_id),
        "deposits_net": total(Deposit.net, Deposit.pool_id == pool_id),
        "interest": total(InterestEntry.usd_amount, InterestEntry.pool_id == pool_id),
        "transfers_in": total(PoolTransfer.usd_amount, PoolTransfer.to_pool_id == pool_id),
        "transfers_out": total(PoolTransfer.usd_amount, PoolTransfer.from_pool_id == pool_id),
        "committed": total(
            TravelGrant.committed_amount,
            TravelGrant.pool_id == pool_id,
            TravelGrant.status == "approved",
        ),
        "spent": total(
            TravelGrant.actual_total,
            TravelGrant.pool_id == pool_id,
            TravelGrant.status.in_(("travelled", "no_show")),
        ),
    }
    figures = {k: Decimal(v).quantize(Decimal("0.01")) for k, v in figures.items()}
    figures["available"] = (
        figures["deposits_net"]
        + figures["interest"]
        + figures["transfers_in"]
        - figures["transfers_out"]
        - figures["committed"]
        - figures["spent"]
    )
    return figures


def test_scale_data_is_consistent_to_the_cent(db):
    report = generate(2, sizes=SMALL, seed=7, today=TODAY)
    db.session.commit()
    assert report.added

    # Counts as asked, the four donor types, Member States with a country.
    assert count(Donor, Donor.name.like(MARKER + "%")) == 40
    types = set(
        db.session.scalars(sa.select(Donor.donor_type).where(Donor.name.like(MARKER + "%")))
    )
    assert types == {
        "member_state",
        "intergovernmental_organization",
        "regional_legislative_body",
        "philanthropic_organization",
    }
    assert count(Donor, Donor.donor_type == "member_state", Donor.country_code.is_(None)) == 0
    assert count(Deposit) == 600
    assert count(Deposit, Deposit.reverses_id.isnot(None)) == 1
    assert count(TravelGrant) == 300
    assert count(Event) == 4 and count(Delegate) == 60
    assert len(set(db.session.scalars(sa.select(Deposit.currency)))) >= 4
    assert count(ExchangeRate) > 0

    # Every deposit's USD, fee and net are what money.split_deposit gives.
    for amount, rate, fee_rate, usd, fee, net in db.session.execute(
        sa.select(
            Deposit.amount,
            Deposit.rate,
            Deposit.fee_rate,
            Deposit.usd_amount,
            Deposit.fee,
            Deposit.net,
        )
    ):
        assert (usd, fee, net) == split_deposit(amount, rate, fee_rate)
    # The rate is the month's UN rate.
    rates = {
        (c, m): r
        for c, m, r in db.session.execute(
            sa.select(ExchangeRate.currency, ExchangeRate.month, ExchangeRate.rate)
        )
    }
    for currency, on, rate in db.session.execute(
        sa.select(Deposit.currency, Deposit.value_date, Deposit.rate)
    ):
        assert rate == (Decimal(1) if currency == "USD" else rates[(currency, on.replace(day=1))])
        assert on <= TODAY

    # Commitments: deposited is the sum of their deposits and never above the amount.
    sums = dict(
        db.session.execute(
            sa.select(Deposit.commitment_id, sa.func.sum(Deposit.amount)).group_by(
                Deposit.commitment_id
            )
        ).all()
    )
    for commitment in db.session.scalars(sa.select(Commitment)):
        assert commitment.deposited == Decimal(sums.get(commitment.id, 0))
        assert commitment.deposited <= commitment.amount

    # Pools equal what the entries say, and none is below zero.
    for pool in db.session.scalars(sa.select(Pool)):
        figures = expected_pool(pool.id)
        assert {name: getattr(pool, name) for name in figures} == figures, pool.code
        assert pool.available >= 0

    # Grants: four eyes, eligible countries, per-country caps, the big donor's deposits.
    assert count(TravelGrant, TravelGrant.decided_by_id == TravelGrant.requested_by_id) == 0
    statuses = set(db.session.scalars(sa.select(TravelGrant.status)))
    assert {"requested", "approved", "travelled", "rejected"} <= statuses
    caps = db.session.execute(
        sa.select(
            TravelGrant.event_id, TravelGrant.country_code, sa.func.count(), Event.max_per_country
        )
        .join(Event)
        .where(TravelGrant.status.in_(("approved", "travelled", "no_show")))
        .group_by(TravelGrant.event_id, TravelGrant.country_code, Event.max_per_country)
    ).all()
    assert caps and all(n <= cap for _e, _c, n, cap in caps)
    big = db.session.scalar(sa.select(Donor).where(Donor.name.like(MARKER + "00000%")))
    assert count(Deposit, Deposit.donor_id == big.id) >= 80

    from trustfund.auth.models import User

    scale_donor = db.session.scalar(sa.select(User).where(User.email == SCALE_DONOR_EMAIL))
    assert scale_donor.role == "donor" and scale_donor.donor_id == big.id

    from trustfund.ledger_check import run_checks

    assert run_checks() == []


def test_a_second_run_adds_nothing(db):
    generate(2, sizes=SMALL, seed=7, today=TODAY)
    db.session.commit()
    before = (count(Donor), count(Deposit), count(TravelGrant))
    pools_before = [p.available for p in db.session.scalars(sa.select(Pool).order_by(Pool.id))]
    report = generate(2, sizes=SMALL, seed=8, today=TODAY)
    db.session.commit()
    assert not report.added and "already present" in report.message
    assert (count(Donor), count(Deposit), count(TravelGrant)) == before
    assert [
        p.available for p in db.session.scalars(sa.select(Pool).order_by(Pool.id))
    ] == pools_before


def test_new_rows_after_the_scale_data_get_fresh_ids(db):
    """Ids given by the generator move PostgreSQL's sequences on, so the app's
    own inserts do not collide with them."""
    generate(2, sizes=SMALL, seed=7, today=TODAY)
    db.session.commit()
    donor = Donor(name="Added after the scale data", donor_type="philanthropic_organization")
    db.session.add(donor)
    db.session.commit()
    assert donor.id > db.session.scalar(
        sa.select(sa.func.max(Donor.id)).where(Donor.id != donor.id)
    )


def test_seed_demo_scale_command(runner, db):
    result = runner.invoke(args=["seed-demo", "--scale", "2"])
    assert result.exit_code == 0, result.output
    assert "Scale data added (N=2)" in result.output
    assert count(Donor, Donor.name.like(MARKER + "%")) == 100
    assert count(Deposit) >= 2000 and count(TravelGrant) >= 1000
    again = runner.invoke(args=["seed-demo", "--scale", "2"])
    assert "Scale data already present; nothing added." in again.output
    assert count(Donor, Donor.name.like(MARKER + "%")) == 100


@pytest.mark.parametrize("scale", [1])
def test_scale_one_adds_no_scale_data(runner, db, scale):
    result = runner.invoke(args=["seed-demo", "--scale", str(scale)])
    assert result.exit_code == 0, result.output
    assert count(Donor, Donor.name.like(MARKER + "%")) == 0
