"""Travel support: events, delegates and their travel grants (DESIGN.md §5)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import localized
from ..audit import utcnow
from ..extensions import db
from ..money import Money

EVENT_KINDS = {
    "thematic_session": _l("Thematic session"),
    "regional_meeting": _l("Regional meeting"),
    "hearing": _l("Multi-stakeholder hearing"),
    "stocktaking": _l("Stocktaking meeting"),
    "conference": _l("Intergovernmental Conference"),
}

REQUESTED, APPROVED, REJECTED, WAITLISTED = "requested", "approved", "rejected", "waitlisted"
TRAVELLED, CANCELLED, NO_SHOW = "travelled", "cancelled", "no_show"
GRANT_STATUSES = {
    REQUESTED: _l("Requested"),
    APPROVED: _l("Approved"),
    REJECTED: _l("Rejected"),
    WAITLISTED: _l("Waitlisted"),
    TRAVELLED: _l("Travelled"),
    CANCELLED: _l("Cancelled"),
    NO_SHOW: _l("No-show"),
}
# A request for the same delegate and event blocks a new one while in these states
# (one live request per delegate and event; a rejected or cancelled one does not).
OPEN_REQUEST = (REQUESTED, WAITLISTED, APPROVED, TRAVELLED, NO_SHOW)
# An overrun: actual costs above the committed amount, recorded with the costs and
# paid from the pool only once approved (DESIGN.md §5).
OVERRUN_PENDING, OVERRUN_APPROVED, OVERRUN_REJECTED = "pending", "approved", "rejected"
OVERRUN_STATUSES = {
    OVERRUN_PENDING: _l("awaiting approval"),
    OVERRUN_APPROVED: _l("approved"),
    OVERRUN_REJECTED: _l("rejected"),
}
# Grants holding money in a pool (committed, not yet reconciled).
OPEN_COMMITMENT = (APPROVED,)
# Grants that count against the per-country cap of an event.
FUNDED = (APPROVED, TRAVELLED, NO_SHOW)


def _in(values) -> str:
    return ", ".join(repr(v) for v in values)


class Event(db.Model):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    title: Mapped[str] = mapped_column(sa.String(300))  # in English
    # The title in the other languages, {"fr": "...", ...} (trustfund.localized).
    title_translations: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))
    city: Mapped[str] = mapped_column(sa.String(120))
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    start_on: Mapped[dt.date] = mapped_column(index=True)
    end_on: Mapped[dt.date]
    dsa_rate: Mapped[Decimal] = mapped_column(Money(2))  # USD per day
    max_per_country: Mapped[int] = mapped_column(default=1)
    dates_note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    grants = relationship("TravelGrant", back_populates="event")
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_in(EVENT_KINDS)})", name="kind"),
        sa.CheckConstraint("end_on >= start_on", name="dates_in_order"),
        sa.CheckConstraint("dsa_rate >= 0", name="dsa_rate_not_negative"),
        sa.CheckConstraint("max_per_country >= 1", name="max_per_country_positive"),
    )

    @property
    def kind_label(self):
        return EVENT_KINDS.get(self.kind, self.kind)

    @property
    def local_title(self) -> str:
        """The title in the reader's language (English if it has none in it)."""
        return localized.pick(self.title, self.title_translations)


