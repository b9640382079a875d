"""A pool's closing decision takes two SRSG staff members.

Nobody alone moves money (DESIGN.md §5). A closing decision sends a pool's whole
balance out of the fund (to its donors, or to another fund named by free text), so
the SRSG staff member who fills in the decision only proposes it (ClosingProposal):
nothing moves. A second, different, active SRSG staff member confirms it, and the
decision is then applied (closing_decisions.decide) with the proposal's values, for the
balance the proposal showed; or refuses it with a reason; its proposer may withdraw
it. At most one decision waits per pool. Each step is in the audit trail, and the
other SRSG staff are told by email, each in their language, when one is proposed.

The same checks run at the proposal (financial.decision_checks: a decision that
could not be applied is refused at once) and again at the confirmation. A proposal
whose pool's balance changed since cannot be confirmed (it is "stale"): it waits
until refused or withdrawn, and the page says so.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..audit import record
from ..auth.colleagues import active_in_role, tell_others
from ..contributions.models import Pool
from ..errors import DomainError
from ..extensions import db
from ..formatting import money as fmt_money
from ..fund.entries import CONFIRMED, REFUSED, WAITING, WITHDRAWN, ClosingProposal, PoolClosing
from ..fund.status import operations_open_now
from ..money import USD
from ..permissions import SRSG_STAFF
from ..validation import too_long
from . import financial


def already_waiting_message() -> str:
    return _("A closing decision on this pool already waits for a second SRSG staff member. It must be "
             "confirmed, refused or withdrawn before another is proposed.")


def stale_message(proposal: ClosingProposal) -> str:
    return _("The pool's balance changed since this decision was proposed (%(then)s then, %(now)s now): it "
             "can no longer be confirmed, and nothing was moved. Refuse it, or its proposer can withdraw "
             "it; then propose the decision again.",
             then=fmt_money(proposal.usd_amount, USD), now=fmt_money(proposal.pool.available, USD))


def _require_srsg(actor) -> None:
    second_person.require_active(actor, SRSG_STAFF, _("Only SRSG staff may do this."))


def propose(actor, pool: Pool, kind: str, *, fund_name: str = "", fund_reference: str = "",
            note: str = "", balance_seen=None) -> ClosingProposal:
    """Propose a pool's closing decision: checked now as closing_decisions.decide would check
    it (a decision that could not be applied is refused at once), stored as waiting;
    nothing moves. Refused while another decision on the pool waits."""
    _require_srsg(actor)
    db.session.refresh(pool)
    checked = financial.decision_checks(pool, kind, fund_name=fund_name, fund_reference=fund_reference,
                                        note=note, balance_seen=balance_seen)
    refuse_while_one_waits(pool)
    proposal = ClosingProposal(pool_id=pool.id, kind=kind, usd_amount=checked.balance, note=checked.note,
                               proposed_by_id=actor.id, status=WAITING, **checked.values)
    db.session.add(proposal)
    try:
        db.session.flush()
    except IntegrityError:  # another SRSG staff member proposed one on this pool meanwhile
        raise DomainError(already_waiting_message()) from None
    # The checks read the fund before this write; an extension of its end date may have
    # committed since and reopened the operations (it looks for a waiting decision only
    # after writing the fund's row: fund.services.extend_end). Read the row again now,
    # after any extension in progress has ended (FOR SHARE; on SQLite this write already
    # holds the database's write lock).
    if operations_open_now(for_share=True):
        raise DomainError(financial.operations_still_open_message())
    record(actor, "pool_closing.propose", proposal, note=checked.note or None)
    tell_others(actor, SRSG_STAFF, "closing_decision_waiting", "closing_decision_waiting",
                _l("A closing decision on a pool waits for your confirmation"),
                proposer=actor.name or actor.email, pool=pool, decision=proposal.kind_label,
                amount=proposal.usd_amount, fund_name=proposal.fund_name,
                fund_reference=proposal.fund_reference)
    return proposal


def refuse_while_one_waits(pool: Pool) -> None:
    """At most one decision waits per pool (also said before the confirmation:
    previews.pool_decision)."""
    if waiting_for(pool.id) is not None:
        raise DomainError(already_waiting_message())


def _get(proposal_id: int) -> ClosingProposal:
    proposal = db.session.get(ClosingProposal, proposal_id)
    if proposal is None:
        raise DomainError(_("This decision does not exist."))
    return proposal


def already_decided_message() -> str:
    return _("This decision was already confirmed, refused or withdrawn: nothing was done.")


def _answer(actor, proposal: ClosingProposal, status: str, reason: str | None = None) -> dict:
    """One guarded UPDATE of the proposal's status (second_person.answer): of two SRSG
    staff members answering at once, or one answer sent twice, one goes through and
    the other is told it was already answered."""
    _require_srsg(actor)
    return second_person.decide(
        proposal, actor, status, waiting=WAITING, confirmed=CONFIRMED, refused=REFUSED, withdrawn=WITHDRAWN,
        only_proposer=_("Only the SRSG staff member who proposed a decision can withdraw it."),
        not_own=_("You proposed this decision: another SRSG staff member must confirm or refuse it."),
        already=already_decided_message(),
        reason=reason, missing=_("Say why the decision is refused."),
        role=SRSG_STAFF, not_allowed=_("Only SRSG staff may do this."))


def confirm(actor, proposal_id: int) -> PoolClosing:
    """A second SRSG staff member confirms a waiting decision: it is applied
    (closing_decisions.decide, with every check again) with the proposal's values, for the
    balance the proposal showed, in the transaction of the guarded UPDATE of its
    status. A pool whose balance changed since is refused in words: nothing moves.

    The balance is compared after the guarded answer, read afresh: a staff member
    whose colleague confirmed the decision meanwhile (which emptied the pool) is told
    it was already answered, not that the balance changed. A refusal rolls back the
    whole transaction (errors.run), the status's UPDATE with it."""
    # Imported here, not at the top: no other module may reach it through this one
    # (contract "closing-decisions-confirmed"; tests/unit/test_structure.py).
    from .closing_decisions import decide

    proposal = _get(proposal_id)
    before = _answer(actor, proposal, CONFIRMED)
    pool = proposal.pool
    db.session.refresh(pool)
    if pool.available != proposal.usd_amount:
        raise DomainError(stale_message(proposal))
    closing = decide(actor, pool, proposal.kind, fund_name=proposal.fund_name,
                     fund_reference=proposal.fund_reference, note=proposal.note,
                     balance_seen=str(proposal.usd_amount), proposed_by=proposal.proposed_by)
    proposal.closing_id = closing.id
    record(actor, "pool_closing.confirm", proposal, before=before)
    return closing


