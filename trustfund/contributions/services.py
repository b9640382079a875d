"""Operations on the fund's contributions: objectives and their pools, pledges and
commitments (with instalments). Deposits, reversals, interest and transfers live in
ledger.py and rates in rates.py; they are re-exported here so that other features
call one module:

    from trustfund.contributions.services import record_commitment, record_deposit
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from .. import localized
from ..admin.models import PENDING
from ..audit import record, snapshot, utcnow
from ..clock import today
from ..donors.services import before_saa_closes, hold_saa
from ..errors import DomainError, check_version, stale_message
from ..extensions import db
from ..formatting import date as fmt_date
from ..formatting import money as fmt_money
from ..formatting import number as fmt_number
from ..fund import periods
from ..fund.status import require_operations_open
from ..validation import check_text, too_long
from .ledger import (  # noqa: F401  (the service API)
    record_deposit,
    saa_refusal,
    value_date_or_error,
)
from .models import Commitment, Deposit, DepositReversalProposal, Instalment, Objective, Pledge, Pool
from .pools import FIGURES as POOL_FIGURES
from .queries import commitments_by_reference
from .rates import rate_for  # noqa: F401  (the service API)
from .rules import amount_or_error, commitment_key, currency_or_error, text_or_error

MAX_INSTALMENTS = 120


def too_many_instalments() -> str:
    return ngettext("At most %(count)s instalment.", "At most %(count)s instalments.", MAX_INSTALMENTS,
                    count=fmt_number(MAX_INSTALMENTS))


# --- Objectives --------------------------------------------------------------

def save_objective(actor, objective: Objective | None, *, number: int, title: str,
                   description: str = "", active: bool = True, version=None,
                   title_translations: dict | None = None) -> Objective:
    """Create or change an objective of the fund. A new objective gets its pool
    (code OBJ<number>) at once; the pool's code follows a change of number. Its title
    is in English, with the other languages' in `title_translations` (empty ones
    dropped: the English title stands in for them).
    `version` is the version the admin's form was built from: if someone saved the
    objective since, nothing is written."""
    if objective is not None:
        check_version(objective.version, version, _(
            "Someone else changed this objective while you were editing it. "
            "Reload the page to see their change, then try again."))
    if not isinstance(number, int) or not 1 <= number <= 999:
        raise DomainError(_("Enter a number from 1 to 999."), field="number")
    title = text_or_error(title, "title", _("Enter the objective's title."), max_length=300)
    description = (description or "").strip()
    clash = db.session.scalar(sa.select(Objective.id).where(Objective.number == number))
    if clash is not None and (objective is None or clash != objective.id):
        raise DomainError(_("Objective %(number)s already exists.", number=number), field="number")
    code = f"OBJ{number}"
    pool_clash = db.session.scalar(sa.select(Pool).where(Pool.code == code))
    creating = objective is None
    if creating:
        if pool_clash is not None:
            raise DomainError(_("A pool with code %(code)s already exists.", code=code), field="number")
        objective = Objective(number=number, title=title, description=description, active=active,
                              title_translations=localized.cleaned(title_translations))
        db.session.add(objective)
        db.session.flush()
        db.session.add(Pool(code=code, objective_id=objective.id))
        record(actor, "objective.create", objective)
        return objective
    if pool_clash is not None and pool_clash.objective_id != objective.id:
        raise DomainError(_("A pool with code %(code)s already exists.", code=code), field="number")
    if number != objective.number and _holds_money(objective):
        # Travel is paid from Objective 1's pool by number: a renumbering would move
        # donors' earmarked money to another purpose on one admin's word.
        raise DomainError(_("Money is earmarked to this objective or has passed through its pool: "
                            "its number stays, as donors' arrangements and the fund's reports name "
                            "it. Its title may change."), field="number")
    before = snapshot(objective)
    objective.number, objective.title = number, title
    objective.title_translations = localized.cleaned(title_translations)
    objective.description, objective.active = description, active
    # Read before the pool's lazy load below flushes (and forgets) the changes.
    if not db.session.is_modified(objective):  # saved as shown: nothing to record
        return objective
    if objective.pool is not None and objective.pool.code != code:
        objective.pool.code = code  # its name only: figures change through pools.move
    db.session.flush()
    record(actor, "objective.update", objective, before=before)
    return objective


def _holds_money(objective: Objective) -> bool:
    """Whether a pledge in force or a commitment is earmarked to the objective, or any
    money has moved through its pool (a withdrawn pledge names it no more)."""
    earmarked = sa.select(sa.exists().where(Pledge.objective_id == objective.id,
                                            Pledge.withdrawn_at.is_(None))
                          | sa.exists().where(Commitment.objective_id == objective.id))
    pool = objective.pool
    return bool(db.session.scalar(earmarked)) or (
        pool is not None and any(getattr(pool, name) != 0 for name in POOL_FIGURES))


def _earmark(objective_id) -> int | None:
    """None (un-earmarked) or an active objective's id."""
    if objective_id in (None, "", 0, "0"):
        return None
    objective = db.session.get(Objective, int(objective_id))
    if objective is None or not objective.active:
        raise DomainError(_("Choose an active objective, or un-earmarked."), field="objective_id")
    if objective.pool is None:
        raise DomainError(_("This objective has no pool."), field="objective_id")
    return objective.id


