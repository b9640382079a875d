"""The pools' closing decisions and each donor's part, as a download (export register
"closing"): what the closing page shows, that is the pools' unspent balances, the
refunds a decision would make in each (each donor's part, as the page plans it), the
commitments with money outstanding; the payment instructions of the refunds decided,
with each donor's currency equivalent at the UN rate of the refund's month; the
decisions still waiting for a
second SRSG staff member (nothing has moved for them), the write-offs recorded (who
proposed and who confirmed each) and those still waiting for a second MPTF officer
(nothing is written off for them)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy.orm import joinedload

from ..clock import today
from ..contributions import queries as contribution_queries
from ..contributions.models import Pool
from ..contributions.pools import all_pools
from ..exports import Col, Sheet, register_export
from ..extensions import db
from ..fund.entries import ClosingPart, PoolClosing
from ..fund.models import FINANCIALLY_CLOSED
from ..fund.status import current_fund
from ..money import USD
from ..permissions import STAFF
from . import financial, proposals, write_offs
from .refunds import equivalent, plans


def decisions_query():
    return (sa.select(PoolClosing).options(joinedload(PoolClosing.pool).joinedload(Pool.objective),
                                           joinedload(PoolClosing.decided_by))
            .order_by(PoolClosing.decided_on, PoolClosing.id))


def parts_of(closing_ids: list[int] | None = None) -> list[ClosingPart]:
    query = (sa.select(ClosingPart).options(joinedload(ClosingPart.donor), joinedload(ClosingPart.closing))
             .order_by(ClosingPart.closing_id, ClosingPart.donor_id))
    if closing_ids is not None:
        query = query.where(ClosingPart.closing_id.in_(closing_ids))
    return list(db.session.scalars(query))


class Instruction:
    """A donor's part with its currency equivalent (read when shown)."""

    def __init__(self, part: ClosingPart):
        self.part = part
        self.rate, self.currency_amount = equivalent(part.usd_amount, part.currency, part.value_date)


def instructions(parts: list[ClosingPart]) -> list[Instruction]:
    return [Instruction(part) for part in parts]


@register_export("closing", "The pools' closing decisions (refunds, transfers to other funds) and each "
                            "donor's part, with its currency equivalent for the payment instruction")
