"""Property: whatever sequence of commitments, deposits, reversals, interest,
transfers, grant commitments and their reconciliation (actual costs, overruns
approved, rejected or refused, the overrun tolerance changed), pledges, their
conversion into commitments (wholly, in part or for more) and their withdrawal
happens, after every step no pool is negative, each pool holds exactly what an
independent model of the entries says, the pools add up to the fund's totals, what
is pledged and not yet committed is what the model says in the lists' totals and on
the dashboard, and the ledger check finds nothing.
Deposits carry bank references from a small set, spelt in different ways: one
that a standing deposit already holds is refused unless marked a separate
transfer (no deposit twice).

Each Hypothesis example starts from an emptied ledger (the tables of the money
are cleared and the pools' figures zeroed), so examples do not leak into each other.
"""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.factories.ledger_reconciliation import apply_reconciliation
from trustfund.admin.models import OVERRUN_TOLERANCE, Setting
from trustfund.audit import AuditEntry
from trustfund.contributions import confirmed, queries, services
from trustfund.contributions import pools as pool_ops
from trustfund.contributions.confirmed import set_rate
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
)
from trustfund.contributions.pools import FIGURES
from trustfund.dashboard.services import contribution_figures
from trustfund.donors.models import Donor
from trustfund.errors import DomainError
from trustfund.ledger_check import run_checks as problems
from trustfund.travel.models import CostCorrection, Delegate, Event, TravelGrant

D = Decimal
CENT = D("0.01")
ON = dt.date(2018, 5, 10)
CURRENCIES = {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}
POOL_CODES = ("UNEARMARKED", "OBJ1", "OBJ2", "OBJ3")

currency = st.sampled_from(sorted(CURRENCIES))
minor = st.integers(min_value=1, max_value=5_000_000_00)
small = st.integers(min_value=1, max_value=20_000_00)  # grants, transfers, interest: often fundable
rate = st.builds(lambda units, places: D(units).scaleb(-places),
                 st.integers(min_value=1_000, max_value=2_000_000), st.integers(min_value=2, max_value=6))
# A deposit's rate: typed (held to the currency's UN rate: within the tolerance), or
# None, the UN rate of its month. The first deposit in a currency gives that month its
# UN rate (as two MPTF officers would have: a typed rate needs one to be checked against).
deposit_rate = st.one_of(st.none(), rate)
TOLERANCE = D("0.10")  # the default of the setting rate_tolerance
commit_step = st.tuples(st.just("commit"), currency,
                        st.integers(min_value=1000_00, max_value=5_000_000_00), st.sampled_from([None, 1, 2]))
# Few references, spelt differently ("SEB/1" and " seb / 1" are one transfer): repeats are frequent.
REFERENCES = ["SEB/1", " seb / 1", "SEB/1 ", "UBS-2", "ubs-2", "CITI 3", "citi3"]
reference = st.one_of(st.none(), st.sampled_from(REFERENCES))
deposit_step = st.tuples(st.just("deposit"), st.integers(0, 50), st.integers(1, 120), deposit_rate, reference,
                         st.booleans())
# The reference of an earlier deposit again, spelt otherwise: a deposit twice, unless marked separate.
again_step = st.tuples(st.just("again"), st.integers(0, 50), st.booleans())
pledge_step = st.tuples(st.just("pledge"), currency,
                        st.integers(min_value=1000_00, max_value=5_000_000_00), st.sampled_from([None, 1, 2]))
