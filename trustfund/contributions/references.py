"""No deposit twice (issue 14): a bank reference already held by a standing deposit
(one that is neither a reversal nor reversed) is refused, on the form and in the
import, unless the officer marks the new deposit a separate transfer and says why.

References are compared by their key (rules.reference_key: NFKC, case-folded, no
white space). The look-up here gives the officer a clear message naming the deposit;
the partial unique index on Deposit.reference_key is what holds under concurrency:
of two requests that both passed the look-up, the database refuses the second.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError

from ..errors import DomainError
from ..extensions import db
from ..formatting import date as fmt_date
from ..formatting import money as fmt_money
from ..validation import check_text, text_problem, too_long
from .models import Deposit
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
