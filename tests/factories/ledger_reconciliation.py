"""The reconciliation steps of the ledger property test (tests/unit/test_ledger_property.py):
actual costs, overruns and the overrun tolerance, applied through the services and
checked against the test's model of the ledger (no tests here)."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from trustfund.admin.confirmed_settings import set_setting
from trustfund.admin.models import OVERRUN_TOLERANCE
from trustfund.errors import DomainError
from trustfund.travel import corrections, overruns, reconcile
from trustfund.travel.models import TravelGrant

D = Decimal
CENT = D("0.01")


def apply_reconciliation(db, model, step, admin, travel, on: dt.date):
    """One step of reconciliation through the services, checked against the model
    (its grants, pools and tolerance): costs within the commitment return the rest;
    above it, an overrun paid at once within the tolerance (if the pool has the
    money; else, the costs recorded, it waits as a larger one does) or awaiting a
    colleague's decision, then approved (if the
    pool has the money), rejected, or refused to the recorder. Returns True (done),
    False (refused, as the model expected) or None (nothing to do)."""
    kind = step[0]
    _event, _delegate, recorder, colleague = travel
    if kind == "tolerance":
        model.tolerance = D(step[1]).scaleb(-2)
        set_setting(admin, OVERRUN_TOLERANCE, str(model.tolerance), on)
        return True
    if not model.grants:
        return None
    # Mostly a grant the step applies to (open, or with an overrun to decide on);
    # sometimes any grant, which must be refused.
    wanted = [g for g in model.grants if (g["open"] if kind == "travel" else g["overrun"] == "pending"
                                          if kind == "overrun" else g.get("costs") is not None)]
    candidates = wanted if wanted and step[1] % 4 else model.grants
    m = candidates[step[1] % len(candidates)]
    grant = db.session.get(TravelGrant, m["id"])
    if kind == "travel":
        costs = (m["usd"] * step[2] / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        overrun = max(costs - m["usd"], D("0.00"))
        # Within the tolerance an overrun is paid at once if the pool has the money;
        # otherwise the costs are still recorded (they are facts) and the overrun waits
        # for a colleague, as one above the tolerance does (reconcile.settlement).
        at_once = overrun == 0 or (overrun <= model.tolerance and model.can_take(m["pool"], overrun))
        expected = m["open"] and costs > 0
        try:
            reconcile.record_travel(recorder, grant, ticket=costs, dsa="0", terminal="0")
        except DomainError:
            assert not expected, (step, m)
            return False
        assert expected, (step, m)
        paid = costs if at_once else m["usd"]
        m.update(open=False, spent=paid, overrun_amount=overrun, costs=costs,
                 overrun=None if overrun == 0 else "approved" if at_once else "pending")
        model.change(m["pool"], committed=-m["usd"], spent=paid, available=m["usd"] - paid)
        assert (grant.status, grant.actual_total, grant.overrun_status) == ("travelled", paid, m["overrun"])
        return True
    if kind == "correct":
        return _correct(model, m, grant, step, recorder, colleague)
    _kind, _index, approve, by_recorder = step
    decider = recorder if by_recorder else colleague
    amount = m["overrun_amount"]
    expected = m["overrun"] == "pending" and not by_recorder and (
        not approve or model.can_take(m["pool"], amount))
    try:
        if approve:
            overruns.approve_overrun(decider, grant)
        else:
            overruns.reject_overrun(decider, grant, "property test")
    except DomainError:
        assert not expected, (step, m)
        return False
    assert expected, (step, m)
    if approve:
        m.update(overrun="approved", spent=m["spent"] + amount)
        model.change(m["pool"], spent=amount, available=-amount)
    else:
        m["overrun"] = "rejected"
    assert (grant.overrun_status, grant.actual_total) == (m["overrun"], m["spent"])
    return True


def _correct(model, m, grant, step, recorder, colleague):
    """A correction of a closed trip's costs (travel.corrections), proposed by the
    recorder and confirmed by a colleague (or, refused, by the recorder): the grant
    then costs the corrected amount (no more than the commitment after a rejected
    overrun), and the pool gets the difference back or spends it, if it has it."""
    _kind, _index, percent, by_recorder = step
    costs = m.get("costs")
    new = (costs * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP) if costs is not None else D("1.00")
    may_propose = costs is not None and m["overrun"] != "pending" and new != costs and new > 0
    try:
        correction = corrections.propose(recorder, grant, ticket=new, dsa="0", terminal="0",
                                         reason="property test")
    except DomainError:
        assert not may_propose, (step, m)
        return False
    assert may_propose, (step, m)
    paid = min(new, m["usd"]) if m["overrun"] == "rejected" else new
    change = paid - m["spent"]
    expected = not by_recorder and (change <= 0 or model.can_take(m["pool"], change))
    try:
        corrections.confirm(recorder if by_recorder else colleague, correction.id)
    except DomainError:
        assert not expected, (step, m)
        return False
    assert expected, (step, m)
    m.update(costs=new, spent=paid)
    model.change(m["pool"], spent=change, available=-change)
    assert (grant.actual_total, grant.actual_ticket) == (paid, new)
    return True
