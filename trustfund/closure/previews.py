"""What a step of the fund's closing will do, said before it is done
(confirmation.py): closing a year, a pool's closing decision, a write-off, the
financial closure and the certified final statements, and the reversal of one of
the fund's own entries, with the services' own refusals in their words and the
amounts as they are now. Nothing here writes: the pool's and the commitment's
figures are read as they stand, not refreshed."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import ngettext

from ..clock import today
from ..confirmation import Summary
from ..contributions.models import Commitment, Pool
from ..contributions.previews import available_after
from ..errors import DomainError
from ..formatting import date
from ..formatting import money as fmt_money
from ..fund.entries import (
    CLOSING_KINDS,
    FUND_SUBJECT,
    FUND_TRANSFER,
    REFUND,
    WAIVED,
    FundEntry,
    reversal_moves,
)
from ..fund.models import FINANCIALLY_CLOSED, Fund
from ..fund.status import current_fund
from ..money import USD
from ..validation import check_text
from . import entry_proposals, financial, proposals, write_offs
from .final import contributors, final_statement, statements_end
from .years import closing_checks


def year_closing(year: int, report_reference: str) -> Summary:
    """Closing a year stores its figures and refuses entries dated in it after
    (years.close_year): refused for a year not ended, before the fund, out of order,
    and without its annual report."""
    reference = closing_checks(year, report_reference)
    return Summary(_("Close %(year)s", year=str(year)), [(_("Annual report"), reference)], [
        _("The figures of %(year)s are kept as they stand on %(day)s.", year=str(year),
          day=date(dt.date(year, 12, 31))),
        _("No entry dated in %(year)s can be recorded or corrected after.", year=str(year))])


def pool_decision(pool: Pool, kind: str, *, fund_name: str, fund_reference: str, note: str,
                  balance_seen) -> Summary:
    """A pool's closing decision moves its whole available balance out
    (closing_decisions.decide, once a second SRSG staff member confirms it: proposals):
    refused while anything is unsettled, for a balance other than the page's, a
    transfer without its fund, a waiver above the setting, a refund no donor's
    deposits reach, and while another decision on the pool waits."""
    checked = financial.decision_checks(pool, kind, fund_name=fund_name, fund_reference=fund_reference,
                                        note=note, balance_seen=balance_seen)
    proposals.refuse_while_one_waits(pool)
    amount = fmt_money(checked.balance, USD)
    facts = [(_("Pool"), str(pool.label)), (_("Decision"), str(CLOSING_KINDS[kind])), (_("Amount"), amount)]
    # Proposed only: nothing moves until another SRSG staff member confirms it.
    lines = [_("Nothing moves now: once another SRSG staff member confirms the decision, %(amount)s leaves "
               "the %(pool)s pool, which then holds nothing available.",
               amount=amount, pool=pool.sentence_name)]
    if kind == FUND_TRANSFER:
        lines.append(_("It is transferred to %(fund)s.", fund=checked.values["fund_name"]))
    if kind == WAIVED:
        lines.append(_("It is not refunded."))
    if kind == REFUND:
        lines += [_("%(donor)s is refunded %(amount)s.", donor=part.donor_name,
                    amount=fmt_money(part.amount, USD)) for part in checked.plan.parts]
    return Summary(_("Propose the closing decision on the %(pool)s pool",
                     pool=pool.sentence_name), facts, lines)


def write_off(commitment: Commitment, amount, reason: str) -> Summary:
    """A write-off takes what will not be deposited off the commitment for good, once a
    second MPTF officer confirms it (closure.write_offs): refused when nothing or less
    is outstanding, without a reason, and while another write-off of the commitment
    waits (the proposal's own checks)."""
    value, reason = financial.write_off_checks(commitment, amount, reason)
    write_offs.refuse_while_one_waits(commitment)
    outstanding, currency = commitment.outstanding, commitment.currency
    return Summary(_("Propose the write-off"), [(_("Donor"), commitment.donor.name), (_("Reason"), reason)], [
        _("%(amount)s of the commitment is written off when a second MPTF officer confirms it: no deposit "
          "can fill it after.", amount=fmt_money(value, currency)),
        _("Outstanding now %(now)s, after %(after)s.", now=fmt_money(outstanding, currency),
          after=fmt_money(outstanding - value, currency))])


def entry_reversal(entry: FundEntry, reason: str) -> Summary:
    """A reversal dated the day a second MPTF officer confirms it offsets the entry
    (closure.entry_proposals, then fund_entries.reverse_fund_entry): a reversed direct
    cost or bank charge gives its amount back to the pool, reversed other income takes
    it back, only from money still available; refused with the proposal's own checks
    (entry_proposals.reversal_refusals)."""
    reason = entry_proposals.reversal_refusals(entry, reason)
    pool = entry.pool
    change = reversal_moves(entry)["available"]
    amount = fmt_money(entry.usd_amount, USD)
    summary = Summary(_("Reverse entry #%(id)s", id=entry.id), [
        (_("Kind"), str(entry.kind_label)), (_("Pool"), str(pool.label)),
        (_("Value date"), date(entry.value_date)), (_("Amount (USD)"), amount),
        (_("Description"), entry.description), (_("Reason"), reason)])
    summary.lines += [
        _("Nothing is recorded until another MPTF officer confirms the reversal. It is then dated the day "
          "of the confirmation, records %(amount)s and names entry #%(id)s, which stays on record, marked "
          "reversed.", amount=fmt_money(-entry.usd_amount, USD), id=entry.id),
        _("%(amount)s returns to the %(pool)s pool.", amount=amount, pool=pool.sentence_name)
        if change > 0 else
        _("%(amount)s is taken back from the %(pool)s pool.", amount=amount, pool=pool.sentence_name),
        available_after(pool, change)]
    return summary


def fund_closure(fund: Fund, note: str) -> Summary:
    """The financial closure (financial.close_fund): refused when closed already, or
    while anything is unsettled or a pool holds money."""
    if fund.status == FINANCIALLY_CLOSED:
        raise DomainError(_("The fund is already financially closed."))
    problems = financial.closable_problems()
    if problems:
        raise DomainError(" ".join(problems))
    check_text((note or "").strip(), "note", multiline=True)
    return Summary(_("Close the fund financially"), [(_("Fund"), fund.name), (_("Date"), date(today()))], [
        _("The fund is closed financially: every pool holds %(zero)s, and no entry can be recorded "
          "after.", zero=fmt_money(0, USD))])


def final_statements() -> Summary:
    """Issuing the certified final statements (final.issue_final_statements): once the
    fund is financially closed, and once only."""
    fund = current_fund()
    if fund is None or fund.status != FINANCIALLY_CLOSED:
        raise DomainError(_("The certified final statements are issued once the fund is financially closed."))
    if final_statement(FUND_SUBJECT) is not None:
        raise DomainError(_("The certified final statements have already been issued."))
    count = len(contributors()) + 1
    return Summary(_("Issue the certified final statements"), [], [
        ngettext("%(num)d certified final statement will be issued: the fund's and one per donor, "
                 "as of %(day)s.",
                 "%(num)d certified final statements will be issued: the fund's and one per donor, "
                 "as of %(day)s.", count, day=date(statements_end(fund))),
        _("They cannot be changed after.")])