class Delegate(db.Model):
    """A representative of a Member State who may receive travel support."""

    __tablename__ = "delegate"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    function: Mapped[str] = mapped_column(sa.String(200), default="")
    country_code: Mapped[str] = mapped_column(sa.ForeignKey("country.code"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    country = relationship("Country")


class DelegateRenaming(db.Model):
    """A change of the name of a delegate whose travel was approved (travel.renamings).

    The delegate's name is who the fund pays to travel: once a grant of theirs was
    approved (a second SRSG staff member's decision, DESIGN.md §5), one person renaming
    them would send another person on that money. So the SRSG staff member who finds
    the name wrong (a spelling that does not match the passport, the government's
    note verbale naming someone else) proposes the name with a reason, and nothing
    changes while it waits; a second, different, active SRSG staff member confirms it
    (the delegate is renamed then) or refuses it with a reason; its proposer may
    withdraw it. At most one renaming of a delegate waits (a partial unique index).
    `name_before` is the name it was proposed from: a name changed meanwhile refuses
    its confirmation."""

    __tablename__ = "delegate_renaming"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("delegate.id"), index=True)
    name_before: Mapped[str] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The statuses of admin.models.UserChange: pending (waiting), confirmed, refused, withdrawn.
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)

    delegate = relationship("Delegate")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')", name="status"),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id OR status = 'withdrawn'",
                           name="four_eyes"),
        sa.Index("uq_delegate_renaming_waiting", "delegate_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )


class TravelGrant(db.Model):
    """A request for travel support, and what became of it.

    requested -> approved (money committed from `pool`) | rejected | waitlisted;
    approved -> travelled (actual costs; the difference returns to the pool)
              | cancelled (all returned) | no_show (actual costs kept).

    Actual costs above the committed amount are an overrun (`overrun_amount`):
    pending until a second SRSG staff member approves it (paid from the pool) or
    rejects it (the grant stays at its committed amount); approved at once when
    within the admin's tolerance. `actual_total` is what the trip costs the fund,
    the figure every report sums as spending: the actual costs less an overrun not
    (yet) approved.
    """

    __tablename__ = "travel_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("delegate.id"), index=True)
    country_code: Mapped[str] = mapped_column(sa.ForeignKey("country.code"), index=True)
    ldc: Mapped[bool] = mapped_column(default=False)  # LDC on the event's start date
    travel_from: Mapped[dt.date]
    travel_to: Mapped[dt.date]
    origin_city: Mapped[str] = mapped_column(sa.String(120))
    airfare: Mapped[Decimal] = mapped_column(Money(2))
    dsa_days: Mapped[int]
    dsa_rate: Mapped[Decimal] = mapped_column(Money(2))
    dsa_amount: Mapped[Decimal] = mapped_column(Money(2))
    terminal_expenses: Mapped[Decimal] = mapped_column(Money(2))
    total: Mapped[Decimal] = mapped_column(Money(2))
    override_reason: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=REQUESTED, index=True)
    pool_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pool.id"), index=True)
    committed_amount: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    actual_ticket: Mapped[Decimal | None] = mapped_column(Money(2))
    actual_dsa: Mapped[Decimal | None] = mapped_column(Money(2))
    actual_terminal: Mapped[Decimal | None] = mapped_column(Money(2))
    actual_total: Mapped[Decimal | None] = mapped_column(Money(2))
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # A request waitlisted for want of money: the pools that did not have its total, by
    # id ("3,1"), said in each reader's language (queries.decision_note) where a stored
    # sentence would be in its approver's. None otherwise, and for requests waitlisted
    # before revision 0045 (their decision_reason holds the sentence).
    waitlisted_pool_ids: Mapped[str | None] = mapped_column(sa.String(200))
    overrun_amount: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0.00"))
    overrun_status: Mapped[str | None] = mapped_column(sa.String(10))
    overrun_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # None for an overrun approved within the tolerance (no second person needed).
    overrun_decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    overrun_decided_at: Mapped[dt.datetime | None]
    overrun_reason: Mapped[str] = mapped_column(sa.Text, default="")
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    reconciled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reconciled_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    event = relationship("Event", back_populates="grants")
    delegate = relationship("Delegate")
    country = relationship("Country")
    pool = relationship("Pool")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    overrun_recorded_by = relationship("User", foreign_keys=[overrun_recorded_by_id])
    overrun_decided_by = relationship("User", foreign_keys=[overrun_decided_by_id])

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(GRANT_STATUSES)})", name="status"),
        sa.CheckConstraint("airfare >= 0 AND dsa_amount >= 0 AND terminal_expenses >= 0 AND total > 0",
                           name="amounts_not_negative"),
        sa.CheckConstraint("dsa_days >= 0", name="dsa_days_not_negative"),
        sa.CheckConstraint("travel_to >= travel_from", name="dates_in_order"),
        sa.CheckConstraint("committed_amount >= 0", name="committed_not_negative"),
        sa.CheckConstraint("status NOT IN ('approved', 'travelled', 'no_show') OR pool_id IS NOT NULL",
                           name="funded_has_pool"),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> requested_by_id",
                           name="four_eyes"),
        sa.CheckConstraint("overrun_amount >= 0", name="overrun_not_negative"),
        sa.CheckConstraint(
            "(overrun_amount = 0 AND overrun_status IS NULL) OR (overrun_amount > 0 AND "
            f"overrun_status IN ({_in(OVERRUN_STATUSES)}) AND status IN ('travelled', 'no_show') "
            "AND overrun_recorded_by_id IS NOT NULL)", name="overrun_state"),
        sa.CheckConstraint("overrun_status IS NULL OR overrun_status = 'pending' "
                           "OR overrun_decided_at IS NOT NULL", name="overrun_decided_when"),
        sa.CheckConstraint("overrun_status IS NULL OR overrun_status <> 'rejected' "
                           "OR overrun_decided_by_id IS NOT NULL", name="overrun_rejected_by_someone"),
        sa.CheckConstraint("overrun_decided_by_id IS NULL OR overrun_decided_by_id <> overrun_recorded_by_id",
                           name="overrun_four_eyes"),
        # The per-country cap of an event (event, country, status) and, covering every
        # column the participation figures read, the per-event report from the index
        # alone, in group order (docs/performance.md).
        sa.Index("ix_travel_grant_event_figures", "event_id", "country_code", "status", "ldc",
                 "committed_amount", "actual_total"),
        # Performance: the per-country report, from the index alone, in group order.
        sa.Index("ix_travel_grant_country_figures", "country_code", "event_id", "status", "ldc",
                 "committed_amount", "actual_total"),
        # The dashboards' grants by status and LDC, read in group order from the index
        # alone (dashboard.travel_figures.grant_sums).
        sa.Index("ix_travel_grant_dashboard", "status", "ldc", "total", "actual_total", "committed_amount"),
        # Each pool's spending up to a date (statements.sums.spending: every statement,
        # the portal, the donor balances), from the index alone: 38 -> 14 ms on SQLite
        # at N=100, instead of reading 30,000 grants' rows.
        sa.Index("ix_travel_grant_spending", "pool_id", "status", "reconciled_at", "actual_total"),
        # The few grants with an overrun (every statement dates the approved ones;
        # the closing looks for pending ones). Partial: the planner then knows the
        # index holds a handful of rows, where a full one counted the 50,000 without
        # an overrun and lost to the status index (39 -> 0.1 ms on SQLite at N=100).
        # One live request per delegate and event, held by the database: two requests
        # entered at the same moment (two tabs, two workers) both pass the service's
        # look-up, and each could be approved within an event's cap of two or more
        # per country, paying the same trip twice. The second is refused here.
        sa.Index("uq_travel_grant_open_request", "event_id", "delegate_id", unique=True,
                 sqlite_where=sa.text(f"status IN ({_in(OPEN_REQUEST)})"),
                 postgresql_where=sa.text(f"status IN ({_in(OPEN_REQUEST)})")),
        sa.Index("ix_travel_grant_overruns", "overrun_status", "pool_id",
                 sqlite_where=sa.text("overrun_status IS NOT NULL"),
                 postgresql_where=sa.text("overrun_status IS NOT NULL")),
    )

    @property
    def status_label(self):
        return GRANT_STATUSES.get(self.status, self.status)

    @property
    def status_in_words(self) -> str:
        """The status inside a sentence ("it is now approved"): the label in lower case
        (the six languages' labels lower-case as words do)."""
        return str(self.status_label).lower()

    @property
    def actual_costs(self) -> Decimal | None:
        """The actual costs recorded (ticket + DSA paid + terminal expenses paid)."""
        parts = (self.actual_ticket, self.actual_dsa, self.actual_terminal)
        return None if any(p is None for p in parts) else sum(parts, Decimal("0.00"))

    @property
    def returned(self) -> Decimal:
        """What went back to the pool when the grant was closed (never negative)."""
        if self.status in (TRAVELLED, NO_SHOW) and self.actual_costs is not None:
            return max(self.committed_amount - self.actual_costs, Decimal("0.00"))
        return Decimal("0.00")

    @property
    def rated_before_correction(self) -> bool:
        """A request still waiting whose DSA rate is no longer its event's (the event's
        rate was corrected since it was entered): its total stays as requested."""
        return self.status in (REQUESTED, WAITLISTED) and self.dsa_rate != self.event.dsa_rate

    @property
    def overrun_pending(self) -> bool:
        return self.overrun_status == OVERRUN_PENDING

    @property
    def overrun_label(self):
        return OVERRUN_STATUSES.get(self.overrun_status, "")

    @property
    def overrun_in_words(self) -> str:
        return str(self.overrun_label).lower()


