"""Entries of the fund's life that belong to no donor's deposit (DESIGN.md §6a):

- FundEntry: the fund's own costs and income, in USD, charged or credited to a
  pool: direct costs, bank charges (uses, as in the MPTF Gateway's funding status)
  and other income (a source). A correction is a reversal (`reverses_id`). Each,
  and each reversal, is proposed by one MPTF officer and recorded only once a
  second one confirms it (FundEntryProposal).
- WriteOff: the part of a commitment that will never be deposited, written off
  with a reason before the fund is financially closed.
- PoolClosing: the decision on a pool's unspent balance at the fund's closing:
  refunded to the pool's donors, transferred to another fund (named, with a
  reference), or not refunded under the residual waiver (a setting). Its parts
  (ClosingPart) are each donor's part, in proportion to its net deposits in the
  pool (largest remainder, to the cent).
- FinalStatement: a certified final financial statement, for the fund or a donor,
  stored as issued and never recomputed.

Pool figures move only through contributions.pools.move, in the services of
trustfund/contributions/fund_entries.py and trustfund/closure/.
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
from .models import _in  # the CHECK constraints' value lists, written one way

DIRECT_COST, BANK_CHARGE, OTHER_INCOME = "direct_cost", "bank_charge", "other_income"
ENTRY_KINDS = {
    DIRECT_COST: _l("Direct cost"),
    BANK_CHARGE: _l("Bank charge"),
    OTHER_INCOME: _l("Other income"),
}
# The pool figure each kind moves (available goes down for a cost, up for income).
POOL_FIGURE = {DIRECT_COST: "direct_costs", BANK_CHARGE: "bank_charges", OTHER_INCOME: "other_income"}
INCOME_KINDS = (OTHER_INCOME,)


def pool_moves(kind: str, usd) -> dict:
    """The pool figures an entry of `kind` for `usd` moves (negative `usd`: a reversal)."""
    sign = 1 if kind in INCOME_KINDS else -1
    return {POOL_FIGURE[kind]: usd, "available": sign * usd}


def reversal_moves(entry: FundEntry) -> dict:
    """The pool figures reversing `entry` moves: a direct cost or a bank charge gives
    its amount back to the pool's available money, other income takes it back."""
    return pool_moves(entry.kind, -entry.usd_amount)


REFUND, FUND_TRANSFER, WAIVED = "refund", "transfer", "waived"
CLOSING_KINDS = {
    REFUND: _l("Refund to the pool's donors"),
    FUND_TRANSFER: _l("Transfer to another fund"),
    WAIVED: _l("Residual balance not refunded (waiver)"),
}


class FundEntry(db.Model):
    """A direct cost, a bank charge or other income of the fund, in USD."""

    __tablename__ = "fund_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"), index=True)
    value_date: Mapped[dt.date] = mapped_column(index=True)
    usd_amount: Mapped[Decimal] = mapped_column(Money(2))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_entry.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    pool = relationship("Pool")
    reverses = relationship("FundEntry", remote_side=[id], foreign_keys=[reverses_id],
                            backref=sa.orm.backref("reversed_by", uselist=False))

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_in(ENTRY_KINDS)})", name="kind"),
        sa.CheckConstraint(
            "(reverses_id IS NULL AND usd_amount > 0) OR (reverses_id IS NOT NULL AND usd_amount < 0)",
            name="sign"),
    )

    @property
    def kind_label(self):
        return ENTRY_KINDS.get(self.kind, self.kind)


class WriteOff(db.Model):
    """Part of a commitment written off: it will not be deposited. The commitment's
    running `written_off` is the sum of its write-offs (one guarded UPDATE)."""

    __tablename__ = "write_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitment.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount: Mapped[Decimal] = mapped_column(Money(3))
    written_off_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    commitment = relationship("Commitment")
    created_by = relationship("User", foreign_keys=[created_by_id])

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)


