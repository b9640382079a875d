"""See before you post (issue 17): what recording a deposit with the values typed so
far would store, computed exactly as ledger.record_deposit computes it, writing
nothing. The deposit form's script shows it as the officer types; the browser
never computes a figure."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from ..admin.models import FEE_RATE, setting_on
from ..errors import DomainError
from .ledger import DepositFigures, before_signature_refusal, deposit_figures, past_commitment, saa_refusal
from .models import Commitment
from .rates import month_label, rate_for


@dataclass(slots=True)
class DepositPreview:
    """The figures the deposit would have, or the refusal it would get (`problem`,
    beside its `field`); and what the value date alone decides: the month's UN rate
    and the fee rate in force."""

    currency: str
    value_date: dt.date | None
    month: str | None
    table_rate: Decimal | None
    fee_rate: Decimal | None
    figures: DepositFigures | None
    outstanding_after: Decimal | None
    problem: str | None
    field: str | None


def preview_deposit(commitment: Commitment, *, value_date: dt.date | None, amount: str, rate: str,
                    rate_note: str) -> DepositPreview:
    """The deposit record_deposit() would record against `commitment` with these values
    (same checks in the same order, same rate look-up, rounding and fee rate in force
    on the value date), or the first refusal it would give. The bank reference is
    checked when the form is sent (it names another deposit, not a figure)."""
    currency = commitment.currency
    table = fee_rate = month = None
    if isinstance(value_date, dt.date):
        table = rate_for(currency, value_date)
        fee_rate = setting_on(FEE_RATE, value_date)
        month = month_label(value_date.replace(day=1))
    preview = DepositPreview(currency, value_date, month, table, fee_rate, None, None, None, None)
    try:
        if not commitment.donor.saa_in_force:
            raise DomainError(saa_refusal(commitment.donor, _("A deposit")))
        figures = deposit_figures(currency, value_date=value_date, amount=amount, rate=rate or None,
                                  rate_note=rate_note or "", table=table, fee_rate=fee_rate)
        signed_on = commitment.donor.saa_signed_on
        if signed_on is not None and figures.value_date < signed_on:
            raise before_signature_refusal(commitment.donor.name, signed_on)
        outstanding = commitment.outstanding  # less what was written off, as add_to_deposited
        if figures.amount > outstanding:
            raise past_commitment(outstanding, currency)
    except DomainError as refusal:
        preview.problem, preview.field = refusal.message, refusal.field
        return preview
    preview.figures = figures
    preview.outstanding_after = outstanding - figures.amount
    return preview


def as_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