def _date_or_error(value, field: str, what: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise DomainError(_("Enter the %(what)s.", what=what), field=field)
    if value > today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    if value < dt.date(1945, 1, 1):
        raise DomainError(_("Enter a real date."), field=field)
    return value


def _note(note: str | None, field: str = "note") -> str:
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError(too_long(2000), field=field)
    return note


# --- Pledges -----------------------------------------------------------------

def record_pledge(actor, donor, *, currency, amount, objective_id, pledged_on, note: str = "") -> Pledge:
    """An announced amount; allowed whatever the donor's SAA status, while the fund's
    operations are open, and not dated in a closed year (a pledge dated there would
    change that year's reports)."""
    require_operations_open()
    currency = currency_or_error(currency)
    amount = amount_or_error(amount, currency)
    objective_id = _earmark(objective_id)
    pledged_on = _date_or_error(pledged_on, "pledged_on", _("date of the pledge"))
    periods.require_open(pledged_on, "pledged_on")
    pledge = Pledge(donor_id=donor.id, currency=currency, amount=amount, objective_id=objective_id,
                    pledged_on=pledged_on, note=_note(note), created_by_id=getattr(actor, "id", None))
    db.session.add(pledge)
    record(actor, "pledge.create", pledge)
    return pledge


def _not_open(pledge: Pledge) -> DomainError:
    """Why a pledge can no longer be committed or withdrawn (read after a refused
    guarded UPDATE: someone else may just have changed it)."""
    db.session.refresh(pledge)
    if pledge.withdrawn_at is not None:
        return DomainError(_("This pledge was already withdrawn."))
    return DomainError(_("This pledge is fulfilled: its commitments cover the whole amount, so nothing "
                         "is still pledged."))


def _change_open_pledge(pledge: Pledge, **values) -> dict:
    """One UPDATE of the pledge WHERE it is still in force with a rest pledged, so that
    of any number of requests at once only those the rules allow get through. Returns
    the pledge's snapshot just after, read under the UPDATE's row lock (the caller
    derives the one before from it: a snapshot read earlier may be stale)."""
    statement = (sa.update(Pledge).where(Pledge.id == pledge.id, Pledge.open_condition())
                 .values(**values).execution_options(synchronize_session=False))
    if db.session.execute(statement).rowcount != 1:
        raise _not_open(pledge)
    db.session.refresh(pledge)
    return snapshot(pledge)


def withdraw_pledge(actor, pledge: Pledge, reason: str) -> Pledge:
    """Withdraw what is still pledged, with a reason; the pledge stays on record. A
    fulfilled pledge cannot be withdrawn; a partly fulfilled one withdraws only its
    rest (its commitments stand). One guarded UPDATE: of twenty withdrawals at once,
    one succeeds and the audit trail has one entry."""
    reason = text_or_error(reason, "reason", _("Say why the pledge is withdrawn."))
    after = _change_open_pledge(pledge, withdrawn_at=utcnow(), withdrawn_reason=reason)
    before = dict(after, withdrawn_at=None, withdrawn_reason=None)
    record(actor, "pledge.withdraw", pledge, before=before, after=after, note=reason)
    return pledge


@before_saa_closes
def nothing_outstanding(donor) -> None:
    """A closed SAA is never signed again, and no deposit is recorded without one: the
    money still to come on a commitment could never be recorded, nor the commitment
    settled (one officer closed it at once, for good: a colleague's review). What will
    not come is written off first (by two MPTF officers)."""
    reversals = db.session.scalar(
        sa.select(sa.func.count()).select_from(DepositReversalProposal)
        .join(Deposit, Deposit.id == DepositReversalProposal.deposit_id)
        .where(Deposit.donor_id == donor.id, DepositReversalProposal.status == PENDING))
    if reversals:
        # Once confirmed, the reversed money is outstanding again (a colleague's review).
        raise DomainError(ngettext(
            "%(num)d reversal of a deposit of %(donor)s waits for a second MPTF officer: once confirmed, its "
            "money is outstanding again. Have it confirmed or withdrawn, then close the SAA.",
            "%(num)d reversals of deposits of %(donor)s wait for a second MPTF officer: once confirmed, "
            "their money is outstanding again. Have them confirmed or withdrawn, then close the SAA.",
            reversals, donor=donor.name), field="to_status")
    outstanding = db.session.scalar(sa.select(sa.func.count()).select_from(Commitment).where(
        Commitment.donor_id == donor.id, Commitment.deposited + Commitment.written_off < Commitment.amount))
    if outstanding:
        raise DomainError(ngettext(
            "%(donor)s still has %(num)d commitment with money outstanding, and once its SAA is closed no "
            "deposit can be recorded. Record what is still to come, or write off what will not come, "
            "then close the SAA.",
            "%(donor)s still has %(num)d commitments with money outstanding, and once its SAA is closed no "
            "deposit can be recorded. Record what is still to come, or write off what will not come, "
            "then close the SAA.", outstanding, donor=donor.name), field="to_status")


def _pledge_to_fulfil(pledge_id, donor, currency: str, objective_id: int | None) -> Pledge | None:
    """The pledge a new commitment fulfils: the same donor's, in the same currency,
    with the same earmarking. Pledge and commitment are compared in the pledge's own
    currency: a commitment in another currency is refused rather than converted, since
    a conversion at a month's rate would make "partly fulfilled" depend on the rate
    chosen. A commitment earmarked otherwise does not fulfil it either (the pledge
    would read "Fulfilled", still earmarked, while its money went to another pool):
    it is recorded on its own and the pledge withdrawn with a note, as for currency."""
    if pledge_id in (None, ""):
        return None
    text = str(pledge_id).strip()
    well_formed = text.isascii() and text.isdigit() and len(text) < 10
    pledge = db.session.get(Pledge, int(text)) if well_formed else None
    if pledge is None or pledge.donor_id != donor.id:
        raise DomainError(_("The pledge this commitment was to fulfil was not found for this donor. "
                            "Open the pledge and choose “Record the commitment” again."), field="donor_id")
    if currency != pledge.currency:
        raise DomainError(_("The pledge is in %(pledge_currency)s: record its commitment in "
                            "%(pledge_currency)s. A commitment in another currency is recorded on its "
                            "own, and the pledge withdrawn with a note saying so.",
                            pledge_currency=pledge.currency), field="currency")
    if objective_id != pledge.objective_id:
        raise earmark_refusal(pledge)
    if not pledge.is_open:
        raise _not_open(pledge)
    return pledge


def earmark_refusal(pledge: Pledge) -> DomainError:
    """Why a commitment earmarked otherwise than its pledge does not fulfil it (and what
    the pledge's form says at once when its objective has been retired since)."""
    objective = pledge.objective
    if objective is None:
        return DomainError(_("The pledge is un-earmarked: record its commitment un-earmarked. A commitment "
                             "earmarked to an objective is recorded on its own, and the pledge withdrawn "
                             "with a note saying so."), field="objective_id")
    if not objective.active:
        return DomainError(_("The pledge is earmarked to %(objective)s, which is no longer active, so no "
                             "commitment can fulfil it. Record the commitment on its own, with the "
                             "earmarking of the signed SAA, and withdraw the pledge with a note saying so.",
                             objective=objective.label), field="objective_id")
    return DomainError(_("The pledge is earmarked to %(objective)s: record its commitment with that "
                         "earmarking. A commitment earmarked otherwise is recorded on its own, and the "
                         "pledge withdrawn with a note saying so.", objective=objective.label),
                       field="objective_id")


def _fulfil(actor, pledge: Pledge, commitment: Commitment) -> None:
    """The pledge is fulfilled by the commitment's amount, in one guarded UPDATE."""
    after = _change_open_pledge(pledge, fulfilled=Pledge.fulfilled + commitment.amount)
    before = dict(after, fulfilled=str(pledge.fulfilled - commitment.amount))
    record(actor, "pledge.fulfil", pledge, before=before, after=after,
           note=f"commitment #{commitment.id}")


# --- Commitments -------------------------------------------------------------

def _instalments(instalments, currency: str, amount: Decimal, committed_on: dt.date) -> list[Instalment]:
    """The schedule: each due date on or after the commitment's date, each amount
    positive in the currency, and all together not more than the commitment. A row
    with neither date nor amount is no instalment (the form's empty rows); the others
    keep their row's number, and a refusal names the row's field
    (`instalments-<index>-due_on` or `-amount`, the form's own ids)."""
    rows = []
    filled = [(number, due_on, value) for number, (due_on, value) in enumerate(instalments, start=1)
              if due_on is not None or (value is not None and str(value).strip() != "")]
    if len(filled) > MAX_INSTALMENTS:
        raise DomainError(too_many_instalments(), field="instalments")
    for number, due_on, value in filled:
        if not isinstance(due_on, dt.date):
            raise DomainError(_("Instalment %(n)s: enter the due date.", n=number),
                              field=f"instalments-{number - 1}-due_on")
        if due_on < committed_on:
            raise DomainError(_("Instalment %(n)s: the due date is before the commitment's date.",
                                n=number), field=f"instalments-{number - 1}-due_on")
        try:
            value = amount_or_error(value, currency, "instalments")
        except DomainError as error:
            raise DomainError(_("Instalment %(n)s: %(message)s", n=number, message=error.message),
                              field=f"instalments-{number - 1}-amount") from None
        rows.append(Instalment(due_on=due_on, amount=value))
    total = sum((row.amount for row in rows), Decimal(0))
    if total > amount:
        raise DomainError(_("The instalments add up to %(total)s, more than the commitment of "
                            "%(amount)s.", total=fmt_money(total, currency),
                            amount=fmt_money(amount, currency)), field="instalments")
    return rows


def reference_in_use(reference: str, exclude_id: int | None = None) -> bool:
    """Another commitment has this reference, as imports compare references (their key:
    case and Unicode forms aside)."""
    ids = commitments_by_reference().get(commitment_key(reference) or "", [])
    return any(commitment_id != exclude_id for commitment_id in ids)


def _refuse_an_id_like_reference(reference: str) -> None:
    """A reference written as "#" and a number is how an import names the commitment of
    that number (import_check; the import template lists a commitment without a
    reference so): as another commitment's reference it would take that commitment's
    deposits."""
    key = commitment_key(reference) or ""
    digits = key.lstrip("#")
    if key.startswith("#") and digits.isascii() and digits.isdigit():
        raise DomainError(_("A reference cannot be “#” followed by a number: in an import file, “#12” "
                            "means the commitment numbered 12."), field="reference")


def _reference_taken(reference: str) -> DomainError:
    return DomainError(_("Another commitment has the reference %(reference)s.", reference=reference),
                       field="reference")


def correct_reference(actor, commitment: Commitment, *, reference: str, reason: str,
                      reference_seen: str | None) -> Commitment:
    """Give a commitment another reference (two commitments entered with one before
    migration 0024, a typing mistake), with a reason. The reference names the
    commitment (imports find it by it): unique without case, like a new one's, held by
    the database's index too. The officer's form carries the reference it showed
    (`reference_seen`): a correction built on another is refused, nothing changed
    (one guarded UPDATE, so two officers correcting at once cannot both succeed). A
    reference is not a figure: allowed in a closed year and after the fund's closing;
    the audit entry says what changed (before and after, the reason, and the closed
    year the commitment is dated in, if it is)."""
    current = commitment.reference or ""
    if reference_seen is None or reference_seen != current:
        raise DomainError(stale_message())
    reference = check_text((reference or "").strip(), "reference")
    if not reference:
        raise DomainError(_("Enter the new reference."), field="reference")
    if len(reference) > 100:
        raise DomainError(too_long(100), field="reference")
    if reference == current:
        raise DomainError(_("This is already the commitment's reference."), field="reference")
    _refuse_an_id_like_reference(reference)
    reason = text_or_error(check_text(reason or "", "reason", multiline=True), "reason",
                           _("Say why the reference is corrected."))
    if reference_in_use(reference, exclude_id=commitment.id):
        raise _reference_taken(reference)
    try:
        changed = db.session.execute(
            sa.update(Commitment).where(Commitment.id == commitment.id, Commitment.reference == current)
            .values(reference=reference).execution_options(synchronize_session=False)).rowcount == 1
    except IntegrityError as error:
        if "uq_commitment_reference" not in str(error.orig):
            raise
        # Given to another commitment at the same moment (the database's index).
        raise _reference_taken(reference) from None
    if not changed:
        raise DomainError(stale_message())
    db.session.expire(commitment)
    after = {"reference": reference}
    if commitment.committed_on.year in periods.closed_years():
        after["closed_year"] = commitment.committed_on.year
    record(actor, "commitment.reference", commitment, before={"reference": current}, after=after,
           note=reason)
    return commitment


def record_commitment(actor, donor, *, currency, amount, objective_id, committed_on, reference: str = "",
                      note: str = "", instalments=(), pledge_id=None) -> Commitment:
    """The amount in a signed SAA, with an optional schedule of instalments. The
    donor's SAA must be in force; a reference, when given, is unique (imports
    name commitments by it). With `pledge_id`, the commitment fulfils that pledge of
    the same donor, in its currency: for less than what is still pledged, the rest
    stays pledged; for as much or more, the pledge is fulfilled. A fulfilled or
    withdrawn pledge takes no commitment. None once the fund's operations are closed,
    and none dated in a closed year (its statements list the commitments)."""
    require_operations_open()
    hold_saa(donor)  # not while its SAA is being closed
    if not donor.saa_in_force:
        raise DomainError(saa_refusal(donor, _("A commitment")), field="donor_id")
    currency = currency_or_error(currency)
    amount = amount_or_error(amount, currency)
    objective_id = _earmark(objective_id)
    committed_on = _date_or_error(committed_on, "committed_on", _("date of the commitment"))
    periods.require_open(committed_on, "committed_on")
    if donor.saa_signed_on is not None and committed_on < donor.saa_signed_on:
        # The amount in a signed SAA (DESIGN §4): not dated before the SAA was signed.
        raise DomainError(_("%(donor)s's SAA was signed on %(date)s: a commitment is dated on or after it.",
                            donor=donor.name, date=fmt_date(donor.saa_signed_on)), field="committed_on")
    reference = (reference or "").strip()
    if len(reference) > 100:
        raise DomainError(too_long(100), field="reference")
    _refuse_an_id_like_reference(reference)
    if reference and reference_in_use(reference):
        raise _reference_taken(reference)
    schedule = _instalments(list(instalments or ()), currency, amount, committed_on)
    pledge = _pledge_to_fulfil(pledge_id, donor, currency, objective_id)
    commitment = Commitment(donor_id=donor.id, currency=currency, amount=amount,
                            deposited=Decimal("0.000"), objective_id=objective_id,
                            committed_on=committed_on, reference=reference, note=_note(note),
                            pledge_id=pledge.id if pledge is not None else None,
                            created_by_id=getattr(actor, "id", None))
    db.session.add(commitment)
    try:
        db.session.flush()
    except IntegrityError as error:
        if "uq_commitment_reference" not in str(error.orig):
            raise
        # Entered at the same moment as another commitment with this reference, which
        # the look-up above could not see yet (the database's index).
        raise _reference_taken(reference) from None
    for row in schedule:
        row.commitment_id = commitment.id
        db.session.add(row)
    db.session.flush()
    after = snapshot(commitment)
    after["instalments"] = [{"due_on": r.due_on, "amount": r.amount} for r in schedule]
    record(actor, "commitment.create", commitment, after=after)
    if pledge is not None:
        _fulfil(actor, pledge, commitment)
    return commitment
