"""The contributions lists as .xlsx: built from the same queries and totals as the
pages (queries.py), so the figures are the page's to the cent."""
from __future__ import annotations

from decimal import Decimal
from functools import partial
from itertools import islice
from operator import attrgetter, itemgetter

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy.orm import aliased, joinedload

from ..auth.models import User
from ..donors.models import Donor
from ..donors.queries import DONOR_FILTERS
from ..exports import DONOR_ID, PERIOD, Col, Filter, Sheet, in_period, register_export
from ..extensions import db
from ..money import USD
from ..params import whole_number
from ..permissions import DONOR
from . import interest_changes, queries, rate_changes, rates, reversal_changes
from .models import Commitment, Deposit, InterestEntry, Objective
from .pools import all_pools
from .rate_import import waiting_rate_files
from .transfer_changes import admins_of, transfers_made, waiting_transfers

CHUNK = 1000


def _chunks(rows, size=CHUNK):
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def commitment_statuses():
    """status(commitment, overdue): a commitment's status in words (overdue, fully
    deposited, settled with its rest written off, partly deposited, awaiting deposits),
    the words translated once for a list or an export that asks on each row. A rest
    written off at the fund's closing settles the commitment, as the list's filter
    "complete" (deposited + written off = amount) counts it."""
    overdue_word, full, part, awaiting = (_("Overdue"), _("Fully deposited"), _("Partly deposited"),
                                          _("Awaiting deposits"))
    rest_written_off = _("Settled (rest written off)")

    def status(commitment, overdue) -> str:
        if overdue:
            return overdue_word
        if commitment.deposited >= commitment.amount:
            return full
        if commitment.settled >= commitment.amount:
            return rest_written_off
        if commitment.deposited > 0:
            return part
        return awaiting

    return status


def _commitment_rows(filters, user):
    rows = db.session.execute(queries.commitment_query(filters, user).execution_options(yield_per=CHUNK))
    for chunk in _chunks(rows):
        overdue = queries.overdue_by_commitment([row.Commitment for row in chunk])
        for row in chunk:
            yield row, overdue.get(row.Commitment.id)


def _commitment_named(commitment_id) -> str:
    """A filter's commitment id as the commitment's reference (#id when it has none)."""
    commitment = db.session.get(Commitment, whole_number(commitment_id) or 0)
    if commitment is None:
        return str(commitment_id)
    return commitment.reference or f"#{commitment.id}"


def _earmark_named(value) -> str:
    """A filter's earmarking ("none" or an objective's id) in words."""
    if value == "none":
        return _("Un-earmarked")
    objective = db.session.get(Objective, whole_number(value) or 0)
    return queries.earmark_label(objective.number) if objective else str(value)


# The statuses of the lists' filters, commitments' and pledges' (queries.STATUSES).
STATUS_LABELS = {"outstanding": _l("Deposits outstanding"),
                 "complete": _l("Settled (fully deposited or rest written off)"),
                 "overdue": _l("Instalment overdue"), "active": _l("In force"),
                 "fulfilled": _l("Fulfilled"), "withdrawn": _l("Withdrawn")}

# The lists' filters (queries.parse_filters), as a download's About sheet names them.
LIST_FILTERS = {
    **DONOR_FILTERS,
    "earmark": Filter(_l("Earmarking"), _earmark_named),
    "status": Filter(_l("Status"), lambda code: str(STATUS_LABELS.get(code, code))),
    "commitment": Filter(_l("Commitment"), _commitment_named),
}


def _totals_sheet(title, totals, columns) -> Sheet:
    return Sheet(title, columns, totals)


@register_export("contributions", "Commitments (or pledges: kind=pledges) with deposited, outstanding, "
                                  "overdue (filters: donor, donor_type, currency, earmark, date_from, "
                                  "date_to, status, sort)", filters=LIST_FILTERS,
                 applies=(DONOR_ID, *PERIOD))
