"""User changes that give power over money or accounts take two admins.

Nobody alone moves money (DESIGN.md §5): an admin who could make a second SRSG staff
account, or type a password for one, would request and approve a grant alone. So a
change of the admin's user form that gives someone power over money or over accounts
waits for a second, different, active admin to confirm it (UserChange): creating an
account in the role admin, mptf_officer or srsg_staff, moving an account to one of
them, and, for an account that has or would have one of them, changing its email,
typing a password for it or reactivating it. Everything else takes effect at once.
Confirming applies the change through admin.services.save_user, as if saved then.

Whoever runs the server keeps a direct way: `flask --app trustfund create-user`.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..audit import record
from ..audit_text import Change
from ..auth.colleagues import active_in_role, tell_others
from ..auth.hashing import hash_password
from ..auth.models import User
from ..errors import DomainError, check_version
from ..extensions import db
from ..permissions import ADMIN, MPTF_OFFICER, ROLE_LABELS, SRSG_STAFF
from .models import CONFIRMED, PENDING, REFUSED, WITHDRAWN, UserChange
from .services import checked_user_fields, lock_accounts, refuse_power_loss, save_user

# Roles with power over money (officers, SRSG staff) or over accounts (admins).
POWER_ROLES = (ADMIN, MPTF_OFFICER, SRSG_STAFF)


def waits(user: User | None, *, email: str, role: str, active: bool, password: str | None) -> bool:
    """Whether a change of the admin's form waits for a second admin."""
    if user is None:
        return role in POWER_ROLES
    if role != user.role and role in POWER_ROLES:
        return True
    if user.role not in POWER_ROLES and role not in POWER_ROLES:
        return False
    return (email.strip().lower() != user.email.lower() or bool(password)
            or (active and not user.active))


def renews_sign_in(change: UserChange, user: User | None) -> bool:
    """Whether confirming `change` gives an existing account power it did not have
    without a password typed in the change itself. Its email and password may have been
    set by one admin alone while it had no power (such changes take effect at once),
    and that admin would then sign in to an account the second admin made powerful: so
    the password stops working and an invitation to choose one goes to the account's
    email, which the second admin reads on the change before confirming."""
    return (user is not None and change.role in POWER_ROLES and user.role not in POWER_ROLES
            and not change.sign_in_typed)


def submit_user(actor, user: User | None, *, email: str, name: str, role: str, donor_id: int | None,
                active: bool, password: str | None, version=None, timezone: str | None = None):
    """The admin's user form: the change takes effect at once (the User returned) or
    waits for another admin (the UserChange returned). Either way it is checked now,
    and refused beside its field as save_user would refuse it."""
    if user is not None:
        check_version(user.version, version)
    if not waits(user, email=email, role=role, active=active, password=password):
        return save_user(actor, user, email=email, name=name, role=role, donor_id=donor_id, active=active,
                         password=password, version=version, timezone=timezone)
    email, name, donor_id = checked_user_fields(user, email=email, name=name, role=role,
                                                donor_id=donor_id, password=password)
    refuse_power_loss(actor, user, role=role, active=active)
    if user is not None and user.active and not active:
        # Deactivating is urgent (a compromised account) and takes effect at once, but
        # never together with a change that waits: an admin could otherwise type a
        # password and deactivate at once, then propose only the reactivation.
        raise DomainError(_("Deactivate the account on its own first: it takes effect at once. "
                            "Then propose the other change."), field="active")
    if timezone:
        from ..auth.services import time_zone_or_error

        timezone = time_zone_or_error(timezone)
    if user is not None and waiting_for(user.id) is not None:
        raise DomainError(_("A change to this user already waits for another administrator. "
                            "It must be confirmed, refused or withdrawn first."))
    _refuse_waiting_email(email, user)
    change = UserChange(
        user_id=user.id if user else None, based_on_version=user.version if user else None,
        email=email, name=name, role=role, donor_id=donor_id, active=active, timezone=timezone,
        password_hash=hash_password(password) if password else None, sign_in_typed=bool(password),
        proposed_by_id=actor.id, status=PENDING)
    db.session.add(change)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same user or email, proposed meanwhile by another admin
        if "email" in str(error.orig):
            raise DomainError(_("A change waiting for another administrator already uses this email."),
                              field="email") from None
        raise DomainError(_("A change to this user already waits for another administrator. "
                            "It must be confirmed, refused or withdrawn first.")) from None
    record(actor, "user_change.propose", change)
    _tell_the_other_admins(actor, change, user)
    return change


