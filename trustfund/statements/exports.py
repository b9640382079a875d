"""The statement's and the donor portal's downloads, in the export register
(so that `flask --app trustfund export NAME` writes the same workbooks).

Ownership: a donor user gets only its own donor, whatever donor_id it sends
(another donor's id answers 404); staff name the donor; from the command line
(user None) --donor is required.
"""
from __future__ import annotations

import datetime as dt

from flask import abort
from flask_babel import gettext as _

from ..donors.models import Donor
from ..donors.queries import DONOR_FILTERS
from ..errors import DomainError
from ..exports import DONOR_ID, PERIOD, Col, Sheet, register_export, stream
from ..extensions import db
from ..formatting import date as fmt_date
from ..money import USD
from ..permissions import DONOR, STAFF
from . import portal
from .services import (
    balances,
    commitment_name,
    donor_commitments,
    donor_deposits_query,
    donor_pledges,
    statement,
    with_reversal_dates,
)


def parse_date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(_("Enter the date as YYYY-MM-DD."), field=field) from None


def export_donor(filters: dict, user) -> Donor:
    """The donor an export is about, applying the user's rights."""
    raw = filters.get("donor_id")
    if user is not None and user.role == DONOR:
        if raw not in (None, "") and str(raw) != str(user.donor_id):
            abort(404)
        raw = user.donor_id
    elif user is not None and user.role not in STAFF:
        abort(403)
    if raw in (None, ""):
        raise DomainError(_("Name the donor (its id)."), field="donor_id")
    try:
        donor_id = int(raw)
    except (TypeError, ValueError):
        raise DomainError(_("A donor id is a whole number."), field="donor_id") from None
    donor = db.session.get(Donor, donor_id)
    if donor is None:
        if user is not None:
            abort(404)
        raise DomainError(_("There is no donor with id %(id)s.", id=donor_id), field="donor_id")
    return donor


def _earmark(commitment) -> str:
    return commitment.objective.label if commitment.objective else _("Un-earmarked")


def _pool_label(pool) -> str:
    return str(pool.label) if pool else ""


def deposit_columns(donor_name: str, other_date, period_end: dt.date | None = None) -> list[Col]:
    """A donor's deposits as it reads them: a reversal names the deposit it reverses by
    that deposit's value date, and a reversed deposit the day of its reversal
    (`other_date(d)`: the value date of the other entry of d's reversal, or None).
    A statement gives its period's end: a deposit reversed after it counts in full in
    the statement's figures, and its Note says so, as the statement's page does."""
    def reversed_later(d) -> str:
        day = None if d.reverses_id else other_date(d)
        if day is None or day <= period_end:
            return ""
        return _("Reversed on %(date)s, after this period", date=fmt_date(day))

    note = [Col(_("Note"), reversed_later, width=40)] if period_end is not None else []
    return [
        Col(_("Donor"), lambda d: donor_name),
        Col(_("Value date"), lambda d: d.value_date, "date"),
        Col(_("Commitment"), lambda d: commitment_name(d.commitment)),
        Col(_("Currency"), lambda d: d.currency, width=9),
        Col(_("Amount"), lambda d: d.amount, "money", currency_of=lambda d: d.currency),
        Col(_("Rate (per USD)"), lambda d: d.rate, "rate"),
        Col(_("USD"), lambda d: d.usd_amount, "money", currency=USD),
        Col(_("Fee rate"), lambda d: d.fee_rate, "percent"),
        Col(_("Fee (USD)"), lambda d: d.fee, "money", currency=USD),
        Col(_("Net (USD)"), lambda d: d.net, "money", currency=USD),
        Col(_("Pool"), lambda d: _pool_label(d.pool), width=30),
        Col(_("Bank reference"), lambda d: d.bank_reference or ""),
        Col(_("Reverses the deposit of"), lambda d: other_date(d) if d.reverses_id else None, "date"),
        Col(_("Reversed on"), lambda d: None if d.reverses_id else other_date(d), "date"),
        Col(_("Reason"), lambda d: d.reason or "", width=40),
        *note,
    ]


