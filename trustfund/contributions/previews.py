"""What a correction or a movement of money will do, said before it is done
(confirmation.py): reversals, transfers between pools and withdrawn pledges, with
the services' own checks in their words and the amounts that will move, from the
figures as they are now. Nothing here writes."""
from __future__ import annotations

from flask_babel import gettext as _

from ..clock import today
from ..confirmation import Summary, each
from ..errors import DomainError
from ..extensions import db
from ..formatting import date
from ..formatting import money as fmt_money
from ..formatting import rate as fmt_rate
from ..money import USD
from . import interest_changes, pools, reversal_changes
from .ledger import value_date_or_error
from .models import Deposit, InterestEntry, Pledge, Pool
from .rules import text_or_error, usd_or_error


def available_after(pool: Pool, change) -> str:
    """A pool's available money now and after the change, in words."""
    return _("%(pool)s: %(now)s available now, %(after)s after.", pool=pool.short_name,
             now=fmt_money(pool.available, USD), after=fmt_money(pool.available + change, USD))


def deposit_reversal(deposit: Deposit, reason: str, actor=None) -> Summary:
    """A reversal records the opposite amounts and takes the net back from the pool once
    a second MPTF officer confirms it: refused as its proposal is refused
    (reversal_changes.reversal_refusals: those of confirmed.reverse_deposit, a pool that has
    not the net available, a reversal already waiting)."""
    reason = reversal_changes.reversal_refusals(deposit, reason, actor)
    pool, commitment, currency = deposit.pool, deposit.commitment, deposit.currency
    summary = Summary(_("Reverse deposit #%(id)s", id=deposit.id), [
        (_("Donor"), deposit.donor.name), (_("Value date"), date(deposit.value_date)),
        (_("Amount"), fmt_money(deposit.amount, currency)), (_("Rate"), fmt_rate(deposit.rate)),
        (_("USD"), fmt_money(deposit.usd_amount, USD)), (_("Fee"), fmt_money(deposit.fee, USD)),
        (_("Net"), fmt_money(deposit.net, USD)), (_("Reason"), reason)])
    summary.lines += [
        _("Nothing is recorded until another MPTF officer confirms the reversal. It is then dated the day "
          "of the confirmation and records the opposite amounts: %(amount)s, %(usd)s, fee %(fee)s, net "
          "%(net)s. The deposit stays on record, marked reversed.",
          amount=fmt_money(-deposit.amount, currency), usd=fmt_money(-deposit.usd_amount, USD),
          fee=fmt_money(-deposit.fee, USD), net=fmt_money(-deposit.net, USD)),
        _("The net amount, %(net)s, is taken back from the %(pool)s pool.", net=fmt_money(deposit.net, USD),
          pool=pool.sentence_name), available_after(pool, -deposit.net),
        _("Deposited against the commitment: %(now)s now, %(after)s after, of %(committed)s.",
          now=fmt_money(commitment.deposited, currency),
          after=fmt_money(commitment.deposited - deposit.amount, currency),
          committed=fmt_money(commitment.amount, currency))]
    return summary


def interest_reversal(entry: InterestEntry, reason: str) -> Summary:
    """The refusals of its proposal (interest_changes.reversal_refusals: those of
    confirmed.reverse_interest, and a reversal already waiting), then what it will do once
    a second MPTF officer confirms it."""
    reason = interest_changes.reversal_refusals(entry, reason)
    pool = db.session.get(Pool, entry.pool_id)
    summary = Summary(_("Reverse interest entry #%(id)s", id=entry.id), [
        (_("Value date"), date(entry.value_date)), (_("Amount (USD)"), fmt_money(entry.usd_amount, USD)),
        (_("Reason"), reason)])
    summary.lines += [
        _("Nothing is recorded until another MPTF officer confirms the reversal. It is then dated the day "
          "of the confirmation, records %(amount)s and names entry #%(id)s, which stays on record, marked "
          "reversed.", amount=fmt_money(-entry.usd_amount, USD), id=entry.id),
        _("%(amount)s is taken back from the %(pool)s pool.", amount=fmt_money(entry.usd_amount, USD),
          pool=pool.sentence_name), available_after(pool, -entry.usd_amount)]
    return summary


def transfer(from_pool_id, to_pool_id, usd_amount, reason: str, on) -> Summary:
    """Only available money moves, between two different pools, with a reason and a
    date (confirmed.transfer); every refusal of the form at once."""
    source, target = db.session.get(Pool, from_pool_id or 0), db.session.get(Pool, to_pool_id or 0)
    if source is None or target is None:
        raise DomainError(_("No such pool."))

    def different():
        if source.id == target.id:
            raise DomainError(_("Choose two different pools."), field="to_pool_id")

    found = each({"pools": different, "usd": lambda: usd_or_error(usd_amount, "usd_amount"),
                  "reason": lambda: text_or_error(reason, "reason", _("Say why the money moves.")),
                  "on": lambda: value_date_or_error(on or today(), "transferred_on")})
    usd = found["usd"]
    pools.refuse_leaving_its_earmark(source, target, usd)
    if source.available < usd:
        raise DomainError(_("The %(pool)s pool has only %(available)s available.",
                            pool=source.sentence_name, available=fmt_money(source.available, USD)),
                          field="usd_amount")
    pools.refuse_before_its_money(source, usd, found["on"], "transferred_on")
    summary = Summary(_("Transfer between pools"), [
        (_("From pool"), source.label), (_("To pool"), target.label),
        (_("Amount (USD)"), fmt_money(usd, USD)), (_("Date"), date(found["on"])),
        (_("Reason"), found["reason"])])
    summary.lines += [_("%(amount)s moves from the %(source)s pool to the %(target)s pool.",
                        amount=fmt_money(usd, USD), source=source.sentence_name, target=target.sentence_name),
                      available_after(source, -usd), available_after(target, usd),
                      _("Nothing moves until a second administrator confirms the transfer.")]
    return summary


def pledge_withdrawal(pledge: Pledge, reason: str) -> Summary:
    """What is still pledged is withdrawn; the commitments against the pledge stand."""
    if pledge.withdrawn_at is not None:
        raise DomainError(_("This pledge was already withdrawn."))
    if not pledge.is_open:
        raise DomainError(_("This pledge is fulfilled: its commitments cover the whole amount, so nothing "
                            "is still pledged."))
    reason = text_or_error(reason, "reason", _("Say why the pledge is withdrawn."))
    currency = pledge.currency
    summary = Summary(_("Withdraw the pledge"), [
        (_("Donor"), pledge.donor.name), (_("Date of the pledge"), date(pledge.pledged_on)),
        (_("Amount"), fmt_money(pledge.amount, currency)),
        (_("Committed against it"), fmt_money(pledge.fulfilled, currency)), (_("Reason"), reason)])
    summary.lines.append(_("%(rest)s still pledged is withdrawn: the pledge stays on record, marked "
                           "withdrawn with your reason.", rest=fmt_money(pledge.rest, currency)))
    if pledge.fulfilled > 0:
        summary.lines.append(_("The commitments recorded against it, %(amount)s, stand.",
                               amount=fmt_money(pledge.fulfilled, currency)))
    return summary
