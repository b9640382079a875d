"""Certified final financial statements (DESIGN.md §6a): once the fund is financially
closed, the admin signs off one statement for the fund and one per donor, covering
the fund's whole life. Each is stored as issued (who, when, and every figure, in
FinalStatement.content) and shown from there: never recomputed, whatever changes
later (a donor's name, a rate, the rules of the statements).

The fund's statement holds its funding status on the day of its closure, each
pool's closing decision and each donor's contributions and refund. A donor's
statement holds its contributions (USD, fee, net, per currency), its commitments
(deposited, written off), per pool its net deposits, its share of the spending,
its balance and what the closing gave back (refund, or transfer on its behalf),
with its currency equivalent, and the refund due to it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from .. import localized
from ..audit import record, utcnow
from ..audit_text import account_name_at
from ..contributions.models import Deposit, InterestEntry
from ..donors.models import Donor
from ..errors import DomainError
from ..extensions import db
from ..formatting import date as fmt_date
from ..fund.entries import (
    FUND_SUBJECT,
    FUND_TRANSFER,
    REFUND,
    WAIVED,
    FinalStatement,
    FundEntry,
    PoolClosing,
    WriteOff,
    donor_subject,
)
from ..fund.models import FINANCIALLY_CLOSED
from ..fund.services import require_admin
from ..fund.status import current_fund
from ..language import speaking
from ..localized import ENGLISH
from ..statements.services import statement
from .closing_export import decisions_query
from .funding import funding_status, lines
from .refunds import equivalent

ZERO = Decimal("0.00")


def _text(value) -> str | None:
    return None if value is None else str(value)


def _pool_names(pool) -> dict:
    """A pool's name as certified, in English ("pool") and in each other language of
    the application ("pool_translations"), so that every reader sees it in theirs,
    as it was on the day the statement was issued (pool_name_as_certified)."""
    names = {}
    for language in current_app.config["LANGUAGES"]:
        with speaking(language):
            names[language] = str(pool.label)
    return {"pool": names.pop(ENGLISH), "pool_translations": names}


def pool_name_as_certified(row: dict) -> str:
    """The pool's name of a certified statement's row in the reader's language (a
    statement issued before the names were kept in every language: as issued)."""
    return localized.pick(row["pool"], row.get("pool_translations"))


def commitment_as_certified(row: dict) -> str:
    """A commitment of a certified statement as its donor knows it, in the reader's
    language: its reference, or the day it was made (statements.services.commitment_name;
    its number in Trustfund means nothing to a donor). A statement issued before the day
    was kept names it as issued ("#12")."""
    if row.get("reference") or not row.get("committed_on"):
        return row.get("reference") or ""
    return _("Commitment of %(date)s", date=fmt_date(dt.date.fromisoformat(row["committed_on"])))


def _donor_content(donor: Donor, start: dt.date, end: dt.date) -> dict:
    s = statement(donor, start, end)
    parts = []
    for part in s.closing_parts:
        rate, converted = equivalent(part.usd_amount, part.currency, part.value_date)
        parts.append({**_pool_names(part.closing.pool), "kind": part.closing.kind,
                      "date": part.value_date.isoformat(), "weight": str(part.weight),
                      "balance": str(part.balance), "income": str(part.income),
                      "amount": str(part.usd_amount),
                      "fund_name": part.closing.fund_name, "fund_reference": part.closing.fund_reference,
                      "currency": part.currency, "rate": _text(rate), "currency_amount": _text(converted)})
    by_kind = {kind: sum((Decimal(p["amount"]) for p in parts if p["kind"] == kind), ZERO)
               for kind in (REFUND, FUND_TRANSFER, WAIVED)}
    # What is left of the donor's balance once the fund is closed: a pool whose spending
    # interest or other income helped pay ends with nothing to decide on, and its donors'
    # shares of that spending exceed their net deposits there by their part of that
    # income (statements.shares: interest is apportioned to no donor until now). It is
    # their part of the interest and other income, as a refund's is: the summary adds up
    # and the certified closing balance is zero.
    spent_income = -s.closing
    return {
        "donor": {"id": donor.id, "name": donor.name},
        "period": [s.date_from.isoformat(), s.date_to.isoformat()],
        "contributions": {"usd": str(s.usd_in_period), "fee": str(s.fees_in_period),
                          "net": str(s.net_in_period), "deposits": s.deposit_count,
                          "by_currency": {cur: str(amount) for cur, amount in s.amounts_by_currency.items()}},
        "commitments": [{"reference": c.commitment.reference,
                         "committed_on": c.commitment.committed_on.isoformat(),
                         "currency": c.commitment.currency, "amount": str(c.commitment.amount),
                         "deposited": str(c.deposited), "written_off": str(c.commitment.written_off)}
                        for c in s.commitments],
        "pools": [{**_pool_names(line.pool), "weight": str(line.donor_weight),
                   "share": str(line.share_in_period)} for line in s.shares],
        "closing": parts,
        "totals": {"net": str(s.net_in_period), "share": str(s.share_in_period),
                   "returned": str(s.returned_in_period),
                   "income": str(s.refunded_in_period - s.returned_in_period + spent_income),
                   "refund_due": str(by_kind[REFUND]), "transferred": str(by_kind[FUND_TRANSFER]),
                   # Its part of a residual left unrefunded under the waiver: without it the
                   # summary would not add up (net − share + income = refund + transferred + this).
                   "waived": str(by_kind[WAIVED]),
                   "closing_balance": str(s.closing + spent_income)},
    }


def _fund_content(fund, end: dt.date, donors: list[dict]) -> dict:
    status = funding_status(end)
    return {
        "fund": {"code": fund.code, "name": fund.name, "start_on": fund.start_on.isoformat(),
                 "end_on": fund.end_on.isoformat(), "closed_on": end.isoformat()},
        "funding_status": [{"key": line.key, "style": line.style, "amount": _text(line.amount),
                            "percent": _text(line.percent)} for line in lines(status)],
        "decisions": [{"date": c.decided_on.isoformat(), **_pool_names(c.pool), "kind": c.kind,
                       "amount": str(c.usd_amount), "fund_name": c.fund_name,
                       "fund_reference": c.fund_reference}
                      for c in db.session.scalars(decisions_query())],
        "donors": [{"id": d["donor"]["id"], "name": d["donor"]["name"], "net": d["totals"]["net"],
                    "share": d["totals"]["share"], "refund_due": d["totals"]["refund_due"],
                    "transferred": d["totals"]["transferred"]} for d in donors],
    }


def contributors() -> list[Donor]:
    """The donors with any deposit in the fund's life."""
    return list(db.session.scalars(sa.select(Donor).where(
        Donor.id.in_(sa.select(Deposit.donor_id).distinct())).order_by(Donor.name, Donor.id)))


