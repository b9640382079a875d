"""Interest takes two MPTF officers.

Nobody alone moves money (DESIGN.md §5). Interest is credited to the un-earmarked pool
and adds to what the fund can commit to travel grants, as the fund's other income
does; its reversal takes it back. So the MPTF officer who fills in the interest form
(or asks for a reversal) only proposes it (InterestProposal): nothing is credited and
the pool does not move. A second, different, active MPTF officer confirms it on the
interest page, and it is then recorded (confirmed.record_interest or
confirmed.reverse_interest, with every check again, the confirming officer as its
recorder); or refuses it with a reason; its proposer may withdraw it. At most one
reversal of an entry waits. Each step is in the audit trail, and the other MPTF
officers are told by email, each in their language, when one is proposed.

The same checks run at the proposal and again at the confirmation: one that can no
longer be recorded (a value date in a year closed since, a reversal of interest the
pool has spent since) records nothing and keeps waiting, with the reason; the page
says it beside the proposal in place of Confirm (why_not_now). Each answer is one
guarded UPDATE of the proposal's status (second_person), in the transaction of the
entry: of two officers confirming at once, or one confirmation sent twice, one entry
is recorded.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..admin.models import CONFIRMED, PENDING, REFUSED, WITHDRAWN
from ..audit import record
from ..auth.colleagues import active_in_role, tell_others
from ..clock import today
from ..errors import DomainError
from ..extensions import db
from ..fund import periods
from ..permissions import MPTF_OFFICER
from ..validation import too_long
from . import ledger, pools
from .models import InterestEntry, InterestProposal
from .rules import usd_or_error


def _require_officer(actor) -> None:
    second_person.require_active(actor, MPTF_OFFICER, _("Only MPTF officers may do this."))


def _tell(actor, proposal: InterestProposal) -> None:
    tell_others(actor, MPTF_OFFICER, "interest_waiting", "interest_waiting",
                _l("A reversal of interest waits for your confirmation") if proposal.is_reversal
                else _l("Interest waits for your confirmation"),
                proposer=actor.name or actor.email, proposal=proposal, reversal=proposal.is_reversal)


def _note(note) -> str:
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError(too_long(2000), field="note")
    return note


def _same_interest(value_date, usd) -> bool:
    """Whether interest of this value date and amount is already credited (and not
    reversed) or waiting for a second officer: most likely the same interest again."""
    reversed_ids = sa.select(InterestEntry.reverses_id).where(InterestEntry.reverses_id.is_not(None))
    credited = sa.select(InterestEntry.id).where(
        InterestEntry.value_date == value_date, InterestEntry.usd_amount == usd,
        InterestEntry.reverses_id.is_(None), InterestEntry.id.not_in(reversed_ids))
    waiting = sa.select(InterestProposal.id).where(
        InterestProposal.value_date == value_date, InterestProposal.usd_amount == usd,
        InterestProposal.reverses_id.is_(None), InterestProposal.status == PENDING)
    return db.session.scalar(sa.select(sa.exists(credited) | sa.exists(waiting)))


def propose(actor, *, value_date, usd_amount, note: str = "", separate: bool = False) -> InterestProposal:
    """The interest form: checked now as confirmed.record_interest would check it (a value
    date not in the future, in an open year; an amount), then kept waiting for another
    MPTF officer. Nothing is credited and the pool does not move. Interest of a value
    date and amount already credited or waiting is refused unless the officer says it
    is separate interest (`separate`) and why, in the note: as a deposit's bank
    reference is, so that two officers entering one bank line do not credit it twice."""
    _require_officer(actor)
    proposed_on = today()
    value_date = ledger.value_date_or_error(value_date, today_is=proposed_on)
    periods.require_open(value_date, "value_date")
    usd = usd_or_error(usd_amount, "usd_amount")
    note = _note(note)
    # Interest is the un-earmarked pool's: holding its row, two officers proposing the
    # same interest at once look one after the other, and the second sees the first.
    pools.hold(pools.unearmarked_pool().id)
    if _same_interest(value_date, usd):
        if not separate:
            raise DomainError(_("Interest of this amount with this value date is already credited or "
                                "waiting for confirmation. If this is a different interest payment, tick "
                                "the box and say why in the note."), field="usd_amount")
        if not note:
            raise DomainError(_("Say in the note why this is a different interest payment."), field="note")
    proposal = InterestProposal(value_date=value_date, usd_amount=usd, note=note,
                                proposed_by_id=actor.id, proposed_on=proposed_on, status=PENDING)
    db.session.add(proposal)
    db.session.flush()
    record(actor, "interest_proposal.propose", proposal)
    _tell(actor, proposal)
    return proposal


def already_waiting_message() -> str:
    return _("A reversal of this interest entry already waits for a second MPTF officer: it must be "
             "confirmed, refused or withdrawn first.")


def _spent_since(entry: InterestEntry) -> DomainError | None:
    """The refusal of a reversal the un-earmarked pool can no longer give back (in the
    words of confirmed.reverse_interest)."""
    if entry.pool.available < entry.usd_amount:
        return ledger.pool_short(entry.pool, entry.usd_amount, _("This reversal"))
    return None


def reversal_refusals(entry: InterestEntry, reason: str) -> str:
    """What refuses a reversal before anything is written (as confirmed.reverse_interest
    would: a closed year, a reversal of a reversal, an entry already reversed, no
    reason; and interest the pool has spent since; one already waiting), also said
    before it is confirmed (previews.interest_reversal). Returns the reason."""
    reason = ledger.interest_reversal_checks(entry, reason)
    if reversal_waiting(entry.id) is not None:
        raise DomainError(already_waiting_message())
    short = _spent_since(entry)
    if short is not None:
        raise short
    return reason


def propose_reversal(actor, entry: InterestEntry, reason: str) -> InterestProposal:
    """A reversal of `entry`, checked now as confirmed.reverse_interest would check it,
    then kept waiting for another MPTF officer; it will be dated the day it is
    confirmed."""
    _require_officer(actor)
    reason = reversal_refusals(entry, reason)
    proposal = InterestProposal(value_date=None, usd_amount=entry.usd_amount, note=reason,
                                reverses_id=entry.id, proposed_by_id=actor.id, proposed_on=today(),
                                status=PENDING)
    db.session.add(proposal)
    try:
        db.session.flush()
    except IntegrityError:  # another officer proposed its reversal meanwhile
        raise DomainError(already_waiting_message()) from None
    record(actor, "interest_proposal.propose_reversal", proposal, note=reason)
    _tell(actor, proposal)
    return proposal


def already_decided_message() -> str:
    return _("This interest was already confirmed, refused or withdrawn: nothing was done.")


ANSWERS = second_person.Answers(
    InterestProposal, MPTF_OFFICER, (PENDING, CONFIRMED, REFUSED, WITHDRAWN),
    lambda: {"missing": _("This interest proposal does not exist."),
             "only_proposer": _("Only the MPTF officer who proposed this interest can withdraw it."),
             "not_own": _("You proposed this interest: another MPTF officer must confirm or refuse it."),
             "already": already_decided_message(), "no_reason": _("Say why the interest is refused."),
             "not_allowed": _("Only MPTF officers may do this.")})
_get, _answer = ANSWERS.get, ANSWERS.answer


def confirm(actor, proposal_id: int) -> InterestEntry:
    """A second MPTF officer confirms waiting interest (or its reversal): it is recorded
    now, with every check again, in the transaction of the guarded UPDATE of its
    status. A refusal rolls back the whole transaction (errors.run), the status's
    UPDATE with it: nothing is recorded and it still waits. The value date is in the
    future only if it is after both the confirmer's today and the proposer's when
    proposing."""
    # Imported here, not at the top: no other module may reach it through this one
    # (contract "money-moves-confirmed"; tests/unit/test_structure.py).
    from .confirmed import record_interest, reverse_interest

    proposal = _get(proposal_id)
    before = _answer(actor, proposal, CONFIRMED)
    try:
        if proposal.is_reversal:
            entry = reverse_interest(actor, proposal.reverses, proposal.note)
        else:
            entry = record_interest(actor, value_date=proposal.value_date,
                                           usd_amount=proposal.usd_amount, note=proposal.note,
                                           today_is=max(today(), proposal.proposed_on))
    except DomainError as error:
        raise DomainError(_("Nothing was recorded, and the interest still waits: %(why)s",
                            why=error.message)) from None
    db.session.flush()
    proposal.entry_id = entry.id
    db.session.flush()
    record(actor, "interest_proposal.confirm", proposal, before=before)
    return entry


def why_not_now(proposal: InterestProposal) -> str | None:
    """What would refuse confirming the waiting `proposal` now, in words (nothing is
    written): its proposer no longer an active MPTF officer, a value date in a year
    closed since, a reversal of interest the pool has spent since or of an entry
    reversed since; None when it can be confirmed. The interest page says it in place
    of Confirm."""
    gone = second_person.proposer_gone(proposal.proposed_by_id, MPTF_OFFICER)
    if gone:
        return gone
    try:
        if proposal.is_reversal:
            entry = proposal.reverses
            ledger.interest_reversal_checks(entry, proposal.note)
            short = _spent_since(entry)
            if short is not None:
                raise short
        else:
            periods.require_open(proposal.value_date, "value_date")
    except DomainError as error:
        return _("This interest can no longer be recorded as it stands: %(why)s Refuse it, or its proposer "
                 "can withdraw it; then propose it again if it is still wanted.", why=error.message)
    return None


def refuse(actor, proposal_id: int, reason: str) -> InterestProposal:
    proposal, before = ANSWERS.refusal(actor, proposal_id, reason)
    record(actor, "interest_proposal.refuse", proposal, before=before, note=proposal.refusal_reason)
    return proposal


def withdraw(actor, proposal_id: int) -> InterestProposal:
    proposal, before = ANSWERS.withdrawal(actor, proposal_id)
    record(actor, "interest_proposal.withdraw", proposal, before=before)
    return proposal


def waiting() -> list[InterestProposal]:
    """All interest and reversals waiting for a second MPTF officer, oldest first."""
    return ANSWERS.waiting()


def reversal_waiting(entry_id: int) -> InterestProposal | None:
    return db.session.scalar(sa.select(InterestProposal).where(InterestProposal.reverses_id == entry_id,
                                                               InterestProposal.status == PENDING))


def officers_of(entry_ids: list[int] | None = None) -> dict[int, tuple[str, str]]:
    """Who proposed and who confirmed each interest entry (of `entry_ids`, or every
    one), by entry id, in one query; none for an entry recorded before interest took
    two officers."""
    return second_person.who_proposed_and_confirmed(InterestProposal, entry_ids)


def active_officers() -> int:
    return active_in_role(MPTF_OFFICER)


__all__ = ["active_officers", "already_decided_message", "confirm", "officers_of", "propose",
           "propose_reversal", "refuse", "reversal_refusals", "reversal_waiting", "waiting", "why_not_now",
           "withdraw"]
