"""Ledger invariants of the fund's money, for `flask --app trustfund check`.

Recomputes every stored figure from the entries it summarises:
- each deposit: USD = amount ÷ rate and fee = USD × fee rate (half-up to the cent),
  net = USD − fee; the fee rate is the one in force on the value date (a reversal
  charges its deposit's); a reversal is the exact opposite of the deposit it reverses;
  the deposit sits in its commitment's donor, currency and earmark pool; it holds
  the key of its bank reference while it stands, and none once reversed or as a
  reversal (the key is what refuses a deposit twice); its amount, as its
  commitment's, has no more decimals than its currency (JPY none, KWD three);
- each reversal of interest or of a fund's own entry is the exact opposite of an
  earlier entry it reverses, in its pool (and kind); interest is the un-earmarked
  pool's;
- each commitment: deposited = the sum of its deposits, between 0 and the amount,
  and deposited_usd and deposit_fees the sums of their USD amounts and fees; its
  instalments add up to no more than the amount;
- each pledge: fulfilled = the sum of the commitments recorded against it, which
  are the pledge's donor's, in its currency;
- each pool: its running figures equal what the deposits, interest, transfers,
  travel grants, the fund's own entries (other income, direct costs, bank
  charges) and the closing decisions say, and available = net deposits + interest
  + other income + transfers in − transfers out − committed − spent − direct costs
  − bank charges − closed out, never below zero;
- the pools together add up to the fund's totals.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa

from ..admin.models import FEE_RATE, setting_versions, value_on
from ..extensions import db
from ..fund.entries import POOL_FIGURE, FundEntry, PoolClosing, WriteOff
from ..money import CURRENCIES, quantum, round_cents
from .models import Commitment, Deposit, Instalment, InterestEntry, Pledge, Pool, PoolTransfer
from .pools import FIGURES
from .rules import reference_key

ZERO = Decimal("0.00")
# pool id -> {"committed": ..., "spent": ...}
Spending = dict[int, dict[str, Decimal]]


def _n(value: Decimal, currency: str | None = None) -> str:
    """1,062,699.26; in a currency, with that currency's decimals (JPY 11,050,000)."""
    if currency is not None and currency in CURRENCIES:
        value = value.quantize(quantum(currency))
    return f"{value:,}"


def _sums(query) -> dict:
    return {key: (value if value is not None else ZERO) for key, value in db.session.execute(query)}


def _in_minor_unit(amount: Decimal, currency: str) -> bool:
    return currency not in CURRENCIES or amount == amount.quantize(quantum(currency))


def deposit_problems() -> list[str]:
    problems = []
    earmark_pool = dict(db.session.execute(sa.select(Pool.objective_id, Pool.id)).all())
    unearmarked = earmark_pool.get(None)
    commitments = {row.id: row for row in db.session.execute(
        sa.select(Commitment.id, Commitment.donor_id, Commitment.currency, Commitment.objective_id))}
    originals = {}
    fee_rates = setting_versions(FEE_RATE)
    reversed_ids = set(db.session.scalars(sa.select(Deposit.reverses_id)
                                          .where(Deposit.reverses_id.is_not(None))))
    # Plain rows, not ORM objects: quick and flat in memory at 100,000 deposits.
    query = (sa.select(Deposit.id, Deposit.currency, Deposit.amount, Deposit.value_date, Deposit.rate,
                       Deposit.usd_amount, Deposit.fee_rate, Deposit.fee, Deposit.net, Deposit.commitment_id,
                       Deposit.donor_id, Deposit.pool_id, Deposit.reverses_id, Deposit.bank_reference,
                       Deposit.reference_key)
             .order_by(Deposit.id).execution_options(yield_per=5000))
    for d in db.session.execute(query):
        what = f"Deposit #{d.id} ({d.currency} {_n(d.amount, d.currency)}, value date {d.value_date})"
        usd = round_cents(d.amount / d.rate) if d.rate else None
        if usd is None or d.usd_amount != usd:
            problems.append(f"{what}: USD {_n(d.usd_amount)} is stored, but {_n(d.amount, d.currency)} "
                            f"÷ {d.rate} = {_n(usd) if usd is not None else '?'}.")
        fee = round_cents(d.usd_amount * d.fee_rate)
        if d.fee != fee:
            problems.append(f"{what}: fee {_n(d.fee)} is stored, but {_n(d.usd_amount)} × {d.fee_rate} "
                            f"= {_n(fee)}.")
        in_force = value_on(FEE_RATE, fee_rates, d.value_date)
        if d.reverses_id is None and d.fee_rate != in_force:
            problems.append(f"{what}: charged the fee rate {d.fee_rate}, but {in_force} was in force "
                            f"on its value date.")
        if not _in_minor_unit(d.amount, d.currency):
            problems.append(f"{what}: its amount {d.amount} has more decimals than {d.currency} has.")
        if d.net != d.usd_amount - d.fee:
            problems.append(f"{what}: net {_n(d.net)} is not USD {_n(d.usd_amount)} less fee {_n(d.fee)}.")
        commitment = commitments.get(d.commitment_id)
        if commitment is not None:
            if d.donor_id != commitment.donor_id or d.currency != commitment.currency:
                problems.append(f"{what}: donor or currency differ from its commitment #{commitment.id}.")
            expected_pool = earmark_pool.get(commitment.objective_id, unearmarked)
            if d.pool_id != expected_pool:
                problems.append(f"{what}: credited to pool #{d.pool_id}, but its commitment's earmark "
                                f"is pool #{expected_pool}.")
        if d.reverses_id is None:
            originals[d.id] = (d.amount, d.usd_amount, d.fee, d.net, d.pool_id, d.commitment_id, d.fee_rate)
        else:
            original = originals.get(d.reverses_id)
            mine = (-d.amount, -d.usd_amount, -d.fee, -d.net, d.pool_id, d.commitment_id, d.fee_rate)
            if original is None:
                problems.append(f"{what}: reverses deposit #{d.reverses_id}, which is not an earlier "
                                f"original deposit.")
            elif original != mine:
                problems.append(f"{what}: is not the exact opposite of deposit #{d.reverses_id}.")
        standing = d.reverses_id is None and d.id not in reversed_ids
        key = reference_key(d.bank_reference) if standing else None
        if d.reference_key != key:
            problems.append(f"{what}: holds the reference key {d.reference_key!r}, but its bank reference "
                            f"and state say {key!r}.")
    return problems


