"""The fund's money: objectives and pools, pledges, commitments, deposits, rates,
interest and transfers. Every amount is Money (exact Decimal, see money.py)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from .. import localized
from ..audit import SECRET, utcnow
from ..extensions import db
from ..money import Money, Rate
from .rules import REFERENCE_KEY_LENGTH, reference_key

UNEARMARKED = "UNEARMARKED"


def _reference_key_default(context) -> str | None:
    """A deposit inserted without its reference key (bulk inserts of demo and test data)
    gets the key of its bank reference; a reversal holds none."""
    row = context.get_current_parameters()
    if row.get("reverses_id") is not None:
        return None
    return reference_key(row.get("bank_reference"))


def pool_short_name(objective_number: int | None) -> str:
    """A pool as a list, a table or a choice names it: "Un-earmarked" or "Objective 1"
    (the objective's full title is in Pool.label, shown where it is chosen)."""
    if objective_number is None:
        return _("Un-earmarked")
    return _("Objective %(number)s", number=objective_number)


def pool_sentence_name(objective_number: int | None) -> str:
    """A pool's name inside a sentence, which says "the %(pool)s pool" (translations: the
    pool's noun in their own case, the name beside it, as the language joins them:
    "l’enveloppe de l’objectif 1", "пул «Цель 1»"): "un-earmarked" or "Objective 1".
    One name per pool on every page, the objective's title never mid-sentence."""
    if objective_number is None:
        # Translators: the un-earmarked pool's name where a sentence says "the %(pool)s pool",
        # written to follow your language's word for pool in those sentences.
        return pgettext("pool in a sentence", "un-earmarked")
    # Translators: an objective's pool's name where a sentence says "the %(pool)s pool",
    # written to follow your language's word for pool in those sentences.
    return pgettext("pool in a sentence", "Objective %(number)s", number=objective_number)


def _later_figure():
    """A pool figure added after the first release: zero for the pools already there."""
    return mapped_column(Money(2), default=Decimal("0.00"), server_default=sa.text("0"))


class Objective(db.Model):
    """An objective of the fund (admin-editable; the demo has the factsheet's three)."""

    __tablename__ = "objective"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))  # in English
    # The title in the other languages, {"fr": "...", ...} (trustfund.localized).
    title_translations: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    pool = relationship("Pool", back_populates="objective", uselist=False)
    __mapper_args__ = {"version_id_col": version}

    @property
    def local_title(self) -> str:
        """The title in the reader's language (English if it has none in it)."""
        return localized.pick(self.title, self.title_translations)

    @property
    def label(self) -> str:
        return f"{self.number}. {self.local_title}"


