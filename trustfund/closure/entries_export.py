"""The fund's own entries as a list and a download (export register "fund_entries")."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..contributions.models import Pool
from ..exports import PERIOD, Col, Sheet, in_period, register_export
from ..extensions import db
from ..fund.entries import ENTRY_KINDS, FundEntry
from ..money import USD
from ..permissions import FINANCE_READERS
from . import entry_proposals


def entries_query(filters: dict | None = None):
    """The entries, newest first; within the period of `filters` (date_from, date_to) if given."""
    return (sa.select(FundEntry).options(joinedload(FundEntry.pool).joinedload(Pool.objective))
            .where(*in_period(FundEntry.value_date, filters or {}))
            .order_by(FundEntry.value_date.desc(), FundEntry.id.desc()))


def totals_by_kind() -> dict[str, object]:
    """Each kind's total (reversals included), in the kinds' order."""
    sums = dict(db.session.execute(sa.select(FundEntry.kind, sa.func.sum(FundEntry.usd_amount))
                                   .group_by(FundEntry.kind)).all())
    return {kind: sums.get(kind) for kind in ENTRY_KINDS}


@register_export("fund_entries", "The fund's direct costs, bank charges and other income, and their "
                                 "reversals (USD; --from, --to on the value date)", applies=PERIOD)
def fund_entries_export(filters: dict, user) -> tuple[list[Sheet], str]:
    if user is not None and user.role not in FINANCE_READERS:
        abort(403)
    officers = entry_proposals.officers_of()
    before = _("recorded alone, before entries needed a second MPTF officer")
    columns = [
        Col(_("Entry"), lambda e: e.id, "int"),
        Col(_("Value date"), lambda e: e.value_date, "date"),
        Col(_("Kind"), lambda e: str(e.kind_label), width=18),
        Col(_("Pool"), lambda e: str(e.pool.label), width=30),
        Col(_("Amount (USD)"), lambda e: e.usd_amount, "money", currency=USD),
        Col(_("Reverses entry"), lambda e: e.reverses_id, "int"),
        Col(_("Description / reason"), lambda e: e.description, width=50),
        Col(_("Proposed by"), lambda e: officers[e.id][0] if e.id in officers else before, width=24),
        Col(_("Confirmed by"), lambda e: officers[e.id][1] if e.id in officers else "", width=24),
    ]
    # What waits for a second MPTF officer, as the page shows it above the entries:
    # nothing of it is recorded (a reversal is dated the day it is confirmed).
    waiting = [
        Col(_("Proposal"), lambda p: p.id, "int"),
        Col(_("Kind"), lambda p: str(p.kind_label), width=18),
        Col(_("Reverses entry"), lambda p: p.reverses_id, "int"),
        Col(_("Pool"), lambda p: str(p.pool.label), width=30),
        Col(_("Amount (USD)"), lambda p: p.usd_amount, "money", currency=USD),
        Col(_("Value date"), lambda p: p.value_date, "date"),
        Col(_("Description / reason"), lambda p: p.description, width=50),
        Col(_("Proposed by"), lambda p: p.proposed_by.name or p.proposed_by.email, width=24),
        Col(_("When (UTC)"), lambda p: p.proposed_at, "datetime"),
    ]
    return ([Sheet(_("Fund entries"), columns, db.session.scalars(entries_query(filters)).all()),
             Sheet(_("Waiting entries"), waiting, entry_proposals.waiting())],
            _("Direct costs, bank charges and other income of the fund"))
