"""A setting's new value takes two admins.

Every setting moves money: the fee rate takes its share of each deposit, terminal
expenses are paid on each trip, the overrun tolerance lets a trip's overrun be paid
without a second SRSG staff member, the refund waiver keeps a pool's balance from its
donors at the fund's closing. Nobody alone moves money (DESIGN.md §5): one admin
raising the overrun tolerance to a million would let one SRSG staff member's overruns
be paid with nobody's approval. So the admin's setting form proposes the new value
(checked now as it will be applied); nothing changes until a second, different,
active admin confirms it, which applies it through admin.confirmed_settings.set_setting, as if
saved then (a day in a year closed meanwhile is refused, and the change still waits).
Another admin may refuse it (with a reason); its proposer may withdraw it. The shape,
statuses, answer forms and mail are those of admin.user_changes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import second_person
from ..audit import record
from ..errors import DomainError, check_version
from ..extensions import db
from ..formatting import date as fmt_date
from ..permissions import ADMIN
from .models import (
    CONFIRMED,
    PENDING,
    REFUSED,
    SETTINGS,
    WITHDRAWN,
    SettingChange,
    setting_on,
    settings_version,
)
from .sentences import setting_value
from .services import checked_setting
from .user_changes import already_decided_message, tell_other_admins


def propose(actor, key: str, value_text: str, effective_from: dt.date, *, version=None) -> SettingChange:
    """The admin's setting form: checked now as set_setting would check it, then kept
    waiting for another admin. Nothing changes. The same value sent twice by its admin
    (a double click, the browser's resend) is the one waiting: looked for before the
    form's version, which the first sending moved."""
    twice = _sent_twice(actor, key, value_text, effective_from)
    if twice is not None:
        return twice
    check_version(form_version(key), version)
    value = checked_setting(key, value_text, effective_from)
    if waiting_for(key) is not None:
        raise DomainError(already_waiting_message())
    change = SettingChange(key=key, value=str(value), effective_from=effective_from,
                           based_on_version=settings_version(key), proposed_by_id=actor.id, status=PENDING)
    db.session.add(change)
    try:
        db.session.flush()
    except IntegrityError:  # the same setting, proposed meanwhile by another admin
        raise DomainError(already_waiting_message()) from None
    record(actor, "setting_change.propose", change)
    tell_other_admins(actor, "setting_change_waiting",
                      _l("A new value of a Trustfund setting waits for your confirmation"),
                      # The label (lazy) and the value, formatted in each reader's language.
                      setting=SETTINGS[key][0], value=partial(setting_value, key, value),
                      effective_from=effective_from)
    return change


def _sent_twice(actor, key: str, value_text: str, effective_from) -> SettingChange | None:
    """The admin's own waiting change of this very value from this very date, if any."""
    waiting = waiting_for(key)
    if waiting is None or waiting.proposed_by_id != actor.id or waiting.effective_from != effective_from:
        return None
    try:
        value = checked_setting(key, value_text, effective_from)
    except DomainError:
        return None  # refused below, beside its field
    return waiting if str(value) == waiting.value else None


def form_version(key: str) -> int:
    """The version the setting's form carries: its history's (settings_version) moved
    by every value proposed too, so that a form loaded before another admin proposed
    a value is refused with "reload the page", which then says what waits."""
    return settings_version(key) + db.session.scalar(
        sa.select(sa.func.count()).select_from(SettingChange).where(SettingChange.key == key))


def already_waiting_message() -> str:
    return _("A new value of this setting already waits for another administrator. It must be "
             "confirmed, refused or withdrawn first.")


def confirmed_message(change: SettingChange) -> str:
    return _("Confirmed: %(value)s for %(setting)s, in force from %(date)s.",
             value=setting_value(change.key, change.value), setting=str(SETTINGS[change.key][0]),
             date=fmt_date(change.effective_from))


def stale_message() -> str:
    return _("This setting was changed since this value was proposed: it can no longer be confirmed. "
             "Refuse it, or its proposer can withdraw it; then propose the value again if it is still "
             "wanted.")


def waiting_for(key: str) -> SettingChange | None:
    return db.session.scalar(sa.select(SettingChange).where(SettingChange.key == key,
                                                            SettingChange.status == PENDING))


def waiting_changes() -> list[SettingChange]:
    return db.session.scalars(sa.select(SettingChange).where(SettingChange.status == PENDING)
                              .order_by(SettingChange.proposed_at, SettingChange.id)).all()


def confirmations(setting_ids) -> dict[int, SettingChange]:
    """The confirmed change that last wrote each of these setting values, by the value's
    id (a value set before settings took two admins has none)."""
    found: dict[int, SettingChange] = {}
    if setting_ids:
        for change in db.session.scalars(
                sa.select(SettingChange).where(SettingChange.setting_id.in_(list(setting_ids)),
                                               SettingChange.status == CONFIRMED)
                .order_by(SettingChange.decided_at, SettingChange.id)):
            found[change.setting_id] = change
    return found


def _decide(actor, change_id: int, status: str, reason: str | None = None) -> tuple[SettingChange, dict]:
    """One guarded UPDATE of the waiting change's status (second_person.answer): of two
    admins answering at once, or one answer sent twice, one decides and the other is
    told it was already decided."""
    change = db.session.get(SettingChange, change_id)
    if change is None:
        raise DomainError(_("This change does not exist."))
    if getattr(actor, "role", None) != ADMIN or not getattr(actor, "active", False):
        raise DomainError(_("Only an active administrator decides on a setting."))
    before = second_person.decide(
        change, actor, status, waiting=PENDING, confirmed=CONFIRMED, refused=REFUSED, withdrawn=WITHDRAWN,
        only_proposer=_("Only the administrator who proposed a change can withdraw it."),
        not_own=_("You proposed this change: another administrator must confirm or refuse it."),
        already=already_decided_message(), reason=reason, missing=_("Say why the change is refused."),
        role=ADMIN, not_allowed=_("Only an active administrator decides on a setting."))
    return change, before


def confirm(actor, change_id: int) -> SettingChange:
    """Another active admin confirms a waiting value: set_setting applies it now (and
    refuses it if it can no longer be applied: a year closed meanwhile). A refusal rolls
    back the whole transaction (errors.run), the status's UPDATE with it: the change
    still waits."""
    # Imported here, not at the top: no other module may reach it through this one
    # (contract "settings-confirmed"; tests/unit/test_structure.py).
    from .confirmed_settings import set_setting

    change, before = _decide(actor, change_id, CONFIRMED)
    if settings_version(change.key) != change.based_on_version:
        raise DomainError(stale_message())
    try:
        # The value as stored when proposed, not read again as typed text: in the
        # confirming admin's language "100.125" would read as 100125.
        setting = set_setting(actor, change.key, Decimal(change.value), change.effective_from,
                              version=change.based_on_version)
    except DomainError as error:
        raise DomainError(_("The setting was not changed, and the change still waits: %(why)s",
                            why=error.message)) from None
    change.setting_id = setting.id
    db.session.flush()
    record(actor, "setting_change.confirm", change, before=before)
    return change


def refuse(actor, change_id: int, reason: str) -> SettingChange:
    change, before = _decide(actor, change_id, REFUSED, reason)
    record(actor, "setting_change.refuse", change, before=before, note=change.refusal_reason)
    return change


def withdraw(actor, change_id: int) -> SettingChange:
    change, before = _decide(actor, change_id, WITHDRAWN)
    record(actor, "setting_change.withdraw", change, before=before)
    return change


@dataclass
class Proposal:
    """A waiting value as an admin reads it."""

    change: SettingChange
    label: str
    value: str
    current: str
    stale: bool
    gone: str | None = None  # why its proposer's word no longer confirms it (second_person.proposer_gone)


def describe(change: SettingChange) -> Proposal:
    """The proposed value beside the one in force on its first day, in words."""
    return Proposal(change, str(SETTINGS[change.key][0]), setting_value(change.key, change.value),
                    setting_value(change.key, setting_on(change.key, change.effective_from)),
                    stale=settings_version(change.key) != change.based_on_version,
                    gone=second_person.proposer_gone(change.proposed_by_id, ADMIN))
