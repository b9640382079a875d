"""No deposit twice (issue 14): a bank reference already held by a standing deposit
(one that is neither a reversal nor reversed) is refused, on the form and in the
import, unless the officer marks the new deposit a separate transfer and says why.

References are compared by their key (rules.reference_key: NFKC, case-folded, no
white space). The look-up here gives the officer a clear message naming the deposit;
the partial unique index on Deposit.reference_key is what holds under concurrency:
of two requests that both passed the look-up, the database refuses the second.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..admin.models import PENDING
from ..donors.models import Donor
from ..errors import DomainError
from ..extensions import db
from ..formatting import date as fmt_date
from ..formatting import money as fmt_money
from ..validation import check_text, text_problem, too_long
from .models import Deposit, DepositReversalProposal, Pool
from .rules import REFERENCE_KEY_LENGTH, reference_key

MAX_REFERENCE = 100
MAX_NOTE = 2000
# Keys per look-up statement (well under SQLite's and PostgreSQL's parameter limits).
CHUNK = 500


def checked_reference(bank_reference: str | None, separate: bool, note: str | None,
                      note_field: str = "separate_note") -> tuple[str, str | None, str]:
    """(reference, key, note) of a typed-in or imported deposit, or a DomainError:
    plain text of at most 100 characters; a separate transfer says why."""
    # Imports reach here without a form: control and bidi-override characters are refused here too.
    reference = (bank_reference or "").strip()
    if reference:
        check_text(reference, "bank_reference")
    if len(reference) > MAX_REFERENCE:
        raise DomainError(too_long(MAX_REFERENCE), field="bank_reference")
    key = reference_key(reference)
    if key is not None and len(key) > REFERENCE_KEY_LENGTH:
        raise DomainError(too_long(MAX_REFERENCE), field="bank_reference")
    note = (note or "").strip()
    if note:
        check_text(note, note_field, multiline=True)
    if len(note) > MAX_NOTE:
        raise DomainError(too_long(MAX_NOTE), field=note_field)
    if separate and not note:
        raise DomainError(_("Say why this transfer is separate from the deposit with the same bank "
                            "reference."), field=note_field)
    return reference, key, note


def standing_deposit(key: str | None) -> Deposit | None:
    """The first standing deposit that holds the reference key, if any (none for a
    key no reference could have: one the text checks refuse never reaches the database)."""
    if key is None or len(key) > REFERENCE_KEY_LENGTH or text_problem(key) is not None:
        return None
    return db.session.scalar(sa.select(Deposit).where(Deposit.reference_key == key)
                             .order_by(Deposit.id).limit(1))


def standing_deposits(keys: Iterable[str]) -> dict[str, sa.Row]:
    """For each of the keys held by a standing deposit, the first such deposit (id,
    currency, amount, value date), for imports: one statement on PostgreSQL (the keys
    as one array), one per CHUNK keys elsewhere."""
    found: dict[str, sa.Row] = {}
    wanted = sorted(set(keys))
    columns = (Deposit.reference_key, Deposit.id, Deposit.currency, Deposit.amount, Deposit.value_date)
    if db.session.get_bind().dialect.name == "postgresql":
        among = [Deposit.reference_key == sa.any_(sa.bindparam("keys", wanted, type_=ARRAY(sa.String)))]
        queries = [sa.select(*columns).where(*among)] if wanted else []
    else:
        queries = [sa.select(*columns).where(Deposit.reference_key.in_(wanted[start:start + CHUNK]))
                   for start in range(0, len(wanted), CHUNK)]
    for query in queries:
        for row in db.session.execute(query.order_by(Deposit.id)):
            found.setdefault(row.reference_key, row)
    return found


def already_used(existing, *, imported: bool = False) -> DomainError:
    """The refusal of a reference that `existing` (a deposit or a row of one) holds."""
    values = {"id": existing.id, "amount": fmt_money(existing.amount, existing.currency),
              "date": fmt_date(existing.value_date)}
    if imported:
        message = _("Deposit #%(id)s (%(amount)s, value date %(date)s) already has this bank reference. "
                    "If this is a separate transfer, say why in the “Separate transfer note” column.",
                    **values)
    else:
        message = _("Deposit #%(id)s (%(amount)s, value date %(date)s) already has this bank reference. "
                    "If this is a separate bank transfer, tick “This is a separate bank transfer with the "
                    "same reference” and say why.",
                    **values)
    return DomainError(message, field="bank_reference")


class Reversed(NamedTuple):
    """A deposit its officer reversed, as moved_refusal() needs it (plain values: the
    import asks while its COPY holds the connection, when nothing may be loaded)."""

    donor_id: int
    pool_id: int
    donor_name: str
    pool_name: str  # for "the %(pool)s pool" (Pool.sentence_name)
    value_date: dt.date


Transfer = tuple[str, Decimal, dt.date]  # a bank transfer's currency, amount and value date


@dataclass
class Reversals:
    """The deposits an officer reversed, the latest of each: by their bank reference's
    key, and by their bank transfer (currency, amount, value date), which a deposit
    recorded again without its reference, or with it written another way, still has."""

    by_key: dict[str, Reversed] = field(default_factory=dict)
    by_transfer: dict[Transfer, Reversed] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_key or self.by_transfer)


def reversed_by(actor, keys: Iterable[str] | None = None) -> Reversals:
    """The deposits `actor` reversed: those whose reversal `actor` proposed
    (reversal_changes: another officer confirmed it, or it still waits for one: the
    transfer recorded elsewhere meanwhile would be moved once it is confirmed), or
    recorded alone before a reversal took two; by reference only those among `keys`
    if given. A reversal
    frees its deposit's reference so that the same bank transfer can be recorded
    again, correctly: see moved_refusal(). The officer's reversals are read as plain
    columns (their keys are computed here: NFKC is not SQL); names only for the ones
    kept."""
    actor_id = getattr(actor, "id", None)
    if actor_id is None:
        return Reversals()
    reversal = sa.orm.aliased(Deposit)
    reverser = sa.func.coalesce(DepositReversalProposal.proposed_by_id, reversal.created_by_id)
    wanted = None if keys is None else set(keys)
    by_key: dict[str, tuple] = {}
    by_transfer: dict[Transfer, tuple] = {}
    columns = (Deposit.bank_reference, Deposit.donor_id, Deposit.pool_id, Deposit.value_date,
               Deposit.currency, Deposit.amount)
    recorded = db.session.execute(
        sa.select(*columns)
        .join(reversal, reversal.reverses_id == Deposit.id)
        .outerjoin(DepositReversalProposal, DepositReversalProposal.reversal_id == reversal.id)
        # "> 0", not IS NOT NULL: SQLite then reads the reversals alone through
        # the unique index on reverses_id (a few hundred rows of 100,000).
        .where(reversal.reverses_id > 0, reverser == actor_id)
        .order_by(reversal.id)).all()
    waiting = db.session.execute(
        sa.select(*columns)
        .join(DepositReversalProposal, DepositReversalProposal.deposit_id == Deposit.id)
        .where(DepositReversalProposal.status == PENDING, DepositReversalProposal.proposed_by_id == actor_id)
        .order_by(DepositReversalProposal.id)).all()
    for reference, donor_id, pool_id, value_date, currency, amount in recorded + waiting:
        found = (donor_id, pool_id, value_date)  # the latest reversal wins
        by_transfer[(currency, amount, value_date)] = found
        key = reference_key(reference) if reference else None
        if key is not None and (wanted is None or key in wanted):
            by_key[key] = found
    if not by_transfer:
        return Reversals()
    kept = list(by_key.values()) + list(by_transfer.values())
    names = dict(db.session.execute(sa.select(Donor.id, Donor.name).where(
        Donor.id.in_({donor_id for donor_id, _pool, _on in kept}))).all())
    labels = {pool.id: str(pool.sentence_name) for pool in db.session.scalars(
        sa.select(Pool).options(joinedload(Pool.objective))
        .where(Pool.id.in_({pool_id for _donor, pool_id, _on in kept})))}

    def named(donor_id, pool_id, value_date) -> Reversed:
        return Reversed(donor_id, pool_id, names[donor_id], labels[pool_id], value_date)

    return Reversals({key: named(*found) for key, found in by_key.items()},
                     {transfer: named(*found) for transfer, found in by_transfer.items()})


def moved_refusal(actor, key: str | None, donor_id: int, pool_id: int,
                  reversed_deposits: Reversals | None = None, *,
                  transfer: Transfer | None = None) -> DomainError | None:
    """Why `actor` may not record this bank transfer (its reference's `key`; its
    currency, amount and value date, `transfer`) for this donor and pool, or None.
    Reversing a deposit and recording its bank transfer again for another donor or
    pool moves money between donors or pools (a transfer between pools takes two
    administrators; the donors' shares and refunds follow their net deposits), and the
    bank's statement would still match: the officer who reversed it (who proposed its
    reversal) does not do both; another MPTF officer records it (the one who confirmed
    the reversal, or a third). Recorded again for the same donor and pool (a corrected
    amount or date), it is the officer's own correction. The transfer is known by its
    reference, or, when the reference is left out or written another way, by its
    currency, amount and value date."""
    if key is None and transfer is None:
        return None
    if reversed_deposits is None:
        reversed_deposits = reversed_by(actor, {key} if key is not None else set())
    found = reversed_deposits.by_key.get(key) if key is not None else None
    if found is not None:
        if (found.donor_id, found.pool_id) == (donor_id, pool_id):
            return None
        return DomainError(_("You reversed the deposit of this bank transfer for %(donor)s (the %(pool)s "
                             "pool, value date %(date)s). Recorded for another donor or pool it would move "
                             "money between them: another MPTF officer records it.",
                             donor=found.donor_name, pool=found.pool_name, date=fmt_date(found.value_date)),
                           field="bank_reference")
    found = reversed_deposits.by_transfer.get(transfer) if transfer is not None else None
    if found is None or (found.donor_id, found.pool_id) == (donor_id, pool_id):
        return None
    currency, amount, value_date = transfer
    return DomainError(_("You reversed a deposit of %(amount)s with this value date for %(donor)s (the "
                         "%(pool)s pool). If this is the same bank transfer, recorded for another donor or "
                         "pool it would move money between them: another MPTF officer records it.",
                         amount=fmt_money(amount, currency), donor=found.donor_name, pool=found.pool_name),
                       field="amount")


def transfer_recorded_elsewhere(officer_id: int | None, deposit: Deposit) -> Deposit | None:
    """A standing deposit the officer recorded of the same bank transfer as `deposit`
    (its reference, or its currency, amount and value date) for another donor or pool,
    the latest; None if there is none. The reversal of `deposit` would then complete
    the move of its money on that officer's word alone (moved_refusal, the other way
    round): the officer does not propose it (recorded_elsewhere), and a proposal made
    at the same moment as the deposit (two tabs) is not confirmed (reversal_changes)."""
    if officer_id is None or deposit.reverses_id is not None:
        return None
    same = sa.and_(Deposit.currency == deposit.currency, Deposit.amount == deposit.amount,
                   Deposit.value_date == deposit.value_date)
    if deposit.reference_key:
        same = sa.or_(same, Deposit.reference_key == deposit.reference_key)
    return db.session.scalars(
        sa.select(Deposit)
        .options(joinedload(Deposit.donor), joinedload(Deposit.pool).joinedload(Pool.objective))
        .where(Deposit.created_by_id == officer_id, Deposit.id != deposit.id, Deposit.standing_condition(),
               sa.or_(Deposit.donor_id != deposit.donor_id, Deposit.pool_id != deposit.pool_id), same)
        .order_by(Deposit.id.desc()).limit(1)).first()


def recorded_elsewhere(actor, deposit: Deposit) -> DomainError | None:
    """Why `actor` may not propose the reversal of `deposit`, or None: they recorded the
    same bank transfer for another donor or pool (transfer_recorded_elsewhere).
    Another MPTF officer proposes it."""
    other = transfer_recorded_elsewhere(getattr(actor, "id", None), deposit)
    if other is None:
        return None
    return DomainError(_("You recorded a deposit of %(amount)s with this value date for %(donor)s (the "
                         "%(pool)s pool). If it is this deposit's bank transfer, reversing this deposit "
                         "would move money between them: another MPTF officer proposes the reversal.",
                         amount=fmt_money(other.amount, other.currency), donor=other.donor.name,
                         pool=other.pool.sentence_name))


def proposer_recorded_elsewhere(proposer, deposit: Deposit) -> str | None:
    """What refuses confirming a reversal whose proposer recorded the same transfer for
    another donor or pool (at the same moment as the proposal, in another tab), in words
    for the confirming officer; None when they did not."""
    other = transfer_recorded_elsewhere(getattr(proposer, "id", None), deposit)
    if other is None:
        return None
    return _("%(user)s, who proposed this reversal, recorded a deposit of %(amount)s with this value "
             "date for %(donor)s (the %(pool)s pool). If it is this deposit's bank transfer, the reversal "
             "would move money between them on one officer's word: refuse it, and another MPTF officer "
             "proposes it.",
             user=proposer.name or proposer.email, amount=fmt_money(other.amount, other.currency),
             donor=other.donor.name, pool=other.pool.sentence_name)


def used_in_file(row: int) -> DomainError:
    return DomainError(_("Row %(row)s of this file already has this bank reference. If this is a "
                         "separate transfer, say why in the “Separate transfer note” column.", row=row),
                       field="bank_reference")


def recorded_meanwhile() -> DomainError:
    """What a request hears when the database refused its deposit: another one with the
    same reference was recorded at the same moment."""
    return DomainError(_("Another deposit with this bank reference was recorded at the same moment. "
                         "If this is a separate bank transfer, tick “This is a separate bank transfer "
                         "with the same reference” and say why."),
                       field="bank_reference")


def is_duplicate(error: IntegrityError) -> bool:
    """Whether the database refused a row for the unique reference key."""
    return "reference_key" in str(error.orig)