# Performance (docs/performance.md): the review queue (requested and waitlisted, LDC
# first, then by time of request) read in its order, the status checked in the index,
# so a page of it stops after its rows instead of sorting every waiting request
# (a page of 50: 17 ms -> 1 ms on SQLite at N=100). It replaces (status, ldc,
# requested_at), whose order held within one status only.
sa.Index("ix_travel_grant_queue_order", TravelGrant.ldc.desc(), TravelGrant.requested_at,
         TravelGrant.id, TravelGrant.status)


class CostCorrection(db.Model):
    """A correction of a closed trip's recorded actual costs (travel.corrections).

    The costs of a travelled or no-show grant are facts recorded once; a mistake in
    them (a refunded ticket, DSA paid for fewer days, a typing slip) is corrected,
    never edited away: one SRSG staff member proposes the corrected ticket, DSA and
    terminal expenses with a reason, and nothing changes while it waits; a second,
    different, active SRSG staff member confirms it (the grant's costs and what its
    pool spent then move, dated that day) or refuses it with a reason; its proposer
    may withdraw it. At most one correction of a grant waits (a partial unique index).

    `spent_before` is what the trip cost the fund when it was proposed (the grant's
    actual_total), `spent_after` what it costs once confirmed: every dated figure
    (statements, IATI) counts the difference from the day it was confirmed, so a
    period's figures never change afterwards."""

    __tablename__ = "cost_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(sa.ForeignKey("travel_grant.id"), index=True)
    actual_ticket: Mapped[Decimal] = mapped_column(Money(2))
    actual_dsa: Mapped[Decimal] = mapped_column(Money(2))
    actual_terminal: Mapped[Decimal] = mapped_column(Money(2))
    spent_before: Mapped[Decimal] = mapped_column(Money(2))
    spent_after: Mapped[Decimal | None] = mapped_column(Money(2))
    reason: Mapped[str] = mapped_column(sa.Text)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The statuses of admin.models.UserChange: pending (waiting), confirmed, refused, withdrawn.
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)

    grant = relationship("TravelGrant")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')", name="status"),
        sa.CheckConstraint("actual_ticket >= 0 AND actual_dsa >= 0 AND actual_terminal >= 0 "
                           "AND spent_before >= 0 AND (spent_after IS NULL OR spent_after >= 0)",
                           name="amounts_not_negative"),
        sa.CheckConstraint("spent_after IS NULL OR status = 'confirmed'",
                           name="result_when_confirmed"),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id OR status = 'withdrawn'",
                           name="four_eyes"),
        sa.Index("uq_cost_correction_waiting", "grant_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )

    @property
    def costs(self) -> Decimal:
        return self.actual_ticket + self.actual_dsa + self.actual_terminal

    @property
    def change(self) -> Decimal:
        """What the confirmed correction changed in the pool's spending (negative: returned)."""
        return (self.spent_after or Decimal("0.00")) - self.spent_before