def _deposit_totals(columns: list[Col], usd, fee, net) -> list:
    values = {_("Donor"): _("Total"), _("USD"): usd, _("Fee (USD)"): fee, _("Net (USD)"): net}
    return [values.get(col.header) for col in columns]


@register_export("statement", "A donor's statement for a period: summary, commitments, deposits "
                              "and shares of each pool's spending (--donor required; --from, --to)",
                 filters=DONOR_FILTERS, applies=(DONOR_ID, *PERIOD))
def statement_export(filters: dict, user) -> tuple[list[Sheet], str]:
    donor = export_donor(filters, user)
    s = statement(donor, parse_date(filters.get("date_from"), "date_from"),
                  parse_date(filters.get("date_to"), "date_to"))
    name = donor.name
    summary = [
        Col(_("Donor"), lambda r: name),
        Col(_("From"), lambda r: s.date_from, "date"),
        Col(_("To"), lambda r: s.date_to, "date"),
        Col(_("Opening balance (USD)"), lambda r: s.opening, "money", currency=USD),
        Col(_("Net deposits (USD)"), lambda r: s.net_in_period, "money", currency=USD),
        Col(_("Share of spending (USD)"), lambda r: s.share_in_period, "money", currency=USD),
        # As the page says it, when there is some: why the shares fall short of the spending.
        *([Col(_("Spending in the period no donor's deposits reach (USD)"),
               lambda r: s.unattributed_in_period, "money", currency=USD)]
          if s.unattributed_in_period else []),
        Col(_("Returned at the fund's closure (USD)"), lambda r: s.returned_in_period, "money", currency=USD),
        Col(_("Closing balance (USD)"), lambda r: s.closing, "money", currency=USD),
    ]
    commitments = [
        Col(_("Donor"), lambda c: name),
        Col(_("Committed on"), lambda c: c.commitment.committed_on, "date"),
        Col(_("Reference"), lambda c: c.commitment.reference or ""),
        Col(_("Earmarking"), lambda c: _earmark(c.commitment), width=40),
        Col(_("Currency"), lambda c: c.commitment.currency, width=9),
        Col(_("Amount"), lambda c: c.commitment.amount, "money", currency_of=lambda c: c.commitment.currency),
        Col(_("Deposited in period"), lambda c: c.deposited_in_period, "money",
            currency_of=lambda c: c.commitment.currency),
        Col(_("Deposited by end of period"), lambda c: c.deposited, "money",
            currency_of=lambda c: c.commitment.currency),
        *([Col(_("Written off by end of period"), lambda c: c.written_off, "money",
               currency_of=lambda c: c.commitment.currency)]
          if any(c.written_off for c in s.commitments) else []),
        Col(_("Outstanding at end of period"), lambda c: c.outstanding, "money",
            currency_of=lambda c: c.commitment.currency),
    ]
    deposits = deposit_columns(name, lambda d: s.partners[d.id][1] if d.id in s.partners else None,
                               s.date_to)
    shares = [
        Col(_("Donor"), lambda p: name),
        Col(_("Pool"), lambda p: _pool_label(p.pool), width=40),
        Col(_("Pool spending in period (USD)"), lambda p: p.spending_in_period, "money", currency=USD),
        Col(_("Pool spending to date (USD)"), lambda p: p.spending_to_date, "money", currency=USD),
        Col(_("Donor's net deposits in pool (USD)"), lambda p: p.donor_weight, "money", currency=USD),
        Col(_("All donors' net deposits in pool (USD)"), lambda p: p.total_weight, "money", currency=USD),
        Col(_("Share to date at opening (USD)"), lambda p: p.share_opening, "money", currency=USD),
        Col(_("Share to date at closing (USD)"), lambda p: p.share_closing, "money", currency=USD),
        Col(_("Share of spending in period (USD)"), lambda p: p.share_in_period, "money", currency=USD),
    ]
    share_totals = [_("Total"), None, None, None, None, None, None, None, s.share_in_period]
    closing = closing_columns(name)
    sheets = [
        Sheet(_("Summary"), summary, [s]),
        Sheet(_("Commitments"), commitments, s.commitments),
        Sheet(_("Deposits"), deposits, s.deposits,
              totals=_deposit_totals(deposits, s.usd_in_period, s.fees_in_period, s.net_in_period)),
        Sheet(_("Shares of spending"), shares, s.shares, totals=share_totals),
    ]
    if s.closing_parts:
        sheets.append(Sheet(_("Fund's closure"), closing, s.closing_parts,
                            totals=[_("Total"), None, None, None, None, s.returned_in_period, None,
                                    s.refunded_in_period, None]))
    what = _("Statement of %(donor)s from %(start)s to %(end)s", donor=name,
             start=s.date_from.isoformat(), end=s.date_to.isoformat())
    return sheets, what