# Convert a pledge into a commitment for a percentage of what is still pledged (over
# 100: the SAA says more than the pledge), or withdraw it.
convert_step = st.tuples(st.just("convert"), st.integers(0, 20), st.integers(1, 150))
any_step = st.one_of(
    commit_step, deposit_step, deposit_step, again_step, again_step, pledge_step, convert_step,
    convert_step, convert_step,
    st.tuples(st.just("withdraw"), st.integers(0, 20)),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("interest"), small),
    st.tuples(st.just("unearn"), st.integers(0, 20)),
    st.tuples(st.just("transfer"), st.integers(0, 3), st.integers(0, 3), small),
    st.tuples(st.just("grant"), st.integers(0, 3), small),
    st.tuples(st.just("release"), st.integers(0, 20)),
    # The trip's actual costs, as a percentage of the commitment: above 100 is an overrun.
    st.tuples(st.just("travel"), st.integers(0, 20), st.integers(1, 160)),
    st.tuples(st.just("travel"), st.integers(0, 20), st.integers(95, 110)),
    # Decide on an overrun: approve or reject, by a colleague or (refused) by its recorder.
    st.tuples(st.just("overrun"), st.integers(0, 20), st.booleans(), st.booleans()),
    st.tuples(st.just("tolerance"), st.integers(0, 500_00)),
)
# Some money in first (so that later steps have something to move), then anything.
steps = st.builds(lambda a, b, p, c: a + b + p + c, st.lists(commit_step, min_size=1, max_size=3),
                  st.lists(deposit_step, min_size=1, max_size=4),
                  st.lists(pledge_step, min_size=1, max_size=2), st.lists(any_step, min_size=1, max_size=20))
# Reconciliation in depth: money in (interest goes to the un-earmarked pool, where
# most grants are paid from), grants, then mostly costs and overrun decisions.
grant_step = st.tuples(st.just("grant"), st.sampled_from([0, 0, 0, 1, 2]), small)
interest_step = st.tuples(st.just("interest"), st.integers(10_000_00, 200_000_00))
travel_step = st.one_of(
    st.tuples(st.just("travel"), st.integers(0, 20), st.integers(1, 160)),
    st.tuples(st.just("travel"), st.integers(0, 20), st.integers(98, 104)),
    st.tuples(st.just("overrun"), st.integers(0, 20), st.booleans(), st.booleans()),
    st.tuples(st.just("overrun"), st.integers(0, 20), st.just(True), st.just(False)),
    st.tuples(st.just("tolerance"), st.integers(0, 500_00)),
    # Correct a closed trip's costs (a percentage of those recorded), confirmed by a
    # colleague or (refused) by its proposer.
    st.tuples(st.just("correct"), st.integers(0, 20), st.integers(0, 160), st.booleans()),
    st.tuples(st.just("correct"), st.integers(0, 20), st.integers(80, 120), st.just(False)),
    grant_step,
    st.tuples(st.just("release"), st.integers(0, 20)),
    st.tuples(st.just("transfer"), st.integers(0, 3), st.integers(0, 3), small),
)
reconciliation_steps = st.builds(
    lambda a, b, c, d, e: a + b + c + d + e, st.lists(commit_step, min_size=1, max_size=2),
    st.lists(deposit_step, max_size=3), st.lists(interest_step, min_size=1, max_size=2),
    st.lists(grant_step, min_size=1, max_size=5), st.lists(travel_step, min_size=3, max_size=25))


def _reset(db):
    """An empty ledger: no entries, every pool at zero."""
    for model in (CostCorrection, TravelGrant, AuditEntry, Deposit, Instalment, InterestEntry, PoolTransfer,
                  Commitment, Pledge, ExchangeRate):
        if model in (Deposit, InterestEntry):  # reversals first: they point to their originals
            db.session.execute(sa.delete(model).where(model.reverses_id.is_not(None)))
        db.session.execute(sa.delete(model))
    db.session.execute(sa.update(Pool).values(**dict.fromkeys(FIGURES, D("0.00"))))
    db.session.execute(sa.delete(Setting).where(Setting.key == OVERRUN_TOLERANCE))
    db.session.commit()
    db.session.expire_all()


def _travel_fixture(db, users):
    event = db.session.scalar(sa.select(Event))
    if event is None:
        event = Event(kind="conference", title="Intergovernmental Conference", city="Marrakech",
                      start_on=dt.date(2018, 12, 10), end_on=dt.date(2018, 12, 11), dsa_rate=D("0.00"))
        delegate = Delegate(name="A. Delegate", country_code="NE")
        db.session.add_all([event, delegate])
        db.session.commit()
    return (event, db.session.scalar(sa.select(Delegate).order_by(Delegate.id).limit(1)), users["srsg_staff"],
            users["srsg_staff2"])


def _usd(amount: Decimal, r: Decimal) -> Decimal:
    return (amount / r).quantize(CENT, rounding=ROUND_HALF_UP)


