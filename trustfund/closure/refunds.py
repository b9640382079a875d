"""What the fund's closing would give back: each pool's unspent balance split among
its donors in proportion to their net deposits in the pool (DESIGN.md §6a; the
2008 generic SAA: "in proportion to their contribution"), by largest remainder
to the cent, in USD, so that the parts add up to the balance exactly; ties go to
the lower donor id. A donor's net deposits in a pool are its weight there, as its
statement shows it (deposits less the fee, reversals included, after transfers
between pools: statements/shares.py).

For the payment instruction, each donor's part is also shown in the currency of
its last deposit into the pool, at the UN operational rate of the refund's month
(shown, never stored as a figure of the ledger)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..contributions.models import Deposit, Pool
from ..contributions.pools import all_pools
from ..contributions.rates import rate_for
from ..contributions.rules import first_of_month
from ..donors.models import Donor
from ..extensions import db
from ..fund.entries import ClosingPart
from ..money import USD, quantum, split_cents
from ..read_only import per_request
from ..statements.shares import position_on, usd


def refund_parts(balance: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """`balance` (USD, to the cent) split in proportion to `weights` ({donor_id: USD},
    only positive ones count) by largest remainder: the parts add up to the balance
    exactly, and none differs from its exact proportion by a cent or more."""
    donors = sorted((donor, weight) for donor, weight in weights.items() if weight > 0)
    if not donors:
        return {}
    cents = split_cents(int(balance.scaleb(2)), [int(weight.scaleb(2)) for _, weight in donors])
    return {donor: Decimal(part).scaleb(-2) for (donor, _), part in zip(donors, cents, strict=True)}


def equivalent(amount_usd: Decimal, currency: str, on: dt.date) -> tuple[Decimal | None, Decimal | None]:
    """(rate, amount in `currency`) at the UN rate of `on`'s month, half-up to the
    currency's minor unit; (None, None) when that month has no rate yet."""
    if currency == USD:
        return Decimal(1), amount_usd
    # Every part of a closing page in one currency and month asks the same rate: once.
    rate = per_request(("closure.rate", currency, first_of_month(on)), lambda: rate_for(currency, on))
    if rate is None:
        return None, None
    return rate, (amount_usd * rate).quantize(quantum(currency), rounding=ROUND_HALF_UP)


@dataclass
class PartPlan:
    donor_id: int
    donor_name: str
    weight: Decimal   # net deposits in the pool
    balance: Decimal  # the donor's balance in the pool: net deposits less its share of spending
    amount: Decimal   # its part of the pool's unspent balance
    currency: str
    rate: Decimal | None = None
    currency_amount: Decimal | None = None

    @property
    def income(self) -> Decimal:
        return self.amount - self.balance


@dataclass
class PoolPlan:
    pool: Pool
    balance: Decimal
    parts: list[PartPlan] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((part.amount for part in self.parts), Decimal("0.00"))


def last_currencies(pool_id: int, donor_ids) -> dict[int, str]:
    """Each donor's currency of its last deposit into the pool (by value date, then id),
    or, for a donor whose weight came with a transfer between pools, of its last
    deposit into any pool. A deposit that was reversed (booked by mistake) counts for
    nothing, nor does its reversal."""
    return {**_last_currency(donor_ids), **_last_currency(donor_ids, Deposit.pool_id == pool_id)}


def _last_currency(donor_ids, *where) -> dict[int, str]:
    """{donor: the currency of its last standing deposit (by value date, then id)}, of
    these donors only (every deposit of the fund was read once per pool)."""
    ranked = (sa.select(Deposit.donor_id, Deposit.currency, sa.func.row_number().over(
        partition_by=Deposit.donor_id, order_by=(Deposit.value_date.desc(), Deposit.id.desc())).label("n"))
        .where(Deposit.donor_id.in_(sorted(donor_ids)), Deposit.standing_condition(), *where).subquery())
    last = sa.select(ranked.c.donor_id, ranked.c.currency).where(ranked.c.n == 1)
    return dict(db.session.execute(last).all())


def plan_pool(pool: Pool, on: dt.date, balance: Decimal | None = None) -> PoolPlan:
    """The split of the pool's available balance (or `balance`) among its donors on `on`.
    Each part names the donor's balance in the pool it gives back: its net deposits
    there less its share of the pool's spending, less what an earlier decision on the
    pool gave back already (money that reached a pool after its first decision, late
    income or a cost reversed, is decided on again: only what is new is returned).

    The split is in proportion to net deposits (DESIGN §6a; the SAA returns a balance
    "in proportion to their contribution"), after a closed year too, where a donor's
    balance on its statements may differ from that proportion (a closed year fixed the
    shares of its spending): a colleague's review proposed each donor's own balance
    first; kept to the SAA's rule until the fund's signed SAAs say otherwise."""
    balance = pool.available if balance is None else balance
    apportionment = position_on(on).pools.get(pool.id)
    weights = {donor: usd(cents) for donor, cents in (apportionment.weights_cents.items()
                                                      if apportionment else ())}
    given_back = dict(db.session.execute(
        sa.select(ClosingPart.donor_id, sa.func.sum(ClosingPart.balance))
        .where(ClosingPart.pool_id == pool.id).group_by(ClosingPart.donor_id)).all())
    parts = refund_parts(balance, weights)
    names = dict(db.session.execute(sa.select(Donor.id, Donor.name).where(Donor.id.in_(sorted(parts)))).all())
    currencies = last_currencies(pool.id, parts) if parts else {}
    plan = PoolPlan(pool, balance)
    for donor_id in sorted(parts, key=lambda d: (names.get(d, ""), d)):
        currency = currencies.get(donor_id, USD)
        rate, converted = equivalent(parts[donor_id], currency, on)
        balance_left = (weights[donor_id] - apportionment.share_of(donor_id)
                        - (given_back.get(donor_id) or Decimal("0.00")))
        plan.parts.append(PartPlan(donor_id, names.get(donor_id, ""), weights[donor_id], balance_left,
                                   parts[donor_id], currency, rate, converted))
    return plan


def plans(on: dt.date, waiting: Collection[int] = ()) -> list[PoolPlan]:
    """The split of every pool that has an unspent balance, and of the pools whose ids are
    `waiting` (a closing decision waits on them) whatever their balance: a pool emptied
    by another route while its decision waits keeps the decision in sight, to be
    refused or withdrawn (a colleague's review: it vanished from the closing page, and
    the financial closure waited for it for ever)."""
    return [plan_pool(pool, on) for pool in all_pools() if pool.available > 0 or pool.id in waiting]
