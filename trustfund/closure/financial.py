"""Financial closure (DESIGN.md §6a), in three steps:

1. settle: every grant reconciled, rejected or cancelled, no overrun or correction
   of a trip's costs awaiting a decision, and no commitment with money outstanding: what will not arrive is
   written off with a reason (proposed by one MPTF officer, confirmed by another:
   closure.write_offs; confirmed_write_offs.write_off records it);
2. decide, pool by pool (SRSG staff): the pool's whole available balance is
   refunded to its donors in proportion to their net deposits in the pool
   (largest remainder, to the cent), or transferred to another fund named with
   a reference, or, at or below the admin's residual waiver, not refunded. The
   decision and each donor's part are ledger entries; the pool reaches zero
   through pools.move (closed_out);
3. close (the admin): once nothing is left to settle and every pool is at zero,
   the fund is financially closed, and every write to it is refused from then on
   (fund.guard).

From the pages, step 2 takes two SRSG staff members: one proposes, another confirms
(closure.proposals), and only then does closing_decisions.decide() apply the decision.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..admin.models import PENDING, REFUND_WAIVER, SettingChange, setting_on
from ..audit import record, snapshot, utcnow
from ..clock import today
from ..contributions import pools
from ..contributions.models import (
    Commitment,
    DepositReversalProposal,
    InterestProposal,
    Pledge,
    Pool,
    RateProposal,
    TransferProposal,
)
from ..contributions.rate_import import waiting_rate_files
from ..contributions.rules import amount_or_error, text_or_error
from ..donors.models import DonorRenaming
from ..errors import DomainError
from ..extensions import db
from ..formatting import money as fmt_money
from ..fund import guard, periods
from ..fund.entries import (
    CLOSING_KINDS,
    FUND_TRANSFER,
    REFUND,
    WAITING,
    WAIVED,
    ClosingProposal,
    FundEntryProposal,
    PoolClosing,
    WriteOffProposal,
)
from ..fund.models import FINANCIALLY_CLOSED, OPEN, Fund
from ..fund.services import require_admin
from ..fund.status import current_fund, effective_status
from ..money import USD
from ..permissions import SRSG_STAFF
from ..travel.models import (
    APPROVED,
    OVERRUN_PENDING,
    REQUESTED,
    WAITLISTED,
    CostCorrection,
    DelegateRenaming,
    TravelGrant,
)
from ..validation import check_text, too_long
from .refunds import plan_pool

OPEN_GRANTS = (REQUESTED, WAITLISTED, APPROVED)


def require_role(actor, role: str) -> None:
    if getattr(actor, "role", None) != role:
        raise DomainError(_("Only SRSG staff may do this.") if role == SRSG_STAFF
                          else _("Only MPTF officers may do this."))


def outstanding_commitments() -> list[Commitment]:
    return list(db.session.scalars(
        sa.select(Commitment).options(sa.orm.joinedload(Commitment.donor))
        .where(Commitment.deposited + Commitment.written_off < Commitment.amount)
        .order_by(Commitment.committed_on, Commitment.id)))


def unsettled() -> list[str]:
    """What still stands between the fund and its closing decisions, in words."""
    problems = []
    fund = current_fund()
    if effective_status(fund) == OPEN:
        problems.append(operations_still_open_message())
    grants = db.session.scalar(sa.select(sa.func.count()).select_from(TravelGrant)
                               .where(TravelGrant.status.in_(OPEN_GRANTS)))
    if grants:
        problems.append(ngettext("%(num)d travel grant is not yet reconciled, rejected or cancelled.",
                                 "%(num)d travel grants are not yet reconciled, rejected or cancelled.",
                                 grants))
    overruns = db.session.scalar(sa.select(sa.func.count()).select_from(TravelGrant)
                                 .where(TravelGrant.overrun_status == OVERRUN_PENDING))
    if overruns:
        problems.append(ngettext("%(num)d overrun awaits a decision.", "%(num)d overruns await a decision.",
                                 overruns))
    corrections = db.session.scalar(sa.select(sa.func.count()).select_from(CostCorrection)
                                    .where(CostCorrection.status == PENDING))
    if corrections:
        # A trip's costs corrected after a pool's balance was decided on would change
        # what its donors were refunded: decided on first (travel.corrections).
        problems.append(ngettext(
            "%(num)d correction of a trip's costs waits for a second SRSG staff member: confirm or refuse it "
            "first.",
            "%(num)d corrections of trips' costs wait for a second SRSG staff member: confirm or refuse them "
            "first.", corrections))
    outstanding = len(outstanding_commitments())
    if outstanding:
        problems.append(ngettext(
            "%(num)d commitment has money outstanding: record the deposit, or write the rest off.",
            "%(num)d commitments have money outstanding: record the deposits, or write the rest off.",
            outstanding))
    return problems


def operations_still_open_message() -> str:
    return _("The fund's operations are still open: they close at its end date, or earlier by an "
             "administrator.")


def closable_problems() -> list[str]:
    """unsettled(), the pools' balances still to decide on, and every change waiting
    for a second person that the closure would leave waiting for ever (fund.guard
    refuses any answer to it once the fund is closed): the fund's entries, interest,
    exchange rates and rates files waiting for a second MPTF officer, transfers between pools and
    settings' values waiting for a second administrator."""
    problems = unsettled()
    # A new deployment (the fund's end date passed, so its operations are closed, and no
    # pool holds money) would otherwise be closable at once, for ever, before its first
    # donor (a colleague's review of the fund's first day).
    if db.session.scalar(sa.select(Commitment.id).limit(1)) is None and \
            db.session.scalar(sa.select(Pledge.id).limit(1)) is None:
        problems.append(_("Nothing has been pledged to or committed to the fund yet: it closes once its "
                          "contributions have been received, used and settled."))
    waiting = set(db.session.scalars(sa.select(ClosingProposal.pool_id)
                                     .where(ClosingProposal.status == WAITING)))
    left = [pool for pool in pools.all_pools()
            if (pool.available != 0 or pool.committed != 0) and pool.id not in waiting]
    if left:
        problems.append(ngettext("%(num)d pool still holds money: record its closing decision.",
                                 "%(num)d pools still hold money: record their closing decisions.",
                                 len(left)))
    if waiting:
        problems.append(ngettext(
            "%(num)d pool's closing decision waits for a second SRSG staff member: nothing has left "
            "the pool until it is confirmed.",
            "%(num)d pools' closing decisions wait for a second SRSG staff member: nothing has left "
            "these pools until they are confirmed.", len(waiting)))
    # The changes waiting for a second person, counted in one statement.
    waiting_changes = (
        (FundEntryProposal, WAITING, lambda num: ngettext(
            "%(num)d entry of the fund waits for a second MPTF officer: confirm or refuse it first.",
            "%(num)d entries of the fund wait for a second MPTF officer: confirm or refuse them first.",
            num)),
        (InterestProposal, PENDING, lambda num: ngettext(
            "%(num)d interest entry waits for a second MPTF officer: confirm or refuse it first.",
            "%(num)d interest entries wait for a second MPTF officer: confirm or refuse them first.", num)),
        (DepositReversalProposal, PENDING, lambda num: ngettext(
            "%(num)d deposit's reversal waits for a second MPTF officer: confirm or refuse it first.",
            "%(num)d deposits' reversals wait for a second MPTF officer: confirm or refuse them first.",
            num)),
        (RateProposal, PENDING, lambda num: ngettext(
            "%(num)d exchange rate waits for a second MPTF officer: confirm or refuse it first.",
            "%(num)d exchange rates wait for a second MPTF officer: confirm or refuse them first.", num)),
        (TransferProposal, PENDING, lambda num: ngettext(
            "%(num)d transfer between pools waits for a second administrator: confirm or refuse it first.",
            "%(num)d transfers between pools wait for a second administrator: confirm or refuse them first.",
            num)),
        (WriteOffProposal, WAITING, lambda num: ngettext(
            "%(num)d write-off waits for a second MPTF officer: confirm or refuse it first.",
            "%(num)d write-offs wait for a second MPTF officer: confirm or refuse them first.", num)),
        (DonorRenaming, PENDING, lambda num: ngettext(
            "%(num)d change of a donor's name, type or country waits for a second MPTF officer: confirm or "
            "refuse it first.",
            "%(num)d changes of donors' names, types or countries wait for a second MPTF officer: confirm or "
            "refuse them first.",
            num)),
        (DelegateRenaming, PENDING, lambda num: ngettext(
            "%(num)d change of a delegate's name waits for a second SRSG staff member: confirm or refuse it "
            "first.",
            "%(num)d changes of delegates' names wait for a second SRSG staff member: confirm or refuse them "
            "first.", num)),
        (SettingChange, PENDING, lambda num: ngettext(
            "%(num)d setting's value waits for a second administrator: confirm or refuse it first.",
            "%(num)d settings' values wait for a second administrator: confirm or refuse them first.", num)),
    )
    counts = db.session.execute(sa.select(*(
        sa.select(sa.func.count()).select_from(model).where(model.status == status).scalar_subquery()
        for model, status, _say in waiting_changes))).one()
    problems.extend(say(count) for (_model, _status, say), count in zip(waiting_changes, counts, strict=True)
                    if count)
    files = len(waiting_rate_files())
    if files:
        problems.append(ngettext(
            "%(num)d rates file waits for a second MPTF officer: confirm or refuse it first.",
            "%(num)d rates files wait for a second MPTF officer: confirm or refuse them first.", files))
    return problems