class Model:
    """What the ledger should hold, computed independently of the services."""

    def __init__(self, pool_ids):
        self.pool_ids = pool_ids  # code -> id
        self.pools = {code: dict.fromkeys(FIGURES, D("0.00")) for code in POOL_CODES}
        self.commitments = []  # dicts
        self.pledges = []
        self.deposits = []
        self.reversals = []  # the reversed deposits, in the order they were reversed
        self.interest = []
        self.grants = []
        self.tolerance = D("0.00")
        self.un_rates = {}  # currency -> the UN rate of ON's month
        # Un-earmarked money moved into each objective's pool, less what went back to it.
        self.from_unearmarked = dict.fromkeys(POOL_CODES, D("0.00"))

    def change(self, code, **deltas):
        figures = self.pools[code]
        for name, delta in deltas.items():
            figures[name] += delta

    def can_take(self, code, amount):
        return self.pools[code]["available"] >= amount

    def may_move(self, source, target, amount):
        """Earmarked money stays with its objective: the un-earmarked pool's money moves to
        any pool, Objective 1's to Objective 2, and un-earmarked money moved into a pool may
        go back to the un-earmarked pool, no more than came."""
        return (source == "UNEARMARKED" or (source, target) == ("OBJ1", "OBJ2")
                or (target == "UNEARMARKED" and amount <= self.from_unearmarked[source]))

    def standing_references(self) -> set[str]:
        return {d["key"] for d in self.deposits if d["key"] and not d["reversed"]}

    def pledged_not_committed(self) -> dict[str, Decimal]:
        """Per currency: the rest of each pledge in force (withdrawn or fulfilled: none)."""
        rests: dict[str, Decimal] = {}
        for m in self.pledges:
            if not m["withdrawn"] and m["fulfilled"] < m["amount"]:
                rests[m["currency"]] = rests.get(m["currency"], D(0)) + m["amount"] - m["fulfilled"]
        return rests


def _amount(cur: str, units: int) -> Decimal:
    return D(units).scaleb(-CURRENCIES[cur]) if CURRENCIES[cur] else D(units % 10**9 + 1)


def _objective_id(db, objective_number):
    if not objective_number:
        return None
    return db.session.scalar(sa.select(Objective.id).where(Objective.number == objective_number))


def _sweden(db):
    return db.session.scalar(sa.select(Donor).where(Donor.name == "Kingdom of Sweden"))


def _apply_pledge(db, model: Model, step, officer):
    """Pledges: announce, convert into a commitment (for part of the rest, all of it or
    more), withdraw. Returns like _apply."""
    kind = step[0]
    if kind == "pledge":
        _kind, cur, units, objective_number = step
        p = services.record_pledge(officer, _sweden(db), currency=cur, amount=_amount(cur, units),
                                   objective_id=_objective_id(db, objective_number), pledged_on=ON)
        model.pledges.append({"id": p.id, "currency": cur, "amount": p.amount, "fulfilled": D(0),
                              "withdrawn": False, "objective": objective_number})
        return True
    if not model.pledges:
        return None
    m = model.pledges[step[1] % len(model.pledges)]
    is_open = not m["withdrawn"] and m["fulfilled"] < m["amount"]
    if kind == "withdraw":
        try:
            services.withdraw_pledge(officer, db.session.get(Pledge, m["id"]), "property test")
        except DomainError:
            assert not is_open, (step, m)
            return False
        assert is_open, (step, m)
        m["withdrawn"] = True
        return True
    if kind == "convert":
        places = CURRENCIES[m["currency"]]
        rest = m["amount"] - m["fulfilled"]
        amount = max((rest * step[2] / 100).quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP),
                     D(1).scaleb(-places))
        try:
            c = services.record_commitment(officer, _sweden(db), currency=m["currency"], amount=amount,
                                           objective_id=_objective_id(db, m["objective"]), committed_on=ON,
                                           pledge_id=m["id"])
        except DomainError:
            assert not is_open, (step, m)
            return False
        assert is_open, (step, m)
        m["fulfilled"] += amount
        model.commitments.append({"id": c.id, "currency": m["currency"], "amount": c.amount,
                                  "deposited": D(0),
                                  "pool": f"OBJ{m['objective']}" if m["objective"] else "UNEARMARKED"})
        return True
    raise AssertionError(kind)


