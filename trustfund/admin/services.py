"""Users and settings, changed by an admin."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit import record, snapshot
from ..auth.models import User
from ..errors import DomainError
from ..extensions import db
from ..money import MoneyError, parse_number
from ..permissions import DONOR, ROLES
from .models import FEE_RATE, SETTINGS, USD_SETTINGS, Setting


def save_user(actor, user: User | None, *, email: str, name: str, role: str, donor_id: int | None,
              active: bool, password: str | None) -> User:
    """Create or change a user. A donor user must name its donor; nobody else may.
    Deactivating ends the user's sessions at once."""
    if role not in ROLES:
        raise DomainError(_("Unknown role."), field="role")
    if role == DONOR and not donor_id:
        raise DomainError(_("A donor user must be linked to a donor."), field="donor_id")
    if role != DONOR:
        donor_id = None
    email = email.strip().lower()
    clash = db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email))
    if clash is not None and (user is None or clash != user.id):
        raise DomainError(_("Another user has this email."), field="email")
    creating = user is None
    if creating:
        if not password:
            raise DomainError(_("Set a password for the new user."), field="password")
        user = User(email=email)
        db.session.add(user)
    before = None if creating else snapshot(user)
    was_active = user.active
    user.email, user.name, user.role, user.donor_id, user.active = email, name or "", role, donor_id, active
    if password:
        user.set_password(password)
        user.renew_session_token()
    if was_active and not active:
        user.renew_session_token()
    record(actor, "user.create" if creating else "user.update", user, before=before)
    return user


def set_setting(actor, key: str, value_text: str, effective_from: dt.date) -> Setting:
    if key not in SETTINGS:
        raise DomainError(_("Unknown setting."))
    try:
        value = parse_number(value_text, _("Enter a number such as 0.01."))
    except MoneyError as error:
        raise DomainError(str(error), field="value") from None
    if value < 0:
        raise DomainError(_("Enter a number of zero or more."), field="value")
    if key == FEE_RATE and value >= 1:
        raise DomainError(_("The fee rate is a fraction: 0.01 means 1%."), field="value")
    if value.as_tuple().exponent < -6 or value >= Decimal(1000000000):
        raise DomainError(_("Enter a number with at most 6 decimals."), field="value")
    if key in USD_SETTINGS:
        if value.normalize().as_tuple().exponent < -2:
            raise DomainError(_("USD amounts have at most 2 decimal places."), field="value")
        value = value.quantize(Decimal("0.01"))
    existing = db.session.scalar(
        sa.select(Setting).where(Setting.key == key, Setting.effective_from == effective_from))
    before = snapshot(existing) if existing else None
    if existing:
        existing.value = str(value)
        setting = existing
    else:
        setting = Setting(key=key, value=str(value), effective_from=effective_from,
                          created_by_id=actor.id)
        db.session.add(setting)
    record(actor, "setting.set", setting, before=before)
    return setting