# --- 1. Write-offs -----------------------------------------------------------------

def write_off_checks(commitment: Commitment, amount, reason: str) -> tuple[Decimal, str]:
    """What a write-off of `amount` (all that is outstanding when empty) of `commitment`
    takes, checked against the commitment as it stands: refused in a closed year, when
    nothing or less is outstanding, and without a reason. Returns (amount, reason).
    Said before the confirmation (previews.write_off), at the proposal and again when
    a second MPTF officer confirms it (closure.write_offs)."""
    periods.require_open(today())
    outstanding = commitment.outstanding
    value = outstanding if amount in (None, "") else amount_or_error(amount, commitment.currency, "amount")
    if value <= 0:
        raise DomainError(_("Nothing is outstanding on this commitment."), field="amount")
    if value > outstanding:
        raise DomainError(_("Only %(outstanding)s is outstanding.",
                            outstanding=fmt_money(outstanding, commitment.currency)), field="amount")
    reason = text_or_error(reason, "reason", _("Say why the amount is written off."))
    return value, reason


# --- 2. The pools' decisions -------------------------------------------------------

@dataclass
class Decision:
    """A pool's closing decision, checked: the balance it moves out, the note, the
    receiving fund's name and reference (a transfer), the refund's parts."""

    balance: Decimal
    note: str
    values: dict
    plan: object


