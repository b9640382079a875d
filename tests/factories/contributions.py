"""Builders shared by the contributions tests (no tests here)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from trustfund.contributions import services
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
    TransferProposal,
)
from trustfund.donors.models import Donor
from trustfund.extensions import db

D = Decimal
PAST = dt.date(2018, 5, 10)


def sweden() -> Donor:
    return db.session.scalar(sa.select(Donor).where(Donor.name == "Kingdom of Sweden"))


def donor(name: str = "Swiss Confederation", status: str = "signed", country: str = "CH") -> Donor:
    """A Member State donor with the given SAA status."""
    existing = db.session.scalar(sa.select(Donor).where(Donor.name == name))
    if existing is not None:
        return existing
    signed = status in ("signed", "amended")
    row = Donor(name=name, donor_type="member_state", country_code=country, saa_status=status,
                saa_signed_on=dt.date(2017, 4, 20) if signed else None,
                saa_signatory_donor="Permanent Representative" if signed else None,
                saa_signatory_mptf="Executive Coordinator" if signed else None)
    db.session.add(row)
    db.session.commit()
    return row


def objective(number: int) -> Objective:
    return db.session.scalar(sa.select(Objective).where(Objective.number == number))


def pool(code: str) -> Pool:
    row = db.session.scalar(sa.select(Pool).where(Pool.code == code))
    db.session.refresh(row)
    return row


def officer():
    from tests.factories import base_users

    return base_users()["mptf_officer"]


def admin():
    from tests.factories import base_users

    return base_users()["admin"]


def commitment(currency="EUR", amount="1000000.00", objective_number=None, who=None, reference="",
               instalments=(), committed_on=dt.date(2017, 5, 1), pledge: Pledge | None = None) -> Commitment:
    row = services.record_commitment(
        officer(), who or sweden(), currency=currency, amount=D(amount),
        objective_id=objective(objective_number).id if objective_number else None,
        committed_on=committed_on, reference=reference, instalments=instalments,
        pledge_id=pledge.id if pledge is not None else None)
    db.session.commit()
    return row


def pledge(currency="EUR", amount="1000000.00", objective_number=None, who=None,
           pledged_on=dt.date(2017, 4, 20)) -> Pledge:
    row = services.record_pledge(
        officer(), who or sweden(), currency=currency, amount=D(amount),
        objective_id=objective(objective_number).id if objective_number else None, pledged_on=pledged_on)
    db.session.commit()
    return row


def un_rate(currency: str, month: dt.date, rate) -> ExchangeRate:
    """A month's UN operational rate, as two MPTF officers would have set it (the
    proposal and its confirmation are tested in test_rate_proposals)."""
    from trustfund.contributions.confirmed import set_rate

    row = set_rate(officer(), currency, month, rate, adding=True)
    db.session.commit()
    return row


def deposit(c: Commitment, amount, rate=None, value_date=PAST, note="test rate") -> Deposit:
    """A deposit recorded by an MPTF officer; a typed `rate` in a currency the fund has
    no UN rate for yet becomes its value date's month's UN rate first (a typed rate is
    held to the UN rate: rates.require_near_un_rate)."""
    if rate is not None and c.currency != "USD" and not db.session.scalar(
            sa.select(sa.func.count()).select_from(ExchangeRate).where(ExchangeRate.currency == c.currency)):
        un_rate(c.currency, value_date, rate)
    row = services.record_deposit(officer(), c, value_date=value_date, amount=amount,
                                  rate=rate, rate_note=note if rate is not None else "")
    db.session.commit()
    return row


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def counts() -> dict[str, int]:
    """Rows of every table the contributions pages write."""
    from trustfund.audit import AuditEntry

    return {m.__tablename__: count(m) for m in (Commitment, Deposit, Pledge, Instalment, InterestEntry,
                                                  PoolTransfer, TransferProposal, ExchangeRate, Objective,
                                                  Pool, AuditEntry)}


def pool_figures() -> dict[str, dict[str, Decimal]]:
    from trustfund.contributions.pools import FIGURES

    db.session.expire_all()
    return {p.code: {name: getattr(p, name) for name in FIGURES}
            for p in db.session.scalars(sa.select(Pool))}


def commitment_form(donor, **data):
    form = {"donor_id": str(donor), "currency": "EUR", "amount": "1000000.00", "objective_id": "",
            "committed_on": "2018-03-01", "reference": "", "note": ""}
    for i in range(4):
        form[f"instalments-{i}-due_on"] = ""
        form[f"instalments-{i}-amount"] = ""
    form.update(data)
    return form
