"""Where the fund stands in its life, and the guard of operational closure.

The fund is operationally closed once its end date has passed, or once the admin
closed its operations early (with a reason): no new pledges, commitments, events,
grant requests or approvals. Approved grants can still be reconciled, requests
rejected or cancelled, and deposits against existing commitments still arrive.
A financially closed fund takes nothing more at all (guard.py).

require_operations_open reads before the new row writes, and the admin may close
the operations in between. So a transaction that found them open notes it, and
fund.guard reads the fund's row again after the transaction's first write, once
the closure (an UPDATE of that row) has committed or cannot commit before this
transaction ends (check_noted_operations), as periods.py does for the years."""
from __future__ import annotations

import datetime as dt
import weakref

import sqlalchemy as sa
from flask_babel import gettext as _

from ..clock import today
from ..errors import DomainError
from ..exports import about_row
from ..extensions import db
from ..formatting import date as fmt_date
from .entries import WAITING, ClosingProposal, PoolClosing
from .models import FINANCIALLY_CLOSED, OPEN, OPERATIONALLY_CLOSED, Fund

# The fund's name as DESIGN.md §1 and its reference data give it (reference.FUND_NAME),
# shown in the reader's language while the fund's record holds it.
FUND_NAME = ("United Nations voluntary trust fund for the intergovernmental conference to adopt "
             "the Global Compact for Safe, Orderly and Regular Migration, and its preparatory process")


def fund_name_in_words(name: str) -> str:
    """The fund's name in the reader's language: the record's as an admin corrected it,
    or, while it is the standard name, its translation."""
    if name != FUND_NAME:
        return name
    return _("United Nations voluntary trust fund for the intergovernmental conference to adopt the Global "
             "Compact for Safe, Orderly and Regular Migration, and its preparatory process")


def fund_heading(fund: Fund | None) -> str:
    """A document's line naming the fund, its Administrative Agent and its code, from the
    fund's record (the statements and the closure's PDFs): "… · MPTF Office,
    Administrative Agent · fund MCS00"."""
    name, code = (fund.name, fund.code) if fund is not None else (FUND_NAME, "MCS00")
    return " · ".join((fund_name_in_words(name), _("MPTF Office, Administrative Agent"),
                       _("fund %(code)s", code=code)))


def current_fund() -> Fund | None:
    """The fund's record (None in a database without its reference data)."""
    return db.session.scalar(sa.select(Fund).order_by(Fund.id).limit(1))


@about_row
def _fund_in_exports():
    """Every .xlsx names the fund it is about (its About sheet's first row)."""
    fund = current_fund()
    # In the reader's language while the record holds the standard name (as the statements).
    return None if fund is None else (_("Fund"), f"{fund_name_in_words(fund.name)} ({fund.code})")


def effective_status(fund: Fund | None, on: dt.date | None = None) -> str:
    """open, operationally_closed or financially_closed on `on` (today): an open fund
    whose end date has passed is operationally closed by that alone."""
    if fund is None:
        return OPEN
    if fund.status == OPEN and (on or today()) > fund.end_on:
        return OPERATIONALLY_CLOSED
    return fund.status


def operations_closed_message(fund: Fund) -> str:
    if fund.status == FINANCIALLY_CLOSED:
        return _("The fund is financially closed: nothing more can be recorded.")
    if fund.status == OPERATIONALLY_CLOSED:
        return _("The fund's operations were closed on %(date)s (%(reason)s): no new pledges, "
                 "commitments, events, grant requests or approvals.",
                 date=fmt_date(fund.operations_closed_on), reason=fund.operations_closed_reason)
    if closing_recorded():  # an extension is refused from then on (services.extend_end)
        return _("The fund's activities ended on %(date)s, its end date: no new pledges, commitments, "
                 "events, grant requests or approvals.", date=fmt_date(fund.end_on))
    if closing_waits():  # an extension is refused while it waits (services.extend_end)
        return _("The fund's activities ended on %(date)s, its end date: no new pledges, commitments, "
                 "events, grant requests or approvals. A pool's closing decision waits for a second "
                 "SRSG staff member: the end date can be extended only once that decision is refused, "
                 "or withdrawn by its proposer, on the closing page.", date=fmt_date(fund.end_on))
    return _("The fund's activities ended on %(date)s, its end date: no new pledges, commitments, "
             "events, grant requests or approvals. An extension of the end date, with its "
             "reason, reopens them.", date=fmt_date(fund.end_on))


def closing_recorded() -> bool:
    """Whether any pool's closing decision is recorded (the fund's financial closure
    has begun): its balance has left the fund, and the end date moves no more."""
    return closing_began_on() is not None


def closing_began_on() -> dt.date | None:
    """The day of the first pool's closing decision recorded, if any (closing_recorded)."""
    with db.session.no_autoflush:
        return db.session.scalar(sa.select(sa.func.min(PoolClosing.decided_on)))


def closing_waits() -> bool:
    """Whether a pool's closing decision waits for its confirmation (closure.proposals):
    the end date moves no more until it is refused or withdrawn."""
    with db.session.no_autoflush:
        return db.session.scalar(sa.select(ClosingProposal.id).where(ClosingProposal.status == WAITING)
                                 .limit(1)) is not None


_NOTED = "trustfund.fund.status.noted"


def fund_row(session, *, for_share: bool = False):
    """The fund's figures read from the database now (not a copy the session may hold
    from earlier in the transaction); None without reference data. `for_share` (on
    PostgreSQL; fund.guard): FOR SHARE, which waits for a transaction changing the
    row (a closing, which claims it first) to end and then reads what it committed."""
    query = (sa.select(Fund.status, Fund.end_on, Fund.operations_closed_on, Fund.operations_closed_reason)
             .order_by(Fund.id).limit(1))
    if for_share and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    with session.no_autoflush:
        return session.execute(query).first()


def require_operations_open(field: str | None = None) -> None:
    """Refuse a new pledge, commitment, event, grant request or approval once the
    fund is operationally (or financially) closed."""
    session = db.session()
    fund = fund_row(session)
    if effective_status(fund) != OPEN:
        raise DomainError(operations_closed_message(fund), field=field)
    transaction = session.get_transaction()
    if transaction is not None:
        session.info[_NOTED] = (weakref.ref(transaction), field)


def check_noted_operations(session, fund) -> None:
    """Refuse the transaction if it found the operations open and they have closed
    since. Called by fund.guard after the transaction's first write, with the fund's
    row (fund_row) it has just read there: one read serves both guards."""
    noted = session.info.get(_NOTED)
    if noted is None or noted[0]() is not session.get_transaction():
        return
    if effective_status(fund) != OPEN:
        raise DomainError(operations_closed_message(fund), field=noted[1])


def operations_open() -> bool:
    return effective_status(current_fund()) == OPEN


def operations_open_now(*, for_share: bool = False) -> bool:
    """Whether the operations are open as the fund's row stands in the database now
    (after this transaction's first write: see closure/closing_decisions.decide); `for_share`:
    waiting for a transaction changing the row to end (fund_row)."""
    return effective_status(fund_row(db.session(), for_share=for_share)) == OPEN
