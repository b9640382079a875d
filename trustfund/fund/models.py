"""The fund as a record, its accounting years, and what closing a year fixed.

- Fund: one row (reference data, trustfund/reference.py). Its stored status is
  open, operationally_closed (by the admin, early, with a reason) or
  financially_closed; once its end date has passed an open fund is operationally
  closed by that alone (status.py).
- AccountingYear: a row per closed calendar year (a year with no row is open).
- Year*Position: what the closing of a year fixed, per donor and pool, at the
  year's end: net deposits, weights (net deposits in the pool after transfers),
  shares of spending, spending per pool. Statements read them for every date from
  that year's end on (trustfund/statements/closed.py), so a closed year's figures
  never change, whatever is recorded later.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import utcnow
from ..extensions import db
from ..money import Money

OPEN, OPERATIONALLY_CLOSED, FINANCIALLY_CLOSED = "open", "operationally_closed", "financially_closed"
FUND_STATUSES = {
    OPEN: _l("Open"),
    OPERATIONALLY_CLOSED: _l("Operationally closed"),
    FINANCIALLY_CLOSED: _l("Financially closed"),
}


def _in(values) -> str:
    return ", ".join(repr(v) for v in values)


class Fund(db.Model):
    """The trust fund itself (MCS00). Dates are plain dates; `end_on` moves only by an
    extension with a reason (services.extend_end)."""

    __tablename__ = "fund"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    start_on: Mapped[dt.date]
    end_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(sa.String(30), default=OPEN)
    # An operational closure by the admin before the end date: when and why.
    operations_closed_on: Mapped[dt.date | None]
    operations_closed_reason: Mapped[str] = mapped_column(sa.Text, default="")
    financially_closed_at: Mapped[dt.datetime | None]
    financially_closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    financially_closed_by = relationship("User")
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(FUND_STATUSES)})", name="status"),
        sa.CheckConstraint("end_on >= start_on", name="dates_in_order"),
        sa.CheckConstraint("status <> 'financially_closed' OR financially_closed_at IS NOT NULL",
                           name="financially_closed_when"),
    )

    @property
    def status_label(self):
        return FUND_STATUSES.get(self.status, self.status)


class AccountingYear(db.Model):
    """A closed calendar year: closed once its annual report is out, never reopened.
    Nothing may be dated in it any more (periods.require_open)."""

    __tablename__ = "accounting_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    closed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    report_reference: Mapped[str] = mapped_column(sa.String(200), default="")
    # The closing stored every donor's weight (YearShare), negative ones included, so
    # that later dates start from it (statements/closed.py). False for years closed
    # before it did (migration 0022): their later dates are summed from the start.
    all_weights: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    closed_by = relationship("User")

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 12, 31)


class YearDonorPosition(db.Model):
    """A donor at the end of a closed year: net deposits (all pools, reversals
    included) and what the fund's closing returned to it by then."""

    __tablename__ = "year_donor_position"

    year: Mapped[int] = mapped_column(sa.ForeignKey("accounting_year.year"), primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donor.id"), primary_key=True)
    net: Mapped[Decimal] = mapped_column(Money(2))
    returned: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))


class YearPoolPosition(db.Model):
    """A pool's spending to date at the end of a closed year."""

    __tablename__ = "year_pool_position"

    year: Mapped[int] = mapped_column(sa.ForeignKey("accounting_year.year"), primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"), primary_key=True)
    spending: Mapped[Decimal] = mapped_column(Money(2))


class YearShare(db.Model):
    """A donor in a pool at the end of a closed year: its weight (net deposits in the
    pool after transfers) and its share of the pool's spending to date."""

    __tablename__ = "year_share"

    year: Mapped[int] = mapped_column(sa.ForeignKey("accounting_year.year"), primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"), primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donor.id"), primary_key=True)
    weight: Mapped[Decimal] = mapped_column(Money(2))
    share: Mapped[Decimal] = mapped_column(Money(2))
