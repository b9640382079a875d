"""A write-off takes two MPTF officers.

Nobody alone moves money (DESIGN.md §5). A write-off takes part of a commitment, or
all that is outstanding, off for good: the donor no longer owes it, no deposit can
fill it, and the fund's statements, funding status and IATI file say so. So the MPTF
officer who fills in the write-off only proposes it (WriteOffProposal): nothing is
written off. A second, different, active MPTF officer confirms it, and the write-off
is then recorded (confirmed_write_offs.write_off, with every check again, the
confirming officer as its recorder); or refuses it with a reason; its proposer may
withdraw it. At most one write-off waits per commitment. Each step is in the audit
trail, and the other MPTF officers are told by email, each in their language, when
one is proposed.

A proposal keeps the amount it writes off and the outstanding amount its proposer
saw: once the commitment's outstanding amount changed (a deposit recorded or
reversed, another write-off), it can no longer be confirmed (it is "stale"): it waits
until refused or withdrawn, and the page says so. Each answer is one guarded UPDATE
of the proposal's status (second_person), in the transaction of the write-off: of
two officers confirming at once, or one confirmation sent twice, one write-off is
recorded.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..audit import record
from ..auth.colleagues import active_in_role, tell_others
from ..contributions import queries
from ..contributions.models import Commitment
from ..errors import DomainError
from ..extensions import db
from ..formatting import money as fmt_money
from ..fund.entries import CONFIRMED, REFUSED, WAITING, WITHDRAWN, WriteOff, WriteOffProposal
from ..permissions import MPTF_OFFICER
from .financial import write_off_checks


def already_waiting_message() -> str:
    return _("A write-off of this commitment already waits for a second MPTF officer: it must be confirmed, "
             "refused or withdrawn before another is proposed.")


def stale_message(proposal: WriteOffProposal) -> str:
    return _("The commitment's outstanding amount changed since this write-off was proposed (%(then)s then, "
             "%(now)s now): it can no longer be confirmed, and nothing was written off. Refuse it, or its "
             "proposer can withdraw it; then propose the write-off again if it is still wanted.",
             then=fmt_money(proposal.outstanding, proposal.currency),
             now=fmt_money(proposal.commitment.outstanding, proposal.currency))


def propose(actor, commitment: Commitment, *, amount=None, reason: str,
            outstanding_seen=None) -> WriteOffProposal:
    """Propose to write off `amount` of `commitment` (all that is outstanding when
    empty), checked now as the write-off itself would be (write_off_checks), for the
    outstanding amount the page showed (`outstanding_seen`); stored as waiting:
    nothing is written off. Refused while another write-off of the commitment waits."""
    second_person.require_active(actor, MPTF_OFFICER, _("Only MPTF officers may do this."))
    db.session.refresh(commitment)  # its running sums as they stand, not as first read
    outstanding = commitment.outstanding
    if outstanding_seen not in (None, "") and str(outstanding_seen).strip() != str(outstanding):
        raise DomainError(_("The commitment changed meanwhile: reload the page."), field="amount")
    value, reason = write_off_checks(commitment, amount, reason)
    refuse_while_one_waits(commitment)
    proposal = WriteOffProposal(commitment_id=commitment.id, currency=commitment.currency, amount=value,
                                outstanding=outstanding, reason=reason, proposed_by_id=actor.id,
                                status=WAITING)
    db.session.add(proposal)
    try:
        db.session.flush()
    except IntegrityError:  # another officer proposed one for this commitment meanwhile
        raise DomainError(already_waiting_message()) from None
    record(actor, "write_off.propose", proposal, note=reason)
    tell_others(actor, MPTF_OFFICER, "write_off_waiting", "write_off_waiting",
                _l("A write-off waits for your confirmation"),
                proposer=actor.name or actor.email, proposal=proposal, commitment=commitment,
                donor=commitment.donor.name)
    return proposal


def refuse_while_one_waits(commitment: Commitment) -> None:
    """At most one write-off waits per commitment (also said before the confirmation:
    previews.write_off)."""
    if waiting_for(commitment.id) is not None:
        raise DomainError(already_waiting_message())


def already_decided_message() -> str:
    return _("This write-off was already confirmed, refused or withdrawn: nothing was done.")


ANSWERS = second_person.Answers(
    WriteOffProposal, MPTF_OFFICER, (WAITING, CONFIRMED, REFUSED, WITHDRAWN),
    lambda: {"missing": _("This write-off does not exist."),
             "only_proposer": _("Only the MPTF officer who proposed a write-off can withdraw it."),
             "not_own": _("You proposed this write-off: another MPTF officer must confirm or refuse it."),
             "already": already_decided_message(), "no_reason": _("Say why the write-off is refused."),
             "not_allowed": _("Only MPTF officers may do this.")})


def confirm(actor, proposal_id: int) -> WriteOff:
    """A second MPTF officer confirms a waiting write-off: it is recorded now, for the
    amount and with the reason proposed, with every check again (a year closed since),
    in the transaction of the guarded UPDATE of its status. A commitment whose
    outstanding amount changed since is refused in words. A refusal rolls back the
    whole transaction (errors.run), the status's UPDATE with it: nothing is written
    off and the write-off still waits.

    The outstanding amount is compared after the guarded answer, read afresh: an
    officer whose colleague confirmed it meanwhile is told it was already answered,
    not that the commitment changed."""
    # Imported here, not at the top: no other module may reach it through this one
    # (contract "write-offs-confirmed"; tests/unit/test_structure.py).
    from .confirmed_write_offs import write_off

    proposal = ANSWERS.get(proposal_id)
    before = ANSWERS.answer(actor, proposal, CONFIRMED)
    commitment = proposal.commitment
    db.session.refresh(commitment)
    if commitment.outstanding != proposal.outstanding:
        raise DomainError(stale_message(proposal))
    try:
        # The stored numbers, never their text: "500.000" typed by a Spanish-speaking
        # officer is five hundred thousand.
        entry = write_off(actor, commitment, amount=proposal.amount, reason=proposal.reason,
                          outstanding_seen=proposal.outstanding)
    except DomainError as error:
        raise DomainError(_("Nothing was written off, and the write-off still waits: %(why)s",
                            why=error.message)) from None
    proposal.entry_id = entry.id
    db.session.flush()
    record(actor, "write_off.confirm", proposal, before=before)
    return entry


def refuse(actor, proposal_id: int, reason: str) -> WriteOffProposal:
    proposal, before = ANSWERS.refusal(actor, proposal_id, reason)
    record(actor, "write_off.refuse", proposal, before=before, note=proposal.refusal_reason)
    return proposal


def withdraw(actor, proposal_id: int) -> WriteOffProposal:
    proposal, before = ANSWERS.withdrawal(actor, proposal_id)
    record(actor, "write_off.withdraw", proposal, before=before)
    return proposal


def is_stale(proposal: WriteOffProposal) -> bool:
    """The commitment's outstanding amount is no longer the one the proposal showed: it
    cannot be confirmed."""
    return proposal.status == WAITING and proposal.commitment.outstanding != proposal.outstanding


def proposer_gone(proposal: WriteOffProposal) -> str | None:
    """Why its proposer's word no longer confirms it (second_person.proposer_gone)."""
    return second_person.proposer_gone(proposal.proposed_by_id, MPTF_OFFICER)


def waiting() -> list[WriteOffProposal]:
    """Every write-off waiting for a second MPTF officer, oldest first."""
    return ANSWERS.waiting()


waiting_for = queries.write_off_waiting


def active_officers() -> int:
    return active_in_role(MPTF_OFFICER)
