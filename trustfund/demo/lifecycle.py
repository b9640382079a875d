"""Demo data of the fund's life (idempotent): the fund's own costs of 2018 (the
secretariat's support, proposed by one MPTF officer and confirmed by the other; the
year's bank charges proposed and waiting for officer2@ to confirm) and the closing of 2017, once its annual
report was out. The fund then stands where the real one stood after its end date,
31 December 2018 (reference data): operationally closed, with 2018 open;
`flask --app trustfund close-fund --dry-run` shows the refunds its financial
closure would make. Run after every other demo entry (and the scale data), since
nothing may then be dated in 2017."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from ..closure import entry_proposals
from ..closure.years import close_year
from ..contributions.pools import held_from, unearmarked_pool
from ..extensions import db
from ..fund.entries import FundEntryProposal
from ..fund.models import AccountingYear

REPORT_2017 = "Consolidated annual financial report 2017 (MPTF Office, May 2018)"
COSTS = [
    ("direct_cost", dt.date(2018, 6, 30), "24500.00", "Joint secretariat support, first half of 2018"),
    ("direct_cost", dt.date(2018, 11, 30), "18750.00", "Joint secretariat support, second half of 2018"),
    ("bank_charge", dt.date(2018, 12, 31), "312.40", "Bank charges on incoming transfers, 2018"),
]


def seed(context: dict) -> None:
    users = context["users"]
    if db.session.scalar(sa.select(FundEntryProposal.id).limit(1)) is None:
        pool = unearmarked_pool()
        for number, (kind, day, amount, description) in enumerate(COSTS, 1):
            # Only what the pool can pay, then and since (pools.held_from: the scale data's
            # transfers are dated before some of their money arrived).
            if min(pool.available, held_from(pool.id, day)) >= Decimal(amount):
                proposal = entry_proposals.propose_entry(users["officer"], kind=kind, pool_id=pool.id,
                                                         value_date=day, usd_amount=Decimal(amount),
                                                         description=description)
                if number < len(COSTS):
                    entry_proposals.confirm(users["officer2"], proposal.id)
    if db.session.get(AccountingYear, 2017) is None:
        close_year(users["admin"], 2017, report_reference=REPORT_2017)
    db.session.flush()
