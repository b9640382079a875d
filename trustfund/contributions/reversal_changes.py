"""A deposit's reversal takes two MPTF officers.

Nobody alone moves money (DESIGN.md §5). A reversal takes a deposit's net back from
its pool, and frees its bank reference: the same money could then be recorded again
on another donor's commitment, in another pool, which is a transfer between pools
that otherwise takes two administrators. And reversing interest already takes two
MPTF officers. So the MPTF officer who asks for a deposit's reversal only proposes it
(DepositReversalProposal): nothing is reversed and the pool does not move. A second,
different, active MPTF officer confirms it on the deposit's page, and it is then
recorded (confirmed.reverse_deposit, with every check again, dated that day, the
confirming officer as its recorder); or refuses it with a reason; its proposer may
withdraw it. At most one reversal of a deposit waits. Each step is in the audit
trail, and the other MPTF officers are told by email, each in their language.

The same checks run at the proposal and again at the confirmation: one that can no
longer be recorded (a closed year, the pools' balances decided on since, a pool that
has committed the money since) records nothing and keeps waiting, with the reason;
the page says it in place of Confirm (why_not_now). Each answer is one guarded
UPDATE of the proposal's status (second_person), in the transaction of the reversal:
of two officers confirming at once, or one confirmation sent twice, one reversal is
recorded.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..admin.models import CONFIRMED, PENDING, REFUSED, WITHDRAWN
from ..audit import record
from ..auth.colleagues import active_in_role, tell_others
from ..errors import DomainError
from ..extensions import db
from ..permissions import MPTF_OFFICER
from . import ledger, references
from .models import Deposit, DepositReversalProposal


def _require_officer(actor) -> None:
    second_person.require_active(actor, MPTF_OFFICER, _("Only MPTF officers may do this."))


def already_waiting_message() -> str:
    return _("A reversal of this deposit already waits for a second MPTF officer: it must be confirmed, "
             "refused or withdrawn first.")


def _short(deposit: Deposit) -> DomainError | None:
    """The refusal of a reversal whose pool no longer has the deposit's net available
    (in the words of confirmed.reverse_deposit)."""
    if deposit.pool.available < deposit.net:
        return ledger.pool_short(deposit.pool, deposit.net, _("This reversal"))
    return None


def reversal_refusals(deposit: Deposit, reason: str, actor=None) -> str:
    """What refuses a reversal before anything is written (ledger.reversal_checks: a
    closed fund or year, a reversal of a reversal, a deposit already reversed, the
    pools' balances decided on, no reason; a pool without the net available; one
    already waiting), also said before it is proposed (previews.deposit_reversal).
    Returns the reason as it is kept (at most 2,000 characters: ledger.reversal_checks)."""
    reason = ledger.reversal_checks(deposit, reason)
    if reversal_waiting(deposit.id) is not None:
        raise DomainError(already_waiting_message())
    short = _short(deposit)
    if short is not None:
        raise short
    moved = references.recorded_elsewhere(actor, deposit)
    if moved is not None:
        raise moved
    return reason


def propose(actor, deposit: Deposit, reason: str) -> DepositReversalProposal:
    """The reversal of `deposit`, checked now as confirmed.reverse_deposit would check it,
    then kept waiting for another MPTF officer; it is dated the day it is confirmed."""
    _require_officer(actor)
    reason = reversal_refusals(deposit, reason, actor)
    proposal = DepositReversalProposal(deposit_id=deposit.id, reason=reason, proposed_by_id=actor.id,
                                       status=PENDING)
    db.session.add(proposal)
    try:
        db.session.flush()
    except IntegrityError:  # another officer proposed its reversal meanwhile
        raise DomainError(already_waiting_message()) from None
    record(actor, "deposit_reversal.propose", proposal, note=reason)
    tell_others(actor, MPTF_OFFICER, "deposit_reversal_waiting", "deposit_reversal_waiting",
                _l("A deposit's reversal waits for your confirmation"),
                proposer=actor.name or actor.email, proposal=proposal, deposit=deposit)
    return proposal


def already_decided_message() -> str:
    return _("This reversal was already confirmed, refused or withdrawn: nothing was done.")


ANSWERS = second_person.Answers(
    DepositReversalProposal, MPTF_OFFICER, (PENDING, CONFIRMED, REFUSED, WITHDRAWN),
    lambda: {"missing": _("This reversal does not exist."),
             "only_proposer": _("Only the MPTF officer who proposed this reversal can withdraw it."),
             "not_own": _("You proposed this reversal: another MPTF officer must confirm or refuse it."),
             "already": already_decided_message(), "no_reason": _("Say why the reversal is refused."),
             "not_allowed": _("Only MPTF officers may do this.")})


def confirm(actor, proposal_id: int) -> Deposit:
    """A second MPTF officer confirms a waiting reversal: it is recorded now, with every
    check again, in the transaction of the guarded UPDATE of its status. A refusal
    rolls back the whole transaction (errors.run), the status's UPDATE with it:
    nothing is recorded and it still waits."""
    # Imported here, not at the top: no other module may reach it through this one
    # (contract "money-moves-confirmed"; tests/unit/test_structure.py).
    from .confirmed import reverse_deposit

    proposal = ANSWERS.get(proposal_id)
    before = ANSWERS.answer(actor, proposal, CONFIRMED)
    moved = references.proposer_recorded_elsewhere(proposal.proposed_by, proposal.deposit)
    if moved is not None:
        raise DomainError(_("Nothing was recorded, and the reversal still waits: %(why)s", why=moved))
    try:
        reversal = reverse_deposit(actor, proposal.deposit, proposal.reason)
    except DomainError as error:
        raise DomainError(_("Nothing was recorded, and the reversal still waits: %(why)s",
                            why=error.message)) from None
    proposal.reversal_id = reversal.id
    db.session.flush()
    record(actor, "deposit_reversal.confirm", proposal, before=before)
    return reversal


def why_not_now(proposal: DepositReversalProposal) -> str | None:
    """What would refuse confirming the waiting `proposal` now, in words (nothing is
    written): its proposer no longer an active MPTF officer, a check of
    confirmed.reverse_deposit that fails now (a closed year, the pools' balances decided
    on, a pool that committed the money since); None when it can be confirmed. The
    deposit's page says it in place of Confirm."""
    gone = second_person.proposer_gone(proposal.proposed_by_id, MPTF_OFFICER)
    if gone:
        return gone
    moved = references.proposer_recorded_elsewhere(proposal.proposed_by, proposal.deposit)
    if moved is not None:
        return moved
    try:
        ledger.reversal_checks(proposal.deposit, proposal.reason)
        short = _short(proposal.deposit)
        if short is not None:
            raise short
    except DomainError as error:
        return _("This reversal can no longer be recorded as it stands: %(why)s Refuse it, or its proposer "
                 "can withdraw it; then propose it again if it is still wanted.", why=error.message)
    return None