class Pool(db.Model):
    """A pool of the fund's money in USD: one un-earmarked, one per objective.

    The running figures live on the row and change only through single UPDATE
    statements in the transaction of the entry that moves them, so the CHECK
    constraints make the database refuse any overspend, whatever the interleaving:
    available = deposits_net + interest + other_income + transfers_in - transfers_out
                - committed - spent - direct_costs - bank_charges - closed_out.
    (other_income, direct_costs and bank_charges: the fund's own entries,
    fund.entries.FundEntry; closed_out: what left the pool when the fund closed,
    refunds and transfers to other funds, fund.entries.PoolClosing.)
    `flask --app trustfund check` recomputes them from the entries.
    """

    __tablename__ = "pool"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    objective_id: Mapped[int | None] = mapped_column(sa.ForeignKey("objective.id"), unique=True)
    deposits_usd: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    fees: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    deposits_net: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    interest: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    transfers_in: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    transfers_out: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    committed: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    spent: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    other_income: Mapped[Decimal] = _later_figure()
    direct_costs: Mapped[Decimal] = _later_figure()
    bank_charges: Mapped[Decimal] = _later_figure()
    closed_out: Mapped[Decimal] = _later_figure()
    available: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))

    objective = relationship("Objective", back_populates="pool")

    __table_args__ = (
        sa.CheckConstraint("available >= 0", name="available_not_negative"),
        sa.CheckConstraint("committed >= 0", name="committed_not_negative"),
        sa.CheckConstraint("spent >= 0", name="spent_not_negative"),
        sa.CheckConstraint("transfers_in >= 0 AND transfers_out >= 0", name="transfers_not_negative"),
        sa.CheckConstraint("other_income >= 0 AND direct_costs >= 0 AND bank_charges >= 0 "
                           "AND closed_out >= 0", name="fund_entries_not_negative"),
        sa.CheckConstraint("(code = 'UNEARMARKED') = (objective_id IS NULL)", name="kind"),
    )

    @property
    def is_unearmarked(self) -> bool:
        return self.code == UNEARMARKED

    @property
    def label(self):
        if self.is_unearmarked:
            return _l("Un-earmarked")
        return self.objective.label if self.objective else self.code

    @property
    def objective_number(self) -> int | None:
        return None if self.is_unearmarked or self.objective is None else self.objective.number

    @property
    def short_name(self) -> str:
        return pool_short_name(self.objective_number)

    @property
    def sentence_name(self) -> str:
        """For "the %(pool)s pool" (pool_sentence_name)."""
        return pool_sentence_name(self.objective_number)


class Pledge(db.Model):
    """An announced amount; allowed whatever the SAA status. Withdrawn, never deleted.

    `fulfilled` is the running sum of the commitments recorded against the pledge
    (same donor, same currency), kept by single guarded UPDATEs
    (services.fulfil_pledge): what is still pledged, not yet committed, is the rest,
    amount - fulfilled, while the pledge is in force. A commitment for more than the
    rest fulfils the pledge (fulfilled may then pass the amount; nothing is still
    pledged). Withdrawing a partly fulfilled pledge withdraws its rest only."""

    __tablename__ = "pledge"

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount: Mapped[Decimal] = mapped_column(Money(3))
    fulfilled: Mapped[Decimal] = mapped_column(Money(3), default=Decimal("0.000"),
                                               server_default=sa.text("0"))
    objective_id: Mapped[int | None] = mapped_column(sa.ForeignKey("objective.id"))
    pledged_on: Mapped[dt.date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    donor = relationship("Donor")
    objective = relationship("Objective")
    commitments = relationship("Commitment", back_populates="pledge", order_by="Commitment.id")

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("fulfilled >= 0", name="fulfilled_not_negative"),
    )

    @classmethod
    def open_condition(cls):
        """SQL: in force with a rest still pledged (neither withdrawn nor fulfilled)."""
        return sa.and_(cls.withdrawn_at.is_(None), cls.fulfilled < cls.amount)

    @classmethod
    def rest_expression(cls):
        """SQL: the pledged amount not yet committed, for rows of open_condition()."""
        return cls.amount - cls.fulfilled

    @property
    def is_fulfilled(self) -> bool:
        return self.fulfilled >= self.amount

    @property
    def is_open(self) -> bool:
        """In force, with a rest still pledged: it may be committed or withdrawn."""
        return self.withdrawn_at is None and not self.is_fulfilled

    @property
    def rest(self) -> Decimal:
        """Pledged, not yet committed: nothing once fulfilled or withdrawn."""
        return self.amount - self.fulfilled if self.is_open else self.amount * 0

    @property
    def withdrawn_rest(self) -> Decimal:
        """What a withdrawal took back: the rest not committed when it was withdrawn."""
        if self.withdrawn_at is None:
            return self.amount * 0
        return max(self.amount - self.fulfilled, self.amount * 0)

    @property
    def status(self) -> str:
        """in_force, partly_fulfilled, fulfilled, withdrawn or partly_withdrawn (a
        partly fulfilled pledge whose rest was withdrawn): keys of PLEDGE_STATUSES."""
        if self.withdrawn_at is not None:
            return "partly_withdrawn" if self.fulfilled > 0 else "withdrawn"
        if self.is_fulfilled:
            return "fulfilled"
        return "partly_fulfilled" if self.fulfilled > 0 else "in_force"

    @property
    def status_label(self) -> str:
        return str(PLEDGE_STATUSES[self.status])