def closing_columns(donor_name: str) -> list[Col]:
    """A donor's parts of the pools' closing decisions (refunds, transfers to other
    funds, residuals not refunded)."""
    return [
        Col(_("Donor"), lambda p: donor_name),
        Col(_("Date"), lambda p: p.value_date, "date"),
        Col(_("Pool"), lambda p: _pool_label(p.closing.pool), width=30),
        Col(_("Decision"), lambda p: str(p.closing.kind_label), width=30),
        Col(_("Donor's net deposits in pool (USD)"), lambda p: p.weight, "money", currency=USD),
        Col(_("Donor's balance in the pool (USD)"), lambda p: p.balance, "money", currency=USD),
        Col(_("Difference from the balance (USD)"), lambda p: p.income, "money", currency=USD),
        Col(_("Amount (USD)"), lambda p: p.usd_amount, "money", currency=USD),
        Col(_("Receiving fund"), lambda p: _receiving(p.closing), width=40),
    ]


def _receiving(closing) -> str:
    if not closing.fund_name:
        return ""
    return f"{closing.fund_name} ({closing.fund_reference})"


@register_export("my_commitments", "A donor's commitments with deposited and outstanding amounts "
                                   "(the donor portal; --donor required)", filters=DONOR_FILTERS,
                 applies=(DONOR_ID,))
def commitments_export(filters: dict, user) -> tuple[list[Sheet], str]:
    donor = export_donor(filters, user)
    name = donor.name
    rows = donor_commitments(donor.id)
    columns = [
        Col(_("Donor"), lambda c: name),
        Col(_("Committed on"), lambda c: c.committed_on, "date"),
        Col(_("Reference"), lambda c: c.reference or ""),
        Col(_("Earmarking"), _earmark, width=40),
        Col(_("Currency"), lambda c: c.currency, width=9),
        Col(_("Amount"), lambda c: c.amount, "money", currency_of=lambda c: c.currency),
        Col(_("Deposited"), lambda c: c.deposited, "money", currency_of=lambda c: c.currency),
        *([Col(_("Written off"), lambda c: c.written_off, "money", currency_of=lambda c: c.currency)]
          if any(c.written_off for c in rows) else []),
        Col(_("Outstanding"), lambda c: c.outstanding, "money", currency_of=lambda c: c.currency),
    ]
    return [Sheet(_("Commitments"), columns, rows)], _("Commitments of %(donor)s", donor=name)


@register_export("my_pledges", "A donor's pledges with what was committed against each "
                               "(the donor portal; --donor required)", filters=DONOR_FILTERS,
                 applies=(DONOR_ID,))
def pledges_export(filters: dict, user) -> tuple[list[Sheet], str]:
    donor = export_donor(filters, user)
    name = donor.name
    columns = [
        Col(_("Donor"), lambda p: name),
        Col(_("Pledged on"), lambda p: p.pledged_on, "date"),
        Col(_("Earmarking"), _earmark, width=40),
        Col(_("Currency"), lambda p: p.currency, width=9),
        Col(_("Pledged"), lambda p: p.amount, "money", currency_of=lambda p: p.currency),
        Col(_("Committed against it"), lambda p: p.fulfilled, "money", currency_of=lambda p: p.currency),
        Col(_("Pledged, not yet committed"), lambda p: p.rest, "money", currency_of=lambda p: p.currency),
        Col(_("Status"), lambda p: p.status_label),
    ]
    return [Sheet(_("Pledges"), columns, donor_pledges(donor.id))], _("Pledges of %(donor)s", donor=name)