def entry_problems() -> list[str]:
    """Interest and the fund's own entries: each reversal the exact opposite of the
    earlier original it reverses, in its pool and of its kind; interest in the
    un-earmarked pool (confirmed.record_interest), its reversals with it."""
    problems = []
    unearmarked = db.session.scalar(sa.select(Pool.id).where(Pool.objective_id.is_(None)))
    for label, model in (("Interest entry", InterestEntry), ("Fund entry", FundEntry)):
        kind = model.kind if model is FundEntry else sa.literal("interest")
        rows = {row.id: row for row in db.session.execute(
            sa.select(model.id, model.pool_id, model.usd_amount, model.reverses_id, kind.label("kind"))
            .order_by(model.id))}
        for row in rows.values():
            what = f"{label} #{row.id} (USD {_n(row.usd_amount)})"
            if model is InterestEntry and row.pool_id != unearmarked:
                problems.append(f"{what}: interest credited to pool #{row.pool_id}, not the un-earmarked "
                                f"pool.")
            if row.reverses_id is None:
                continue
            original = rows.get(row.reverses_id)
            if original is None or original.reverses_id is not None or original.id > row.id:
                problems.append(f"{what}: reverses #{row.reverses_id}, which is not an earlier original "
                                f"entry.")
            elif (row.usd_amount, row.pool_id, row.kind) != (-original.usd_amount, original.pool_id,
                                                             original.kind):
                problems.append(f"{what}: reverses #{original.id} (USD {_n(original.usd_amount)}) but is "
                                f"not its exact opposite.")
    return problems