def tell_other_admins(actor, kind: str, subject, **context) -> None:
    """A message to every other active admin, in their language: something `actor`
    proposed waits for one of them (the templates mail/<kind>.txt and .html)."""
    tell_others(actor, ADMIN, kind, kind, subject, admin=actor.name or actor.email, **context)


def _tell_the_other_admins(actor, change: UserChange, user: User | None) -> None:
    """A message to every other active admin: a change waits for one of them."""
    account = change.email if user is None else (user.name or user.email)
    tell_other_admins(actor, "user_change_waiting",
                      _l("A change to a Trustfund account waits for your confirmation"),
                      account=account, role=ROLE_LABELS[change.role], new_account=user is None,
                      # A move to another role says from which (the role it has until then).
                      role_before=ROLE_LABELS[user.role] if user is not None and user.role != change.role
                      else None)


def _refuse_waiting_email(email: str, user: User | None) -> None:
    query = sa.select(UserChange.id).where(UserChange.status == PENDING, UserChange.email == email)
    if user is not None:
        query = query.where(sa.or_(UserChange.user_id.is_(None), UserChange.user_id != user.id))
    if db.session.scalar(query) is not None:
        raise DomainError(_("A change waiting for another administrator already uses this email."),
                          field="email")


def is_stale(change: UserChange) -> bool:
    """A change to a user who was changed since it was proposed: it can no longer be
    confirmed (it would undo that later change); it waits until refused or withdrawn."""
    return change.user is not None and change.user.version != change.based_on_version


def stale_change_message() -> str:
    return _("This user’s account was changed after this change was proposed: "
             "it can no longer be confirmed. Refuse it, or its proposer can withdraw it; "
             "then propose the change again if it is still wanted.")


def already_decided_message() -> str:
    return _("This change was already decided: nothing was done.")


def waiting_for(user_id: int) -> UserChange | None:
    return db.session.scalar(sa.select(UserChange).where(UserChange.user_id == user_id,
                                                         UserChange.status == PENDING))


def waiting_changes() -> list[UserChange]:
    return db.session.scalars(sa.select(UserChange).where(UserChange.status == PENDING)
                              .order_by(UserChange.proposed_at, UserChange.id)).all()


def active_admins() -> int:
    return active_in_role(ADMIN)


def _decide(actor, change_id: int, status: str, reason: str | None = None) -> tuple[UserChange, dict]:
    """One guarded UPDATE of the change's status: of two admins deciding at once, or one
    answer sent twice, one decides and the other is told it was already decided."""
    change = db.session.get(UserChange, change_id)
    if change is None:
        raise DomainError(_("This change does not exist."))
    before = second_person.decide(
        change, actor, status, waiting=PENDING, confirmed=CONFIRMED, refused=REFUSED, withdrawn=WITHDRAWN,
        only_proposer=_("Only the administrator who proposed a change can withdraw it."),
        not_own=_("You proposed this change: another administrator must confirm or refuse it."),
        already=already_decided_message(), reason=reason, missing=_("Say why the change is refused."),
        role=ADMIN, not_allowed=_("Only an active administrator can do this."))
    return change, before


