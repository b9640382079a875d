"""Donors and their money in the scale data (see scale/__init__.py): donors of the
four types with their SAA history, commitments with instalments, deposits and
their reversals, pledges, interest and pool transfers.

Deposits are made as the deposit service makes them: the month's UN rate of the
commitment's currency, USD, fee and net from money.split_deposit() at the fee
rate in force on the value date, credited to the pool of the commitment's
earmark; a reversal negates every figure of the deposit it reverses. A
commitment's amount is its deposits plus room, so deposits never exceed it, and
its running `deposited` is their sum. What each pool receives is added to the
generator's Ledger, which scale.apply_pools() writes.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from ...contributions.models import (
    Commitment,
    Deposit,
    Instalment,
    InterestEntry,
    Pledge,
    PoolTransfer,
)
from ...contributions.rules import reference_key
from ...donors.models import MEMBER_STATE, SAA_IN_FORCE, Donor, SaaStatusChange
from ...money import CENT, precision, split_deposit
from .base import (
    CURRENCIES,
    MARKER,
    START,
    Context,
    Sizes,
    bulk_insert,
    minor_amount,
    pick,
)

DONOR_TYPES = (
    ("member_state", 55),
    ("intergovernmental_organization", 15),
    ("regional_legislative_body", 10),
    ("philanthropic_organization", 20),
)
SAA_MIX = (
    ("signed", 80),
    ("amended", 5),
    ("closed", 3),
    ("not_started", 4),
    ("draft_shared", 4),
    ("under_negotiation", 4),
)
SAA_PATHS = {
    "not_started": (),
    "draft_shared": ("draft_shared",),
    "under_negotiation": ("draft_shared", "under_negotiation"),
    "signed": ("draft_shared", "signed"),
    "amended": ("draft_shared", "signed", "amended"),
    "closed": ("draft_shared", "signed", "closed"),
}
ORG_NAMES = {
    "intergovernmental_organization": "Intergovernmental Organization for Cooperation",
    "regional_legislative_body": "Regional Parliamentary Assembly",
    "philanthropic_organization": "Foundation for Human Mobility",
}


def seed_donors(ctx: Context, sizes: Sizes, donors: list[dict]) -> dict[str, int]:
    rng = ctx.rng
    members = [c.code for c in ctx.countries if c.un_member]
    history = []
    for number, donor_id in enumerate(ctx.ids(Donor, sizes.donors)):
        kind = "member_state" if number == 0 else pick(rng, DONOR_TYPES)
        status = "signed" if number == 0 else pick(rng, SAA_MIX)
        country = (
            rng.choice(members)
            if kind == MEMBER_STATE
            else (rng.choice(members) if rng.random() < 0.5 else None)
        )
        name = (
            f"{MARKER}{number:05d} Government of {country}"
            if kind == MEMBER_STATE
            else f"{MARKER}{number:05d} {ORG_NAMES[kind]}"
        )
        signed_on = (
            ctx.date_between(START, min(ctx.today, dt.date(2024, 12, 31)))
            if status in ("signed", "amended", "closed")
            else None
        )
        in_force = status in SAA_IN_FORCE or status == "closed"
        donors.append(
            {
                "id": donor_id,
                "name": name,
                "donor_type": kind,
                "country_code": country,
                "contact_name": f"Contact {number:05d}",
                "contact_email": f"donor{number:05d}@example.org",
                "saa_status": status,
                "saa_signed_on": signed_on,
                "saa_signatory_donor": "Permanent Representative" if in_force else None,
                "saa_signatory_mptf": "Executive Coordinator, MPTF Office" if in_force else None,
                "saa_reference": f"SAA-SCALE-{number:05d}" if in_force else None,
                "created_at": ctx.moment(signed_on or START),
                "version": 1,
            }
        )
        previous, at = (
            "not_started",
            ctx.moment(signed_on - dt.timedelta(days=60)) if signed_on else ctx.moment(START),
        )
        for step in SAA_PATHS[status]:
            at += dt.timedelta(days=rng.randint(5, 40))
            signing = step == "signed"
            history.append(
                {
                    "donor_id": donor_id,
                    "from_status": previous,
                    "to_status": step,
                    "at": at,
                    "user_id": ctx.officer,
                    "note": "Scale data",
                    "signed_on": signed_on if signing else None,
                    "signatory_donor": "Permanent Representative" if signing else None,
                    "signatory_mptf": "Executive Coordinator, MPTF Office" if signing else None,
                    "reference": f"SAA-SCALE-{number:05d}" if signing else None,
                }
            )
            previous = step
    return {
        "donors": bulk_insert(Donor, donors),
        "SAA status changes": bulk_insert(SaaStatusChange, history),
    }


def seed_contributions(ctx: Context, sizes: Sizes, donors: list[dict]) -> dict[str, int]:
    """Commitments (with instalments) for donors whose SAA is in force, and the
    deposits against them; pledges for any donor."""
    rng = ctx.rng
    currencies = list(CURRENCIES)
    weights = [CURRENCIES[c][0] for c in currencies]
    objectives = [None, None, None, None, 1, 1, 2, 3]
    commitments: list[dict] = []
    for donor in donors:
        if donor["saa_status"] not in SAA_IN_FORCE:
            continue
        count = 10 if donor is donors[0] else rng.randint(1, 4)
        for _ in range(count):
            objective = rng.choice(objectives)
            currency = rng.choices(currencies, weights)[0]
            committed_on = ctx.date_between(
                donor["saa_signed_on"],
                min(ctx.today, donor["saa_signed_on"] + dt.timedelta(days=720)),
            )
            commitments.append(
                {
                    "donor_id": donor["id"],
                    "currency": currency,
                    "objective_id": ctx.objective_by_number.get(objective) if objective else None,
                    "committed_on": committed_on,
                    "weight": rng.paretovariate(1.5),
                    "planned": [],
                }
            )
    big = [c for c in commitments if c["donor_id"] == donors[0]["id"]]
    others = [c for c in commitments if c["donor_id"] != donors[0]["id"]]
    reversals = max(1, sizes.deposits // 500)
    originals = sizes.deposits - reversals
    for index in range(min(sizes.big_donor_deposits, originals)):
        big[index % len(big)]["planned"].append(None)
    for chosen in rng.choices(
        others, [c["weight"] for c in others], k=max(0, originals - sizes.big_donor_deposits)
    ):
        chosen["planned"].append(None)
    # Amounts and dates of each commitment's deposits; the commitment is that plus room.
    instalments = []
    for commitment_id, c in zip(ctx.ids(Commitment, len(commitments)), commitments, strict=True):
        c["id"] = commitment_id
        last = min(ctx.today, c["committed_on"] + dt.timedelta(days=1800))
        c["planned"] = sorted(
            (
                ctx.date_between(c["committed_on"], last),
                minor_amount(rng, c["currency"], 2000, 400000),
            )
            for _ in c["planned"]
        )
        paid = sum((a for _, a in c["planned"]), Decimal(0))
        room = minor_amount(rng, c["currency"], 1000, 500000) if rng.random() < 0.6 else Decimal(0)
        c["amount"] = (
            paid + room if paid + room > 0 else minor_amount(rng, c["currency"], 10000, 900000)
        )
        if rng.random() < 0.5:
            instalments.extend(_instalments(rng, c))
    targets = set(rng.sample(range(originals), reversals)) if originals else set()
    rows, reversal_rows = [], []
    deposit_ids = iter(ctx.ids(Deposit, sizes.deposits))
    position = 0
    for c in commitments:
        pool_id = ctx.objective_pool[c["objective_id"]] if c["objective_id"] else ctx.unearmarked
        deposited, usd, fees = Decimal(0), Decimal(0), Decimal(0)
        for value_date, amount in c["planned"]:
            row = _deposit(ctx, next(deposit_ids), c, pool_id, value_date, amount)
            rows.append(row)
            if position in targets:
                reversal_rows.append(_reversal(ctx, next(deposit_ids), row))
                row["reference_key"] = None  # reversed: it holds its bank reference no more
            else:
                deposited += amount
                usd += row["usd_amount"]
                fees += row["fee"]
            position += 1
        c["deposited"], c["deposited_usd"], c["deposit_fees"] = deposited, usd, fees
    commitment_rows = [
        {
            "id": c["id"],
            "donor_id": c["donor_id"],
            "currency": c["currency"],
            "amount": c["amount"],
            "deposited": c["deposited"],
            "deposited_usd": c["deposited_usd"],
            "deposit_fees": c["deposit_fees"],
            "objective_id": c["objective_id"],
            "committed_on": c["committed_on"],
            "reference": f"SCALE-C{c['id']}",
            "note": "Scale data",
            "created_by_id": ctx.officer,
            "created_at": ctx.moment(c["committed_on"]),
        }
        for c in commitments
    ]
    count = bulk_insert(Commitment, commitment_rows)
    for row in rows + reversal_rows:
        ctx.ledger.add(
            row["pool_id"], deposits_usd=row["usd_amount"], fees=row["fee"], deposits_net=row["net"]
        )
    pledges = _pledges(ctx, sizes, donors)
    return {
        "commitments": count,
        "instalments": bulk_insert(Instalment, instalments),
        "deposits": bulk_insert(Deposit, rows) + bulk_insert(Deposit, reversal_rows),
        "reversals": len(reversal_rows),
        "pledges": bulk_insert(Pledge, pledges),
    }


def _deposit(
    ctx: Context, deposit_id: int, c: dict, pool_id: int, value_date: dt.date, amount: Decimal
) -> dict:
    rate, fee_rate = ctx.rate(c["currency"], value_date), ctx.fee_rate_on(value_date)
    usd, fee, net = split_deposit(amount, rate, fee_rate)
    return {
        "id": deposit_id,
        "commitment_id": c["id"],
        "donor_id": c["donor_id"],
        "pool_id": pool_id,
        "value_date": value_date,
        "currency": c["currency"],
        "amount": amount,
        "rate": rate,
        "rate_note": "",
        "usd_amount": usd,
        "fee_rate": fee_rate,
        "fee": fee,
        "net": net,
        "bank_reference": f"SCALE-{deposit_id:08d}",
        "reference_key": reference_key(f"SCALE-{deposit_id:08d}"),
        "reverses_id": None,
        "reason": "",
        "created_by_id": ctx.officer,
        "created_at": ctx.moment(value_date),
    }


def _reversal(ctx: Context, deposit_id: int, original: dict) -> dict:
    """The offsetting entry of a deposit entered twice: every figure negated."""
    on = min(ctx.today, original["value_date"] + dt.timedelta(days=ctx.rng.randint(1, 20)))
    return {
        **original,
        "id": deposit_id,
        "value_date": on,
        "amount": -original["amount"],
        "usd_amount": -original["usd_amount"],
        "fee": -original["fee"],
        "net": -original["net"],
        "bank_reference": f"SCALE-{deposit_id:08d}",
        "reference_key": None,
        "reverses_id": original["id"],
        "reason": "Entered twice (scale data)",
        "created_at": ctx.moment(on),
    }


def _instalments(rng: random.Random, c: dict) -> list[dict]:
    parts = rng.randint(2, 4)
    places = precision(c["currency"])
    units = int(c["amount"].scaleb(places))
    if units < parts:
        return []
    share = units // parts
    amounts = [share] * (parts - 1) + [units - share * (parts - 1)]
    return [
        {
            "commitment_id": c["id"],
            "amount": Decimal(a).scaleb(-places),
            "due_on": c["committed_on"] + dt.timedelta(days=180 * (i + 1)),
        }
        for i, a in enumerate(amounts)
    ]


def _pledges(ctx: Context, sizes: Sizes, donors: list[dict]) -> list[dict]:
    rng, rows = ctx.rng, []
    for _ in range(sizes.pledges):
        donor = rng.choice(donors)
        currency = rng.choices(list(CURRENCIES), [w for w, _r, _p in CURRENCIES.values()])[0]
        on = ctx.date_between(START, ctx.today)
        withdrawn = rng.random() < 0.05
        rows.append(
            {
                "donor_id": donor["id"],
                "currency": currency,
                "amount": minor_amount(rng, currency, 5000, 2000000),
                "objective_id": None,
                "pledged_on": on,
                "note": "Scale data",
                "withdrawn_at": ctx.moment(min(ctx.today, on + dt.timedelta(days=90)))
                if withdrawn
                else None,
                "withdrawn_reason": "Budget cut (scale data)" if withdrawn else None,
                "created_by_id": ctx.officer,
                "created_at": ctx.moment(on),
            }
        )
    return rows


def seed_interest_and_transfers(ctx: Context, sizes: Sizes) -> dict[str, int]:
    rng, rows, transfers = ctx.rng, [], []
    for _ in range(sizes.interest_entries):
        on = ctx.date_between(START, ctx.today)
        amount = Decimal(rng.randint(10000, 2000000)) * CENT
        rows.append(
            {
                "pool_id": ctx.unearmarked,
                "value_date": on,
                "usd_amount": amount,
                "note": "Bank interest (scale data)",
                "reverses_id": None,
                "created_by_id": ctx.officer,
                "created_at": ctx.moment(on),
            }
        )
        ctx.ledger.add(ctx.unearmarked, interest=amount)
    target = ctx.objective_pool.get(ctx.objective_by_number.get(2))
    for _ in range(sizes.transfers if target else 0):
        amount = (ctx.ledger.available(ctx.unearmarked) * Decimal("0.01")).quantize(CENT)
        if amount <= 0:
            break
        on = ctx.date_between(START, ctx.today)
        transfers.append(
            {
                "from_pool_id": ctx.unearmarked,
                "to_pool_id": target,
                "usd_amount": amount,
                "transferred_on": on,
                "reason": "Objective 1 surplus to Objective 2 (scale data)",
                "created_by_id": ctx.officer,
                "created_at": ctx.moment(on),
            }
        )
        ctx.ledger.add(ctx.unearmarked, transfers_out=amount)
        ctx.ledger.add(target, transfers_in=amount)
    return {
        "interest entries": bulk_insert(InterestEntry, rows),
        "pool transfers": bulk_insert(PoolTransfer, transfers),
    }