@register_export("my_deposits", "A donor's deposits and reversals with rate, USD, fee and net "
                                "(the donor portal; --donor required; --from, --to on the value date)",
                 filters=DONOR_FILTERS, applies=(DONOR_ID, *PERIOD))
def deposits_export(filters: dict, user) -> tuple[list[Sheet], str]:
    donor = export_donor(filters, user)
    # Newest first, as on the portal.
    query = donor_deposits_query(donor.id, parse_date(filters.get("date_from"), "date_from"),
                                 parse_date(filters.get("date_to"), "date_to"), newest_first=True).options(
        *with_reversal_dates())

    def other_date(d):
        entry = d.reverses or d.reversed_by
        return entry.value_date if entry else None

    return ([Sheet(_("Deposits"), deposit_columns(donor.name, other_date), stream(query))],
            _("Deposits of %(donor)s", donor=donor.name))


def _instalment_status(line) -> str:
    return _("Overdue") if line.overdue else _("Not yet due")


@register_export("my_instalments", "A donor's outstanding and overdue instalments "
                                   "(the donor portal; --donor required)", filters=DONOR_FILTERS,
                 applies=(DONOR_ID,))
def instalments_export(filters: dict, user) -> tuple[list[Sheet], str]:
    donor = export_donor(filters, user)
    on = parse_date(filters.get("on"), "on")
    view = portal.overview(donor, on)
    name = donor.name
    columns = [
        Col(_("Donor"), lambda i: name),
        Col(_("Commitment"), lambda i: commitment_name(i.commitment)),
        Col(_("Due on"), lambda i: i.instalment.due_on, "date"),
        Col(_("Currency"), lambda i: i.commitment.currency, width=9),
        Col(_("Instalment"), lambda i: i.instalment.amount, "money",
            currency_of=lambda i: i.commitment.currency),
        Col(_("Cumulative due"), lambda i: i.cumulative_due, "money",
            currency_of=lambda i: i.commitment.currency),
        Col(_("Covered by deposits"), lambda i: i.covered, "money",
            currency_of=lambda i: i.commitment.currency),
        *([Col(_("Written off"), lambda i: i.written_off, "money",
               currency_of=lambda i: i.commitment.currency)] if view.any_written_off else []),
        Col(_("Outstanding"), lambda i: i.outstanding, "money", currency_of=lambda i: i.commitment.currency),
        Col(_("Status"), _instalment_status),
    ]
    return ([Sheet(_("Instalments"), columns, view.instalments)],
            _("Outstanding instalments of %(donor)s on %(day)s", donor=name, day=view.on.isoformat()))


@register_export("donor_balances", "Every donor's opening balance, net deposits, share of spending "
                                   "and closing balance for a period (--from, --to)", applies=PERIOD)
def balances_export(filters: dict, user) -> tuple[list[Sheet], str]:
    if user is not None and user.role not in STAFF:
        abort(403)
    date_from, date_to, lines = balances(parse_date(filters.get("date_from"), "date_from"),
                                         parse_date(filters.get("date_to"), "date_to"))
    columns = [
        Col(_("Donor"), lambda b: b.name, width=40),
        Col(_("Opening balance (USD)"), lambda b: b.opening, "money", currency=USD),
        Col(_("Net deposits (USD)"), lambda b: b.net_in_period, "money", currency=USD),
        Col(_("Share of spending (USD)"), lambda b: b.share_in_period, "money", currency=USD),
        Col(_("Returned at the fund's closure (USD)"), lambda b: b.returned_in_period, "money", currency=USD),
        Col(_("Closing balance (USD)"), lambda b: b.closing, "money", currency=USD),
    ]
    totals = [_("Total")] + [sum((getattr(b, f) for b in lines), 0) for f in
                             ("opening", "net_in_period", "share_in_period", "returned_in_period", "closing")]
    return ([Sheet(_("Donor balances"), columns, lines, totals=totals)],
            _("Donor balances from %(start)s to %(end)s", start=date_from.isoformat(),
              end=date_to.isoformat()))