def confirm(actor, change_id: int) -> UserChange:
    """Another active admin confirms a waiting change: it is applied as save_user
    applies a change (invitation, notices, sessions ended), and both admins are named
    in the audit trail. A change whose user was changed since is refused as stale.

    The stale check comes after the guarded answer, with the user's row locked and read
    afresh: an admin whose colleague confirmed the change meanwhile (which moved the
    user's version) is told it was already decided, not that it is stale. A refusal
    rolls back the whole transaction (errors.run), the status's UPDATE with it."""
    change = db.session.get(UserChange, change_id)
    if change is None:
        raise DomainError(_("This change does not exist."))
    # The confirming admin must still be one; the rows locked in one order (services.lock_accounts).
    lock_accounts([actor.id] + ([change.user_id] if change.user_id else []), admin_id=actor.id)
    change, before = _decide(actor, change_id, CONFIRMED)
    user = None
    if change.user_id is not None:
        user = db.session.get(User, change.user_id, populate_existing=True)
        if user.version != change.based_on_version:
            raise DomainError(stale_change_message())
    saved = save_user(actor, user, email=change.email, name=change.name, role=change.role,
                      donor_id=change.donor_id, active=change.active, password=None,
                      password_hash=change.password_hash, version=change.based_on_version,
                      timezone=change.timezone, renew_sign_in=renews_sign_in(change, user),
                      typed_by=change.proposed_by)
    # The hash has done its work: it lives on in the account only.
    change.password_hash = None
    if change.user_id is None:
        change.user_id = saved.id
    record(actor, "user_change.confirm", change, before=before)
    return change


def refuse(actor, change_id: int, reason: str) -> UserChange:
    change, before = _decide(actor, change_id, REFUSED, reason)
    change.password_hash = None
    record(actor, "user_change.refuse", change, before=before)
    return change


def withdraw(actor, change_id: int) -> UserChange:
    change, before = _decide(actor, change_id, WITHDRAWN)
    change.password_hash = None
    record(actor, "user_change.withdraw", change, before=before)
    return change


@dataclass
class Proposal:
    """A waiting change as an admin reads it: whose account, and what would change."""

    change: UserChange
    account: str
    new_account: bool
    changes: list[Change]
    lines: list[str]
    stale: bool = False
    gone: str | None = None  # why its proposer's word no longer confirms it (second_person.proposer_gone)


def describe(change: UserChange) -> Proposal:
    """What a waiting change would do, in words: each value before → after."""
    user = change.user
    lines = []
    if user is None:
        changes = [Change(_("Role"), "—", str(ROLE_LABELS.get(change.role, change.role))),
                   Change(_("Email"), "—", change.email)]
        if change.name:
            changes.append(Change(_("Name"), "—", change.name))
        lines.append(_("A new account with a password typed by the administrator.") if change.sign_in_typed
                     else _("A new account: the user receives an invitation to choose a password."))
        return Proposal(change, change.email, True, changes, lines,
                        gone=second_person.proposer_gone(change.proposed_by_id, ADMIN))
    changes = []

    def compare(label, was, now):
        if was != now:
            changes.append(Change(label, was or "—", now or "—"))

    compare(_("Email"), user.email, change.email)
    compare(_("Name"), user.name, change.name)
    compare(_("Role"), str(ROLE_LABELS.get(user.role, user.role)),
            str(ROLE_LABELS.get(change.role, change.role)))
    compare(_("Donor"), user.donor.name if user.donor else "", change.donor.name if change.donor else "")
    compare(_("Status"), _("Active") if user.active else _("Deactivated"),
            _("Active") if change.active else _("Deactivated"))
    if change.timezone:
        compare(_("Time zone"), user.timezone or "", change.timezone)
    renewed = renews_sign_in(change, user)
    if change.sign_in_typed:
        lines.append(_("A new password typed by the administrator."))
    elif renewed and change.active:
        lines.append(_("Once confirmed, the account's current password stops working, and an invitation to "
                       "choose a new one goes to %(email)s: make sure this address is the person's own.",
                       email=change.email))
    elif renewed:
        lines.append(_("Once confirmed, the account's current password stops working: once the account is "
                       "reactivated, its user chooses a new one with “Forgot your password?”, at %(email)s.",
                       email=change.email))
    return Proposal(change, user.name or user.email, False, changes, lines, stale=is_stale(change),
                    gone=second_person.proposer_gone(change.proposed_by_id, ADMIN))