class PoolClosing(db.Model):
    """What became of a pool's unspent balance when the fund closed: the whole
    available balance of that day leaves the pool (the pool reaches zero)."""

    __tablename__ = "pool_closing"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    usd_amount: Mapped[Decimal] = mapped_column(Money(2))
    decided_on: Mapped[dt.date]
    fund_name: Mapped[str] = mapped_column(sa.String(300), default="")
    fund_reference: Mapped[str] = mapped_column(sa.String(100), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    pool = relationship("Pool")
    decided_by = relationship("User")
    parts = relationship("ClosingPart", back_populates="closing", order_by="ClosingPart.donor_id")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_in(CLOSING_KINDS)})", name="kind"),
        sa.CheckConstraint("usd_amount > 0", name="amount_positive"),
        sa.CheckConstraint("kind <> 'transfer' OR (fund_name <> '' AND fund_reference <> '')",
                           name="transfer_names_the_fund"),
    )

    @property
    def kind_label(self):
        return CLOSING_KINDS.get(self.kind, self.kind)


class ClosingPart(db.Model):
    """A donor's part of a pool's closing: `usd_amount` in proportion to its weight
    (net deposits in the pool, after transfers between pools) among the pool's
    donors; `balance`, its unspent balance in the pool that day as its statement
    says (net deposits less its share of spending): the difference is its part of
    the pool's interest and other income (and of the rounding). `currency`: the
    currency of its last deposit into the pool, for the payment instruction."""

    __tablename__ = "pool_closing_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    closing_id: Mapped[int] = mapped_column(sa.ForeignKey("pool_closing.id"), index=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donor.id"))
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"))
    value_date: Mapped[dt.date]
    usd_amount: Mapped[Decimal] = mapped_column(Money(2))
    weight: Mapped[Decimal] = mapped_column(Money(2))
    balance: Mapped[Decimal] = mapped_column(Money(2))
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")

    closing = relationship("PoolClosing", back_populates="parts")
    donor = relationship("Donor")
    pool = relationship("Pool")

    __table_args__ = (
        sa.UniqueConstraint("closing_id", "donor_id"),
        sa.CheckConstraint("usd_amount >= 0", name="amount_not_negative"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
        sa.Index("ix_pool_closing_part_donor_date", "donor_id", "value_date"),
    )

    @property
    def income(self) -> Decimal:
        """Its part of the pool's income (interest, other income) and rounding."""
        return self.usd_amount - self.balance


# A pool's closing decision proposed by one SRSG staff member, waiting for another
# (closure.proposals): nobody alone moves money (DESIGN.md §5).
WAITING, CONFIRMED, REFUSED, WITHDRAWN = "waiting", "confirmed", "refused", "withdrawn"
PROPOSAL_STATUSES = (WAITING, CONFIRMED, REFUSED, WITHDRAWN)


class ClosingProposal(db.Model):
    """A pool's closing decision as one SRSG staff member proposed it: nothing has moved.
    A second, different, active SRSG staff member confirms it (the decision is then
    applied with these values, for the balance shown here: `closing_id` names the
    PoolClosing it became) or refuses it with a reason; its proposer may withdraw it.
    At most one waits per pool (a partial unique index)."""

    __tablename__ = "pool_closing_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    usd_amount: Mapped[Decimal] = mapped_column(Money(2))  # the balance the proposer was shown
    fund_name: Mapped[str] = mapped_column(sa.String(300), default="")
    fund_reference: Mapped[str] = mapped_column(sa.String(100), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(10), default=WAITING)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    closing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pool_closing.id"), unique=True)

    pool = relationship("Pool")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    closing = relationship("PoolClosing")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_in(CLOSING_KINDS)})", name="kind"),
        sa.CheckConstraint(f"status IN ({_in(PROPOSAL_STATUSES)})", name="status"),
        sa.CheckConstraint("usd_amount > 0", name="amount_positive"),
        sa.CheckConstraint("kind <> 'transfer' OR (fund_name <> '' AND fund_reference <> '')",
                           name="transfer_names_the_fund"),
        sa.Index("uq_pool_closing_proposal_waiting_pool", "pool_id", unique=True,
                 sqlite_where=sa.text(f"status = '{WAITING}'"),
                 postgresql_where=sa.text(f"status = '{WAITING}'")),
    )

    @property
    def kind_label(self):
        return CLOSING_KINDS.get(self.kind, self.kind)


