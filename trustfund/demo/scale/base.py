"""What the scale generator's parts share: sizes, the context read once, the
ledger of pool figures summed in Python, and bulk-insert helpers."""


from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from ...admin.models import FEE_RATE, SETTINGS, TERMINAL_EXPENSES, Setting
from ...auth.models import User
from ...contributions.models import UNEARMARKED, Commitment, Deposit, ExchangeRate, Objective, Pool
from ...donors.models import Donor
from ...extensions import db
from ...money import precision
from ...travel.models import Delegate, Event

MARKER = "Scale "
CHUNK = 5000
START = dt.date(2017, 4, 3)  # the fund's first day
SCALE_DONOR_EMAIL = "scale-donor@trustfund.demo"
SCALE_DONOR_PASSWORD = "demo-scale-donor-pass"  # demo data only; never use it anywhere real

# Currency: (weight, rate of the first month in units per USD, places of the rate).
CURRENCIES = {
    "USD": (30, "1", 0),
    "EUR": (22, "0.9300", 4),
    "GBP": (8, "0.7900", 4),
    "JPY": (6, "112.35", 2),
    "CHF": (6, "0.9750", 4),
    "SEK": (6, "8.9200", 4),
    "NOK": (5, "8.4100", 4),
    "DKK": (5, "6.8500", 4),
    "CAD": (5, "1.3100", 4),
    "AUD": (4, "1.3500", 4),
    "KWD": (3, "0.302100", 6),
}


@dataclass(frozen=True)
class Sizes:
    """How many rows of each kind; for_scale(N) is N times the demo's size."""

    donors: int
    deposits: int  # rows, reversals included
    grants: int
    events: int
    delegates: int
    big_donor_deposits: int
    interest_entries: int
    pledges: int
    transfers: int

    @classmethod
    def for_scale(cls, n: int) -> Sizes:
        return cls(
            donors=50 * n,
            deposits=1000 * n,
            grants=500 * n,
            events=max(2, math.ceil(1.5 * n)),
            delegates=100 * n,
            big_donor_deposits=20 * n,
            interest_entries=12 * n,
            pledges=20 * n,
            transfers=max(1, n // 10),
        )


@dataclass
class Report:
    added: bool
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    message: str = ""


@dataclass
class Ledger:
    """What the generated entries add to each pool, summed in Python."""

    deltas: dict[int, dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: Decimal("0.00")))
    )
    base_available: dict[int, Decimal] = field(default_factory=dict)

    def add(self, pool_id: int, **amounts: Decimal) -> None:
        for name, amount in amounts.items():
            self.deltas[pool_id][name] += amount

    def available(self, pool_id: int) -> Decimal:
        d = self.deltas[pool_id]
        return (
            self.base_available[pool_id]
            + d["deposits_net"]
            + d["interest"]
            + d["transfers_in"]
            - d["transfers_out"]
            - d["committed"]
            - d["spent"]
        )


class Context:
    """What the generator reads once: pools, users, countries, settings, rates."""

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.pools = {p.code: p for p in db.session.scalars(sa.select(Pool))}
        self.unearmarked = self.pools[UNEARMARKED].id
        self.objective_pool = {
            o.id: o.pool.id for o in db.session.scalars(sa.select(Objective)) if o.pool
        }
        self.objective_by_number = {
            o.number: o.id for o in db.session.scalars(sa.select(Objective))
        }
        self.ledger = Ledger(base_available={p.id: p.available for p in self.pools.values()})
        srsg = db.session.scalars(
            sa.select(User).where(User.role == "srsg_staff", User.active).order_by(User.id)
        ).all()
        if len(srsg) < 2:
            raise RuntimeError(
                "The scale data needs two active SRSG staff users (four eyes); "
                "run seed-demo without --scale first."
            )
        self.srsg = [u.id for u in srsg]
        self.officer = db.session.scalar(
            sa.select(User.id).where(User.role == "mptf_officer").order_by(User.id).limit(1)
        )
        from ...countries.models import Country

        self.countries = db.session.scalars(sa.select(Country).order_by(Country.code)).all()
        fee_rows = db.session.execute(
            sa.select(Setting.effective_from, Setting.value)
            .where(Setting.key == FEE_RATE)
            .order_by(Setting.effective_from)
        ).all()
        self.fee_rates = [(d, Decimal(v)) for d, v in fee_rows]
        term_rows = db.session.execute(
            sa.select(Setting.effective_from, Setting.value)
            .where(Setting.key == TERMINAL_EXPENSES)
            .order_by(Setting.effective_from)
        ).all()
        self.terminal = [(d, Decimal(v)) for d, v in term_rows]
        self.months = month_list(START, today)
        self.rates: dict[tuple[str, dt.date], Decimal] = {
            (c, m): r
            for c, m, r in db.session.execute(
                sa.select(ExchangeRate.currency, ExchangeRate.month, ExchangeRate.rate)
            )
        }
        self.next_ids = {
            model: (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
            for model in ID_MODELS
        }

    def ids(self, model, count: int) -> range:
        first = self.next_ids[model]
        self.next_ids[model] = first + count
        return range(first, first + count)

    def fee_rate_on(self, on: dt.date) -> Decimal:
        return _in_force(self.fee_rates, on, SETTINGS[FEE_RATE][1])

    def terminal_on(self, on: dt.date) -> Decimal:
        return _in_force(self.terminal, on, SETTINGS[TERMINAL_EXPENSES][1])

    def rate(self, currency: str, on: dt.date) -> Decimal:
        return Decimal(1) if currency == "USD" else self.rates[(currency, on.replace(day=1))]

    def date_between(self, first: dt.date, last: dt.date) -> dt.date:
        if last <= first:
            return first
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def moment(self, on: dt.date) -> dt.datetime:
        return dt.datetime.combine(on, dt.time(8)) + dt.timedelta(minutes=self.rng.randint(0, 600))


# Tables whose ids are given by the generator (rows of other tables point to them).
ID_MODELS = (Donor, Commitment, Deposit, Event, Delegate)


def _in_force(rows: list[tuple[dt.date, Decimal]], on: dt.date, default: Decimal) -> Decimal:
    value = default
    for since, amount in rows:
        if since <= on:
            value = amount
    return value


def month_list(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def bulk_insert(model, rows: list[dict]) -> int:
    """INSERT the rows in chunks of CHUNK (executemany); returns how many."""
    table = model.__table__
    for start in range(0, len(rows), CHUNK):
        db.session.execute(table.insert(), rows[start : start + CHUNK])
    return len(rows)


def pick(rng: random.Random, mix) -> str:
    return rng.choices([k for k, _ in mix], weights=[w for _, w in mix])[0]


def minor_amount(rng: random.Random, currency: str, usd_low: int, usd_high: int) -> Decimal:
    """A random amount in `currency` worth about usd_low..usd_high (log-uniform),
    with exactly the currency's decimals."""
    usd = math.exp(rng.uniform(math.log(usd_low), math.log(usd_high)))
    places = precision(currency)
    units = max(1, int(usd * float(CURRENCIES[currency][1]) * 10**places))
    return Decimal(units).scaleb(-places)


def already_present() -> bool:
    return bool(
        db.session.scalar(sa.select(sa.func.count(Donor.id)).where(Donor.name.like(MARKER + "%")))
    )
