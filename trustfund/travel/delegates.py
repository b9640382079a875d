"""A delegate's details, corrected by the SRSG staff; their name, once their travel
was approved, by two of them.

A request reuses the delegate of its name and State and only adds details, so a wrong
address or a number given up is corrected, or removed, on the delegate's page, by one
SRSG staff member (audited). The name is another matter once a grant of theirs was
approved (approved, travelled or a no-show): it says who the fund pays to travel, and
the approval was a second person's decision (DESIGN.md §5: the user who entered a
request may not approve it; nobody alone moves money). One person renaming that
delegate would send someone else on money a colleague approved, or rewrite whom it
paid. So the new name is proposed with a reason (DelegateRenaming) and nothing changes
while it waits; a second, different, active SRSG staff member confirms it (the
delegate is renamed then, in the transaction of the guarded UPDATE of its status) or
refuses it with a reason; its proposer may withdraw it. The other details of the same
form are saved at once. While a renaming waits, the name is not changed otherwise.

Each step is in the delegate's audit trail, and the other SRSG staff members are told
by email, each in their language."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..admin.models import CONFIRMED, PENDING, REFUSED, WITHDRAWN
from ..audit import AuditEntry, record, snapshot
from ..auth.colleagues import tell_others
from ..connections import hold_row
from ..contributions.rules import text_or_error
from ..errors import DomainError
from ..extensions import db
from ..permissions import SRSG_STAFF
from ..seen import fingerprint, require_unchanged
from ..validation import check_text
from .models import FUNDED, Delegate, DelegateRenaming, TravelGrant
from .services import checked_delegate_name, namesakes, require_srsg


@dataclass(frozen=True)
class Corrected:
    """What a save of the delegate's form did: the details saved, and the renaming
    left waiting for a second SRSG staff member (None when the name was saved, or
    unchanged)."""

    delegate: Delegate
    renaming: DelegateRenaming | None


def delegate_seen(delegate: Delegate) -> str:
    """What the delegate's form shows, which its save carries (seen.require_unchanged)."""
    return fingerprint([(delegate.name, delegate.function, delegate.email, delegate.phone)])


def travel_approved(delegate_id: int) -> bool:
    """Whether a grant of the delegate was approved (approved, travelled or a no-show):
    their name then changes only by two SRSG staff members."""
    return db.session.scalar(sa.select(sa.exists().where(
        TravelGrant.delegate_id == delegate_id, TravelGrant.status.in_(FUNDED))))


def waiting_for(delegate_id: int) -> DelegateRenaming | None:
    return db.session.scalar(sa.select(DelegateRenaming).where(
        DelegateRenaming.delegate_id == delegate_id, DelegateRenaming.status == PENDING))


def former_names(delegate_id: int) -> list[tuple[str, dt.datetime]]:
    """The names the delegate had before, each with the moment it was replaced, oldest
    first, from the audit trail (a name corrected by one person before any approval, or
    by two after): a grant's page says whom its request and approval named."""
    rows = db.session.execute(sa.select(AuditEntry.before, AuditEntry.after, AuditEntry.at).where(
        AuditEntry.object_type == "Delegate", AuditEntry.object_id == str(delegate_id),
        AuditEntry.action.in_(("delegate.update", "delegate.rename_confirm"))).order_by(AuditEntry.id))
    return [(before["name"], at) for before, after, at in rows
            if before and after and before.get("name") and before.get("name") != after.get("name")]


def waiting_shown() -> list[DelegateRenaming]:
    """Every renaming waiting for a second SRSG staff member, oldest first, with its
    delegate and proposer (the review queue lists them)."""
    return ANSWERS.waiting(sa.orm.joinedload(DelegateRenaming.delegate),
                           sa.orm.joinedload(DelegateRenaming.proposed_by))


def already_waiting_message() -> str:
    return _("A change of this delegate's name already waits for a second SRSG staff member: it must be "
             "confirmed, refused or withdrawn first.")


def _refuse_namesake(delegate: Delegate, name: str) -> None:
    """Another delegate of the same name and State is refused: they are one person, and
    their requests are theirs."""
    if any(other_id != delegate.id for other_id in namesakes(delegate.country_code, name)):
        raise DomainError(_("Another delegate of this name represents the same State."), field="name")