def commitment_problems() -> list[str]:
    problems = []
    deposits = {commitment_id: (amount, usd, fee) for commitment_id, amount, usd, fee in db.session.execute(
        sa.select(Deposit.commitment_id, sa.func.sum(Deposit.amount), sa.func.sum(Deposit.usd_amount),
                  sa.func.sum(Deposit.fee)).group_by(Deposit.commitment_id))}
    written_off = _sums(sa.select(WriteOff.commitment_id, sa.func.sum(WriteOff.amount))
                        .group_by(WriteOff.commitment_id))
    scheduled = _sums(sa.select(Instalment.commitment_id, sa.func.sum(Instalment.amount))
                      .group_by(Instalment.commitment_id))
    for c in db.session.scalars(sa.select(Commitment).order_by(Commitment.id)
                                .options(sa.orm.undefer(Commitment.deposited_usd),
                                         sa.orm.undefer(Commitment.deposit_fees))
                                .execution_options(yield_per=2000)):
        cur = c.currency
        what = f"Commitment #{c.id} ({cur} {_n(c.amount, cur)}{', ' + c.reference if c.reference else ''})"
        total, usd, fee = deposits.get(c.id, (Decimal("0.000"), ZERO, ZERO))
        if c.deposited != total:
            problems.append(f"{what}: deposited {_n(c.deposited, cur)} is recorded, but its deposits add "
                            f"up to {_n(total, cur)}.")
        if c.deposited_usd != usd or c.deposit_fees != fee:
            problems.append(f"{what}: its deposits' USD {_n(c.deposited_usd)} and fees {_n(c.deposit_fees)} "
                            f"are recorded, but its deposits add up to USD {_n(usd)} and fees {_n(fee)}.")
        if not _in_minor_unit(c.amount, cur):
            problems.append(f"{what}: its amount {c.amount} has more decimals than {cur} has.")
        off = written_off.get(c.id, Decimal("0.000"))
        if c.written_off != off:
            problems.append(f"{what}: written off {_n(c.written_off, cur)} is recorded, but its write-offs "
                            f"add up to {_n(off, cur)}.")
        if total + off > c.amount:
            problems.append(f"{what}: deposits of {_n(total, cur)} and write-offs of {_n(off, cur)} exceed "
                            f"the commitment.")
        if total < 0:
            problems.append(f"{what}: its deposits add up to less than zero ({_n(total, cur)}).")
        if scheduled.get(c.id, ZERO) > c.amount:
            problems.append(f"{what}: its instalments add up to {_n(scheduled[c.id], cur)}, more than the "
                            f"commitment.")
    return problems


def pledge_problems() -> list[str]:
    problems = []
    committed = _sums(sa.select(Commitment.pledge_id, sa.func.sum(Commitment.amount))
                      .where(Commitment.pledge_id.is_not(None)).group_by(Commitment.pledge_id))
    strangers = db.session.execute(
        sa.select(Commitment.id, Commitment.pledge_id).join(Pledge, Pledge.id == Commitment.pledge_id)
        .where(sa.or_(Commitment.donor_id != Pledge.donor_id, Commitment.currency != Pledge.currency))
        .order_by(Commitment.id)).all()
    for commitment_id, pledge_id in strangers:
        problems.append(f"Commitment #{commitment_id} fulfils pledge #{pledge_id}, but its donor or currency "
                        f"differ from the pledge's.")
    query = (sa.select(Pledge.id, Pledge.currency, Pledge.amount, Pledge.fulfilled).order_by(Pledge.id)
             .execution_options(yield_per=2000))
    for pledge_id, cur, amount, fulfilled in db.session.execute(query):
        total = committed.get(pledge_id, Decimal("0.000"))
        if fulfilled != total:
            problems.append(f"Pledge #{pledge_id} ({cur} {_n(amount, cur)}): fulfilled {_n(fulfilled, cur)} "
                            f"is recorded, but the commitments against it add up to {_n(total, cur)}.")
    return problems


def expected_pool_figures(spending: Spending) -> dict[int, dict[str, Decimal]]:
    """Each pool's figures as its entries say they should be."""
    deposits = db.session.execute(
        sa.select(Deposit.pool_id, sa.func.sum(Deposit.usd_amount), sa.func.sum(Deposit.fee),
                  sa.func.sum(Deposit.net)).group_by(Deposit.pool_id)).all()
    interest = _sums(sa.select(InterestEntry.pool_id, sa.func.sum(InterestEntry.usd_amount))
                     .group_by(InterestEntry.pool_id))
    transfers_in = _sums(sa.select(PoolTransfer.to_pool_id, sa.func.sum(PoolTransfer.usd_amount))
                         .group_by(PoolTransfer.to_pool_id))
    transfers_out = _sums(sa.select(PoolTransfer.from_pool_id, sa.func.sum(PoolTransfer.usd_amount))
                          .group_by(PoolTransfer.from_pool_id))
    own = db.session.execute(sa.select(FundEntry.pool_id, FundEntry.kind, sa.func.sum(FundEntry.usd_amount))
                             .group_by(FundEntry.pool_id, FundEntry.kind)).all()
    closed_out = _sums(sa.select(PoolClosing.pool_id, sa.func.sum(PoolClosing.usd_amount))
                       .group_by(PoolClosing.pool_id))
    committed = {pool_id: figures["committed"] for pool_id, figures in spending.items()}
    spent = {pool_id: figures["spent"] for pool_id, figures in spending.items()}
    by_pool: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(FIGURES, ZERO))
    for pool_id, usd, fee, net in deposits:
        by_pool[pool_id].update(deposits_usd=usd or ZERO, fees=fee or ZERO, deposits_net=net or ZERO)
    for name, sums in (("interest", interest), ("transfers_in", transfers_in),
                       ("transfers_out", transfers_out), ("committed", committed), ("spent", spent),
                       ("closed_out", closed_out)):
        for pool_id, value in sums.items():
            by_pool[pool_id][name] = value
    for pool_id, kind, total in own:
        by_pool[pool_id][POOL_FIGURE[kind]] += total or ZERO
    for figures in by_pool.values():
        figures["available"] = available_of(figures)
    return by_pool