def _apply(db, model: Model, step, officer, admin, travel):
    kind = step[0]
    if kind in ("pledge", "convert", "withdraw"):
        return _apply_pledge(db, model, step, officer)
    if kind == "commit":
        _kind, cur, units, objective_number = step
        amount = D(units).scaleb(-CURRENCIES[cur]) if CURRENCIES[cur] else D(units % 10**9 + 1)
        objective_id = None
        if objective_number:
            objective_id = db.session.scalar(
                sa.select(Objective.id).where(Objective.number == objective_number))
        donor = db.session.scalar(sa.select(Donor).where(Donor.name == "Kingdom of Sweden"))
        c = services.record_commitment(officer, donor, currency=cur, amount=amount, objective_id=objective_id,
                                       committed_on=ON)
        model.commitments.append({"id": c.id, "currency": cur, "amount": c.amount, "deposited": D(0),
                                  "pool": f"OBJ{objective_number}" if objective_number else "UNEARMARKED"})
        return True
    if kind == "deposit":
        _kind, index, percent, r, bank_reference, separate = step
        if not model.commitments:
            return None
        m = model.commitments[index % len(model.commitments)]
        places = CURRENCIES[m["currency"]]
        amount = (m["amount"] * percent / 100).quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)
        cur, typed = m["currency"], r is not None
        if cur == "USD":
            r, typed = D(1), True
        elif cur not in model.un_rates:
            model.un_rates[cur] = set_rate(officer, cur, ON, r or D("0.9"), adding=True).rate
            db.session.commit()
        un = model.un_rates.get(cur, D(1))
        r = un if r is None else r
        near = abs(r - un) <= un * TOLERANCE
        usd = _usd(amount, r) if amount > 0 else D(0)
        fee = (usd * D("0.01")).quantize(CENT, rounding=ROUND_HALF_UP)
        # The model's own idea of "one transfer": the reference without case or spaces.
        key = "".join((bank_reference or "").lower().split()) or None
        twice = key is not None and not separate and key in model.standing_references()
        # The officer reversed this transfer's deposit, last, in another pool: recording it
        # here would move money between pools (references.moved_refusal). The transfer
        # is known by its reference, or else by its currency, amount and value date (all
        # of the model's are dated ON).
        last = [d for d in model.reversals if d["key"] == key][-1:] if key else []
        if not last:
            last = [d for d in model.reversals
                    if (d["commitment"]["currency"], d["amount"]) == (cur, amount)][-1:]
        moved = bool(last) and last[0]["pool"] != m["pool"]
        expected = (amount > 0 and usd - fee > 0 and m["deposited"] + amount <= m["amount"] and not twice
                    and near and not moved)
        c = db.session.get(Commitment, m["id"])
        try:
            d = services.record_deposit(officer, c, value_date=ON, amount=amount, rate=r if typed else None,
                                        rate_note="property test" if typed and cur != "USD" else "",
                                        bank_reference=bank_reference or "", separate_transfer=separate,
                                        separate_note="property test: separate" if separate else "")
        except DomainError as refusal:
            assert not expected, (step, m)
            if twice and near and amount > 0 and usd - fee > 0:
                assert refusal.field in ("bank_reference", "amount"), refusal.message
            return False
        assert expected, (step, m)
        assert (d.usd_amount, d.fee, d.net) == (usd, fee, usd - fee)
        m["deposited"] += amount
        model.deposits.append({"id": d.id, "commitment": m, "amount": amount, "usd": usd, "fee": fee,
                               "net": usd - fee, "pool": m["pool"], "reversed": False, "key": key})
        model.change(m["pool"], deposits_usd=usd, fees=fee, deposits_net=usd - fee, available=usd - fee)
        return True
    if kind == "again":
        _kind, index, separate = step
        earlier = [d for d in model.deposits if d["key"]]
        if not earlier:
            return None
        d = earlier[index % len(earlier)]
        spelt = " ".join(d["key"].upper())  # "SEB/1" as "S E B / 1": the same transfer
        m = d["commitment"]
        return _apply(db, model, ("deposit", model.commitments.index(m), 1, None, spelt, separate),
                      officer, admin, travel)
    if kind == "reverse":
        if not model.deposits:
            return None
        m = model.deposits[step[1] % len(model.deposits)]
        expected = not m["reversed"] and model.can_take(m["pool"], m["net"])
        try:
            confirmed.reverse_deposit(officer, db.session.get(Deposit, m["id"]), "property test")
        except DomainError:
            assert not expected, (step, m)
            return False
        assert expected, (step, m)
        m["reversed"] = True
        model.reversals.append(m)
        m["commitment"]["deposited"] -= m["amount"]
        model.change(m["pool"], deposits_usd=-m["usd"], fees=-m["fee"], deposits_net=-m["net"],
                     available=-m["net"])
        return True
    if kind == "interest":
        usd = D(step[1]).scaleb(-2)
        entry = confirmed.record_interest(officer, value_date=ON, usd_amount=usd, note="")
        model.interest.append({"id": entry.id, "usd": usd, "reversed": False})
        model.change("UNEARMARKED", interest=usd, available=usd)
        return True
    if kind == "unearn":
        if not model.interest:
            return None
        m = model.interest[step[1] % len(model.interest)]
        expected = not m["reversed"] and model.can_take("UNEARMARKED", m["usd"])
        try:
            confirmed.reverse_interest(officer, db.session.get(InterestEntry, m["id"]), "property test")
        except DomainError:
            assert not expected, (step, m)
            return False
        assert expected
        m["reversed"] = True
        model.change("UNEARMARKED", interest=-m["usd"], available=-m["usd"])
        return True
    if kind == "transfer":
        _kind, source, target, units = step
        source, target, usd = POOL_CODES[source], POOL_CODES[target], D(units).scaleb(-2)
        expected = source != target and model.may_move(source, target, usd) and model.can_take(source, usd)
        try:
            confirmed.transfer(admin, model.pool_ids[source], model.pool_ids[target], usd, "property test",
                               ON)
        except DomainError:
            assert not expected, step
            return False
        assert expected, step
        model.change(source, transfers_out=usd, available=-usd)
        model.change(target, transfers_in=usd, available=usd)
        if source == "UNEARMARKED":
            model.from_unearmarked[target] += usd
        elif target == "UNEARMARKED":
            model.from_unearmarked[source] -= usd
        return True
    if kind == "grant":
        # What approving a travel grant does: commit its total from a pool.
        _kind, index, units = step
        code, usd = POOL_CODES[index], D(units).scaleb(-2)
        event, delegate, requester, _colleague = travel
        try:
            pool_ops.move(model.pool_ids[code], available=-usd, committed=usd)
        except pool_ops.InsufficientFunds:
            assert not model.can_take(code, usd)
            return False
        assert model.can_take(code, usd)
        # Each grant its own delegate: one live request per delegate and event.
        delegate = Delegate(name=f"{delegate.name} {len(model.grants) + 1}", country_code="NE")
        db.session.add(delegate)
        db.session.flush()
        grant = TravelGrant(event_id=event.id, delegate_id=delegate.id, country_code="NE", ldc=True,
                            travel_from=ON, travel_to=ON, origin_city="Niamey", airfare=usd, dsa_days=0,
                            dsa_rate=D("0.00"), dsa_amount=D("0.00"), terminal_expenses=D("0.00"), total=usd,
                            status="approved", pool_id=model.pool_ids[code], committed_amount=usd,
                            requested_by_id=requester.id)
        db.session.add(grant)
        db.session.flush()
        model.grants.append({"id": grant.id, "pool": code, "usd": usd, "open": True, "spent": D("0.00"),
                             "overrun": None, "overrun_amount": D("0.00")})
        model.change(code, available=-usd, committed=usd)
        return True
    if kind == "release":
        # A cancelled grant gives its money back to the pool.
        if not model.grants:
            return None
        m = model.grants[step[1] % len(model.grants)]
        if not m["open"]:
            return None
        grant = db.session.get(TravelGrant, m["id"])
        pool_ops.move(model.pool_ids[m["pool"]], available=m["usd"], committed=-m["usd"])
        grant.status, grant.committed_amount = "cancelled", D("0.00")
        m["open"] = False
        model.change(m["pool"], available=m["usd"], committed=-m["usd"])
        return True
    if kind in ("travel", "overrun", "tolerance", "correct"):
        return apply_reconciliation(db, model, step, admin, travel, ON)
    raise AssertionError(kind)