class WriteOffProposal(db.Model):
    """A write-off of part of a commitment (or all that is outstanding) as one MPTF
    officer proposed it (closure.write_offs): nothing is written off while it waits.
    A second, different, active MPTF officer confirms it (the write-off is then
    recorded with this amount and reason: `entry_id` names the WriteOff it became), or
    refuses it with a reason; its proposer may withdraw it. `outstanding` is what the
    commitment had outstanding when proposed: once it changed (a deposit, another
    write-off), the proposal can no longer be confirmed. At most one waits per
    commitment (a partial unique index)."""

    __tablename__ = "write_off_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitment.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount: Mapped[Decimal] = mapped_column(Money(3))
    outstanding: Mapped[Decimal] = mapped_column(Money(3))
    reason: Mapped[str] = mapped_column(sa.Text)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(10), default=WAITING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("write_off.id"), unique=True)

    commitment = relationship("Commitment")
    entry = relationship("WriteOff")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(PROPOSAL_STATUSES)})", name="status"),
        sa.CheckConstraint("amount > 0 AND amount <= outstanding", name="amount_within_outstanding"),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id OR status = 'withdrawn'",
                           name="four_eyes"),
        sa.Index("uq_write_off_proposal_waiting_commitment", "commitment_id", unique=True,
                 sqlite_where=sa.text(f"status = '{WAITING}'"),
                 postgresql_where=sa.text(f"status = '{WAITING}'")),
    )


class FundEntryProposal(db.Model):
    """A direct cost, a bank charge or other income, or the reversal of one, as one MPTF
    officer proposed it (closure.entry_proposals): nothing is recorded and no pool
    moves while it waits. A second, different, active MPTF officer confirms it (the
    entry is then recorded with these values: `entry_id` names the FundEntry it
    became) or refuses it with a reason; its proposer may withdraw it. A reversal
    (`reverses_id`) has the kind, pool and amount of the entry it reverses, and its
    reason as `description`; it is dated the day it is confirmed (no `value_date`).
    At most one reversal of an entry waits (a partial unique index)."""

    __tablename__ = "fund_entry_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"))
    value_date: Mapped[dt.date | None]
    usd_amount: Mapped[Decimal] = mapped_column(Money(2))
    description: Mapped[str] = mapped_column(sa.Text)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_entry.id"))
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The proposer's today (clock.today, in their zone): the value date was not in the
    # future then, and a confirmer west of them, still on the day before, is not told it is.
    proposed_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(sa.String(10), default=WAITING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_entry.id"), unique=True)

    pool = relationship("Pool")
    reverses = relationship("FundEntry", foreign_keys=[reverses_id])
    entry = relationship("FundEntry", foreign_keys=[entry_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_in(ENTRY_KINDS)})", name="kind"),
        sa.CheckConstraint(f"status IN ({_in(PROPOSAL_STATUSES)})", name="status"),
        sa.CheckConstraint("usd_amount > 0", name="amount_positive"),
        sa.CheckConstraint("(reverses_id IS NULL) <> (value_date IS NULL)", name="dated_unless_reversal"),
        sa.Index("uq_fund_entry_proposal_waiting_reversal", "reverses_id", unique=True,
                 sqlite_where=sa.text(f"status = '{WAITING}' AND reverses_id IS NOT NULL"),
                 postgresql_where=sa.text(f"status = '{WAITING}' AND reverses_id IS NOT NULL")),
    )

    @property
    def kind_label(self):
        return ENTRY_KINDS.get(self.kind, self.kind)

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


FUND_SUBJECT = "fund"


def donor_subject(donor_id: int) -> str:
    return f"donor:{donor_id}"


class FinalStatement(db.Model):
    """A certified final financial statement as issued: its figures are stored
    (`content`) and shown from there, never recomputed. `subject`: "fund", or
    "donor:<id>"."""

    __tablename__ = "final_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(30), unique=True)
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    content: Mapped[dict] = mapped_column(sa.JSON)

    donor = relationship("Donor")
    issued_by = relationship("User")