def available_of(figures) -> Decimal:
    """The rule of a pool's available money (a dict of figures, or a Pool)."""
    get = figures.get if isinstance(figures, dict) else lambda name: getattr(figures, name)
    return (get("deposits_net") + get("interest") + get("other_income") + get("transfers_in")
            - get("transfers_out") - get("committed") - get("spent") - get("direct_costs")
            - get("bank_charges") - get("closed_out"))


def pool_problems(spending: Spending) -> list[str]:
    problems = []
    expected = expected_pool_figures(spending)
    pools = db.session.scalars(sa.select(Pool).order_by(Pool.id)).all()
    known = {pool.id for pool in pools}
    for pool_id in sorted(set(expected) - known):
        problems.append(f"Entries point to pool #{pool_id}, which does not exist.")
    fund = dict.fromkeys(FIGURES, ZERO)
    for pool in pools:
        what = f"Pool {pool.code}"
        want = expected.get(pool.id, dict.fromkeys(FIGURES, ZERO))
        for name in FIGURES:
            have = getattr(pool, name)
            fund[name] += have
            if have != want[name]:
                problems.append(f"{what}: {name.replace('_', ' ')} is {_n(have)}, but its entries say "
                                f"{_n(want[name])}.")
        if pool.deposits_net != pool.deposits_usd - pool.fees:
            problems.append(f"{what}: net deposits {_n(pool.deposits_net)} are not deposits "
                            f"{_n(pool.deposits_usd)} less fees {_n(pool.fees)}.")
        formula = available_of(pool)
        if pool.available != formula:
            problems.append(f"{what}: available {_n(pool.available)} is not net deposits + interest + "
                            f"other income + transfers in − transfers out − committed − spent − direct "
                            f"costs − bank charges − closed out = {_n(formula)}.")
        if pool.available < 0:
            problems.append(f"{what}: available is below zero ({_n(pool.available)}).")
    problems.extend(fund_problems(fund))
    return problems


def fund_problems(pools_total: dict[str, Decimal]) -> list[str]:
    """The pools together against the fund's own totals."""
    problems = []
    row = db.session.execute(sa.select(sa.func.sum(Deposit.usd_amount), sa.func.sum(Deposit.fee),
                                       sa.func.sum(Deposit.net))).one()
    fund = {"deposits_usd": row[0] or ZERO, "fees": row[1] or ZERO, "deposits_net": row[2] or ZERO,
            "interest": db.session.scalar(sa.select(sa.func.sum(InterestEntry.usd_amount))) or ZERO}
    for name, value in fund.items():
        if pools_total[name] != value:
            problems.append(f"The pools' {name.replace('_', ' ')} add up to {_n(pools_total[name])}, but "
                            f"the fund's entries total {_n(value)}.")
    if pools_total["transfers_in"] != pools_total["transfers_out"]:
        problems.append(f"Transfers into pools ({_n(pools_total['transfers_in'])}) differ from transfers "
                        f"out of pools ({_n(pools_total['transfers_out'])}).")
    fund_available = (fund["deposits_net"] + fund["interest"] + pools_total["other_income"]
                      - pools_total["committed"] - pools_total["spent"] - pools_total["direct_costs"]
                      - pools_total["bank_charges"] - pools_total["closed_out"])
    if pools_total["available"] != fund_available:
        problems.append(f"The pools' available money adds up to {_n(pools_total['available'])}, but the "
                        f"fund has {_n(fund_available)} (net deposits + interest + other income − "
                        f"committed − spent − direct costs − bank charges − closed out).")
    return problems


def problems(spending: Spending) -> list[str]:
    """Every violated invariant of the fund's money, as readable lines. `spending`:
    what each pool's travel grants hold committed and have spent (travel.checks.
    pool_spending(), passed in by ledger_check: travel builds on contributions)."""
    return (deposit_problems() + entry_problems() + commitment_problems() + pledge_problems()
            + pool_problems(spending))
