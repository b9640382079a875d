"""The fund's own entries take two MPTF officers.

Nobody alone moves money (DESIGN.md §5). A direct cost or a bank charge pays money
out of a pool; other income, or the reversal of any entry, changes what the pool
has to spend. So the MPTF officer who fills in the entry form (or asks for a
reversal) only proposes it (FundEntryProposal): nothing is recorded and no pool
moves. A second, different, active MPTF officer confirms it, and the entry is then
recorded (fund_entries.record_fund_entry or reverse_fund_entry, with every check
again, the confirming officer as its recorder); or refuses it with a reason; its
proposer may withdraw it. At most one reversal of an entry waits. Each step is in
the audit trail, and the other MPTF officers are told by email, each in their
language, when one is proposed.

The same checks run at the proposal (a cost the pool cannot pay now, a value date
in a closed year, an entry already reversed: refused at once) and again at the
confirmation: one that can no longer be applied records nothing and keeps waiting,
with the reason. Each answer is one guarded UPDATE of the proposal's status
(second_person), in the transaction of the entry: of two officers confirming at
once, or one confirmation sent twice, one entry is recorded.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..audit import record
from ..auth.colleagues import active_in_role, tell_others
from ..clock import today
from ..contributions.fund_entries import (
    cost_the_pool_cannot_pay,
    entry_checks,
    reversal_checks,
    reversal_short,
)
from ..errors import DomainError
from ..extensions import db
from ..fund.entries import (
    CONFIRMED,
    REFUSED,
    WAITING,
    WITHDRAWN,
    FundEntry,
    FundEntryProposal,
    reversal_moves,
)
from ..permissions import MPTF_OFFICER


def _require_officer(actor) -> None:
    second_person.require_active(actor, MPTF_OFFICER, _("Only MPTF officers may do this."))


def _tell(actor, proposal: FundEntryProposal) -> None:
    tell_others(actor, MPTF_OFFICER, "fund_entry_waiting", "fund_entry_waiting",
                _l("An entry of the fund waits for your confirmation"),
                proposer=actor.name or actor.email, proposal=proposal, pool=proposal.pool,
                kind_label=proposal.kind_label, reversal=proposal.is_reversal)


def propose_entry(actor, *, kind: str, pool_id, value_date, usd_amount,
                  description: str) -> FundEntryProposal:
    """The entry form: checked now as record_fund_entry would check it (a cost its
    pool cannot pay now is refused at once), then kept waiting for another MPTF
    officer. Nothing is recorded and no pool moves."""
    _require_officer(actor)
    proposed_on = today()
    pool, value_date, usd, description = entry_checks(kind, pool_id, value_date, usd_amount, description,
                                                      proposed_on)
    proposal = FundEntryProposal(kind=kind, pool_id=pool.id, value_date=value_date, usd_amount=usd,
                                 description=description, proposed_by_id=actor.id, proposed_on=proposed_on,
                                 status=WAITING)
    db.session.add(proposal)
    db.session.flush()  # a fund financially closed refuses it here (fund.guard), before the pool is read
    cost_the_pool_cannot_pay(kind, pool, usd, value_date)
    record(actor, "fund_entry.propose", proposal)
    _tell(actor, proposal)
    return proposal


def already_waiting_message() -> str:
    return _("A reversal of this entry already waits for a second MPTF officer: it must be confirmed, "
             "refused or withdrawn first.")


def reversal_refusals(entry: FundEntry, reason: str) -> str:
    """What refuses a reversal before anything is written (reversal_checks: a closed
    year, a reversal of a reversal, an entry already reversed, no reason; a reversal
    of income the pool no longer has; one already waiting), also said before it is
    confirmed (previews.entry_reversal). Returns the reason."""
    reason = reversal_checks(entry, reason)
    if reversal_waiting(entry.id) is not None:
        raise DomainError(already_waiting_message())
    if entry.pool.available + reversal_moves(entry)["available"] < 0:
        raise reversal_short(entry.pool)
    return reason


def propose_reversal(actor, entry: FundEntry, reason: str) -> FundEntryProposal:
    """A reversal of `entry`, checked now as reverse_fund_entry would check it, then
    kept waiting for another MPTF officer; it will be dated the day it is confirmed."""
    _require_officer(actor)
    reason = reversal_refusals(entry, reason)
    proposal = FundEntryProposal(kind=entry.kind, pool_id=entry.pool_id, value_date=None,
                                 usd_amount=entry.usd_amount, description=reason, reverses_id=entry.id,
                                 proposed_by_id=actor.id, proposed_on=today(), status=WAITING)
    db.session.add(proposal)
    try:
        db.session.flush()
    except IntegrityError:  # another officer proposed its reversal meanwhile
        raise DomainError(already_waiting_message()) from None
    record(actor, "fund_entry.propose_reversal", proposal, note=reason)
    _tell(actor, proposal)
    return proposal


def already_decided_message() -> str:
    return _("This entry was already confirmed, refused or withdrawn: nothing was done.")


ANSWERS = second_person.Answers(
    FundEntryProposal, MPTF_OFFICER, (WAITING, CONFIRMED, REFUSED, WITHDRAWN),
    lambda: {"missing": _("This entry does not exist."),
             "only_proposer": _("Only the MPTF officer who proposed an entry can withdraw it."),
             "not_own": _("You proposed this entry: another MPTF officer must confirm or refuse it."),
             "already": already_decided_message(), "no_reason": _("Say why the entry is refused."),
             "not_allowed": _("Only MPTF officers may do this.")})
_get, _answer = ANSWERS.get, ANSWERS.answer


def confirm(actor, proposal_id: int) -> FundEntry:
    """A second MPTF officer confirms a waiting entry: it is recorded now, with every
    check again (a value date in a year closed since, a cost the pool can no longer
    pay, an entry reversed since), in the transaction of the guarded UPDATE of its
    status. A refusal rolls back the whole transaction (errors.run), the status's
    UPDATE with it: nothing is recorded and the entry still waits. The value date is
    in the future only if it is after both the confirmer's today and the proposer's
    when proposing."""
    # Imported here, not at the top: no other module may reach it through this one
    # (contract "fund-entries-confirmed"; tests/unit/test_structure.py).
    from ..contributions.fund_entries import record_fund_entry, reverse_fund_entry

    proposal = _get(proposal_id)
    before = _answer(actor, proposal, CONFIRMED)
    try:
        if proposal.is_reversal:
            entry = reverse_fund_entry(actor, proposal.reverses, proposal.description)
        else:
            entry = record_fund_entry(actor, kind=proposal.kind, pool_id=proposal.pool_id,
                                      value_date=proposal.value_date, usd_amount=proposal.usd_amount,
                                      description=proposal.description,
                                      today_is=max(today(), proposal.proposed_on))
    except DomainError as error:
        raise DomainError(_("Nothing was recorded, and the entry still waits: %(why)s",
                            why=error.message)) from None
    proposal.entry_id = entry.id
    db.session.flush()
    record(actor, "fund_entry.confirm", proposal, before=before)
    return entry


def why_not_now(proposal: FundEntryProposal) -> str | None:
    """What would refuse confirming the waiting `proposal` now, in words (nothing is
    written): its proposer no longer an active MPTF officer, a value date in a year
    closed since, a cost its pool can no longer pay, a reversal of income the pool has
    spent since; None when it can be confirmed. The entries page says it in place of
    Confirm: the other officers refuse it, or its proposer withdraws it, instead of
    learning it by a refused confirmation."""
    gone = second_person.proposer_gone(proposal.proposed_by_id, MPTF_OFFICER)
    if gone:
        return gone
    try:
        if proposal.is_reversal:
            entry = proposal.reverses
            reversal_checks(entry, proposal.description)
            if entry.pool.available + reversal_moves(entry)["available"] < 0:
                raise reversal_short(entry.pool)
        else:
            pool, day, usd, _text = entry_checks(proposal.kind, proposal.pool_id, proposal.value_date,
                                                  proposal.usd_amount, proposal.description,
                                                  max(today(), proposal.proposed_on))
            cost_the_pool_cannot_pay(proposal.kind, pool, usd, day)
    except DomainError as error:
        return _("This entry can no longer be recorded as it stands: %(why)s Refuse it, or its proposer can "
                 "withdraw it; then propose it again if it is still wanted.", why=error.message)
    return None


def refuse(actor, proposal_id: int, reason: str) -> FundEntryProposal:
    proposal, before = ANSWERS.refusal(actor, proposal_id, reason)
    record(actor, "fund_entry.refuse", proposal, before=before, note=proposal.refusal_reason)
    return proposal


def withdraw(actor, proposal_id: int) -> FundEntryProposal:
    proposal, before = ANSWERS.withdrawal(actor, proposal_id)
    record(actor, "fund_entry.withdraw", proposal, before=before)
    return proposal


def waiting() -> list[FundEntryProposal]:
    """Every entry and reversal waiting for a second MPTF officer, oldest first."""
    return ANSWERS.waiting()


def reversal_waiting(entry_id: int) -> FundEntryProposal | None:
    return db.session.scalar(sa.select(FundEntryProposal).where(FundEntryProposal.reverses_id == entry_id,
                                                                FundEntryProposal.status == WAITING))


def officers_of(entry_ids: list[int] | None = None) -> dict[int, tuple[str, str]]:
    """Who proposed and who confirmed each recorded entry (of `entry_ids`, or every
    one), by entry id, in one query; none for an entry recorded before entries took
    two officers."""
    return second_person.who_proposed_and_confirmed(FundEntryProposal, entry_ids)


def active_officers() -> int:
    return active_in_role(MPTF_OFFICER)
