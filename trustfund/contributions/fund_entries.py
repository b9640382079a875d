"""The fund's own entries (fund.entries.FundEntry): direct costs and bank charges,
paid from a pool's available money, and other income, credited to a pool; in USD,
as the MPTF Gateway's funding status reports them. A correction is a reversal
dated today with a reason. Each moves its pool through pools.move, in one place
per kind of change (record_fund_entry, reverse_fund_entry); a reversal's refusals
that need nothing written are also said before it is confirmed (reversal_checks).

Each is recorded only when a second MPTF officer confirms it: only
closure.entry_proposals imports this module (the import-linter contract
"fund-entries-confirmed", as contributions/confirmed.py)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..clock import reversal_day, today
from ..errors import DomainError
from ..extensions import db
from ..formatting import money as fmt_money
from ..fund import periods
from ..fund.entries import ENTRY_KINDS, INCOME_KINDS, FundEntry, pool_moves, reversal_moves
from ..money import USD
from . import pools
from .ledger import value_date_or_error
from .models import Pool
from .rules import text_or_error, usd_or_error

# What moves money here: imported only inside the confirming function of an allowed
# module (.importlinter; tests/unit/test_structure.py).
__all__ = ["record_fund_entry", "reverse_fund_entry"]


def _short(pool: Pool, usd) -> DomainError:
    db.session.expire(pool)
    return DomainError(_("The %(pool)s pool has only %(available)s available, less than %(amount)s.",
                         pool=pool.sentence_name, available=fmt_money(pool.available, USD),
                         amount=fmt_money(usd, USD)), field="usd_amount")


def entry_checks(kind: str, pool_id, value_date, usd_amount, description: str,
                 today_is=None) -> tuple[Pool, object, object, str]:
    """The refusals of an entry that need nothing written (record_fund_entry, and
    closure.entry_proposals before it waits for a second officer): its kind, pool,
    value date (in an open year, not after `today_is`), amount and description.
    Returns (pool, value date, USD amount, description)."""
    if kind not in ENTRY_KINDS:
        raise DomainError(_("Choose the kind of entry."), field="kind")
    pool = db.session.get(Pool, pool_id) if pool_id else None
    if pool is None:
        raise DomainError(_("Choose a pool."), field="pool_id")
    value_date = value_date_or_error(value_date, today_is=today_is)
    periods.require_open(value_date, "value_date")
    usd = usd_or_error(usd_amount, "usd_amount")
    description = text_or_error(description, "description", _("Say what the entry is."))
    return pool, value_date, usd, description


def cost_the_pool_cannot_pay(kind: str, pool: Pool, usd, value_date) -> None:
    """A direct cost or a bank charge of more than its pool has available now is
    refused beside its amount (before it waits for a second officer: pools.move
    refuses it again when it is recorded); one of more than the pool held on its value
    date and after, beside its value date (pools.held_from)."""
    if kind in INCOME_KINDS:
        return
    if pool.available < usd:
        raise _short(pool, usd)
    pools.refuse_before_its_money(pool, usd, value_date, "value_date")



def record_fund_entry(actor, *, kind: str, pool_id, value_date, usd_amount, description: str,
                      today_is=None) -> FundEntry:
    """A direct cost or a bank charge paid from a pool (only from its available money:
    never below zero), or other income credited to it; dated in an open year, with a
    description. Recorded once a second MPTF officer confirms it
    (closure.entry_proposals); `today_is`: the latest day its value date may be."""
    pool, value_date, usd, description = entry_checks(kind, pool_id, value_date, usd_amount, description,
                                                      today_is)
    if kind not in INCOME_KINDS:
        # Held first, and read again: money reaching the pool after it was read cannot
        # let the cost skip its value date's check (PostgreSQL: a colleague's income dated
        # later let a cost the pool could not pay then pass the guarded UPDATE).
        pools.hold(pool.id)
        db.session.expire(pool)
        pools.refuse_before_its_money(pool, usd, value_date, "value_date")
    entry = FundEntry(kind=kind, pool_id=pool.id, value_date=value_date, usd_amount=usd,
                      description=description, created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    try:
        pools.move(pool.id, **pool_moves(kind, usd))
    except pools.InsufficientFunds:
        raise _short(pool, usd) from None
    record(actor, "fund_entry.create", entry)
    return entry


def reversal_checks(entry: FundEntry, reason: str) -> str:
    """The refusals of a reversal that need nothing written (reverse_fund_entry, and
    closure.previews.entry_reversal before it is confirmed): today in a closed year, a
    reversal of a reversal, an entry already reversed, no reason. Returns the reason."""
    periods.require_open(today())
    if entry.reverses_id is not None:
        raise DomainError(_("A reversal cannot itself be reversed."))
    if db.session.scalar(sa.select(FundEntry.id).where(FundEntry.reverses_id == entry.id)):
        raise DomainError(_("This entry has already been reversed."))
    return text_or_error(reason, "reason", _("Say why the entry is reversed."))


def reversal_short(pool: Pool) -> DomainError:
    """The refusal of a reversal that would take the pool's available money below zero,
    with the pool's figure as read."""
    return DomainError(_("The %(pool)s pool has only %(available)s available: this reversal would take it "
                         "below zero.",
                         pool=pool.sentence_name, available=fmt_money(pool.available, USD)))


def reverse_fund_entry(actor, entry: FundEntry, reason: str) -> FundEntry:
    """Reverse an entry by an offsetting one dated today (in the open year), naming it,
    with a reason. Reversing income takes it back only from money still available."""
    reason = reversal_checks(entry, reason)
    reversal = FundEntry(kind=entry.kind, pool_id=entry.pool_id, value_date=reversal_day(entry.value_date),
                         usd_amount=-entry.usd_amount, description=reason, reverses_id=entry.id,
                         created_by_id=getattr(actor, "id", None))
    db.session.add(reversal)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(_("This entry has already been reversed.")) from None
    try:
        pools.move(entry.pool_id, **reversal_moves(entry))
    except pools.InsufficientFunds:
        pool = db.session.get(Pool, entry.pool_id)
        db.session.expire(pool)
        raise reversal_short(pool) from None
    record(actor, "fund_entry.reverse", reversal, note=reason)
    return reversal