def contributions_export(filters: dict, user) -> tuple[list[Sheet], str]:
    filters = queries.parse_filters(filters, queries.COMMITMENT_SORTS)
    if filters["kind"] == "pledges":
        return pledges_sheets(filters, user)
    earmark, status = queries.earmark_labeller(), commitment_statuses()
    def cur(pair):
        return pair[0].Commitment.currency
    columns = [
        Col(_("Commitment"), lambda p: p[0].Commitment.id, "int"),
        Col(_("Date"), lambda p: p[0].Commitment.committed_on, "date"),
        Col(_("Donor"), lambda p: p[0].donor_name, width=36),
        Col(_("Reference"), lambda p: p[0].Commitment.reference),
        Col(_("Earmarking"), lambda p: earmark(p[0].objective_number)),
        Col(_("Currency"), cur, width=9),
        Col(_("Committed"), lambda p: p[0].Commitment.amount, "money", currency_of=cur),
        Col(_("Deposited"), lambda p: p[0].Commitment.deposited, "money", currency_of=cur),
        Col(_("Outstanding"), lambda p: p[0].Commitment.outstanding, "money", currency_of=cur),
        Col(_("USD received"), lambda p: p[0].usd, "money", currency=USD),
        Col(_("Overdue"), lambda p: p[1], "money", currency_of=cur),
        Col(_("Status"), lambda p: status(p[0].Commitment, p[1])),
    ]
    def tcur(t):
        return t["currency"]
    totals = [
        Col(_("Currency"), tcur, width=9), Col(_("Commitments"), lambda t: t["count"], "int"),
        Col(_("Committed"), lambda t: t["amount"], "money", currency_of=tcur),
        Col(_("Deposited"), lambda t: t["deposited"], "money", currency_of=tcur),
        Col(_("Outstanding"), lambda t: t["outstanding"], "money", currency_of=tcur),
        Col(_("USD received"), lambda t: t["usd"], "money", currency=USD),
    ]
    per_currency = queries.commitment_totals(filters, user)
    # The page's last line: what was received in USD, all currencies together.
    received = [_("All currencies, received in USD"), None, None, None, None,
                sum((t["usd"] for t in per_currency), Decimal("0.00"))] if per_currency else None
    return ([Sheet(_("Commitments"), columns, _commitment_rows(filters, user)),
             Sheet(_("Totals per currency"), totals, per_currency, totals=received)],
            _("Commitments"))


def pledges_sheets(filters: dict, user) -> tuple[list[Sheet], str]:
    earmark = queries.earmark_labeller()
    def cur(r):
        return r.Pledge.currency
    columns = [
        Col(_("Pledge"), lambda r: r.Pledge.id, "int"),
        Col(_("Date"), lambda r: r.Pledge.pledged_on, "date"),
        Col(_("Donor"), lambda r: r.donor_name, width=36),
        Col(_("Earmarking"), lambda r: earmark(r.objective_number)),
        Col(_("Currency"), cur, width=9),
        Col(_("Pledged"), lambda r: r.Pledge.amount, "money", currency_of=cur),
        Col(_("Committed against it"), lambda r: r.Pledge.fulfilled, "money", currency_of=cur),
        Col(_("Pledged, not yet committed"), lambda r: r.Pledge.rest, "money", currency_of=cur),
        Col(_("Status"), lambda r: r.Pledge.status_label),
        Col(_("Withdrawn (UTC)"), lambda r: r.Pledge.withdrawn_at, "datetime"),
        Col(_("Reason for withdrawal"), lambda r: r.Pledge.withdrawn_reason or ""),
        Col(_("Note"), lambda r: r.Pledge.note),
    ]
    def tcur(t):
        return t["currency"]
    totals = [Col(_("Currency"), tcur, width=9), Col(_("Pledges in force"), lambda t: t["count"], "int"),
              Col(_("Pledged, not yet committed"), lambda t: t["amount"], "money", currency_of=tcur)]
    rows = db.session.execute(queries.pledge_query(filters, user).execution_options(yield_per=CHUNK))
    return ([Sheet(_("Pledges"), columns, rows),
             Sheet(_("Totals per currency"), totals, queries.pledge_totals(filters, user))],
            _("Pledges"))


# The deposits export reads plain column tuples (no ORM object per row): the
# list's own query (filters, ownership, joins and order) with only these columns.
_REVERSAL = aliased(Deposit)
_RECORDER = aliased(User)
DEPOSIT_COLUMNS = {
    "id": Deposit.id, "value_date": Deposit.value_date, "donor_name": Donor.name,
    "reference": Commitment.reference, "commitment_id": Deposit.commitment_id,
    "objective_number": Objective.number, "currency": Deposit.currency, "amount": Deposit.amount,
    "rate": Deposit.rate, "usd_amount": Deposit.usd_amount, "fee_rate": Deposit.fee_rate,
    "fee": Deposit.fee, "net": Deposit.net, "bank_reference": Deposit.bank_reference,
    "reverses_id": Deposit.reverses_id, "reason": Deposit.reason, "rate_note": Deposit.rate_note,
    "separate_note": Deposit.separate_note,
    # A reversed deposit's row names its reversal, as the page marks it "Reversed" (also
    # when the period shown ends before the reversal).
    "reversed_by": _REVERSAL.id, "reversed_on": _REVERSAL.value_date,
    # When each entry was recorded, and by whom (a reversal: the MPTF officer who
    # confirmed it): a late entry or a wrong one is traced from the download.
    "created_at": Deposit.created_at,
    "recorded_by": sa.func.coalesce(sa.func.nullif(_RECORDER.name, ""), _RECORDER.email),
}
_AT = {name: index for index, name in enumerate(DEPOSIT_COLUMNS)}


