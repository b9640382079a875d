"""A month's UN rate takes two MPTF officers.

Nobody alone moves money (DESIGN.md §5). Every deposit of a month takes its UN
operational rate without a note, so a rate is money: EUR 1,000 at 0.0001 credits USD
10 million. The tolerance against the nearest month (rates.require_near_other_months)
catches a mistyped rate, but an officer set on it could move a month 10% at a time, or
give a currency its first rate. So the MPTF officer who fills in the rate form (a new
month's rate or a correction) only proposes it (RateProposal): the table does not
change. A second, different, active MPTF officer confirms it on the exchange rates
page, and it is then written (confirmed.set_rate, with every check again, the confirming
officer as its recorder); or refuses it with a reason; its proposer may withdraw it.
A rates file waits the same way (rate_import: another MPTF officer confirms it). Each
step is in the audit trail, and the other MPTF officers are told by email, each in
their language, when one is proposed.

The same checks run at the proposal and again at the confirmation: one that can no
longer be written (a month of a year closed since, a rate corrected by someone else
since, a month that got its rate meanwhile) writes nothing and keeps waiting, with the
reason; the page says it beside the proposal in place of Confirm (why_not_now). Each
answer is one guarded UPDATE of the proposal's status (second_person), in the
transaction of the rate: of two officers confirming at once, or one confirmation sent
twice, one rate is written.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..admin.models import CONFIRMED, PENDING, REFUSED, WITHDRAWN
from ..audit import record
from ..auth.colleagues import active_in_role, tell_others
from ..errors import DomainError, check_version
from ..extensions import db
from ..permissions import MPTF_OFFICER
from .models import ExchangeRate, RateProposal
from .rates import checked_rate, month_label
from .rules import first_of_month, rate_or_error


def _require_officer(actor) -> None:
    second_person.require_active(actor, MPTF_OFFICER, _("Only MPTF officers may do this."))


def already_waiting_message(currency: str, month: dt.date) -> str:
    return _("A rate for %(currency)s in %(month)s already waits for a second MPTF officer: it must be "
             "confirmed, refused or withdrawn first.", currency=currency, month=month_label(month))


def _waiting_for(currency: str, month: dt.date) -> RateProposal | None:
    return db.session.scalar(sa.select(RateProposal).where(
        RateProposal.currency == currency, RateProposal.month == month, RateProposal.status == PENDING))


def _sent_twice(actor, currency, month, rate, entry: ExchangeRate | None) -> RateProposal | None:
    """The officer's own waiting proposal of this very rate (the form sent twice), if any:
    looked for before the form's version, which the first sending moved."""
    try:
        month, value = first_of_month(month), rate_or_error(rate, "rate")
    except (DomainError, AttributeError, TypeError):
        return None  # refused below, beside its field
    waiting_now = _waiting_for(str(currency or "").upper(), month)
    if waiting_now is not None and (waiting_now.proposed_by_id, waiting_now.rate, waiting_now.entry_id) == (
            actor.id, value, entry.id if entry is not None else None):
        return waiting_now
    return None


def propose(actor, currency: str, month, rate, *, entry: ExchangeRate | None = None, version=None,
            adding: bool = False) -> RateProposal | ExchangeRate:
    """The rate form: checked now as confirmed.set_rate would check it (rates.checked_rate),
    then kept waiting for another MPTF officer; the table does not change. The month's
    own rate again changes nothing and waits for nobody: the rate is returned. The same
    proposal sent twice by its officer is the one waiting; another proposal for a
    currency and month while one waits is refused."""
    _require_officer(actor)
    twice = _sent_twice(actor, currency, month, rate, entry)
    if twice is not None:
        return twice
    if entry is not None:
        check_version(form_version(entry), version)
    change = checked_rate(currency, month, rate, entry=entry, version=entry.version if entry else None,
                          adding=adding)
    if change.unchanged:
        return change.target
    if _waiting_for(change.currency, change.month) is not None:
        raise DomainError(already_waiting_message(change.currency, change.month), field="month")
    proposal = RateProposal(currency=change.currency, month=change.month, rate=change.rate,
                            entry_id=entry.id if entry is not None else None,
                            entry_version=entry.version if entry is not None else None,
                            proposed_by_id=actor.id, status=PENDING)
    db.session.add(proposal)
    try:
        db.session.flush()
    except IntegrityError:  # another officer proposed a rate for that month meanwhile
        raise DomainError(already_waiting_message(change.currency, change.month), field="month") from None
    record(actor, "rate_proposal.propose", proposal)
    tell_others(actor, MPTF_OFFICER, "rate_waiting", "rate_waiting",
                _l("An exchange rate waits for your confirmation"),
                proposer=actor.name or actor.email, proposal=proposal,
                before=entry.rate if entry is not None else None)  # written in each reader's language
    return proposal