def refuse(actor, proposal_id: int, reason: str) -> ClosingProposal:
    if len((reason or "").strip()) > 2000:
        raise DomainError(too_long(2000), field="reason")
    proposal = _get(proposal_id)
    before = _answer(actor, proposal, REFUSED, reason)
    record(actor, "pool_closing.refuse", proposal, before=before, note=proposal.refusal_reason)
    return proposal


def withdraw(actor, proposal_id: int) -> ClosingProposal:
    proposal = _get(proposal_id)
    before = _answer(actor, proposal, WITHDRAWN)
    record(actor, "pool_closing.withdraw", proposal, before=before)
    return proposal


def proposer_gone(proposal: ClosingProposal) -> str | None:
    """Why its proposer's word no longer confirms it (deactivated or moved to another
    role since: second_person.proposer_gone); None while they are active SRSG staff."""
    return second_person.proposer_gone(proposal.proposed_by_id, SRSG_STAFF)


def is_stale(proposal: ClosingProposal) -> bool:
    """The pool's balance is no longer the one the proposal showed: it cannot be confirmed."""
    return proposal.status == WAITING and proposal.pool.available != proposal.usd_amount


def waiting_for(pool_id: int) -> ClosingProposal | None:
    return db.session.scalar(sa.select(ClosingProposal).where(ClosingProposal.pool_id == pool_id,
                                                              ClosingProposal.status == WAITING))


def waiting() -> list[ClosingProposal]:
    """Every decision waiting for a second SRSG staff member, oldest first."""
    return db.session.scalars(sa.select(ClosingProposal).where(ClosingProposal.status == WAITING)
                              .order_by(ClosingProposal.proposed_at, ClosingProposal.id)).all()


def proposal_of(closing_id: int) -> ClosingProposal | None:
    """The confirmed proposal a recorded decision came from (None for one recorded directly)."""
    return db.session.scalar(sa.select(ClosingProposal).where(ClosingProposal.closing_id == closing_id))


def active_srsg_staff() -> int:
    return active_in_role(SRSG_STAFF)