def deposit_rows(filters: dict, user):
    """The deposit list's rows as tuples of DEPOSIT_COLUMNS, streamed."""
    query = (queries.deposit_query(filters, user).with_only_columns(*DEPOSIT_COLUMNS.values())
             .outerjoin(_REVERSAL, _REVERSAL.reverses_id == Deposit.id)
             .outerjoin(_RECORDER, _RECORDER.id == Deposit.created_by_id))
    return db.session.execute(query.execution_options(yield_per=CHUNK))


@register_export("deposits", "Deposits and reversals with rate, USD, fee and net (filters: donor, "
                             "donor_type, currency, earmark, date_from, date_to, commitment, sort)",
                 filters=LIST_FILTERS, applies=(DONOR_ID, *PERIOD))
def deposits_export(filters: dict, user) -> tuple[list[Sheet], str]:
    filters = queries.parse_filters(filters, queries.DEPOSIT_SORTS)
    earmark = queries.earmark_labeller()
    at = {name: itemgetter(index) for name, index in _AT.items()}
    i_ref, i_commitment, i_objective = _AT["reference"], _AT["commitment_id"], _AT["objective_number"]
    i_reason, i_note = _AT["reason"], _AT["rate_note"]
    cur = at["currency"]
    columns = [
        Col(_("Deposit"), at["id"], "int"),
        Col(_("Value date"), at["value_date"], "date"),
        Col(_("Donor"), at["donor_name"], width=36),
        Col(_("Commitment"), lambda r: r[i_ref] or f"#{r[i_commitment]}"),
        Col(_("Earmarking"), lambda r: earmark(r[i_objective])),
        Col(_("Currency"), cur, width=9),
        Col(_("Amount"), at["amount"], "money", currency_of=cur),
        Col(_("Rate"), at["rate"], "rate"),
        Col(_("USD"), at["usd_amount"], "money", currency=USD),
        Col(_("Fee rate"), at["fee_rate"], "rate"),
        Col(_("Fee"), at["fee"], "money", currency=USD),
        Col(_("Net"), at["net"], "money", currency=USD),
        Col(_("Bank reference"), at["bank_reference"]),
        Col(_("Reverses deposit"), at["reverses_id"], "int"),
        Col(_("Reversed by deposit"), at["reversed_by"], "int"),
        Col(_("Reversed on"), at["reversed_on"], "date"),
        Col(_("Reason / rate note"), lambda r: r[i_reason] or r[i_note], width=40),
        # Why a bank reference another deposit has was taken as a separate transfer.
        Col(_("Separate transfer"), at["separate_note"], width=40),
        Col(_("Recorded (UTC)"), at["created_at"], "datetime"),
        # The MPTF Office's staff, not a donor's reading.
        *([Col(_("Recorded by"), at["recorded_by"], width=24)]
          if getattr(user, "role", None) != DONOR else []),
    ]
    per_currency, usd = queries.deposit_totals(filters, user)
    def tcur(t):
        return t["currency"]
    totals = [Col(_("Currency"), tcur, width=9), Col(_("Entries"), lambda t: t["count"], "int"),
              Col(_("Amount"), lambda t: t["amount"], "money", currency_of=tcur),
              Col(_("USD"), lambda t: t["usd"], "money", currency=USD),
              Col(_("Fee"), lambda t: t["fee"], "money", currency=USD),
              Col(_("Net"), lambda t: t["net"], "money", currency=USD)]
    total_rows = per_currency + ([dict(usd, currency=_("All (USD)"), amount=None)] if per_currency else [])
    sheets = [Sheet(_("Deposits"), columns, deposit_rows(filters, user)),
              Sheet(_("Totals per currency"), totals, total_rows)]
    if getattr(user, "role", None) != DONOR:
        # The reversals waiting for a second MPTF officer, as the page lists them above
        # the deposits (staff only): nothing of them is recorded yet.
        def of(p):
            return p.deposit.currency
        waiting = [Col(_("Proposal"), lambda p: p.id, "int"),
                   Col(_("Deposit"), lambda p: p.deposit_id, "int"),
                   Col(_("Donor"), lambda p: p.deposit.donor.name, width=36),
                   Col(_("Amount"), lambda p: p.deposit.amount, "money", currency_of=of),
                   Col(_("Net"), lambda p: p.deposit.net, "money", currency=USD),
                   Col(_("Reason"), lambda p: p.reason, width=50),
                   Col(_("Proposed by"), lambda p: p.proposed_by.name or p.proposed_by.email, width=24),
                   Col(_("When (UTC)"), lambda p: p.proposed_at, "datetime")]
        sheets.append(Sheet(_("Waiting reversals"), waiting,
                            reversal_changes.waiting(partial(queries.deposits_among, filters, user))))
    return sheets, _("Deposits")


