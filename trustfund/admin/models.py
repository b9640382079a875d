"""Settings with an effective date (the AA fee rate, terminal expenses)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import utcnow
from ..extensions import db

FEE_RATE = "fee_rate"
TERMINAL_EXPENSES = "terminal_expenses_usd"
SETTINGS = {
    FEE_RATE: (_l("Administrative Agent fee rate"), Decimal("0.01")),
    TERMINAL_EXPENSES: (_l("Terminal expenses per trip (USD)"), Decimal("100.00")),
}


class Setting(db.Model):
    """One value of a setting, in force from `effective_from` until the next one."""

    __tablename__ = "setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(60))
    value: Mapped[str] = mapped_column(sa.String(100))  # a Decimal, as text
    effective_from: Mapped[dt.date]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    created_by = relationship("User")

    __table_args__ = (sa.UniqueConstraint("key", "effective_from"),)


def setting_on(key: str, on: dt.date) -> Decimal:
    """The value of a setting in force on a date (the default if none was set)."""
    value = db.session.scalar(
        sa.select(Setting.value)
        .where(Setting.key == key, Setting.effective_from <= on)
        .order_by(Setting.effective_from.desc())
        .limit(1)
    )
    return Decimal(value) if value is not None else SETTINGS[key][1]
