"""The entries that move a pool's money on one MPTF officer's or administrator's
word, and so are made only when a second one confirms them (DESIGN.md §5: nobody
alone moves money): a deposit's reversal (reversal_changes), interest and its
reversal (interest_changes), a transfer between pools (transfer_changes), and a
month's UN rate, which every deposit of the month takes without a note (rate_changes
for one rate, rate_import for a file of them).

Each function here records its entry at once, with every check; the module of its
confirmation calls it inside the guarded UPDATE of the proposal's status, the
confirming person as its recorder, imported inside that function. Nothing else
imports this module: the import-linter contract "money-moves-confirmed"
(.importlinter) refuses any other importer, the demo and the command line included,
and tests/unit/test_structure.py any module holding one of its functions (a name
re-exported through an allowed module), so no page, command or service records one
of these entries on one person's word. The checks that write nothing
(ledger.reversal_checks, ledger.interest_reversal_checks, ledger.value_date_or_error)
stay in ledger.py, where the proposals and the previews read them too.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..audit import record, snapshot
from ..clock import reversal_day, today
from ..errors import DomainError
from ..extensions import db
from ..formatting import money as fmt_money
from ..fund import periods
from ..money import USD
from ..validation import too_long
from . import pools
from .ledger import (
    add_to_loaded_commitment,
    interest_reversal_checks,
    pool_short,
    require_no_closing_decision,
    reversal_checks,
    value_date_or_error,
)
from .models import Deposit, ExchangeRate, InterestEntry, Pool, PoolTransfer
from .rates import RateChange, checked_rate, month_label
from .rules import negate, text_or_error, usd_or_error

# What moves money here: imported only inside the confirming function of an allowed
# module (.importlinter; tests/unit/test_structure.py).
__all__ = ["record_interest", "reverse_deposit", "reverse_interest", "set_rate", "transfer"]


def reverse_deposit(actor, deposit: Deposit, reason: str) -> Deposit:
    """Reverse a deposit by an offsetting entry (never delete or edit it): the
    commitment's deposits and the pool's figures go back by exactly the original's
    amounts. Refused when the pool's money is already committed to grants. The
    reversal is dated today (never before the deposit: clock.reversal_day), in the open
    year, and names the deposit it corrects
    (`reverses_id`), even when that deposit is in a closed year."""
    reason = reversal_checks(deposit, reason)
    reversal = Deposit(commitment_id=deposit.commitment_id, donor_id=deposit.donor_id,
                       pool_id=deposit.pool_id, value_date=reversal_day(deposit.value_date),
                       currency=deposit.currency,
                       amount=negate(deposit.amount, deposit.currency), rate=deposit.rate,
                       rate_note=deposit.rate_note, usd_amount=-deposit.usd_amount,
                       fee_rate=deposit.fee_rate, fee=-deposit.fee, net=-deposit.net,
                       bank_reference=deposit.bank_reference, reverses_id=deposit.id, reason=reason,
                       created_by_id=getattr(actor, "id", None))
    db.session.add(reversal)
    # A reversed deposit holds its bank reference no more: it may be recorded again.
    deposit.reference_key = None
    try:
        db.session.flush()
    except IntegrityError:
        # Someone reversed it at the same moment: the unique reverses_id refused ours.
        raise DomainError(_("This deposit has already been reversed.")) from None
    # The commitment's row before the pool's, in the order record_deposit takes them:
    # in the other order, a deposit and a reversal on the same commitment deadlocked
    # on PostgreSQL.
    if not add_to_loaded_commitment(deposit.commitment, -deposit.amount, -deposit.usd_amount, -deposit.fee):
        raise DomainError(_("The commitment's deposits do not match its entries: ask the administrator "
                            "of the application to run the ledger check."))
    try:
        pools.move(deposit.pool_id, deposits_usd=-deposit.usd_amount, fees=-deposit.fee,
                   deposits_net=-deposit.net, available=-deposit.net)
    except pools.InsufficientFunds:
        raise pool_short(deposit.pool, deposit.net, _("This reversal")) from None
    record(actor, "deposit.reverse", reversal, note=reason)
    return reversal


def record_interest(actor, *, value_date, usd_amount, note: str = "", today_is=None) -> InterestEntry:
    """Interest earned by the fund: a USD entry credited to the un-earmarked pool.
    Recorded once a second MPTF officer confirms it (interest_changes); `today_is`: the
    latest day its value date may be."""
    value_date = value_date_or_error(value_date, today_is=today_is)
    periods.require_open(value_date, "value_date")
    usd = usd_or_error(usd_amount, "usd_amount")
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError(too_long(2000), field="note")
    pool = pools.unearmarked_pool()
    entry = InterestEntry(pool_id=pool.id, value_date=value_date, usd_amount=usd, note=note,
                          created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    pools.move(pool.id, interest=usd, available=usd)
    record(actor, "interest.create", entry)
    return entry


def reverse_interest(actor, entry: InterestEntry, reason: str) -> InterestEntry:
    """Reverse an interest entry by an offsetting one with a reason, dated today (in
    the open year), naming the entry it corrects."""
    reason = interest_reversal_checks(entry, reason)
    reversal = InterestEntry(pool_id=entry.pool_id, value_date=reversal_day(entry.value_date),
                             usd_amount=-entry.usd_amount,
                             note=reason, reverses_id=entry.id, created_by_id=getattr(actor, "id", None))
    db.session.add(reversal)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(_("This interest entry has already been reversed.")) from None
    try:
        pools.move(entry.pool_id, interest=-entry.usd_amount, available=-entry.usd_amount)
    except pools.InsufficientFunds:
        raise pool_short(entry.pool, entry.usd_amount, _("This reversal")) from None
    record(actor, "interest.reverse", reversal, note=reason)
    return reversal


def _pool(value) -> Pool:
    pool = value if isinstance(value, Pool) else db.session.get(Pool, value)
    if pool is None:
        raise DomainError(_("No such pool."))
    return pool


def transfer(actor, from_pool, to_pool, usd_amount, reason: str, on: dt.date | None = None,
             today_is: dt.date | None = None) -> PoolTransfer:
    """Move available money from one pool to another (un-earmarked money to any pool,
    Objective 1's surplus to Objective 2: pools.refuse_leaving_its_earmark), with a
    reason. Only money not committed to grants can move: the source pool's available
    figure never goes below zero. The value date is not after today (`today_is`, given
    by a confirmation, else clock.today())."""
    source = _pool(from_pool)
    target = _pool(to_pool)
    if source.id == target.id:
        raise DomainError(_("Choose two different pools."), field="to_pool_id")
    usd = usd_or_error(usd_amount, "usd_amount")
    reason = text_or_error(reason, "reason", _("Say why the money moves."))
    on = value_date_or_error(on or today(), "transferred_on", today_is)
    periods.require_open(on, "transferred_on")
    require_no_closing_decision()
    # Both pools held, in id order as move_many takes them, and read again: money reaching
    # the source after it was read cannot let the transfer skip its value date's check.
    for pool_id in sorted((source.id, target.id)):
        pools.hold(pool_id)
    db.session.expire(source)
    pools.refuse_leaving_its_earmark(source, target, usd)  # with the transfers made meanwhile
    pools.refuse_before_its_money(source, usd, on, "transferred_on")
    entry = PoolTransfer(from_pool_id=source.id, to_pool_id=target.id, usd_amount=usd,
                         transferred_on=on, reason=reason, created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    try:
        pools.move_many([(source.id, {"available": -usd, "transfers_out": usd}),
                         (target.id, {"available": usd, "transfers_in": usd})])
    except pools.InsufficientFunds:
        db.session.expire(source)
        raise DomainError(_("The %(pool)s pool has only %(available)s available.",
                            pool=source.sentence_name, available=fmt_money(source.available, USD)),
                          field="usd_amount") from None
    record(actor, "pool.transfer", entry, note=reason)
    return entry


def set_rate(actor, currency: str, month: dt.date, rate, *, entry: ExchangeRate | None = None,
             version=None, adding: bool = False, others_checked: bool = False,
             proposed_by_id: int | None = None, rate_file_id: int | None = None) -> ExchangeRate:
    """Set (or correct) the UN operational rate of a currency for a month, checked by
    checked_rate (its arguments). A deposit keeps the rate it was recorded with:
    changing the table never changes a deposit. On the pages a rate takes two MPTF
    officers (rate_changes): this writes what the second (`actor`) confirmed, and who
    proposed it (or uploaded the rates file `rate_file_id`), which the rates page and
    its .xlsx show."""
    change = checked_rate(currency, month, rate, entry=entry, version=version, adding=adding,
                          others_checked=others_checked)
    if change.unchanged:
        return change.target
    who = {"proposed_by_id": proposed_by_id, "confirmed_by_id": getattr(actor, "id", None),
           "rate_file_id": rate_file_id}
    if change.target is not None:
        before = snapshot(change.target)
        change.target.currency, change.target.month, change.target.rate = change.currency, change.month, \
            change.rate
        for key, value in who.items():
            setattr(change.target, key, value)
        _written(change)
        record(actor, "exchange_rate.update", change.target, before=before)
        return change.target
    created = ExchangeRate(currency=change.currency, month=change.month, rate=change.rate,
                           created_by_id=getattr(actor, "id", None), **who)
    db.session.add(created)
    _written(change)
    record(actor, "exchange_rate.create", created)
    return created


def _written(change: RateChange) -> None:
    """Flush the rate set: a month given its rate meanwhile by another officer's
    confirmation (a rate, a rates file, a correction moved to that month) answers in
    words, nothing changed (errors.run rolls the transaction back), not a server error."""
    try:
        db.session.flush()
    except IntegrityError as error:
        if "exchange_rate" not in str(error.orig) or "month" not in str(error.orig):
            raise
        raise DomainError(_("The UN rate of %(currency)s for %(month)s was set meanwhile by another MPTF "
                            "officer: nothing was changed. Reload the page to see it.",
                            currency=change.currency, month=month_label(change.month))) from None