def form_version(entry: ExchangeRate) -> int:
    """The version a rate's correction form carries: the rate's own, moved while a
    correction of it waits, so that a form loaded before a colleague proposed one is
    refused with "reload the page", which then shows what waits. (A correction
    confirmed moves the rate's own version.)"""
    return entry.version + db.session.scalar(
        sa.select(sa.func.count()).select_from(RateProposal)
        .where(RateProposal.entry_id == entry.id, RateProposal.status == PENDING))


def already_decided_message() -> str:
    return _("This rate was already confirmed, refused or withdrawn: nothing was done.")


ANSWERS = second_person.Answers(
    RateProposal, MPTF_OFFICER, (PENDING, CONFIRMED, REFUSED, WITHDRAWN),
    lambda: {"missing": _("This rate proposal does not exist."),
             "only_proposer": _("Only the MPTF officer who proposed this rate can withdraw it."),
             "not_own": _("You proposed this rate: another MPTF officer must confirm or refuse it."),
             "already": already_decided_message(), "no_reason": _("Say why the rate is refused."),
             "not_allowed": _("Only MPTF officers may do this.")})
_get, _answer = ANSWERS.get, ANSWERS.answer


def _write(actor, proposal: RateProposal) -> ExchangeRate:
    """The proposal written to the table by confirmed.set_rate, every check again; a
    correction against the version its proposer saw."""
    # Imported here, not at the top: no other module may reach it through this one
    # (contract "money-moves-confirmed"; tests/unit/test_structure.py).
    from .confirmed import set_rate

    entry = proposal.entry  # a rate is never deleted (a foreign key holds it)
    return set_rate(actor, proposal.currency, proposal.month, proposal.rate, entry=entry,
                    version=proposal.entry_version, adding=entry is None,
                    proposed_by_id=proposal.proposed_by_id)


def confirm(actor, proposal_id: int) -> ExchangeRate:
    """A second MPTF officer confirms a waiting rate: it is written now, with every check
    again, in the transaction of the guarded UPDATE of its status. A refusal rolls back
    the whole transaction (errors.run), the status's UPDATE with it: nothing is written
    and it still waits."""
    proposal = _get(proposal_id)
    before = _answer(actor, proposal, CONFIRMED)
    try:
        written = _write(actor, proposal)
    except DomainError as error:
        raise DomainError(_("Nothing was changed, and the rate still waits: %(why)s",
                            why=error.message)) from None
    db.session.flush()
    proposal.rate_id = written.id
    db.session.flush()
    record(actor, "rate_proposal.confirm", proposal, before=before)
    return written


def why_not_now(proposal: RateProposal) -> str | None:
    """What would refuse confirming the waiting `proposal` now, in words (nothing is
    written): its proposer no longer an active MPTF officer, or a check of set_rate
    that fails now (a year closed since, the rate it corrects changed since, the month
    given a rate meanwhile); None when it can be confirmed. The rates page says it in
    place of Confirm."""
    gone = second_person.proposer_gone(proposal.proposed_by_id, MPTF_OFFICER)
    if gone:
        return gone
    try:
        checked_rate(proposal.currency, proposal.month, proposal.rate, entry=proposal.entry,
                     version=proposal.entry_version, adding=proposal.entry is None)
    except DomainError as error:
        return _("This rate can no longer be written as it stands: %(why)s Refuse it, or its proposer can "
                 "withdraw it; then propose it again if it is still wanted.", why=error.message)
    return None


def refuse(actor, proposal_id: int, reason: str) -> RateProposal:
    proposal, before = ANSWERS.refusal(actor, proposal_id, reason)
    record(actor, "rate_proposal.refuse", proposal, before=before, note=proposal.refusal_reason)
    return proposal


def withdraw(actor, proposal_id: int) -> RateProposal:
    proposal, before = ANSWERS.withdrawal(actor, proposal_id)
    record(actor, "rate_proposal.withdraw", proposal, before=before)
    return proposal


def waiting() -> list[RateProposal]:
    """Every rate waiting for a second MPTF officer, oldest first."""
    return ANSWERS.waiting()


def active_officers() -> int:
    return active_in_role(MPTF_OFFICER)


__all__ = ["active_officers", "already_decided_message", "confirm", "form_version", "propose", "refuse",
           "waiting", "why_not_now", "withdraw"]