def _name(user) -> str:
    return user.shown_name if user is not None else ""


@register_export("rates", "UN operational rates of exchange (filter: currency)")
def rates_export(filters: dict, user) -> tuple[list[Sheet], str]:
    currency = str((filters or {}).get("currency") or "").upper()
    columns = [Col(_("Currency"), lambda r: r.currency, width=9),
               Col(_("Month"), lambda r: r.month, "date"),
               Col(_("Units per US dollar"), lambda r: r.rate, "rate", width=18),
               Col(_("Proposed by"), lambda r: _name(r.proposed_by), width=24),
               Col(_("Rates file"), lambda r: r.rate_file.filename if r.rate_file else "", width=30),
               Col(_("Confirmed by"), lambda r: _name(r.confirmed_by), width=24)]
    what = _("Exchange rates") + (f" ({currency})" if currency else "")
    # What the page lists as waiting for a second MPTF officer (every currency, as the
    # page does): none of it is a rate yet.
    waiting = [Col(_("Currency"), lambda p: p.currency, width=9),
               Col(_("Month"), lambda p: p.month, "date"),
               Col(_("Units per US dollar"), lambda p: p.rate, "rate", width=18),
               Col(_("Corrects"), lambda p: p.entry.rate if p.entry else None, "rate", width=18),
               Col(_("Proposed by"), lambda p: _name(p.proposed_by), width=24),
               Col(_("When (UTC)"), lambda p: p.proposed_at, "datetime")]
    files = [Col(_("Rates file"), lambda f: f.filename, width=30),
             Col(_("Rates"), lambda f: f.rows, "int"),
             Col(_("Uploaded by"), lambda f: _name(f.created_by), width=24),
             Col(_("When (UTC)"), lambda f: f.created_at, "datetime")]
    return [Sheet(_("Exchange rates"), columns, db.session.scalars(rates.listed(currency))),
            Sheet(_("Waiting rates"), waiting, rate_changes.waiting()),
            Sheet(_("Waiting rates files"), files, waiting_rate_files())], what


POOL_FIGURES = [(name, name) for name in (
    "deposits_usd", "fees", "deposits_net", "interest", "other_income", "transfers_in", "transfers_out",
    "committed", "spent", "direct_costs", "bank_charges", "closed_out", "available")]


@register_export("pools", "The fund's pools: sources, uses and available money (USD)")
def pools_export(filters: dict, user) -> tuple[list[Sheet], str]:
    pools = all_pools()
    labels = {"deposits_usd": _("Deposits (USD)"), "fees": _("Less Administrative Agent fee"),
              "deposits_net": _("Net deposits"), "interest": _("Interest"),
              "transfers_in": _("Transfers in"), "transfers_out": _("Transfers out"),
              "committed": _("Grants committed, not yet reconciled"),
              "spent": _("Actual costs of reconciled grants"),
              "other_income": _("Other income"), "direct_costs": _("Direct costs"),
              "bank_charges": _("Bank charges"),
              "closed_out": _("Refunded, transferred or not refunded at closure"),
              "available": _("Available")}
    columns = [Col(_("Pool"), lambda p: str(p.label), width=50)] + [
        Col(labels[name], attrgetter(name), "money", currency=USD)
        for name, _label in POOL_FIGURES]
    totals = None
    if pools:
        totals = [_("Total")] + [sum((getattr(p, name) for p in pools), Decimal("0.00"))
                                 for name, _label in POOL_FIGURES]
    return ([Sheet(_("Pools"), columns, pools, totals=totals), _waiting_transfers_sheet()],
            _("Pools of the fund"))


