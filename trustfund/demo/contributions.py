"""Demo money (idempotent): UN rates for 2017–2018, commitments of the donors whose
SAA is in force (in their own currencies), deposits, pledges, an instalment
schedule with an overdue instalment, interest and a transfer between pools.

Recorded through the services, so the pools, audit trail and ledger check see
exactly what the application itself writes. Commitments carry a DEMO- reference;
a second run finds them and adds nothing.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from babel.numbers import get_territory_currencies

from .. import clock
from ..admin import setting_changes
from ..admin.models import OVERRUN_TOLERANCE, SettingChange
from ..audit import utcnow
from ..contributions import (
    interest_changes,
    ledger,
    rate_import,
    reversal_changes,
    services,
    transfer_changes,
)
from ..contributions.models import (
    Commitment,
    ExchangeRate,
    InterestEntry,
    Objective,
    Pledge,
    PoolTransfer,
    TransferProposal,
)
from ..contributions.pools import pool_for_objective, unearmarked_pool
from ..donors.models import SAA_IN_FORCE, Donor
from ..extensions import db
from ..money import CURRENCIES, USD
from .scale.base import MARKER as SCALE_MARKER
from .translations import OBJECTIVE_TITLES

# Approximate UN operational rates (units per USD) for January 2017 and December
# 2018, with the path between them: good enough for demo data, not for accounts.
RATE_PATHS = {
    "EUR": ("0.955", "0.885", "0.832", "0.873"),
    "CHF": ("1.021", "0.990", "0.960", "0.994"),
    "SEK": ("9.120", "8.550", "8.200", "9.050"),
    "JPY": ("116.500", "112.000", "109.500", "113.100"),
    "MXN": ("20.600", "18.500", "19.000", "20.200"),
    "GBP": ("0.810", "0.770", "0.720", "0.787"),
    "NOK": ("8.610", "8.270", "7.850", "8.560"),
    "DKK": ("7.100", "6.580", "6.190", "6.510"),
    "CAD": ("1.340", "1.270", "1.250", "1.340"),
    "AUD": ("1.380", "1.300", "1.280", "1.400"),
    "SAR": ("3.750", "3.750", "3.750", "3.750"),
    "AED": ("3.673", "3.673", "3.673", "3.673"),
}
MONTHS = [dt.date(2017 + (m // 12), m % 12 + 1, 1) for m in range(24)]
DEMO_PREFIX = "DEMO-"


def demo_rate(currency: str, month: dt.date) -> Decimal:
    """A month's demo rate: piecewise-linear through the four points of its path."""
    points = [Decimal(p) for p in RATE_PATHS[currency]]
    index = MONTHS.index(month)
    segment = min(index // 8, 2)
    start, end = points[segment], points[segment + 1]
    step = Decimal(index - segment * 8) / Decimal(8)
    places = 3 if start >= 10 else 4
    return (start + (end - start) * step).quantize(Decimal(1).scaleb(-places))


def donor_currency(donor: Donor) -> str:
    """Member States give in their own currency when the demo has its rates; the
    other donors give in US dollars."""
    if donor.donor_type == "member_state" and donor.country_code:
        for code in get_territory_currencies(donor.country_code, dt.date(2017, 6, 1)):
            if code in RATE_PATHS and code in CURRENCIES:
                return code
    return USD


# Per donor, by its position among the donors with an SAA in force, its commitments:
# (USD-equivalent size, earmark objective number or None, month index of the
# commitment, deposits as (month index, share), with an instalment schedule).
PLANS = [
    [(1_500_000, None, 3, [(3, "0.20"), (6, "0.15"), (9, "0.15"), (12, "0.20"), (15, "0.15"),
                          (18, "0.15")], False),
     (600_000, 1, 13, [(14, "0.50"), (20, "0.25")], False)],
    [(800_000, 1, 4, [(4, "0.20"), (8, "0.20"), (11, "0.20"), (14, "0.20"), (20, "0.20")], False)],
    [(1_200_000, None, 5, [(5, "0.30"), (9, "0.30"), (12, "0.05")], True),  # an instalment overdue
     (300_000, 2, 16, [(17, "1.00")], False)],
    [(400_000, 1, 5, [(6, "0.40"), (10, "0.30"), (16, "0.30")], False)],
    [(650_000, None, 6, [(7, "0.30"), (13, "0.30"), (19, "0.20")], False)],
    [(300_000, 2, 8, [(10, "0.50"), (15, "0.50")], False)],
    [(250_000, None, 10, [(12, "1.00")], False)],
]


def _round_amount(value: Decimal, currency: str) -> Decimal:
    """Round figures, as real agreements have: whole thousands for large amounts."""
    if value > 100_000:
        return (value / 1000).quantize(Decimal(1)) * 1000
    return value.quantize(Decimal(1) if currency == "JPY" else Decimal("0.01"))


# The transfer the demo leaves waiting for admin2@ (proposed once, whatever its answer).
WAITING_TRANSFER_REASON = ("Travel of delegates from least developed countries to the follow-up meeting "
                           "(Objective 1), from un-earmarked funds.")


def seed_rates(officer, officer2, currencies) -> None:
    """The months' UN rates of the demo's currencies, as the MPTF Office loads them: one
    rates file uploaded by officer@ and imported once officer2@ confirms it (nobody
    alone sets a month's rate)."""
    lines = []
    for currency in sorted(set(currencies) - {USD}):
        if currency not in RATE_PATHS:
            continue
        existing = set(db.session.scalars(sa.select(ExchangeRate.month)
                                          .where(ExchangeRate.currency == currency)))
        lines += [f"{currency},{month:%Y-%m},{demo_rate(currency, month):f}"
                  for month in MONTHS if month not in existing]
    if not lines:
        return
    name, content = "un-operational-rates-2017-2018.csv", "\n".join(["currency,month,rate", *lines]).encode()
    plan = rate_import.plan_rates(content, name)
    if not plan.ok:
        raise RuntimeError(f"The demo's rates file does not pass the import's checks: {plan.errors}")
    upload = rate_import.keep_rate_upload(officer, name, content, plan.data_rows)
    rate_import.confirm_rate_upload(officer2, upload, rate_import.rates_seen(plan))


def _objective_id(number: int | None) -> int | None:
    if number is None:
        return None
    return db.session.scalar(sa.select(Objective.id).where(Objective.number == number))


def seed(context: dict) -> None:
    users = context["users"]
    officer, admin = users["officer"], users["admin"]
    donors = db.session.scalars(sa.select(Donor).where(Donor.saa_status.in_(SAA_IN_FORCE))
                                .where(~Donor.name.like("Demo donor %"))
                                # The scale data's donors (a second seed-demo --scale run) are not the
                                # demo's: their earlier SAAs would give them the demo's plans.
                                .where(~Donor.name.like(SCALE_MARKER + "%"))
                                .order_by(Donor.saa_signed_on, Donor.id)).all()
    currencies = {donor_currency(d) for d in donors} | {"EUR", "JPY"}
    seed_rates(officer, users["officer2"], currencies)
    for index, donor in enumerate(donors[:len(PLANS)]):
        for number, plan in enumerate(PLANS[index], start=1):
            _seed_commitment(officer, users["officer2"], donor, index, number, plan)
    _seed_pledges(officer)
    _seed_interest_and_transfer(officer, users["officer2"], admin, users["admin2"])
    _translate_objectives(admin)
    db.session.flush()


def _translate_objectives(admin) -> None:
    """The objectives' titles in the other languages, where none was entered yet."""
    for number, titles in OBJECTIVE_TITLES.items():
        objective = db.session.scalar(sa.select(Objective).where(Objective.number == number))
        if objective is not None and not objective.title_translations:
            services.save_objective(admin, objective, number=number, title=objective.title,
                                    description=objective.description, active=objective.active,
                                    version=objective.version, title_translations=titles)


def _seed_commitment(officer, officer2, donor: Donor, index: int, number: int, plan) -> None:
    reference = f"{DEMO_PREFIX}{donor.saa_reference or donor.id}-{number}"
    if db.session.scalar(sa.select(Commitment.id).where(Commitment.reference == reference)) is not None:
        return
    usd_size, objective_number, month_index, deposits, scheduled = plan
    currency = donor_currency(donor)
    committed_on = max(donor.saa_signed_on or dt.date(2017, 5, 1), dt.date(2017, 4, 3),
                       MONTHS[month_index] + dt.timedelta(days=4))
    month = committed_on.replace(day=1)
    amount = _round_amount(Decimal(usd_size) * demo_rate_or_one(currency, month), currency)
    instalments = ()
    if scheduled:
        # Three equal instalments; with 65% deposited, the second and third are overdue.
        third = _round_amount(amount / 3, currency)
        instalments = [(dt.date(2017, 9, 30), third), (dt.date(2018, 3, 31), third),
                       (dt.date(2018, 9, 30), amount - 2 * third)]
    commitment = services.record_commitment(
        officer, donor, currency=currency, amount=amount, objective_id=_objective_id(objective_number),
        committed_on=committed_on, reference=reference,
        note="Demo commitment, per the signed SAA.", instalments=instalments)
    remaining = amount
    for month_index, share in deposits:
        value_date = max(MONTHS[month_index] + dt.timedelta(days=9), committed_on)
        part = min(_round_amount(amount * Decimal(share), currency), remaining)
        if part <= 0:
            continue
        deposit = ledger.record_deposit(officer, commitment, value_date=value_date, amount=part,
                                        bank_reference=f"DEMO-{donor.id:03d}-{number}-{month_index:02d}")
        remaining -= part
        if index == 0 and number == 1 and month_index == 9:
            # A deposit entered twice by mistake, its reversal proposed by officer@ and
            # confirmed by officer2@ (a reversal takes two officers).
            twice = ledger.record_deposit(officer, commitment, value_date=value_date,
                                          amount=min(part, remaining),
                                          bank_reference=deposit.bank_reference + "-DUP")
            proposal = reversal_changes.propose(officer, twice, "Entered twice from the same bank advice.")
            reversal = reversal_changes.confirm(officer2, proposal.id)
            reversal.value_date = value_date + dt.timedelta(days=2)  # the story's date, not today's


def demo_rate_or_one(currency: str, month: dt.date) -> Decimal:
    return Decimal(1) if currency == USD else demo_rate(currency, month)


def _seed_pledges(officer) -> None:
    if db.session.scalar(sa.select(Pledge.id).where(Pledge.note.like("Demo pledge%")).limit(1)):
        return
    waiting = db.session.scalars(sa.select(Donor).where(Donor.saa_status.not_in(SAA_IN_FORCE))
                                 .where(~Donor.name.like("Demo donor %"))
                                 .where(~Donor.name.like(SCALE_MARKER + "%")).order_by(Donor.id)).all()
    for donor, (currency, amount, day, objective) in zip(waiting, [
            ("USD", Decimal("250000.00"), dt.date(2017, 10, 4), 2),
            ("EUR", Decimal("100000.00"), dt.date(2017, 12, 18), None),
            ("JPY", Decimal(30000000), dt.date(2018, 2, 1), 1)], strict=False):
        services.record_pledge(officer, donor, currency=currency, amount=amount,
                               objective_id=_objective_id(objective), pledged_on=day,
                               note="Demo pledge, announced at a preparatory meeting.")
    withdrawn = waiting[3:4]
    for donor in withdrawn:
        pledge = services.record_pledge(officer, donor, currency="USD", amount=Decimal("50000.00"),
                                        objective_id=None, pledged_on=dt.date(2017, 8, 1),
                                        note="Demo pledge, later withdrawn.")
        services.withdraw_pledge(officer, pledge, "Budget line not approved by the donor's board.")
        pledge.withdrawn_at = utcnow().replace(year=2018, month=3, day=1)


def _seed_interest_and_transfer(officer, officer2, admin, admin2) -> None:
    if db.session.scalar(sa.select(InterestEntry.id).limit(1)) is None:
        # Each proposed by officer@ and confirmed by officer2@ (interest takes two officers).
        for day, amount in ((dt.date(2017, 9, 30), "1840.17"), (dt.date(2017, 12, 31), "3127.45"),
                            (dt.date(2018, 6, 30), "5210.93"), (dt.date(2018, 12, 31), "4876.02")):
            proposal = interest_changes.propose(officer, value_date=day, usd_amount=Decimal(amount),
                                                note=f"Interest earned, period ending {day.isoformat()}")
            interest_changes.confirm(officer2, proposal.id)
    if db.session.scalar(sa.select(PoolTransfer.id).limit(1)) is None:
        source, target = unearmarked_pool(), pool_for_objective(_objective_id(2))
        amount = min(Decimal("150000.00"), source.available)
        if amount > 0:
            # Proposed by admin@ and confirmed by admin2@ (a transfer takes two admins).
            proposal = transfer_changes.propose(admin, source.id, target.id, amount,
                                                "Preparations of the Marrakech conference (Objective 2), "
                                                "from un-earmarked funds.", dt.date(2018, 9, 14))
            transfer_changes.confirm(admin2, proposal.id)
    # Once, whether a colleague has answered it since or not.
    if db.session.scalar(sa.select(TransferProposal.id)
                         .where(TransferProposal.reason == WAITING_TRANSFER_REASON).limit(1)) is None:
        # One transfer waiting for a second admin (admin2@trustfund.demo confirms or refuses it).
        source, target = unearmarked_pool(), pool_for_objective(_objective_id(1))
        amount = Decimal("10000.00")
        if source.available >= amount + Decimal("100000.00"):
            transfer_changes.propose(admin, source.id, target.id, amount, WAITING_TRANSFER_REASON,
                                     dt.date(2018, 12, 10))
    if db.session.scalar(sa.select(SettingChange.id).limit(1)) is None:
        # A setting's new value waiting for a second admin (admin2@trustfund.demo
        # confirms or refuses it on the Settings page), in force from today: the
        # current year is never closed.
        setting_changes.propose(admin, OVERRUN_TOLERANCE, "100", clock.today())