def _assert_consistent(db, model: Model):
    db.session.expire_all()
    rows = {p.code: p for p in db.session.scalars(sa.select(Pool))}
    for code in POOL_CODES:
        have = {name: getattr(rows[code], name) for name in FIGURES}
        assert have == model.pools[code], (code, have, model.pools[code])
        assert rows[code].available >= 0
    for m in model.commitments:
        assert db.session.get(Commitment, m["id"]).deposited == m["deposited"]
    for m in model.pledges:
        row = db.session.get(Pledge, m["id"])
        assert (row.fulfilled, row.withdrawn_at is not None) == (m["fulfilled"], m["withdrawn"]), m
    rests = model.pledged_not_committed()
    listed = {t["currency"]: t["amount"]
              for t in queries.pledge_totals(queries.parse_filters({"kind": "pledges"}))}
    assert listed == rests
    dashboard = {c.currency: c.pledged for c in contribution_figures().by_currency if c.pledged}
    assert dashboard == rests
    net = sum((d["net"] * (0 if d["reversed"] else 1) for d in model.deposits), D("0.00"))
    interest = sum((i["usd"] * (0 if i["reversed"] else 1) for i in model.interest), D("0.00"))
    committed = sum((g["usd"] for g in model.grants if g["open"]), D("0.00"))
    spent = sum((g["spent"] for g in model.grants), D("0.00"))
    assert sum((p.available for p in rows.values()), D("0.00")) == net + interest - committed - spent
    # No deposit twice: the standing deposits not marked separate hold each reference once.
    unmarked = db.session.scalars(sa.select(Deposit.reference_key).where(
        Deposit.reference_key.is_not(None), Deposit.separate_transfer.is_(False))).all()
    assert len(unmarked) == len(set(unmarked))
    held = sa.select(Deposit.reference_key).where(Deposit.reference_key.is_not(None))
    assert set(db.session.scalars(held)) == model.standing_references()
    assert problems() == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(sequence=steps)
