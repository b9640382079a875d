"""Money entering the fund: deposits (one MPTF officer's entry, checked against the
bank), and the checks that write nothing of what moves money on one person's word
and so is recorded only when a second confirms it (contributions/confirmed.py: a
deposit's reversal, interest and its reversal, transfers between pools; DESIGN.md §4).

Every running figure changes by one guarded UPDATE in the caller's transaction:
a commitment's `deposited` (never past the commitment) and a pool's figures
(through pools.move, never below zero). A correction is an offsetting entry with
a reason; nothing financial is ever edited or deleted.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..admin.models import FEE_RATE, setting_on, setting_versions, value_on
from ..audit import record
from ..clock import today
from ..errors import DomainError
from ..extensions import db
from ..formatting import date as fmt_date
from ..formatting import money as fmt_money
from ..formatting import rate as fmt_rate
from ..fund import guard, periods
from ..fund.status import closing_began_on
from ..money import MAX_AMOUNT, USD, split_deposit
from ..validation import check_text, too_long
from . import pools, references
from .models import Commitment, Deposit, InterestEntry, Pool
from .rates import (
    month_label,
    no_un_rate_yet_message,
    rate_for,
    rate_tolerance,
    require_near_un_rate,
    un_rate_near,
)
from .rules import amount_or_error, rate_or_error, text_or_error


def saa_refusal(donor, what: str) -> str:
    if donor.saa_status == "closed":  # never signed again: nothing to record first
        return _("%(what)s cannot be recorded: %(donor)s's SAA is closed, and a closed SAA is not signed "
                 "again.", what=what, donor=donor.name)
    return _("%(what)s needs a signed SAA in force, and %(donor)s's SAA is “%(status)s”. "
             "Record the signed SAA on the donor's page first.",
             what=what, donor=donor.name, status=donor.saa_label)


def before_signature_refusal(donor_name: str, signed_on: dt.date) -> DomainError:
    """A deposit dated before its donor signed the SAA (DESIGN §3: "Before contributing,
    a donor must sign the SAA"; §4: a deposit requires a signed SAA), refused beside its
    value date, as a commitment dated before it is (a colleague's review of the rules)."""
    return DomainError(_("%(donor)s's SAA was signed on %(date)s: money received before it is not recorded "
                         "against its commitment. Check the value date.", donor=donor_name,
                         date=fmt_date(signed_on)), field="value_date")


# The earliest value date: the statements' earliest day (statements.services.period_or_error).
# A deposit dated before it would be in no statement, and the certified final statements,
# which have no opening balance, would hold its reversal without it (closure.final).
FIRST_VALUE_DATE = dt.date(1990, 1, 1)


def value_date_or_error(value_date, field: str = "value_date", today_is: dt.date | None = None) -> dt.date:
    """A value date, not after today (`today_is`, given by a caller that checks many
    rows at one moment, else clock.today()), nor before FIRST_VALUE_DATE."""
    if not isinstance(value_date, dt.date):
        raise DomainError(_("Enter the value date."), field=field)
    if isinstance(value_date, dt.datetime):
        value_date = value_date.date()
    if value_date > (today_is or today()):
        raise DomainError(_("The value date cannot be in the future."), field=field)
    if value_date < FIRST_VALUE_DATE:
        raise DomainError(_("Enter a real value date."), field=field)
    return value_date


_LOOK_UP = object()


def deposit_rate(currency: str, value_date: dt.date, rate, rate_note: str,
                 table=_LOOK_UP, near=_LOOK_UP, tolerance: Decimal | None = None) -> tuple[Decimal, str]:
    """The rate a deposit uses: the UN rate of its value date's month, unless the
    officer gives another one, which then needs a note saying why and may differ from
    that UN rate (or, when the month has none, from the nearest month's) by at most
    the admin's tolerance (rates.rate_tolerance): a mistyped rate would credit the
    wrong dollars. `table`: the UN rate of that month, `near`: the nearest month's
    (rates.nearest_rate), `tolerance`: the setting, when the caller has them at hand
    (an import), else looked up."""
    if table is _LOOK_UP:
        table = rate_for(currency, value_date)
    note = (rate_note or "").strip()
    if note:
        check_text(note, "rate_note", multiline=True)
    if rate is None or str(rate).strip() == "":
        if table is None and (un_rate_near(currency, value_date, None) if near is _LOOK_UP else near) is None:
            raise DomainError(no_un_rate_yet_message(currency, value_date), field="rate")
        if table is None:
            raise DomainError(_("There is no UN operational rate for %(currency)s in %(month)s. "
                                "Propose it on the exchange rates page, or enter the rate here with a "
                                "note saying where it comes from.",
                                currency=currency, month=month_label(value_date)), field="rate")
        return table, note
    value = rate_or_error(rate, "rate", known=table)
    if currency == USD and value != 1:
        raise DomainError(_("A US dollar deposit is at rate 1."), field="rate")
    if value != table:
        require_near_un_rate(currency, value_date, value,
                             un_rate_near(currency, value_date, table) if near is _LOOK_UP else near,
                             rate_tolerance() if tolerance is None else tolerance)
    if value != table and not note:
        if table is None:
            message = _("There is no UN operational rate for %(currency)s in %(month)s: "
                        "say where this rate comes from.", currency=currency,
                        month=month_label(value_date))
        else:
            message = _("The UN operational rate for %(month)s is %(rate)s. Say why this deposit "
                        "uses another rate.", month=month_label(value_date), rate=fmt_rate(table))
        raise DomainError(message, field="rate_note")
    if len(note) > 2000:
        raise DomainError(too_long(2000), field="rate_note")
    return value, note


def add_to_deposited(commitment_id: int, amount: Decimal, usd: Decimal, fee: Decimal) -> bool:
    """deposited += amount (and its USD and fee to deposited_usd and deposit_fees) in
    one UPDATE that refuses to pass the commitment (less what was written off) or go
    below zero; False when refused. The one place the three sums are written: a
    deposit, a reversal, an import (one call per commitment)."""
    statement = (sa.update(Commitment)
                 .where(Commitment.id == commitment_id,
                        Commitment.deposited + Commitment.written_off + amount <= Commitment.amount,
                        Commitment.deposited + amount >= 0)
                 .values(deposited=Commitment.deposited + amount,
                         deposited_usd=Commitment.deposited_usd + usd,
                         deposit_fees=Commitment.deposit_fees + fee)
                 .execution_options(synchronize_session=False))
    return db.session.execute(statement).rowcount == 1


def add_to_loaded_commitment(commitment: Commitment, amount: Decimal, usd: Decimal, fee: Decimal) -> bool:
    """add_to_deposited() for a loaded commitment, whose sums are then read afresh."""
    done = add_to_deposited(commitment.id, amount, usd, fee)
    db.session.expire(commitment, ["deposited", "deposited_usd", "deposit_fees"])
    return done


@dataclass(slots=True)
class DepositFigures:
    """What a deposit's entries say, computed once at deposit time and stored."""

    value_date: dt.date
    amount: Decimal
    rate: Decimal
    rate_note: str
    fee_rate: Decimal
    usd: Decimal
    fee: Decimal
    net: Decimal


def deposit_figures(currency: str, *, value_date, amount, rate, rate_note: str, table=_LOOK_UP,
                    near=_LOOK_UP, tolerance: Decimal | None = None, fee_rate: Decimal | None = None,
                    today_is: dt.date | None = None) -> DepositFigures:
    """A deposit's figures, or a DomainError beside the field at fault: the value date
    is not in the future; the amount is positive with no more decimals than the
    currency has; the rate (deposit_rate); USD = amount ÷ rate, the fee is the fee
    rate in force on the value date, net = USD − fee, and both are at least a cent.
    `table`, `near`, `tolerance`, `fee_rate` and `today_is` are looked up unless the
    caller (an import) has them."""
    value_date = value_date_or_error(value_date, today_is=today_is)
    amount = amount_or_error(amount, currency, "amount")
    rate, rate_note = deposit_rate(currency, value_date, rate, rate_note, table, near, tolerance)
    if fee_rate is None:
        fee_rate = setting_on(FEE_RATE, value_date)
    usd, fee, net = split_deposit(amount, rate, fee_rate)
    if usd <= 0 or net <= 0:
        raise DomainError(_("At this rate the amount is worth less than one US cent after the fee."),
                          field="amount")
    if usd >= MAX_AMOUNT:  # a tiny (mistyped) rate: the dollars too would not fit any figure
        raise DomainError(_("The amount is too large."), field="amount")
    return DepositFigures(value_date, amount, rate, rate_note, fee_rate, usd, fee, net)


def past_commitment(outstanding: Decimal, currency: str) -> DomainError:
    return DomainError(_("This deposit would take the deposits past the commitment: only "
                         "%(outstanding)s is outstanding.",
                         outstanding=fmt_money(outstanding, currency)), field="amount")


def record_deposit(actor, commitment: Commitment, *, value_date, amount, rate=None, rate_note: str = "",
                   bank_reference: str = "", separate_transfer: bool = False,
                   separate_note: str = "") -> Deposit:
    """Cash received against a commitment. The donor's SAA must be in force; the
    figures follow deposit_figures(); the deposits never pass the commitment; the net
    amount credits the pool of the commitment's earmark. No deposit twice: a bank
    reference that a standing deposit holds is refused unless this one is marked a
    separate transfer with a note (references.py; the database has the last word).
    Nothing is dated in a closed year (fund.periods)."""
    donor = commitment.donor
    if not donor.saa_in_force:
        raise DomainError(saa_refusal(donor, _("A deposit")))
    currency = commitment.currency
    figures = deposit_figures(currency, value_date=value_date, amount=amount, rate=rate,
                              rate_note=rate_note)
    periods.require_open(figures.value_date, "value_date")
    if donor.saa_signed_on is not None and figures.value_date < donor.saa_signed_on:
        raise before_signature_refusal(donor.name, donor.saa_signed_on)
    reference, key, note = references.checked_reference(bank_reference, separate_transfer, separate_note)
    separate = bool(separate_transfer)
    if key is not None and not separate:
        existing = references.standing_deposit(key)
        if existing is not None:
            raise references.already_used(existing)
    pool = pools.pool_for_objective(commitment.objective_id)
    moved = references.moved_refusal(actor, key, commitment.donor_id, pool.id,
                                     transfer=(currency, figures.amount, figures.value_date))
    if moved is not None:
        raise moved
    if not add_to_loaded_commitment(commitment, figures.amount, figures.usd, figures.fee):
        raise past_commitment(commitment.outstanding, currency)
    deposit = Deposit(commitment_id=commitment.id, donor_id=commitment.donor_id, pool_id=pool.id,
                      value_date=figures.value_date, currency=currency, amount=figures.amount,
                      rate=figures.rate, rate_note=figures.rate_note, usd_amount=figures.usd,
                      fee_rate=figures.fee_rate, fee=figures.fee, net=figures.net,
                      bank_reference=reference, reference_key=key, separate_transfer=separate,
                      separate_note=note, created_by_id=getattr(actor, "id", None))
    db.session.add(deposit)
    try:
        db.session.flush()
    except IntegrityError as error:
        if references.is_duplicate(error):
            raise references.recorded_meanwhile() from None
        raise
    pools.move(pool.id, deposits_usd=figures.usd, fees=figures.fee, deposits_net=figures.net,
               available=figures.net)
    require_fee_rates_unchanged({figures.value_date: figures.fee_rate})
    record(actor, "deposit.create", deposit, note=note or None)
    return deposit


def require_fee_rates_unchanged(charged: dict[dt.date, Decimal]) -> None:
    """Deposits charge the fee rate in force on their value dates, read before they are
    written; a new fee rate's confirmation holds the pools while it checks that no
    deposit is dated on or after its first day, and writes it (admin.confirmed_settings).
    Asked again once this transaction holds its pool (pools.move): a rate confirmed
    between the deposit's read and its pool's move is seen here, and nothing is
    recorded (else the deposit would keep the old rate on a day the schedule says the
    new one was in force: `flask check` reports it). `charged`: {value date: fee rate}."""
    versions = setting_versions(FEE_RATE)
    if any(value_on(FEE_RATE, versions, day) != rate for day, rate in charged.items()):
        raise DomainError(fee_rate_changed_message())


def fee_rate_changed_message() -> str:
    return _("The Administrative Agent fee rate was changed while this was being recorded: nothing was "
             "recorded. Send it again to record it at the rate now in force.")


def pool_short(pool: Pool, needed: Decimal, what: str) -> DomainError:
    db.session.expire(pool)
    return DomainError(_("%(what)s would need %(needed)s from the %(pool)s pool, which has only "
                         "%(available)s available (the rest is committed to travel grants or spent).",
                         what=what, needed=fmt_money(needed, USD), pool=pool.sentence_name,
                         available=fmt_money(pool.available, USD)))


def reversal_checks(deposit: Deposit, reason: str) -> str:
    """confirmed.reverse_deposit()'s refusals but the pool's money (also said before the
    confirmation: previews.deposit_reversal), and the reason as it is kept. Once any
    pool's balance is decided on (refunded to its donors in proportion to their net
    deposits, transferred or waived), no deposit is reversed: a decision counts every
    deposit whose money reached its pool, directly or by a transfer between pools
    (nothing is decided while a commitment is outstanding, so no deposit comes after),
    and reversing one would take back money the donors' shares were computed with."""
    guard.refuse_if_closed(db.session())  # a closed fund says so first: nothing at all is recorded
    periods.require_open(today())
    if deposit.is_reversal:
        raise DomainError(_("A reversal cannot itself be reversed; record a new deposit instead."))
    if deposit.reversed_by is not None:
        raise DomainError(_("This deposit has already been reversed."))
    decided_on = closing_began_on()
    if decided_on is not None:
        raise DomainError(_("The pools' balances have been under decision since %(date)s (refunded to the "
                            "donors in proportion to their net deposits, transferred to another fund or "
                            "waived): no deposit can be reversed any more.", date=fmt_date(decided_on)))
    return text_or_error(reason, "reason", _("Say why the deposit is reversed."))


def require_no_closing_decision() -> None:
    """No money moves between pools once any pool's balance is decided on: a decision
    splits its pool's money among the donors by their net deposits there, and money
    that reached a decided pool later would be split as income that is no donor's,
    though it carries a donor's weight (found by a colleague's review: a pool's last
    5,000.00, moved into a pool already refunded, went mostly to other donors). Each
    pool's balance is decided on where it is."""
    decided_on = closing_began_on()
    if decided_on is not None:
        raise DomainError(_("The pools' balances have been under decision since %(date)s (refunded to the "
                            "donors in proportion to their net deposits, transferred to another fund or "
                            "waived): no money moves between pools any more.", date=fmt_date(decided_on)))


def interest_reversal_checks(entry: InterestEntry, reason: str) -> str:
    """The refusals of an interest entry's reversal that need nothing written
    (confirmed.reverse_interest, and interest_changes before it waits for a second officer):
    today in a closed year, a reversal of a reversal, an entry already reversed, no
    reason. Returns the reason."""
    periods.require_open(today())
    if entry.reverses_id is not None:
        raise DomainError(_("A reversal cannot itself be reversed."))
    if db.session.scalar(sa.select(InterestEntry.id).where(InterestEntry.reverses_id == entry.id)):
        raise DomainError(_("This interest entry has already been reversed."))
    return text_or_error(reason, "reason", _("Say why the interest entry is reversed."))
