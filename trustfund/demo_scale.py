"""A fund N times the demo's size, for measuring: `flask --app trustfund seed-demo --scale N`.

At N=100: 5,000 donors of the four types (Member States name a country; most
SAAs signed), commitments in eleven currencies with instalments, UN rates per
currency and month, 100,000 deposits (some earmarked, a few reversed), interest,
pledges, a few pool transfers, 150 events, 10,000 delegates and 50,000 travel
grants in every state (see demo_scale_travel.py). One donor, with a donor user
(scale-donor@trustfund.demo), has about 20×N deposits, for statement timings.

Rows are written with bulk INSERTs in chunks, never one ORM object at a time.
USD, fee and net come from money.split_deposit() with the fee rate in force on
the value date, as the deposit service computes them. The pools' running
figures are summed in Python from the generated entries and applied with one
guarded UPDATE per pool (contributions.pools.move), so they equal what the
entries say and `flask --app trustfund check` holds.

Idempotent: donors whose name starts with MARKER are scale data; when any
exist, nothing is added.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from .admin.models import FEE_RATE, TERMINAL_EXPENSES, SETTINGS, Setting
from .audit import record, utcnow
from .auth.models import User
from .contributions.models import UNEARMARKED, Commitment, Deposit, ExchangeRate, Objective, Pool
from .contributions.pools import FIGURES, move
from .donors.models import Donor
from .extensions import db
from .money import precision
from .travel.models import Delegate, Event

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
        from .countries.models import Country

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


def generate(
    scale: int,
    *,
    sizes: Sizes | None = None,
    seed: int | None = None,
    today: dt.date | None = None,
    echo: Callable[[str], None] | None = None,
) -> Report:
    """Add the scale data to the current session's database (no commit)."""
    say = echo or (lambda _text: None)
    if already_present():
        return Report(False, message="Scale data already present; nothing added.")
    began = time.perf_counter()
    sizes = sizes or Sizes.for_scale(scale)
    ctx = Context(random.Random(seed if seed is not None else scale), today or dt.date.today())
    counts: dict[str, int] = {}

    def phase(name: str, step):
        t0 = time.perf_counter()
        result = step()
        counts.update(result)
        say(
            f"  {name}: "
            + ", ".join(f"{v:,} {k}" for k, v in result.items())
            + f" ({time.perf_counter() - t0:.1f} s)"
        )

    from . import demo_scale_money as money
    from . import demo_scale_travel as travel

    phase("exchange rates", lambda: seed_rates(ctx))
    donors: list[dict] = []
    phase("donors", lambda: money.seed_donors(ctx, sizes, donors))
    phase("contributions", lambda: money.seed_contributions(ctx, sizes, donors))
    phase("interest and transfers", lambda: money.seed_interest_and_transfers(ctx, sizes))
    phase("travel", lambda: travel.seed_travel(ctx, sizes))
    phase("pools", lambda: apply_pools(ctx))
    phase("finishing", lambda: finish(ctx, donors[0]["id"], counts))
    return Report(
        True,
        counts,
        time.perf_counter() - began,
        f"Scale data added (N={scale}) in {time.perf_counter() - began:.1f} s.",
    )


def seed_rates(ctx: Context) -> dict[str, int]:
    rows = []
    for currency, (_w, first, places) in CURRENCIES.items():
        if currency == "USD":
            continue
        value, quantum = Decimal(first), Decimal(1).scaleb(-places)
        for month in ctx.months:
            value = (value * Decimal(str(1 + ctx.rng.uniform(-0.02, 0.02)))).quantize(quantum)
            if (currency, month) not in ctx.rates:
                ctx.rates[(currency, month)] = value
                rows.append(
                    {
                        "currency": currency,
                        "month": month,
                        "rate": value,
                        "created_by_id": ctx.officer,
                        "created_at": utcnow(),
                    }
                )
    return {"exchange rates": bulk_insert(ExchangeRate, rows)}


def apply_pools(ctx: Context) -> dict[str, int]:
    """One guarded UPDATE per pool with everything the entries added to it."""
    for pool_id, deltas in ctx.ledger.deltas.items():
        moved = {name: deltas[name] for name in FIGURES if name != "available" and deltas[name]}
        move(
            pool_id,
            available=ctx.ledger.available(pool_id) - ctx.ledger.base_available[pool_id],
            **moved,
        )
    return {"pools updated": len(ctx.ledger.deltas)}


def vacuum() -> None:
    """After the commit, on PostgreSQL: VACUUM the bulk-loaded tables, so that the
    visibility map lets queries read covering indexes alone (autovacuum would, later)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("deposit", "commitment", "travel_grant", "donor"):
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")


def finish(ctx: Context, big_donor_id: int, counts: dict[str, int]) -> dict[str, int]:
    """The donor user of the big donor, PostgreSQL sequences past the given ids,
    an audit entry, and fresh planner statistics."""
    added = 0
    if db.session.scalar(sa.select(User.id).where(User.email == SCALE_DONOR_EMAIL)) is None:
        user = User(
            email=SCALE_DONOR_EMAIL, name="Scale donor", role="donor", donor_id=big_donor_id
        )
        user.set_password(SCALE_DONOR_PASSWORD)
        db.session.add(user)
        added = 1
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        for model in ID_MODELS:
            table = model.__table__.name
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    record(
        None,
        "demo.scale_data",
        note="; ".join(f"{k}: {v}" for k, v in counts.items()),
        object_type="Fund",
    )
    db.session.flush()
    db.session.execute(sa.text("ANALYZE"))
    return {"donor users": added}
