"""Settings with an effective date (the AA fee rate, terminal expenses, the overrun
tolerance, the refund waiver, the exchange rates' tolerance)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import SECRET, utcnow
from ..extensions import db

FEE_RATE = "fee_rate"
TERMINAL_EXPENSES = "terminal_expenses_usd"
# Actual costs of a trip above its commitment, up to this many USD, are paid without a
# second person's approval (DESIGN.md §5, "Overruns").
OVERRUN_TOLERANCE = "overrun_tolerance_usd"
# A pool's unspent balance at the fund's closing up to this many USD need not be refunded
# (UNDP does not require refunds of residual balances of USD 250 or less; DESIGN.md §6a).
# 0: every balance is refunded or transferred.
REFUND_WAIVER = "refund_waiver_usd"
# A rate an MPTF officer types, for a deposit or as a month's UN rate, may differ by at
# most this fraction from the UN rate it is checked against (contributions.rates): a
# mistyped rate credits the wrong dollars, and nobody alone changes how far it may be.
RATE_TOLERANCE = "rate_tolerance"
SETTINGS = {
    FEE_RATE: (_l("Administrative Agent fee rate"), Decimal("0.01")),
    TERMINAL_EXPENSES: (_l("Terminal expenses per trip (USD)"), Decimal("100.00")),
    OVERRUN_TOLERANCE: (_l("Overrun tolerance per trip (USD), paid without a second approval"),
                        Decimal("0.00")),
    REFUND_WAIVER: (_l("Residual balance of a pool not refunded at the fund's closure, up to (USD)"),
                    Decimal("0.00")),
    RATE_TOLERANCE: (_l("Largest difference of a typed exchange rate from the UN operational rate"),
                     Decimal("0.10")),
}
# Settings that are fractions, read as percentages: at most 1.
FRACTION_SETTINGS = (FEE_RATE, RATE_TOLERANCE)
# Settings that are USD amounts: at most 2 decimals.
USD_SETTINGS = (TERMINAL_EXPENSES, OVERRUN_TOLERANCE, REFUND_WAIVER)


class Setting(db.Model):
    """One value of a setting, in force from `effective_from` until the next one."""

    __tablename__ = "setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(60))
    value: Mapped[str] = mapped_column(sa.String(100))  # a Decimal, as text
    effective_from: Mapped[dt.date]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    created_by = relationship("User")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.UniqueConstraint("key", "effective_from"),)


def settings_version(key: str) -> int:
    """The version of a setting's history, which its edit form carries: values are
    never deleted and each one's version grows with every change, so any new or
    changed value makes this grow."""
    return db.session.scalar(sa.select(sa.func.count() + sa.func.coalesce(sa.func.sum(Setting.version), 0))
                             .where(Setting.key == key))


def setting_versions(key: str) -> list[tuple[dt.date, Decimal]]:
    """Every value a setting has had: (in force from, value), latest first."""
    return [(start, Decimal(value)) for start, value in db.session.execute(
        sa.select(Setting.effective_from, Setting.value).where(Setting.key == key)
        .order_by(Setting.effective_from.desc()))]


def value_on(key: str, versions: list[tuple[dt.date, Decimal]], on: dt.date) -> Decimal:
    """The value in force on a date among a setting's versions (latest first), or
    the setting's default before the first."""
    return next((value for start, value in versions if start <= on), SETTINGS[key][1])


def setting_on(key: str, on: dt.date) -> Decimal:
    """The value of a setting in force on a date (the default if none was set)."""
    return value_on(key, setting_versions(key), on)


def settings_on(key: str, days: dict) -> dict:
    """{name: setting_on(key, day)} for many days, from one statement."""
    versions = setting_versions(key)
    return {name: value_on(key, versions, day) for name, day in days.items()}


# A user change that gives power over money or accounts, waiting for a second admin.
PENDING, CONFIRMED, REFUSED, WITHDRAWN = "pending", "confirmed", "refused", "withdrawn"
CHANGE_STATUSES = (PENDING, CONFIRMED, REFUSED, WITHDRAWN)


class UserChange(db.Model):
    """A change of the admin's user form that waits for another active admin to
    confirm it (admin.user_changes): creating an account in a role with power over
    money or accounts, moving an account to one, or changing the email, typing a
    password for, or reactivating such an account. It holds the fields proposed and,
    for a typed password, only its hash. Nobody alone moves money (DESIGN.md §5): one
    admin could otherwise make a second SRSG staff account and approve their own grant."""

    __tablename__ = "user_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a new account.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # The user's version the proposal was built from: confirming after another change is refused.
    based_on_version: Mapped[int | None]
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[str] = mapped_column(sa.String(20))
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"))
    active: Mapped[bool] = mapped_column(default=True)
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    # A password typed by the proposing admin, hashed as User.set_password does; never the text.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255), info=SECRET)
    # Whether the change sets a typed password (the hash above never enters the audit trail).
    sign_in_typed: Mapped[bool] = mapped_column(default=False)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)

    user = relationship("User", foreign_keys=[user_id])
    donor = relationship("Donor", foreign_keys=[donor_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({', '.join(repr(s) for s in CHANGE_STATUSES)})", name="status"),
        # One waiting change per account, and one per email (two waiting new accounts
        # with one email would both pass the look-up).
        sa.Index("uq_user_change_pending_user", "user_id", unique=True,
                 sqlite_where=sa.text(f"status = '{PENDING}'"),
                 postgresql_where=sa.text(f"status = '{PENDING}'")),
        sa.Index("uq_user_change_pending_email", "email", unique=True,
                 sqlite_where=sa.text(f"status = '{PENDING}'"),
                 postgresql_where=sa.text(f"status = '{PENDING}'")),
    )


class SettingChange(db.Model):
    """A new value of a setting proposed by one admin, waiting for a second, different,
    active admin to confirm it (admin.setting_changes). Every setting moves money: the
    fee rate takes a share of each deposit, terminal expenses are paid on each trip, the
    overrun tolerance pays overruns without a second SRSG staff member, the refund
    waiver keeps a pool's balance from its donors at the closing. Nobody alone moves
    money (DESIGN.md §5): nothing changes while it waits; confirmed, it is applied by
    admin.confirmed_settings.set_setting and names the Setting it wrote; refused (with a reason)
    or withdrawn by its proposer, it stays on record. One waiting change per setting."""

    __tablename__ = "setting_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(60))
    value: Mapped[str] = mapped_column(sa.String(100))  # a Decimal, as text, checked when proposed
    effective_from: Mapped[dt.date]
    # The version of the setting's history the proposal was built from (settings_version):
    # a value set since makes it stale; it can then only be refused or withdrawn.
    based_on_version: Mapped[int]
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The value written when confirmed.
    setting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("setting.id"))

    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    setting = relationship("Setting")

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({', '.join(repr(s) for s in CHANGE_STATUSES)})", name="status"),
        sa.Index("uq_setting_change_pending_key", "key", unique=True,
                 sqlite_where=sa.text(f"status = '{PENDING}'"),
                 postgresql_where=sa.text(f"status = '{PENDING}'")),
    )