def decision_checks(pool: Pool, kind: str, *, fund_name: str = "", fund_reference: str = "",
                    note: str = "", balance_seen=None) -> Decision:
    """closing_decisions.decide()'s refusals, each in its words (also said before the confirmation:
    previews.pool_decision)."""
    periods.require_open(today())
    if kind not in CLOSING_KINDS:
        raise DomainError(_("Choose the decision."), field="kind")
    problems = unsettled()
    if problems:
        raise DomainError(" ".join(problems))
    balance = pool.available
    if balance <= 0:
        raise DomainError(_("This pool holds nothing to decide on."))
    if balance_seen is not None and str(balance_seen).strip() != str(balance):
        raise DomainError(_("The pool's balance changed meanwhile (it is now %(balance)s): reload the "
                            "page.", balance=fmt_money(balance, USD)))
    note = check_text((note or "").strip(), "note", multiline=True)
    if len(note) > 2000:
        raise DomainError(too_long(2000), field="note")
    values = {"fund_name": "", "fund_reference": ""}
    if kind == FUND_TRANSFER:
        values["fund_name"] = text_or_error(check_text(fund_name or "", "fund_name"), "fund_name",
                                            _("Name the fund that receives the balance."), max_length=300)
        values["fund_reference"] = text_or_error(check_text(fund_reference or "", "fund_reference"),
                                                 "fund_reference", _("Give the reference of the transfer."),
                                                 max_length=100)
    if kind == WAIVED:
        waiver = setting_on(REFUND_WAIVER, today())
        # The waiver bounds what the pool leaves unrefunded in all: money that reached
        # it after a first waiver is not left unrefunded again in steps within it.
        waived = db.session.scalar(sa.select(sa.func.sum(PoolClosing.usd_amount))
                                   .where(PoolClosing.pool_id == pool.id, PoolClosing.kind == WAIVED))
        if waived and waived + balance > waiver:
            raise DomainError(_("Only a residual balance of up to %(waiver)s may be left unrefunded (an "
                                "administrator's setting): this pool has already left %(waived)s unrefunded, "
                                "and this balance is %(balance)s.", waiver=fmt_money(waiver, USD),
                                waived=fmt_money(waived, USD), balance=fmt_money(balance, USD)), field="kind")
        if balance > waiver:
            raise DomainError(_("Only a residual balance of up to %(waiver)s may be left unrefunded (an "
                                "administrator's setting); this one is %(balance)s.",
                                waiver=fmt_money(waiver, USD), balance=fmt_money(balance, USD)), field="kind")
    plan = plan_pool(pool, today(), balance)
    if kind == REFUND and not plan.parts:
        raise DomainError(_("No donor has net deposits in this pool: transfer its balance to another fund."),
                          field="kind")
    return Decision(balance, note, values, plan)


# --- 3. The financial closure ------------------------------------------------------

def close_fund(actor, fund: Fund, *, note: str = "") -> Fund:
    """Close the fund financially (the admin), once nothing is left to settle and every
    pool is at zero. The fund's row is claimed first (one guarded UPDATE), so that on
    PostgreSQL a write in progress finishes before the checks read, and a later one
    finds the fund closed (fund.guard)."""
    require_admin(actor)
    guard.check(db.session())  # this transaction may write: it is the one that closes
    note = check_text((note or "").strip(), "note", multiline=True)
    before = snapshot(fund)
    claimed = db.session.execute(
        sa.update(Fund).where(Fund.id == fund.id, Fund.status != FINANCIALLY_CLOSED)
        .values(status=FINANCIALLY_CLOSED, financially_closed_at=utcnow(),
                financially_closed_by_id=getattr(actor, "id", None), version=Fund.version + 1)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not claimed:
        raise DomainError(_("The fund is already financially closed."))
    problems = closable_problems()
    if problems:
        raise DomainError(" ".join(problems))
    db.session.expire(fund)
    db.session.flush()
    record(actor, "fund.close_financially", fund, before=before, note=note or None)
    return fund


def closed_on(fund: Fund | None) -> dt.date | None:
    return fund.financially_closed_at.date() if fund is not None and fund.financially_closed_at else None