def closing_export(filters: dict, user) -> tuple[list[Sheet], str]:
    if user is not None and user.role not in STAFF:
        abort(403)
    decisions = list(db.session.scalars(decisions_query()))
    decision_columns = [
        Col(_("Decision no."), lambda c: c.id, "int"),
        Col(_("Date"), lambda c: c.decided_on, "date"),
        Col(_("Pool"), lambda c: str(c.pool.label), width=30),
        Col(_("Decision"), lambda c: str(c.kind_label), width=30),
        Col(_("Amount (USD)"), lambda c: c.usd_amount, "money", currency=USD),
        Col(_("Receiving fund"), lambda c: c.fund_name, width=40),
        Col(_("Reference of the transfer"), lambda c: c.fund_reference),
        Col(_("Proposed by"), lambda c: (c.decided_by.name or c.decided_by.email) if c.decided_by else ""),
        Col(_("Note"), lambda c: c.note, width=40),
    ]
    part_columns = [
        Col(_("Decision no."), lambda i: i.part.closing_id, "int"),
        Col(_("Date"), lambda i: i.part.value_date, "date"),
        Col(_("Donor"), lambda i: i.part.donor.name, width=40),
        Col(_("Decision"), lambda i: str(i.part.closing.kind_label), width=30),
        Col(_("Donor's net deposits in pool (USD)"), lambda i: i.part.weight, "money", currency=USD),
        Col(_("Donor's balance in the pool (USD)"), lambda i: i.part.balance, "money", currency=USD),
        Col(_("Difference from the balance (USD)"), lambda i: i.part.income, "money", currency=USD),
        Col(_("Amount (USD)"), lambda i: i.part.usd_amount, "money", currency=USD),
        Col(_("Currency"), lambda i: i.part.currency, width=9),
        Col(_("UN rate of the month (per USD)"), lambda i: i.rate, "rate"),
        Col(_("Amount in the currency"), lambda i: i.currency_amount, "money",
            currency_of=lambda i: i.part.currency),
    ]
    waiting = proposals.waiting()
    waiting_columns = [
        Col(_("Pool"), lambda p: str(p.pool.label), width=30),
        Col(_("Decision"), lambda p: str(p.kind_label), width=30),
        Col(_("Amount (USD)"), lambda p: p.usd_amount, "money", currency=USD),
        Col(_("Receiving fund"), lambda p: p.fund_name, width=40),
        Col(_("Reference of the transfer"), lambda p: p.fund_reference),
        Col(_("Note"), lambda p: p.note, width=40),
        Col(_("Proposed by"), lambda p: p.proposed_by.name or p.proposed_by.email),
        Col(_("When (UTC)"), lambda p: p.proposed_at, "datetime"),
        # As the page says it: not when the pool's balance changed since, nor when its
        # proposer's account is no longer active (or no longer SRSG staff).
        Col(_("Can be confirmed"), lambda p: not proposals.is_stale(p) and not proposals.proposer_gone(p),
            "bool"),
    ]
    write_off_columns = [
        Col(_("Donor"), lambda p: p.commitment.donor.name, width=40),
        Col(_("Commitment"), lambda p: p.commitment.reference or f"#{p.commitment_id}"),
        Col(_("Amount written off"), lambda p: p.amount, "money", currency_of=lambda p: p.currency),
        Col(_("Outstanding when proposed"), lambda p: p.outstanding, "money",
            currency_of=lambda p: p.currency),
        Col(_("Currency"), lambda p: p.currency, width=9),
        Col(_("Reason"), lambda p: p.reason, width=40),
        Col(_("Proposed by"), lambda p: p.proposed_by.name or p.proposed_by.email),
        Col(_("When (UTC)"), lambda p: p.proposed_at, "datetime"),
        Col(_("Can be confirmed"), lambda p: not write_offs.is_stale(p) and not write_offs.proposer_gone(p),
            "bool"),
    ]
    def name(user) -> str:
        return (user.name or user.email) if user else ""

    recorded_columns = [
        Col(_("Date"), lambda r: r[0].written_off_on, "date"),
        Col(_("Donor"), lambda r: r[0].commitment.donor.name, width=40),
        Col(_("Commitment"), lambda r: r[0].commitment.reference or f"#{r[0].commitment_id}"),
        Col(_("Amount written off"), lambda r: r[0].amount, "money", currency_of=lambda r: r[0].currency),
        Col(_("Currency"), lambda r: r[0].currency, width=9),
        Col(_("Reason"), lambda r: r[0].reason, width=40),
        Col(pgettext("write-off", "Proposed by"), lambda r: name(r[1].proposed_by) if r[1] else ""),
        Col(_("Proposed at (UTC)"), lambda r: r[1].proposed_at if r[1] else None, "datetime"),
        Col(pgettext("write-off", "Confirmed by"), lambda r: name(r[0].created_by)),
        Col(_("Confirmed at (UTC)"), lambda r: r[0].created_at, "datetime"),
    ]
    pool_columns = [
        Col(_("Pool"), lambda p: str(p.label), width=30),
        Col(_("Grants committed, not yet reconciled"), lambda p: p.committed, "money", currency=USD),
        Col(_("Unspent balance"), lambda p: p.available, "money", currency=USD),
        Col(_("Refunded, transferred or not refunded at closure"), lambda p: p.closed_out, "money",
            currency=USD),
    ]
    fund = current_fund()
    open_plans = plans(today()) if fund and fund.status != FINANCIALLY_CLOSED else []
    planned = [(plan, part) for plan in open_plans for part in plan.parts]
    plan_columns = [
        Col(_("Pool"), lambda r: str(r[0].pool.label), width=30),
        Col(_("Donor"), lambda r: r[1].donor_name, width=40),
        Col(_("Net deposits in the pool"), lambda r: r[1].weight, "money", currency=USD),
        Col(_("Balance in the pool"), lambda r: r[1].balance, "money", currency=USD),
        Col(_("Difference from the balance"), lambda r: r[1].income, "money", currency=USD),
        Col(_("Refund (USD)"), lambda r: r[1].amount, "money", currency=USD),
        Col(_("Currency"), lambda r: r[1].currency, width=9),
        Col(_("UN rate of the month (per USD)"), lambda r: r[1].rate, "rate"),
        Col(_("Amount in the currency"), lambda r: r[1].currency_amount, "money",
            currency_of=lambda r: r[1].currency),
    ]
    outstanding_columns = [
        Col(_("Donor"), lambda c: c.donor.name, width=40),
        Col(_("Commitment"), lambda c: c.reference or f"#{c.id}"),
        Col(_("Currency"), lambda c: c.currency, width=9),
        Col(_("Amount"), lambda c: c.amount, "money", currency_of=lambda c: c.currency),
        Col(_("Deposited"), lambda c: c.deposited, "money", currency_of=lambda c: c.currency),
        Col(_("Written off"), lambda c: c.written_off, "money", currency_of=lambda c: c.currency),
        Col(_("Outstanding"), lambda c: c.outstanding, "money", currency_of=lambda c: c.currency),
    ]
    return ([Sheet(_("Pools"), pool_columns, all_pools()),
             Sheet(_("Refunds a decision would make"), plan_columns, planned),
             Sheet(_("Outstanding commitments"), outstanding_columns,
                   financial.outstanding_commitments()),
             Sheet(_("Decisions"), decision_columns, decisions),
             Sheet(_("Donors' parts"), part_columns, instructions(parts_of())),
             Sheet(_("Waiting decisions"), waiting_columns, waiting),
             Sheet(_("Write-offs recorded"), recorded_columns, contribution_queries.write_offs()),
             Sheet(_("Waiting write-offs"), write_off_columns, write_offs.waiting())],
            _("The fund's closure: decisions on the pools' balances and the donors' parts"))
