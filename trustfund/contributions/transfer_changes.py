"""A transfer between pools takes two admins.

Nobody alone moves money (DESIGN.md §5): the admin's transfer form (its preview and
confirmation unchanged) proposes the transfer; nothing moves and no PoolTransfer is
written until a second, different, active admin confirms it. Confirming applies it
through confirmed.transfer, exactly as a transfer was made before: the value date must
still be in an open year, and the source pool must have the money available then.
A confirmation that can no longer be applied moves nothing and leaves the transfer
waiting. Another admin may refuse it (with a reason); its proposer may withdraw it.
Each decision is one guarded UPDATE of the waiting row's status, in the transaction
of the money: a confirmation sent twice, or by two admins at once, applies once.
The shape, statuses, decision forms and mail are those of admin.user_changes.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from .. import second_person
from ..admin.models import CONFIRMED, PENDING, REFUSED, WITHDRAWN
from ..admin.user_changes import active_admins, tell_other_admins
from ..audit import record
from ..clock import today
from ..errors import DomainError
from ..extensions import db
from ..formatting import money as fmt_money
from ..fund import periods
from ..money import USD
from ..permissions import ADMIN
from . import ledger, pools
from .models import Pool, PoolTransfer, TransferProposal
from .rules import text_or_error, usd_or_error

__all__ = ["active_admins", "admins_of", "confirm", "propose", "refuse", "transfers_made",
           "waiting_transfers", "why_not_now", "withdraw"]


def propose(actor, from_pool, to_pool, usd_amount, reason: str, on=None) -> TransferProposal:
    """The admin's transfer form: checked now as confirmed.transfer would check it (two
    different pools, an amount the source pool has available now, a reason, a value
    date in an open year), then kept waiting for another admin. Nothing moves."""
    source, target = db.session.get(Pool, from_pool or 0), db.session.get(Pool, to_pool or 0)
    if source is None or target is None:
        raise DomainError(_("No such pool."))
    if source.id == target.id:
        raise DomainError(_("Choose two different pools."), field="to_pool_id")
    usd = usd_or_error(usd_amount, "usd_amount")
    pools.refuse_leaving_its_earmark(source, target, usd)
    reason = text_or_error(reason, "reason", _("Say why the money moves."))
    proposed_on = today()
    on = ledger.value_date_or_error(on or proposed_on, "transferred_on", proposed_on)
    periods.require_open(on, "transferred_on")
    ledger.require_no_closing_decision()
    if source.available < usd:
        raise DomainError(_("The %(pool)s pool has only %(available)s available.",
                            pool=source.sentence_name, available=fmt_money(source.available, USD)),
                          field="usd_amount")
    pools.refuse_before_its_money(source, usd, on, "transferred_on")
    proposal = TransferProposal(from_pool_id=source.id, to_pool_id=target.id, usd_amount=usd,
                                transferred_on=on, reason=reason, proposed_by_id=actor.id,
                                proposed_on=proposed_on, status=PENDING)
    db.session.add(proposal)
    db.session.flush()
    record(actor, "transfer_proposal.propose", proposal, note=reason)
    tell_other_admins(actor, "transfer_waiting",
                      _l("A transfer between pools waits for your confirmation"),
                      proposal=proposal)
    return proposal


def waiting_transfers() -> list[TransferProposal]:
    return db.session.scalars(sa.select(TransferProposal).where(TransferProposal.status == PENDING)
                              .order_by(TransferProposal.proposed_at, TransferProposal.id)).all()


def transfers_made():
    """The transfers made, newest value date first, each with the admins who proposed
    and confirmed it (the Transfers page and its download)."""
    return (sa.select(PoolTransfer)
            .options(joinedload(PoolTransfer.created_by),
                     joinedload(PoolTransfer.proposal).joinedload(TransferProposal.proposed_by))
            .order_by(PoolTransfer.transferred_on.desc(), PoolTransfer.id.desc()))


def admins_of(transfer: PoolTransfer) -> tuple[str, str]:
    """Who proposed a transfer made and who confirmed it (the admin who then recorded
    it), in words. A transfer recorded before transfers took two admins has neither:
    "—", and the admin who recorded it alone."""
    recorder = transfer.created_by
    if transfer.proposal is None:
        if recorder is None:
            return "—", "—"
        return "—", _("Nobody: recorded by %(user)s alone, before transfers needed a second administrator.",
                      user=recorder.name or recorder.email)
    proposer = transfer.proposal.proposed_by
    return proposer.name or proposer.email, (recorder.name or recorder.email) if recorder else "—"


def already_decided_message() -> str:
    return _("This transfer was already decided: nothing was done.")


def _decide(actor, proposal_id: int, status: str, reason: str | None = None) -> tuple[TransferProposal, dict]:
    """One guarded UPDATE of the waiting transfer's status (second_person.answer): of two admins deciding at
    once, or one answer sent twice, one decides and the other is told it was already
    decided (the database makes the second wait until the first has committed)."""
    proposal = db.session.get(TransferProposal, proposal_id)
    if proposal is None:
        raise DomainError(_("This transfer does not exist."))
    if getattr(actor, "role", None) != ADMIN or not getattr(actor, "active", False):
        raise DomainError(_("Only an active administrator decides on a transfer between pools."))
    before = second_person.decide(
        proposal, actor, status, waiting=PENDING, confirmed=CONFIRMED, refused=REFUSED, withdrawn=WITHDRAWN,
        only_proposer=_("Only the administrator who proposed a transfer can withdraw it."),
        not_own=_("You proposed this transfer: another administrator must confirm or refuse it."),
        already=already_decided_message(), reason=reason, missing=_("Say why the transfer is refused."),
        role=ADMIN, not_allowed=_("Only an active administrator decides on a transfer between pools."))
    return proposal, before


def confirm(actor, proposal_id: int) -> TransferProposal:
    """Another active admin confirms a waiting transfer: it is applied now by
    confirmed.transfer (which refuses a value date in a closed year, or more than the
    source pool has available now). A refusal rolls back the whole transaction, the
    status's UPDATE with it: nothing moves and the transfer still waits. The value
    date is in the future only if it is after both the confirmer's today and the
    proposer's today when proposing: an admin in New York, still on 4 March, confirms
    a transfer an admin in Tokyo dated their 5 March."""
    # Imported here, not at the top: no other module may reach it through this one
    # (contract "money-moves-confirmed"; tests/unit/test_structure.py).
    from .confirmed import transfer

    proposal, before = _decide(actor, proposal_id, CONFIRMED)
    try:
        entry = transfer(actor, proposal.from_pool_id, proposal.to_pool_id, proposal.usd_amount,
                                proposal.reason, proposal.transferred_on,
                                today_is=max(today(), proposal.proposed_on))
    except DomainError as error:
        raise DomainError(_("The transfer was not made, and it still waits: %(why)s",
                            why=error.message)) from None
    db.session.flush()
    proposal.transfer_id = entry.id
    db.session.flush()
    record(actor, "transfer_proposal.confirm", proposal, before=before)
    return proposal


def why_not_now(proposal: TransferProposal) -> str | None:
    """What would refuse confirming the waiting transfer now, in words (nothing is
    written): its proposer no longer an active admin, its value date in a year closed
    since, or more than its source pool has available now; None when it can be
    confirmed. The pages say it in place of Confirm (confirmed.transfer refuses the same
    at the confirmation)."""
    gone = second_person.proposer_gone(proposal.proposed_by_id, ADMIN)
    if gone:
        return gone
    try:
        periods.require_open(proposal.transferred_on, "transferred_on")
        ledger.require_no_closing_decision()
        source = proposal.from_pool
        pools.refuse_leaving_its_earmark(source, proposal.to_pool, proposal.usd_amount)
        if source.available < proposal.usd_amount:
            raise DomainError(_("The %(pool)s pool has only %(available)s available.",
                                pool=source.sentence_name, available=fmt_money(source.available, USD)))
        pools.refuse_before_its_money(source, proposal.usd_amount, proposal.transferred_on, "transferred_on")
    except DomainError as error:
        return _("This transfer can no longer be made as it stands: %(why)s Refuse it, or its proposer can "
                 "withdraw it; then propose it again if it is still wanted.", why=error.message)
    return None


def refuse(actor, proposal_id: int, reason: str) -> TransferProposal:
    proposal, before = _decide(actor, proposal_id, REFUSED, reason)
    record(actor, "transfer_proposal.refuse", proposal, before=before, note=proposal.refusal_reason)
    return proposal


def withdraw(actor, proposal_id: int) -> TransferProposal:
    proposal, before = _decide(actor, proposal_id, WITHDRAWN)
    record(actor, "transfer_proposal.withdraw", proposal, before=before)
    return proposal
