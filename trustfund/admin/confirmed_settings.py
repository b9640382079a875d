"""A setting's new value, written only when a second admin confirms it
(setting_changes): every setting moves money (the Administrative Agent fee rate takes
its share of each deposit, terminal expenses are paid on each trip, the overrun
tolerance lets costs pass without a second SRSG staff member, the rate tolerance
lets a typed rate stand, the refund waiver keeps a pool's balance from its donors at
the closing), so nobody alone changes one. Only admin.setting_changes
imports this module (the import-linter contract "settings-confirmed"); the checks
that write nothing (services.checked_setting) are read by the proposal too.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..audit import record, snapshot
from ..errors import DomainError, check_version, stale_message
from ..extensions import db
from .models import FEE_RATE, Setting, settings_version
from .services import checked_setting

# What moves money here: imported only inside the confirming function of an allowed
# module (.importlinter; tests/unit/test_structure.py).
__all__ = ["set_setting"]


def set_setting(actor, key: str, value_text: str | Decimal, effective_from: dt.date, *,
                version=None) -> Setting:
    """A setting's value in force from a date (replacing the value of that same date).
    `version` is the version of the setting's history the admin's form was built
    from: a save after another admin's is refused."""
    check_version(settings_version(key), version)
    if key == FEE_RATE:
        # The pools held until this transaction ends (PostgreSQL; SQLite has one writer at
        # a time) before the check that no deposit is dated on or after the new rate's first
        # day: a deposit being recorded moves its pool, so it is either committed and seen
        # by the check, or waits and then finds this rate (contributions.ledger.
        # require_fee_rates_unchanged). (The pools by the table's name: contributions sits
        # above admin; in the order of their ids, as pools.move_many holds them.)
        pool = db.metadata.tables["pool"]
        db.session.execute(sa.select(pool.c.id).order_by(pool.c.id).with_for_update())
    value = checked_setting(key, value_text, effective_from)
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
    try:
        db.session.flush()
    except IntegrityError:  # the same day's value, added meanwhile by another admin
        raise DomainError(stale_message()) from None
    record(actor, "setting.set", setting, before=before)
    return setting
