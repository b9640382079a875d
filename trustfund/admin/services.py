"""Users and settings, changed by an admin."""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ..audit import record, snapshot
from ..auth.models import INVITE, User
from ..auth.passwords import check_password
from ..auth.services import time_zone_or_error
from ..auth.tokens import invite, notify_password_changed, spend_links
from ..donors.models import Donor
from ..errors import DomainError, check_version, stale_message
from ..extensions import db
from ..formatting import date as fmt_date
from ..mail.outbox import enqueue
from ..mail.sender import ADDRESS_CHANGED
from ..money import MoneyError, parse_number, written
from ..permissions import ADMIN, DONOR, ROLE_LABELS, ROLES
from ..validation import check_text, normalized_name
from .models import FEE_RATE, RATE_TOLERANCE, SETTINGS, USD_SETTINGS


def save_user(actor, user: User | None, *, email: str, name: str, role: str, donor_id: int | None,
              active: bool, password: str | None, version=None, timezone: str | None = None,
              password_hash: str | None = None, renew_sign_in: bool = False, typed_by=None) -> User:
    """Create or change a user, at once. A donor user must name its donor; nobody else may.
    A new user without a password gets an invitation to choose one (a link valid 72
    hours); a password typed by the admin follows the policy (auth.passwords), ends the
    user's sessions and tells the user. Deactivating ends the user's sessions at once.
    `version` is the version the admin's form was built from: a save over another
    admin's is refused. A time zone left unset stays as it is (the user's browser sets
    it at their next login). `password_hash`: a password typed earlier, already
    hashed (a confirmed UserChange), and `typed_by` the admin who typed it (named in
    the audit trail as having typed it). `renew_sign_in` (a confirmed promotion into a
    money role, admin.user_changes.renews_sign_in): the password is replaced by one
    nobody knows, the sessions end, and an active account is invited to choose its own
    (one invitation, to its new address if it changes). Nobody changes their own role or deactivates
    themselves, and the last active admin stays one.

    The admin's form goes through admin.user_changes.submit_user, which makes the
    changes that give power over money or accounts wait for a second admin; this is
    the direct way, for that confirmation, the server's create-user command and the demo."""
    if user is not None:
        check_version(user.version, version)
    email, name, donor_id = checked_user_fields(user, email=email, name=name, role=role,
                                                donor_id=donor_id, password=password)
    refuse_power_loss(actor, user, role=role, active=active)
    creating = user is None
    typed = bool(password or password_hash)
    if creating:
        user = User(email=email)
        # Nobody knows this password: without one typed, the user chooses theirs
        # through the invitation's link.
        if password_hash:
            user.set_password_hash(password_hash)
        else:
            user.set_password(password or secrets.token_urlsafe(32))
        db.session.add(user)
    before = None if creating else snapshot(user)
    was_active = user.active
    user.email, user.name, user.role, user.donor_id, user.active = email, name, role, donor_id, active
    changed = creating or db.session.is_modified(user)  # read before the flush clears it
    try:
        db.session.flush()
    except IntegrityError as error:  # the same email, saved meanwhile by another admin
        if "email" in str(error.orig):
            raise DomainError(_("Another user has this email."), field="email") from None
        raise
    if timezone:
        user.timezone = time_zone_or_error(timezone)
        changed = changed or db.session.is_modified(user)
    if not (changed or typed):  # saved as shown: nothing to record, the version stays
        return user
    if typed and not creating:
        if password_hash:
            user.set_password_hash(password_hash)
        else:
            user.set_password(password)
        user.renew_session_token()
    renewing = renew_sign_in and not creating and not typed
    if renewing:
        user.set_password(secrets.token_urlsafe(32))  # nobody knows it: links made before die with it
        user.renew_session_token()
    if was_active and not active:
        user.renew_session_token()
    if not creating and (before["email"] != email or (was_active and not active)):
        # The links sent before went to the old address, or must not open the account
        # again at a reactivation. An invitation not yet used goes to the new address.
        if INVITE in spend_links(user) and active and not typed and not renewing:
            invite(actor, user)
    if not creating:
        _move_version(user)
        if before["role"] != role:
            notify_role_changed(actor, user, before["role"])
        if before["email"] != email:
            notify_address_changed(actor, user, before["email"])
    record(actor, "user.create" if creating else "user.update", user, before=before)
    if typed and not creating:
        # No field says it (the hash is a secret, left out of every snapshot), but whoever
        # typed it can sign in as the user until they choose another: the trail says so,
        # naming who typed it (`typed_by`: the admin who proposed a confirmed change; the
        # confirming admin never saw the password, and has an entry of their own).
        record(typed_by or actor, "user.password_typed", user, after={"email": user.email})
    if renewing:
        record(actor, "user.sign_in_renewed", user, after={"email": user.email, "invited": active})
        if active:
            invite(actor, user)
    if creating and not typed:
        invite(actor, user)
    elif creating:
        notify_account_created(actor, user)
    elif typed:
        notify_password_changed(user)
    return user


