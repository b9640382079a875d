"""A donor's name, type or country, once its contributions are recorded, changed by two
MPTF officers.

The donor's name is whom the statements, the certified final statements, the donor's
portal, the audit trail and the published IATI file say the money came from. One MPTF
officer renaming donors alone could make one donor's contributions read as another's:
three saves swap two names ("Kingdom of Sweden" and "Kingdom of Norway"), and a closed
year's statement of Sweden's deposits then said "Statement of Kingdom of Norway" (a
colleague's review; DESIGN.md §6a: a closed year's reports never change; nobody alone
moves money, or says whose it is). Its type (the IATI file's provider type: a
Government's money or a foundation's) and its country (a Member State's is the State)
say who gave as much. So once a pledge or a commitment is recorded for a donor, a new
name, type or country is proposed with a reason (DonorRenaming) and nothing changes
while it waits; a second, different, active MPTF officer confirms it (the donor changes
then, in the transaction of the guarded UPDATE of its status) or refuses it with a
reason; its proposer may withdraw it. The other details of the same form are saved at
once. A donor with nothing recorded is corrected by one officer, as before.

Each step is in the donor's audit trail, and the other MPTF officers are told by email,
each in their language."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..audit import record
from ..auth.colleagues import tell_others
from ..errors import DomainError
from ..extensions import db
from ..permissions import MPTF_OFFICER
from ..validation import check_text, too_long
from .models import Donor, DonorRenaming
from .services import (
    WHO_GAVE,
    change_who_gave,
    contributions_recorded,
    details_checked,
    payee_refusal,
    save_checked,
    who_gave_changed,
    who_gave_refusal,
)

PENDING, CONFIRMED, REFUSED, WITHDRAWN = "pending", "confirmed", "refused", "withdrawn"


@dataclass(frozen=True)
class Corrected:
    """What a save of the donor's form did: the donor, its details saved, and the new
    name left waiting for a second MPTF officer (None when the name was saved, or
    unchanged)."""

    donor: Donor
    renaming: DonorRenaming | None


def waiting_for(donor_id: int) -> DonorRenaming | None:
    return db.session.scalar(sa.select(DonorRenaming).where(DonorRenaming.donor_id == donor_id,
                                                            DonorRenaming.status == PENDING))


def waiting_shown() -> list[DonorRenaming]:
    """Every renaming waiting for a second MPTF officer, oldest first, with its donor and
    proposer."""
    return ANSWERS.waiting(sa.orm.joinedload(DonorRenaming.donor),
                           sa.orm.joinedload(DonorRenaming.proposed_by))


def already_waiting_message() -> str:
    return _("A change of this donor's name, type or country already waits for a second MPTF officer: it "
             "must be confirmed, refused or withdrawn first.")


def correct_donor(actor, donor: Donor, *, version, name: str, donor_type: str,
                  country_code: str | None = None, contact_name: str = "", contact_email: str = "",
                  lookalike_confirmed: bool = False, reason: str = "") -> Corrected:
    """Save the donor's form (as services.update_donor does). A new name, type or country
    of a donor whose contributions are recorded waits for a second MPTF officer, with
    `reason` (refused beside it when there is none); the other details are saved at
    once."""
    fields = {"donor_type": donor_type, "country_code": country_code, "contact_name": contact_name,
              "contact_email": contact_email}
    values = details_checked(donor, version=version, name=name, lookalike_confirmed=lookalike_confirmed,
                             **fields)
    renaming = None
    changed = who_gave_changed(donor, values)
    if changed and contributions_recorded(donor.id):
        if waiting_for(donor.id) is not None:
            raise DomainError(already_waiting_message(), field=changed[0])
        renaming = _propose(actor, donor, values, reason)
        # Checked once above; the donor stays as it is while the change waits.
        values = {**values, **{field: getattr(donor, field) for field in WHO_GAVE}}
    return Corrected(save_checked(actor, donor, values), renaming)


def _propose(actor, donor: Donor, values: dict, reason: str) -> DonorRenaming:
    reason = check_text(reason or "", "reason", multiline=True).strip()
    if not reason:
        raise DomainError(_("Say why the donor is corrected: contributions of this donor are recorded, so a "
                            "second MPTF officer confirms the change."), field="reason")
    if len(reason) > 2000:
        raise DomainError(too_long(2000), field="reason")
    second_person.require_active(actor, MPTF_OFFICER, _("Only MPTF officers may do this."))
    renaming = DonorRenaming(donor_id=donor.id, name_before=donor.name, name=values["name"],
                             type_before=donor.donor_type, donor_type=values["donor_type"],
                             country_before=donor.country_code, country_code=values["country_code"],
                             reason=reason, proposed_by_id=actor.id, status=PENDING)
    db.session.add(renaming)
    try:
        db.session.flush()
    except IntegrityError:  # a colleague proposed one meanwhile
        raise DomainError(already_waiting_message(), field="name") from None
    record(actor, "donor.rename_propose", donor,
           before={field: getattr(donor, field) for field in WHO_GAVE},
           after={field: values[field] for field in WHO_GAVE}, note=reason)
    tell_others(actor, MPTF_OFFICER, "donor_renaming_waiting", "donor_renaming_waiting",
                _l("A change of a donor's name, type or country waits for your confirmation"),
                proposer=actor.name or actor.email, renaming=renaming, donor=donor)
    return renaming


def already_decided_message() -> str:
    return _("This change was already confirmed, refused or withdrawn: nothing was done.")


ANSWERS = second_person.Answers(
    DonorRenaming, MPTF_OFFICER, (PENDING, CONFIRMED, REFUSED, WITHDRAWN),
    lambda: {"missing": _("This change does not exist."),
             "only_proposer": _("Only the MPTF officer who proposed this change can withdraw it."),
             "not_own": _("You proposed this change: another MPTF officer must confirm or refuse "
                          "it."),
             "already": already_decided_message(), "no_reason": _("Say why the change is refused."),
             "not_allowed": _("Only MPTF officers may do this.")})


def _stale(renaming: DonorRenaming) -> str | None:
    donor = renaming.donor
    if (donor.name, donor.donor_type, donor.country_code) != (
            renaming.name_before, renaming.type_before, renaming.country_before):
        return _("The donor's name, type or country has changed since this change was proposed.")
    return None


def confirm(actor, renaming_id: int) -> DonorRenaming:
    """A second MPTF officer confirms a waiting change: the donor takes the name, type and
    country now, in the transaction of the guarded UPDATE of its status, checked again
    as it stands (another donor took the name or the Member State's country, or a
    refund to it was decided, meanwhile: refused). A
    refusal rolls back the whole transaction (errors.run): nothing changes and it still
    waits."""
    renaming = ANSWERS.get(renaming_id)
    ANSWERS.answer(actor, renaming, CONFIRMED)
    donor = renaming.donor
    db.session.refresh(donor)
    try:
        stale = _stale(renaming)
        if stale is not None:
            raise DomainError(stale)
        before = change_who_gave(donor, name=renaming.name, donor_type=renaming.donor_type,
                                 country_code=renaming.country_code)
    except DomainError as refusal:
        raise DomainError(_("Nothing was changed, and the change still waits: %(why)s",
                            why=refusal.message)) from None
    record(actor, "donor.rename_confirm", donor, before=before, note=renaming.reason)
    return renaming


def why_not_now(renaming: DonorRenaming) -> str | None:
    """What would refuse confirming the waiting `renaming` now, in words (its proposer
    gone, the donor changed since, its new name or Member State's country another
    donor's since, a refund to it decided since when it renames it);
    None when nothing seen now would. The donor's page says it in place of Confirm."""
    gone = second_person.proposer_gone(renaming.proposed_by_id, MPTF_OFFICER)
    if gone:
        return gone
    stale = _stale(renaming) or who_gave_refusal(renaming.donor, name=renaming.name,
                                                 donor_type=renaming.donor_type,
                                                 country_code=renaming.country_code)
    if stale is None and renaming.name != renaming.name_before:
        stale = payee_refusal(renaming.donor_id)
    if stale is not None:
        return _("This change cannot be confirmed as it stands: %(why)s Refuse it, or its proposer "
                 "can withdraw it; then propose it again if it is still wanted.", why=stale)
    return None


def refuse(actor, renaming_id: int, reason: str) -> DonorRenaming:
    renaming, _before = ANSWERS.refusal(actor, renaming_id, reason)
    record(actor, "donor.rename_refuse", renaming.donor, note=renaming.refusal_reason)
    return renaming


def withdraw(actor, renaming_id: int) -> DonorRenaming:
    renaming, _before = ANSWERS.withdrawal(actor, renaming_id)
    record(actor, "donor.rename_withdraw", renaming.donor)
    return renaming


__all__ = ["ANSWERS", "Corrected", "already_decided_message", "already_waiting_message", "confirm",
           "contributions_recorded", "correct_donor", "refuse", "waiting_for", "waiting_shown", "why_not_now",
           "withdraw"]
