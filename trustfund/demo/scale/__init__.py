"""A fund N times the demo's size, for measuring: `flask --app trustfund seed-demo --scale N`.

At N=100: 5,000 donors of the four types (Member States name a country; most
SAAs signed), commitments in eleven currencies with instalments, UN rates per
currency and month, 100,000 deposits (some earmarked, a few reversed), interest,
pledges, a few pool transfers, 150 events, 10,000 delegates and 50,000 travel
grants in every state (see travel.py). One donor, with a donor user
(scale-donor@trustfund.demo), has about 20×N deposits, for statement timings.
Once the demo's story has closed 2017 (after the scale data is added: its
entries from 2017 on are in the closing), the years before this one are closed
too, as a fund in its tenth year has them (close_years, called by seed-demo: each
closing stores the year's position, which later statements start from).

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
import random
import time
from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa

from ... import clock
from ...audit import record, utcnow
from ...auth.models import User
from ...closure.years import close_year
from ...contributions.models import ExchangeRate
from ...contributions.pools import FIGURES, move
from ...extensions import db
from ...fund.models import AccountingYear
from . import contributions as money
from . import travel
from .base import (
    CURRENCIES,
    ID_MODELS,
    MARKER,
    SCALE_DONOR_EMAIL,
    SCALE_DONOR_PASSWORD,
    START,
    Context,
    Report,
    Sizes,
    already_present,
    bulk_insert,
)

__all__ = ["MARKER", "SCALE_DONOR_EMAIL", "Sizes", "close_years", "generate", "vacuum"]


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
    ctx = Context(random.Random(seed if seed is not None else scale), today or clock.today())
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


def close_years(today: dt.date | None = None) -> list[int]:
    """Every year before this one not yet closed, closed in order by the demo's admin
    (closure.years.close_year, as the admin's page does); the years closed."""
    today = today or clock.today()
    admin = db.session.scalar(sa.select(User).where(User.role == "admin").order_by(User.id))
    closed = set(db.session.scalars(sa.select(AccountingYear.year)))
    years = [year for year in range(START.year, today.year) if year not in closed]
    if years:
        _withdraw_waiting_before(dt.date(years[-1] + 1, 1, 1))
    for year in years:
        close_year(admin, year, report_reference=f"Consolidated annual financial report {year} (scale data)")
    return years


def _withdraw_waiting_before(day: dt.date) -> None:
    """A fund in its tenth year has no change of its early years still waiting for a
    second person (a year is not closed while one waits: closure.years.waiting_in):
    the demo's own waiting changes dated before `day` are withdrawn, as their proposers
    would have done (one audit entry of the scale data says so), and its waiting rates files too."""
    from ...admin.models import SettingChange
    from ...contributions.models import InterestProposal, RateImport, RateProposal, TransferProposal
    from ...fund.entries import FundEntryProposal

    now = utcnow()
    withdrawn = 0
    for model, status, dated in ((InterestProposal, "pending", InterestProposal.value_date),
                                 (FundEntryProposal, "waiting", FundEntryProposal.value_date),
                                 (TransferProposal, "pending", TransferProposal.transferred_on),
                                 (RateProposal, "pending", RateProposal.month),
                                 (SettingChange, "pending", SettingChange.effective_from)):
        withdrawn += db.session.execute(
            sa.update(model).where(model.status == status, dated < day)
            .values(status="withdrawn", decided_by_id=model.proposed_by_id, decided_at=now)
            .execution_options(synchronize_session=False)).rowcount
    withdrawn += db.session.execute(
        sa.update(RateImport).where(RateImport.posted_at.is_(None), RateImport.withdrawn_at.is_(None))
        .values(withdrawn_at=now).execution_options(synchronize_session=False)).rowcount
    if withdrawn:
        record(None, "demo.scale_data", object_type="Fund",
               note=f"{withdrawn} changes waiting for a second person, dated before {day.isoformat()}, "
                    "withdrawn as their proposers would have")


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