def refuse(actor, proposal_id: int, reason: str) -> DepositReversalProposal:
    proposal, before = ANSWERS.refusal(actor, proposal_id, reason)
    record(actor, "deposit_reversal.refuse", proposal, before=before, note=proposal.refusal_reason)
    return proposal


def withdraw(actor, proposal_id: int) -> DepositReversalProposal:
    proposal, before = ANSWERS.withdrawal(actor, proposal_id)
    record(actor, "deposit_reversal.withdraw", proposal, before=before)
    return proposal


def waiting(shown: Callable[[list[int]], set[int]] | None = None) -> list[DepositReversalProposal]:
    """Every deposit reversal waiting for a second MPTF officer, oldest first; with
    `shown` (the ids, among those given, of the deposits a list shows under its
    filters: queries.deposits_among), only those of its deposits: a download for one
    donor carries no other donor's. A few rows: the list's filters are asked about
    their deposits only, never run over every deposit."""
    rows = ANSWERS.waiting(sa.orm.joinedload(DepositReversalProposal.deposit).joinedload(Deposit.donor),
                           sa.orm.joinedload(DepositReversalProposal.proposed_by))
    if shown is None or not rows:
        return rows
    kept = shown([p.deposit_id for p in rows])
    return [p for p in rows if p.deposit_id in kept]


def reversal_waiting(deposit_id: int) -> DepositReversalProposal | None:
    return db.session.scalar(sa.select(DepositReversalProposal).where(
        DepositReversalProposal.deposit_id == deposit_id, DepositReversalProposal.status == PENDING))


def officers_of(reversal_id: int) -> tuple[str, str] | None:
    """Who proposed and who confirmed the reversal `reversal_id` (a Deposit); None for
    one recorded before a reversal took two officers."""
    return second_person.who_proposed_and_confirmed(DepositReversalProposal, [reversal_id]).get(reversal_id)


def active_officers() -> int:
    return active_in_role(MPTF_OFFICER)


__all__ = ["active_officers", "already_decided_message", "already_waiting_message", "confirm", "officers_of",
           "propose",
           "refuse", "reversal_refusals", "reversal_waiting", "waiting", "why_not_now", "withdraw"]