def checked_user_fields(user: User | None, *, email: str, name: str, role: str, donor_id: int | None,
                        password: str | None) -> tuple[str, str, int | None]:
    """The form's values as they are stored (email in lower case, name normalized, no
    donor but for a donor user), or the refusal beside its field."""
    if role not in ROLES:
        raise DomainError(_("Unknown role."), field="role")
    if role == DONOR and not donor_id:
        raise DomainError(_("A donor user must be linked to a donor."), field="donor_id")
    if role != DONOR:
        donor_id = None
    elif db.session.get(Donor, donor_id) is None:  # the form offers the list; the command takes an id
        raise DomainError(_("There is no donor with id %(id)s.", id=donor_id), field="donor_id")
    email = email.strip().lower()
    try:  # as the form's Email() checks it: the command and a confirmed change come here too
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(_("Enter a valid email address."), field="email") from None
    clash = db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email))
    if clash is not None and (user is None or clash != user.id):
        raise DomainError(_("Another user has this email."), field="email")
    name = normalized_name(check_text(name, "name"))
    if password:
        check_password(password, email=email, name=name)
    return email, name, donor_id


def refuse_power_loss(actor, user: User | None, *, role: str, active: bool) -> None:
    """Nobody changes their own role or deactivates themselves, and the last active
    admin is neither deactivated nor moved to another role. Two admins moving each
    other out at the same instant: the rows of both are locked in one order, and the
    actor must still be an active admin, so that one of the two is refused."""
    if user is None:
        return
    if actor is not None and actor.id == user.id:
        if role != user.role:
            raise DomainError(_("You cannot change your own role."), field="role")
        if user.active and not active:
            raise DomainError(_("You cannot deactivate your own account."), field="active")
    if not (user.role == ADMIN and user.active and (role != ADMIN or not active)):
        return
    lock_accounts([user.id] + ([actor.id] if actor is not None else []),
                  admin_id=actor.id if actor is not None else None)
    others = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.role == ADMIN, User.active.is_(True), User.id != user.id))
    if not others:
        raise DomainError(_("The last active administrator cannot be deactivated or given another role."),
                          field="active" if role == ADMIN else "role")


def lock_accounts(ids, *, admin_id: int | None = None) -> None:
    """Lock user rows (an UPDATE that changes nothing), always in the order of their ids
    so that two requests never wait for each other; `admin_id` must be an active admin
    (a request started by an admin since moved out is refused)."""
    for user_id in sorted(set(ids)):
        query = sa.update(User).where(User.id == user_id).values(version=User.version)
        if user_id == admin_id:
            query = query.where(User.role == ADMIN, User.active.is_(True))
        moved = db.session.execute(query.execution_options(synchronize_session=False))
        if user_id == admin_id and moved.rowcount != 1:
            raise DomainError(_("Only an active administrator can do this."))


def _admin_name(actor) -> str:
    return getattr(actor, "name", "") or getattr(actor, "email", "") or _("an administrator")


def notify_account_created(actor, user: User) -> None:
    """A security message: an account with a password typed by an admin (who gives it
    to the user by other means) was created for this address."""
    enqueue(user, "account_created", "account_created", _l("Your Trustfund account was created"),
            role=ROLE_LABELS[user.role], admin=_admin_name(actor))


def notify_role_changed(actor, user: User, before_role: str) -> None:
    """A security message: the user learns at once that their role changed, and
    who changed it (it cannot be turned off)."""
    enqueue(user, "role_changed", "role_changed", _l("Your role in Trustfund changed"),
            before=ROLE_LABELS[before_role], after=ROLE_LABELS[user.role],
            admin=_admin_name(actor))


def notify_address_changed(actor, user: User, old_address: str) -> None:
    """A security message to the address the account had until now: its holder learns
    that the account's messages and password links go elsewhere, and who changed it (the
    new address is not named: the old one may be a mailbox the user no longer holds)."""
    enqueue(SimpleNamespace(id=user.id, email=old_address, name=user.name, locale=user.locale,
                            seen_locale=user.seen_locale, timezone=user.timezone, role=user.role,
                            donor_id=user.donor_id),
            ADDRESS_CHANGED, "address_changed", _l("The address of your Trustfund account changed"),
            admin=_admin_name(actor))