def correct_delegate(actor, delegate: Delegate, *, name: str, function: str, email: str, phone: str,
                     seen: str | None, reason: str = "") -> Corrected:
    """Correct a delegate's details (SRSG staff). The form saved must show the details
    as they are (a colleague's save meanwhile is not overwritten unseen). A new name of
    a delegate whose travel was approved waits for a second SRSG staff member, with
    `reason` (refused beside it when there is none); the other details are saved."""
    require_srsg(actor)
    # Held while it is compared and written: two saves at once, one is told; an approval
    # (which holds the delegate too) is seen before the name is judged.
    hold_row(db.session, Delegate, delegate.id)
    db.session.refresh(delegate)
    require_unchanged(seen, delegate_seen(delegate))
    name = checked_delegate_name(name, "name")
    changes = {"name": name, "function": check_text((function or "").strip(), "function"),
               "email": check_text((email or "").strip(), "email"),
               "phone": check_text((phone or "").strip(), "phone")}
    changes = {k: v for k, v in changes.items() if v != getattr(delegate, k)}
    renaming = None
    if "name" in changes:
        _refuse_namesake(delegate, name)
        if waiting_for(delegate.id) is not None:
            raise DomainError(already_waiting_message(), field="name")
        if travel_approved(delegate.id):
            reason = text_or_error(reason, "reason", _("Say why the name is corrected: a grant of this "
                                                       "delegate was approved, so a second SRSG staff member "
                                                       "confirms the new name."))
            renaming = _propose(actor, delegate, changes.pop("name"), reason)
    if changes:
        before = snapshot(delegate)
        for k, v in changes.items():
            setattr(delegate, k, v)
        db.session.flush()
        record(actor, "delegate.update", delegate, before=before)
    return Corrected(delegate, renaming)


def _propose(actor, delegate: Delegate, name: str, reason: str) -> DelegateRenaming:
    renaming = DelegateRenaming(delegate_id=delegate.id, name_before=delegate.name, name=name, reason=reason,
                                proposed_by_id=actor.id, status=PENDING)
    db.session.add(renaming)
    try:
        db.session.flush()
    except IntegrityError:  # a colleague proposed one meanwhile
        raise DomainError(already_waiting_message(), field="name") from None
    record(actor, "delegate.rename_propose", delegate, before={"name": delegate.name}, after={"name": name},
           note=reason)
    tell_others(actor, SRSG_STAFF, "delegate_renaming_waiting", "delegate_renaming_waiting",
                _l("A change of a delegate's name waits for your confirmation"),
                proposer=actor.name or actor.email, renaming=renaming, delegate=delegate)
    return renaming


def already_decided_message() -> str:
    return _("This change of name was already confirmed, refused or withdrawn: nothing was done.")


ANSWERS = second_person.Answers(
    DelegateRenaming, SRSG_STAFF, (PENDING, CONFIRMED, REFUSED, WITHDRAWN),
    lambda: {"missing": _("This change of name does not exist."),
             "only_proposer": _("Only the SRSG staff member who proposed this change of name can withdraw "
                                "it."),
             "not_own": _("You proposed this change of name: another SRSG staff member must confirm or "
                          "refuse it."),
             "already": already_decided_message(), "no_reason": _("Say why the change of name is refused."),
             "not_allowed": _("Only SRSG staff may do this.")})


def _stale(delegate: Delegate, renaming: DelegateRenaming) -> DomainError | None:
    if delegate.name != renaming.name_before:
        return DomainError(_("The delegate's name has changed since this change was proposed."))
    try:
        _refuse_namesake(delegate, renaming.name)
    except DomainError as error:
        return error
    return None


def confirm(actor, renaming_id: int) -> DelegateRenaming:
    """A second SRSG staff member confirms a waiting renaming: the delegate takes the
    name now, in the transaction of the guarded UPDATE of its status. A refusal rolls
    back the whole transaction (errors.run): nothing changes and it still waits."""
    renaming = ANSWERS.get(renaming_id)
    ANSWERS.answer(actor, renaming, CONFIRMED)
    delegate = renaming.delegate
    hold_row(db.session, Delegate, delegate.id)
    db.session.refresh(delegate)
    stale = _stale(delegate, renaming)
    if stale is not None:
        raise DomainError(_("Nothing was changed, and the change of name still waits: %(why)s",
                            why=stale.message))
    before = snapshot(delegate)
    delegate.name = renaming.name
    db.session.flush()
    record(actor, "delegate.rename_confirm", delegate, before=before, note=renaming.reason)
    return renaming


def why_not_now(renaming: DelegateRenaming) -> str | None:
    """What would refuse confirming the waiting `renaming` now, in words; None when it
    can be confirmed. The delegate's page says it in place of Confirm."""
    gone = second_person.proposer_gone(renaming.proposed_by_id, SRSG_STAFF)
    if gone:
        return gone
    stale = _stale(renaming.delegate, renaming)
    if stale is not None:
        return _("This change of name cannot be confirmed as it stands: %(why)s Refuse it, or its proposer "
                 "can withdraw it; then propose it again if it is still wanted.", why=stale.message)
    return None


def refuse(actor, renaming_id: int, reason: str) -> DelegateRenaming:
    renaming, _before = ANSWERS.refusal(actor, renaming_id, reason)
    record(actor, "delegate.rename_refuse", renaming.delegate, note=renaming.refusal_reason)
    return renaming


def withdraw(actor, renaming_id: int) -> DelegateRenaming:
    renaming, _before = ANSWERS.withdrawal(actor, renaming_id)
    record(actor, "delegate.rename_withdraw", renaming.delegate)
    return renaming


__all__ = ["ANSWERS", "Corrected", "already_decided_message", "already_waiting_message", "confirm",
           "correct_delegate", "delegate_seen", "former_names", "refuse", "travel_approved", "waiting_for",
           "waiting_shown", "why_not_now", "withdraw"]