# The earliest day a statement may start (statements.services.period_or_error).
EARLIEST_STATEMENT_DAY = dt.date(1990, 1, 1)


def statements_start(fund) -> dt.date:
    """The first day the certified final statements cover: the fund's start, or the
    value date of an earlier deposit (money received before the date the fund's record
    names, or a deposit whose mistyped date was corrected by its reversal), so that the
    statements hold every deposit and every reversal with the deposit it reverses, and
    add up (they have no opening balance: a reversal inside the period of a deposit
    before it took the donor's money away); never before the statements' earliest day,
    before which no deposit can be dated (contributions.ledger.FIRST_VALUE_DATE; one
    recorded before that rule, if any, is in the statement's closing balance only)."""
    earliest = db.session.scalar(sa.select(sa.func.min(Deposit.value_date))
                                 .where(Deposit.reverses_id.is_(None),
                                        Deposit.value_date >= EARLIEST_STATEMENT_DAY))
    start = min(fund.start_on, earliest) if earliest is not None else fund.start_on
    return max(start, EARLIEST_STATEMENT_DAY)


def statements_end(fund) -> dt.date:
    """The last day the certified final statements cover: the day the fund was closed
    financially (its UTC date), or a later day on which an entry of the closure is
    dated, each in the zone of the user who made it (a refund decided in Tokyo on the
    morning after, in UTC's evening; a last deposit or interest entry likewise): no
    entry is left out."""
    days = [fund.financially_closed_at.date()] + [
        db.session.scalar(sa.select(sa.func.max(column)))
        for column in (PoolClosing.decided_on, WriteOff.written_off_on, FundEntry.value_date,
                       Deposit.value_date, InterestEntry.value_date)]
    return max(day for day in days if day is not None)


def issue_final_statements(actor) -> int:
    """Sign off the certified final financial statements (the admin), once the fund
    is financially closed; once only. Returns how many were issued."""
    require_admin(actor)
    fund = current_fund()
    if fund is None or fund.status != FINANCIALLY_CLOSED:
        raise DomainError(_("The certified final statements are issued once the fund is financially closed."))
    if db.session.scalar(sa.select(FinalStatement.id).limit(1)) is not None:
        raise DomainError(_("The certified final statements have already been issued."))
    end = statements_end(fund)
    # Every figure first (read), then the rows (write).
    start = statements_start(fund)
    donors = [_donor_content(donor, start, end) for donor in contributors()]
    content = _fund_content(fund, end, donors)
    now, by = utcnow(), getattr(actor, "id", None)
    db.session.add(FinalStatement(subject=FUND_SUBJECT, issued_at=now, issued_by_id=by, content=content))
    for item in donors:
        donor_id = item["donor"]["id"]
        db.session.add(FinalStatement(subject=donor_subject(donor_id), donor_id=donor_id, issued_at=now,
                                      issued_by_id=by, content=item))
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(_("The certified final statements have already been issued.")) from None
    record(actor, "final_statement.issue", fund, after={"statements": len(donors) + 1,
                                                        "closed_on": end.isoformat()})
    return len(donors) + 1


def signed_off_by(found: FinalStatement) -> str:
    """Who signed the statement off, as their account was named when they did (the
    trail's entries of it): a statement kept as issued does not name whoever the account
    is called later (a colleague's review: an admin renaming the signer's account made
    the certified page, PDF and .xlsx name someone who never signed)."""
    return account_name_at(found.issued_by, found.issued_at)


def final_statement(subject: str) -> FinalStatement | None:
    return db.session.scalar(sa.select(FinalStatement).where(FinalStatement.subject == subject))