def _move_version(user: User) -> None:
    """One guarded UPDATE: of two admins saving the same version at once, one moves
    it and the other is refused (the version is not the ORM's version_id_col, so
    that the user's own logins never refuse an admin's save)."""
    moved = db.session.execute(
        sa.update(User).where(User.id == user.id, User.version == user.version)
        .values(version=User.version + 1).execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        raise DomainError(stale_message())
    set_committed_value(user, "version", user.version + 1)


FIRST_DAY, LAST_DAY = dt.date(1945, 1, 1), dt.date(2100, 12, 31)


def _check_effective_from(effective_from: dt.date) -> None:
    """A setting takes effect on a day of an open year after the last closed one (a
    closed year's figures and history never change; its entries keep the rates they
    were recorded with, and a value dated before it would be the one "in force" on its
    days too, as fund.periods refuses a day in or before a closed year) between 1945
    and 2100. (The closed years by the table's name: fund sits above admin.)"""
    if not isinstance(effective_from, dt.date) or not FIRST_DAY <= effective_from <= LAST_DAY:
        raise DomainError(_("Choose a day between 1945 and 2100."), field="effective_from")
    years = db.metadata.tables["accounting_year"]
    if db.session.scalar(sa.select(years.c.year).where(years.c.year == effective_from.year)) is not None:
        raise DomainError(_("%(year)s is a closed year: a setting cannot take effect in it. Choose a day "
                            "in the open year.", year=str(effective_from.year)), field="effective_from")
    last_closed = db.session.scalar(sa.select(sa.func.max(years.c.year)))
    if last_closed is not None and effective_from.year < last_closed:
        raise DomainError(_("%(year)s is closed: a setting cannot take effect before it either. Choose a day "
                            "after %(year)s.", year=str(last_closed)), field="effective_from")


def checked_setting(key: str, value_text: str | Decimal, effective_from: dt.date) -> Decimal:
    """A setting's new value as the admin typed it (read in the admin's language), or a
    Decimal already read, checked (refused beside its field): the value, as stored,
    and its first day in force."""
    if key not in SETTINGS:
        raise DomainError(_("Unknown setting."))
    if isinstance(value_text, Decimal):
        value = value_text
    else:
        try:
            value = parse_number(value_text, _("Enter a number such as 0.01."))
        except MoneyError as error:
            raise DomainError(str(error), field="value") from None
    if value < 0:
        raise DomainError(_("Enter a number of zero or more."), field="value")
    value = abs(value)  # "-0" is zero, not a negative zero shown "-USD 0.00"
    if key == FEE_RATE and value >= 1:
        raise DomainError(_("The fee rate is a fraction: %(example)s means 1%%.", example=written("0.01")),
                          field="value")
    if key == RATE_TOLERANCE and not 0 < value < 1:
        # 0 would refuse every rate but the UN's, and every new month's rate but the last one's.
        raise DomainError(_("The tolerance is a fraction above 0 and below 1: %(example)s means 10%%.",
                            example=written("0.1")), field="value")
    if value >= Decimal(1000000000):  # only the USD settings have no smaller bound
        raise DomainError(_("The amount is too large."), field="value")
    if value.as_tuple().exponent < -6:
        raise DomainError(_("Enter a number with at most 6 decimals."), field="value")
    if key in USD_SETTINGS:
        # As typed, zeros included: "1.500" (English) or "1,500" (French) is a thousands
        # group read as decimals, not USD 1.50 (money.parse_amount refuses it the same way).
        as_typed = not isinstance(value_text, Decimal) and value != 0
        if (value if as_typed else value.normalize()).as_tuple().exponent < -2:
            raise DomainError(_("USD amounts have at most 2 decimal places."), field="value")
        value = value.quantize(Decimal("0.01"))
    _check_effective_from(effective_from)
    if key == FEE_RATE:
        _check_fee_after_deposits(effective_from)
    return value


def _check_fee_after_deposits(effective_from: dt.date) -> None:
    """A fee rate takes effect after the value date of every deposit recorded: each was
    charged the rate in force on its value date, and a recorded fee is never charged
    again; a rate from an earlier day would leave that day's deposits at the old rate
    while the schedule says the new one was in force (a colleague's review). (Deposits
    by the table's name: contributions sits above admin.)"""
    deposits = db.metadata.tables["deposit"]
    # Reversals are dated the day they are recorded and charge nothing: each takes back
    # its deposit's fee, at its deposit's rate.
    last = db.session.scalar(sa.select(sa.func.max(deposits.c.value_date))
                             .where(deposits.c.reverses_id.is_(None)))
    if last is not None and effective_from <= last:
        raise DomainError(_("Deposits are recorded up to %(date)s, each charged the fee rate in force on its "
                            "value date: a new rate takes effect after that day. Choose a later day.",
                            date=fmt_date(last)), field="effective_from")