PLEDGE_STATUSES = {
    "in_force": _l("In force"),
    "partly_fulfilled": _l("Partly fulfilled"),
    "fulfilled": _l("Fulfilled"),
    "withdrawn": _l("Withdrawn"),
    "partly_withdrawn": _l("Partly fulfilled, rest withdrawn"),
}


class Commitment(db.Model):
    """The amount in a signed SAA. `deposited` is the running sum of its deposits
    (in its currency), kept by single UPDATEs so that the CHECK refuses any deposit
    past the commitment, however many arrive at once; `deposited_usd` and
    `deposit_fees` are the same deposits' USD amounts and Administrative Agent fees,
    kept by the same UPDATEs (the dashboards sum ten thousand commitments instead of a
    hundred thousand deposits; the ledger check compares all three with the deposits).
    `written_off`: the part that will never be deposited (fund.entries.WriteOff),
    which no deposit may fill."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3), index=True)
    amount: Mapped[Decimal] = mapped_column(Money(3))
    deposited: Mapped[Decimal] = mapped_column(Money(3), default=Decimal("0.000"))
    written_off: Mapped[Decimal] = mapped_column(Money(3), default=Decimal("0.000"),
                                                 server_default=sa.text("0"))
    # Deferred, and filled by the database's default: read only by the queries that
    # name them, never with a commitment, so that the application still runs on a
    # database from before them (the remedy migration 0024 asks for, "Correct the
    # reference", is made in the application on the schema of 0023).
    deposited_usd: Mapped[Decimal] = mapped_column(Money(2), server_default=sa.text("0"), deferred=True)
    deposit_fees: Mapped[Decimal] = mapped_column(Money(2), server_default=sa.text("0"), deferred=True)
    # Nor read back after an INSERT (RETURNING): loaded only when asked for.
    __mapper_args__ = {"eager_defaults": False}
    objective_id: Mapped[int | None] = mapped_column(sa.ForeignKey("objective.id"), index=True)
    committed_on: Mapped[dt.date]
    reference: Mapped[str] = mapped_column(sa.String(100), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # The pledge this commitment fulfils, wholly or in part (services.fulfil_pledge).
    pledge_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pledge.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    donor = relationship("Donor")
    objective = relationship("Objective")
    pledge = relationship("Pledge", back_populates="commitments")
    instalments = relationship("Instalment", back_populates="commitment", order_by="Instalment.due_on")
    deposits = relationship("Deposit", back_populates="commitment", order_by="Deposit.id")

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("deposited >= 0 AND deposited <= amount", name="deposited_within_amount"),
        sa.CheckConstraint("written_off >= 0 AND deposited + written_off <= amount",
                           name="written_off_within_amount"),
        # The commitments list, newest first (its default order, ties by id): the first
        # page read in index order instead of sorting every commitment (issue 16).
        sa.Index("ix_commitment_committed_on_id", "committed_on", "id"),
    )

    @classmethod
    def open_condition(cls):
        """SQL: something of the commitment is neither deposited nor written off."""
        return cls.deposited + cls.written_off < cls.amount

    @property
    def outstanding(self) -> Decimal:
        """Neither deposited nor written off."""
        return self.amount - self.deposited - (self.written_off or 0)

    @property
    def settled(self) -> Decimal:
        """Deposited or written off: what pays its instalments, in order of due date
        (rules.overdue_instalments). A write-off of the whole rest leaves none overdue."""
        return self.deposited + (self.written_off or 0)


# A commitment's reference, when given, names it (imports find commitments by it,
# without case): held by the database too, since two officers may enter the same one
# at the same moment (services.record_commitment).
sa.Index("uq_commitment_reference", sa.func.lower(Commitment.reference), unique=True,
         sqlite_where=sa.text("reference <> ''"), postgresql_where=sa.text("reference <> ''"))


class Instalment(db.Model):
    """A due date in a commitment's schedule."""

    __tablename__ = "instalment"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitment.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(index=True)
    amount: Mapped[Decimal] = mapped_column(Money(3))

    commitment = relationship("Commitment", back_populates="instalments")

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        # Performance (docs/performance.md): each commitment's schedule in due order with
        # its amounts, read from the index alone for the dashboards' running sums of
        # overdue instalments (dashboard.services.overdue_instalments).
        sa.Index("ix_instalment_schedule", "commitment_id", "due_on", "id", "amount"),
    )