def test_random_sequences_keep_every_pool_whole(db, users, sequence):
    _run(db, users, sequence)


# A sequence the search found (2026-12-07): an overrun within the tolerance that the
# pool cannot pay is recorded and waits (reconcile.settlement), where the model of the
# test expected the costs refused.
SHORT_POOL_WITHIN_TOLERANCE = [
    ("commit", "EUR", 261439, 2), ("deposit", 20, 26, D("242.897"), None, False),
    ("deposit", 0, 3, None, None, False), ("deposit", 0, 1, None, None, True), ("interest", 1000000),
    ("grant", 0, 1), ("travel", 0, 1), ("travel", 0, 98), ("travel", 0, 13), ("grant", 2, 256),
    ("overrun", 12, True, False), ("overrun", 18, True, False), ("tolerance", 154), ("travel", 11, 147),
    ("transfer", 3, 3, 2024), ("release", 8), ("release", 3), ("release", 18)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(sequence=reconciliation_steps)
@example(sequence=SHORT_POOL_WITHIN_TOLERANCE)
def test_random_reconciliations_and_overruns_keep_every_pool_whole(db, users, sequence):
    _run(db, users, sequence)


def _run(db, users, sequence):
    _reset(db)
    travel = _travel_fixture(db, users)
    officer, admin = users["mptf_officer"], users["admin"]
    pool_ids = dict(db.session.execute(sa.select(Pool.code, Pool.id)).all())
    model = Model(pool_ids)
    for step in sequence:
        try:
            done = _apply(db, model, step, officer, admin, travel)
        except BaseException:
            db.session.rollback()
            raise
        event(f"{step[0]}: {'done' if done else 'refused' if done is False else 'nothing to do'}")
        if step[0] == "again" and done is not None:
            marked = " (marked separate)" if step[2] else ""
            event(f"a reference again: {'done' if done else 'refused'}{marked}")
        if done:
            db.session.commit()
        else:
            db.session.rollback()
        _assert_consistent(db, model)