def _waiting_transfers_sheet() -> Sheet:
    """The transfers between pools waiting for a second administrator, as the pools'
    and the transfers' pages list them: no money has moved."""
    waiting = [Col(_("From pool"), lambda t: str(t.from_pool.label), width=40),
               Col(_("To pool"), lambda t: str(t.to_pool.label), width=40),
               Col(_("Amount (USD)"), lambda t: t.usd_amount, "money", currency=USD),
               Col(_("Value date"), lambda t: t.transferred_on, "date"),
               Col(_("Reason"), lambda t: t.reason, width=50),
               Col(pgettext("transfer", "Proposed by"), lambda t: t.proposed_by.email, width=30),
               Col(_("When (UTC)"), lambda t: t.proposed_at, "datetime")]
    return Sheet(_("Waiting transfers"), waiting, waiting_transfers())


@register_export("transfers", "Transfers between pools (USD)")
def transfers_export(filters: dict, user) -> tuple[list[Sheet], str]:
    rows = db.session.scalars(transfers_made())
    columns = [Col(_("Date"), lambda t: t.transferred_on, "date"),
               Col(_("From pool"), lambda t: str(t.from_pool.label), width=40),
               Col(_("To pool"), lambda t: str(t.to_pool.label), width=40),
               Col(_("Amount (USD)"), lambda t: t.usd_amount, "money", currency=USD),
               Col(_("Reason"), lambda t: t.reason, width=50),
               Col(pgettext("transfer", "Proposed by"), lambda t: admins_of(t)[0], width=30),
               Col(pgettext("transfer", "Confirmed by"), lambda t: admins_of(t)[1], width=40)]
    return [Sheet(_("Transfers"), columns, rows), _waiting_transfers_sheet()], _("Transfers between pools")


@register_export("interest", "Interest entries and their reversals (USD; --from, --to on the value date)",
                 applies=PERIOD)
def interest_export(filters: dict, user) -> tuple[list[Sheet], str]:
    dated = in_period(InterestEntry.value_date, filters)
    rows = db.session.scalars(sa.select(InterestEntry).where(*dated)
                              .order_by(InterestEntry.value_date.desc(), InterestEntry.id.desc()))
    officers = interest_changes.officers_of()
    before = _("recorded alone, before interest needed a second MPTF officer")
    columns = [Col(_("Entry"), lambda e: e.id, "int"), Col(_("Value date"), lambda e: e.value_date, "date"),
               Col(_("Amount (USD)"), lambda e: e.usd_amount, "money", currency=USD),
               Col(_("Reverses entry"), lambda e: e.reverses_id, "int"),
               Col(_("Note / reason"), lambda e: e.note, width=50),
               Col(_("Proposed by"), lambda e: officers[e.id][0] if e.id in officers else before, width=24),
               Col(_("Confirmed by"), lambda e: officers[e.id][1] if e.id in officers else "", width=24)]
    # What waits for a second MPTF officer, as the page shows it above the entries:
    # nothing of it is credited (a reversal is dated the day it is confirmed).
    waiting = [Col(_("Proposal"), lambda p: p.id, "int"),
               Col(_("Reverses entry"), lambda p: p.reverses_id, "int"),
               Col(_("Amount (USD)"), lambda p: p.usd_amount, "money", currency=USD),
               Col(_("Value date"), lambda p: p.value_date, "date"),
               Col(_("Note / reason"), lambda p: p.note, width=50),
               Col(_("Proposed by"), lambda p: p.proposed_by.name or p.proposed_by.email, width=24),
               Col(_("When (UTC)"), lambda p: p.proposed_at, "datetime")]
    total = db.session.scalar(sa.select(sa.func.sum(InterestEntry.usd_amount)).where(*dated))
    return ([Sheet(_("Interest"), columns, rows,
                   totals=[None, None, total, None, _("Total")] if total is not None else None),
             Sheet(_("Waiting interest"), waiting, interest_changes.waiting())],
            _("Interest earned by the fund"))


@register_export("objectives", "The fund's objectives")
def objectives_export(filters: dict, user) -> tuple[list[Sheet], str]:
    rows = db.session.scalars(sa.select(Objective).options(joinedload(Objective.pool))
                              .order_by(Objective.number))
    columns = [Col(_("Number"), lambda o: o.number, "int"),
               Col(_("Title"), lambda o: o.local_title, width=60),
               Col(_("Description"), lambda o: o.description, width=60),
               Col(pgettext("objective", "Active"), lambda o: o.active, "bool"),
               Col(_("Available in its pool"), lambda o: o.pool.available if o.pool else None, "money",
                   currency=USD)]
    return [Sheet(_("Objectives"), columns, rows)], _("Objectives of the fund")


def deposit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Deposit))