class ExchangeRate(db.Model):
    """A UN operational rate of exchange: units of `currency` per 1 US dollar, for a month."""

    __tablename__ = "exchange_rate"

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    month: Mapped[dt.date]  # always the first day of the month
    rate: Mapped[Decimal] = mapped_column(Rate())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Who set the rate as it stands (its last setting: a correction replaces them):
    # the MPTF officer who proposed it, or uploaded the rates file it came from, and
    # the one who confirmed it. None where the command line set it, or where the
    # upgrade to revision 0042 could not tell (the audit trail has every setting).
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    rate_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rate_import.id"))
    # Optimistic locking: a correction built on an older rate is refused.
    version: Mapped[int] = mapped_column(default=1)

    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
    rate_file = relationship("RateImport", foreign_keys=[rate_file_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("currency", "month"),
        sa.CheckConstraint("rate > 0", name="rate_positive"),
    )


class RateProposal(db.Model):
    """A month's UN operational rate, or the correction of one, as one MPTF officer
    proposed it (contributions.rate_changes): the table does not change while it waits.
    Every deposit of a month takes its UN rate without a note, so nobody alone sets it
    (DESIGN.md §5): a second, different, active MPTF officer confirms it (confirmed.set_rate
    then writes it, with every check again, and it names the rate it set), or refuses
    it with a reason; its proposer may withdraw it. A correction (`entry_id`) carries
    the version of the rate its proposer saw: one changed since is not overwritten. At
    most one proposal waits per currency and month (a partial unique index). Its status
    changes once, by one guarded UPDATE (pending → confirmed, refused or withdrawn)."""

    __tablename__ = "rate_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    month: Mapped[dt.date]  # always the first day of the month
    rate: Mapped[Decimal] = mapped_column(Rate())
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exchange_rate.id"))
    entry_version: Mapped[int | None]
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The statuses of admin.models.UserChange: pending (waiting), confirmed, refused, withdrawn.
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    rate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exchange_rate.id"))  # the rate it set

    entry = relationship("ExchangeRate", foreign_keys=[entry_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')", name="status"),
        sa.CheckConstraint("rate > 0", name="rate_positive"),
        sa.Index("uq_rate_proposal_waiting", "currency", "month", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )


class Deposit(db.Model):
    """Cash received against a commitment. USD, fee and net are computed once, at
    deposit time, with the rate and fee rate stored here, and never recomputed.
    A correction is a reversal: a new row with the opposite amounts that points to
    the original (`reverses_id`, unique: a deposit is reversed at most once).

    No deposit twice: `reference_key` is the bank reference normalised (rules.
    reference_key) while the deposit stands; a reversal holds none, and reversing a
    deposit clears its key, which frees the reference. Among deposits not marked
    `separate_transfer` a key is unique (a partial unique index), so the database
    itself refuses a second deposit of one transfer, whatever the interleaving of
    requests. A deposit marked separate keeps its key (a later one is still told
    about it) and says why in `separate_note`."""

    __tablename__ = "deposit"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitment.id"), index=True)
    # donor_id, pool_id and currency lead composite indexes below (no index of their own:
    # each would be one more to write per deposit, and no query prefers it; 0017).
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donor.id"))
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"))
    value_date: Mapped[dt.date]
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount: Mapped[Decimal] = mapped_column(Money(3))
    rate: Mapped[Decimal] = mapped_column(Rate())
    rate_note: Mapped[str] = mapped_column(sa.Text, default="")
    usd_amount: Mapped[Decimal] = mapped_column(Money(2))
    fee_rate: Mapped[Decimal] = mapped_column(Rate())
    fee: Mapped[Decimal] = mapped_column(Money(2))
    net: Mapped[Decimal] = mapped_column(Money(2))
    bank_reference: Mapped[str] = mapped_column(sa.String(100), default="")
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deposit.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reference_key: Mapped[str | None] = mapped_column(sa.String(REFERENCE_KEY_LENGTH),
                                                      default=_reference_key_default)
    separate_transfer: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    separate_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    commitment = relationship("Commitment", back_populates="deposits")
    donor = relationship("Donor")
    pool = relationship("Pool")
    reverses = relationship("Deposit", remote_side=[id], foreign_keys=[reverses_id],
                            backref=sa.orm.backref("reversed_by", uselist=False))

    __table_args__ = (
        sa.CheckConstraint("rate > 0", name="rate_positive"),
        sa.CheckConstraint(
            "(reverses_id IS NULL AND amount > 0 AND usd_amount > 0 AND fee >= 0 AND net > 0) OR "
            "(reverses_id IS NOT NULL AND amount < 0 AND usd_amount < 0 AND fee <= 0 AND net < 0)",
            name="sign",
        ),
        sa.CheckConstraint("net = usd_amount - fee", name="net_is_usd_less_fee"),
        sa.Index("ix_deposit_donor_value_date", "donor_id", "value_date"),
        # Performance (docs/performance.md): the deposit list and export filtered by
        # currency and period, in the list's order (value date, id), and the list's
        # totals per currency (unfiltered, or a currency and period) from the index
        # alone, in group order (0021); and each donor's net deposits per pool up to a
        # date (statement shares), read from the index alone.
        sa.Index("ix_deposit_currency_totals", "currency", "value_date", "id",
                 "amount", "usd_amount", "fee", "net"),
        sa.Index("ix_deposit_pool_donor_value_date_net", "pool_id", "donor_id", "value_date", "net"),
        # The deposits after a closed year, per pool and donor (statements.sums, after=), from
        # the index alone; it serves every query by value date.
        sa.Index("ix_deposit_value_date_pool_donor_net", "value_date", "pool_id", "donor_id", "net"),
        # The deposit list sorted by USD amount (either way, ties by id): PostgreSQL
        # reads the first page in index order instead of sorting every matching row.
        sa.Index("ix_deposit_usd_amount_id", "usd_amount", "id"),
        # (ix_deposit_dashboard, for the dashboards' sums by donor, pool and currency, went
        # with migration 0030: they read the commitments' sums; no page's plan read it.)
        # No deposit twice (see the docstring); and the look-up of a reference's deposits.
        sa.Index("uq_deposit_reference_key", "reference_key", unique=True,
                 sqlite_where=sa.text("NOT separate_transfer"),
                 postgresql_where=sa.text("NOT separate_transfer")),
        sa.Index("ix_deposit_reference_key", "reference_key"),
    )

    @classmethod
    def standing_condition(cls):
        """SQL: a deposit that stands: neither a reversal nor reversed (a deposit booked
        by mistake and its reversal say nothing of the donor's money)."""
        reversed_ids = sa.select(cls.reverses_id).where(cls.reverses_id.is_not(None))
        return sa.and_(cls.reverses_id.is_(None), cls.id.not_in(reversed_ids))

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class InterestEntry(db.Model):
    """Interest earned by the fund, in USD, credited to the un-earmarked pool."""

    __tablename__ = "interest_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"), index=True)
    value_date: Mapped[dt.date]
    usd_amount: Mapped[Decimal] = mapped_column(Money(2))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("interest_entry.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    pool = relationship("Pool")

    __table_args__ = (
        sa.CheckConstraint(
            "(reverses_id IS NULL AND usd_amount > 0) OR (reverses_id IS NOT NULL AND usd_amount < 0)",
            name="sign",
        ),
    )



class DepositReversalProposal(db.Model):
    """The reversal of a deposit as one MPTF officer proposed it, with its reason
    (contributions.reversal_changes): nothing is reversed and the pool does not move
    while it waits. A reversal takes money back from a pool, and with the deposit's
    bank reference freed the same money could be recorded again on another donor's
    commitment, in another pool: a transfer between pools that two administrators
    would otherwise have to agree. So nobody alone reverses a deposit (DESIGN.md §5),
    as nobody alone reverses interest: a second, different, active MPTF officer
    confirms it (it is then recorded by confirmed.reverse_deposit, dated that day, and
    names the reversal it became), or refuses it with a reason; its proposer may
    withdraw it. At most one reversal of a deposit waits (a partial unique index). Its
    status changes once, by one guarded UPDATE (pending → confirmed, refused or
    withdrawn)."""

    __tablename__ = "deposit_reversal_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    deposit_id: Mapped[int] = mapped_column(sa.ForeignKey("deposit.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The statuses of admin.models.UserChange: pending (waiting), confirmed, refused, withdrawn.
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    reversal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deposit.id"), unique=True)
    # The entry the confirmation recorded, by the name second_person.who_proposed_and_confirmed reads.
    entry_id = synonym("reversal_id")

    deposit = relationship("Deposit", foreign_keys=[deposit_id])
    reversal = relationship("Deposit", foreign_keys=[reversal_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')", name="status"),
        sa.Index("uq_deposit_reversal_proposal_waiting", "deposit_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )


class InterestProposal(db.Model):
    """Interest earned by the fund, or the reversal of an interest entry, as one MPTF
    officer proposed it (contributions.interest_changes): nothing is credited and the
    un-earmarked pool does not move while it waits. Interest adds to what the pool can
    spend, like the fund's other income, so nobody alone records it (DESIGN.md §5): a
    second, different, active MPTF officer confirms it (it is then recorded by
    confirmed.record_interest or confirmed.reverse_interest and names the InterestEntry it
    became), or refuses it with a reason; its proposer may withdraw it. A reversal
    (`reverses_id`) has the amount of the entry it reverses and its reason as `note`;
    it is dated the day it is confirmed (no `value_date`). At most one reversal of an
    entry waits (a partial unique index). Its status changes once, by one guarded
    UPDATE (pending → confirmed, refused or withdrawn)."""

    __tablename__ = "interest_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    value_date: Mapped[dt.date | None]
    usd_amount: Mapped[Decimal] = mapped_column(Money(2))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("interest_entry.id"))
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The proposer's today (clock.today, in their zone): the value date was not in the
    # future then, and a confirmer west of them, still on the day before, is not told it is.
    proposed_on: Mapped[dt.date]
    # The statuses of admin.models.UserChange: pending (waiting), confirmed, refused, withdrawn.
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("interest_entry.id"), unique=True)

    reverses = relationship("InterestEntry", foreign_keys=[reverses_id])
    entry = relationship("InterestEntry", foreign_keys=[entry_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')", name="status"),
        sa.CheckConstraint("usd_amount > 0", name="amount_positive"),
        sa.CheckConstraint("(reverses_id IS NULL) <> (value_date IS NULL)", name="dated_unless_reversal"),
        sa.Index("uq_interest_proposal_waiting_reversal", "reverses_id", unique=True,
                 sqlite_where=sa.text("status = 'pending' AND reverses_id IS NOT NULL"),
                 postgresql_where=sa.text("status = 'pending' AND reverses_id IS NOT NULL")),
    )

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

class PoolTransfer(db.Model):
    """Available money moved between pools by an admin, with a reason
    (for example Objective 1 surplus to Objective 2)."""

    __tablename__ = "pool_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"), index=True)
    to_pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"), index=True)
    usd_amount: Mapped[Decimal] = mapped_column(Money(2))
    transferred_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    from_pool = relationship("Pool", foreign_keys=[from_pool_id])
    to_pool = relationship("Pool", foreign_keys=[to_pool_id])
    # Who recorded it: since transfers take two admins, the admin who confirmed it.
    created_by = relationship("User", foreign_keys=[created_by_id])
    # The proposal it was made from (transfer_changes): none for a transfer recorded
    # before transfers took two admins.
    proposal = relationship("TransferProposal", uselist=False, viewonly=True)

    __table_args__ = (
        sa.CheckConstraint("usd_amount > 0", name="amount_positive"),
        sa.CheckConstraint("from_pool_id <> to_pool_id", name="different_pools"),
    )


class TransferProposal(db.Model):
    """A transfer between pools proposed by one admin, waiting for a second, different,
    active admin (contributions.transfer_changes). Nobody alone moves money (DESIGN.md
    §5): nothing moves while it waits; confirmed, it is applied by confirmed.transfer and
    names the PoolTransfer it became; refused (with a reason) or withdrawn by its
    proposer, it stays on record and nothing moves. Its status changes once, by one
    guarded UPDATE (pending → confirmed, refused or withdrawn)."""

    __tablename__ = "transfer_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"))
    to_pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id"))
    usd_amount: Mapped[Decimal] = mapped_column(Money(2))
    transferred_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(sa.Text)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The proposer's today when proposing (clock.today, in their zone): the value date was
    # not in the future then, and a confirmer west of them, still on the day before, is
    # not told it is. Nullable only for migration 0029 (SQLite adds no NOT NULL column
    # without a default); it filled the proposals made before, and propose() sets it.
    proposed_on: Mapped[dt.date | None]
    # The statuses of admin.models.UserChange: pending (waiting), confirmed, refused, withdrawn.
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    transfer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pool_transfer.id"), unique=True)

    from_pool = relationship("Pool", foreign_keys=[from_pool_id])
    to_pool = relationship("Pool", foreign_keys=[to_pool_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    transfer = relationship("PoolTransfer")

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')", name="status"),
        sa.CheckConstraint("usd_amount > 0", name="amount_positive"),
        sa.CheckConstraint("from_pool_id <> to_pool_id", name="different_pools"),
    )


class DepositImport(db.Model):
    """A deposits workbook uploaded through the page whose preview showed no problem,
    kept until the officer confirms it (see before you post). Posted at most once:
    confirming sets `posted_at` by one guarded UPDATE in the transaction of its
    deposits, so a second confirmation finds it posted and records nothing. The file
    stays as the record of what was imported."""

    __tablename__ = "deposit_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Opens the preview for its officer only (loaders.get_upload_or_404): never audited.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, info=SECRET)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    rows: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[dt.datetime | None]
    deposits: Mapped[int | None]


class RateImport(db.Model):
    """A file of UN operational rates (currency, month, rate) uploaded through the page
    whose preview showed no problem, kept until another MPTF officer confirms it (nobody
    alone sets the rates: contributions.rate_changes) or its uploader withdraws it;
    posted at most once, like DepositImport. The file stays as the record of what was
    imported."""

    __tablename__ = "rate_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, info=SECRET)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    rows: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[dt.datetime | None]
    rates: Mapped[int | None]
    # Withdrawn by its uploader, or refused by another officer with a reason, before
    # anyone confirmed it: never imported.
    withdrawn_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)  # who refused it: the audit trail

    created_by = relationship("User", foreign_keys=[created_by_id])
