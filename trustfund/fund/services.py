"""The fund's record, changed by the admin: its name, code and start date; an
extension of its end date (with a reason); an early closure of its operations
(with a reason). Each change is in the audit trail, with the values before and
after; none is possible once the fund is financially closed (guard.py)."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ..audit import record, snapshot
from ..clock import today
from ..errors import DomainError, check_version
from ..extensions import db
from ..formatting import date as fmt_date
from ..permissions import ADMIN
from ..validation import check_text, normalized_name, too_long
from .models import OPEN, OPERATIONALLY_CLOSED, Fund
from .status import closing_recorded, closing_waits, effective_status


def require_admin(actor) -> None:
    if getattr(actor, "role", None) != ADMIN:
        raise DomainError(_("Only an administrator may do this."))


def _reason(text: str | None, field: str, message: str) -> str:
    reason = check_text((text or "").strip(), field, multiline=True)
    if not reason:
        raise DomainError(message, field=field)
    if len(reason) > 2000:
        raise DomainError(too_long(2000), field=field)
    return reason


def update_fund(actor, fund: Fund, *, name: str, code: str, start_on: dt.date, version=None) -> Fund:
    """The fund's name, public code (MCS00 on the MPTF Gateway) and start date. The
    end date moves only by an extension (extend_end)."""
    require_admin(actor)
    check_version(fund.version, version)
    name = normalized_name(check_text(name or "", "name"))
    if not name:
        raise DomainError(_("Enter the fund's name."), field="name")
    if len(name) > 300:
        raise DomainError(too_long(300), field="name")
    code = check_text((code or "").strip(), "code")
    if not code or len(code) > 30 or not code.isascii() or not code.replace("-", "").isalnum():
        raise DomainError(_("Enter the fund's code: letters and digits, such as MCS00."), field="code")
    if not isinstance(start_on, dt.date):
        raise DomainError(_("Enter the start date."), field="start_on")
    if start_on > fund.end_on:
        raise DomainError(_("The start date cannot be after the end date (%(date)s).",
                            date=fmt_date(fund.end_on)), field="start_on")
    before = snapshot(fund)
    fund.name, fund.code, fund.start_on = name, code, start_on
    if not db.session.is_modified(fund):  # saved as shown: nothing to record
        return fund
    db.session.flush()
    record(actor, "fund.update", fund, before=before)
    return fund


def extend_end(actor, fund: Fund, *, end_on: dt.date, reason: str, version=None) -> Fund:
    """Move the end date later, with a reason (a no-cost extension). An open fund
    whose end date had passed is open again; one whose operations the admin closed
    stays closed. Refused once a pool's closing decision is recorded: its balance has
    left the fund (refunded, transferred or waived), and operations reopened on a
    fund being closed would take commitments, events and requests that no money
    backs any more. Refused too while a decision waits for its confirmation, when the
    extension would reopen the operations (which would make the decision one that
    cannot be confirmed): it is refused or withdrawn first. A fund whose operations
    the admin closed early keeps them closed, so its decision can still be confirmed:
    its end date may be extended while one waits."""
    require_admin(actor)
    check_version(fund.version, version)
    if not isinstance(end_on, dt.date):
        raise DomainError(_("Enter the new end date."), field="end_on")
    if end_on <= fund.end_on:
        raise DomainError(_("An extension moves the end date later than %(date)s.",
                            date=fmt_date(fund.end_on)), field="end_on")
    reason = _reason(reason, "reason", _("Say why the end date is extended."))
    before = snapshot(fund)
    fund.end_on = end_on
    # The fund's row first, then the look-up: a decision recorded meanwhile has either
    # committed and is found here, or reads this row after this extension commits and
    # is refused itself (closure/closing_decisions.decide).
    db.session.flush()
    if closing_recorded():
        raise DomainError(extension_refused_message(), field="end_on")
    if fund.status == OPEN and closing_waits():
        raise DomainError(_("The end date cannot be extended while a pool's closing decision waits for a "
                            "second SRSG staff member: the fund's operations would reopen, and the decision "
                            "could not be confirmed. The decision must first be refused, or withdrawn by its "
                            "proposer, on the closing page; then the end date can be extended."),
                          field="end_on")
    record(actor, "fund.extend", fund, before=before, note=reason)
    return fund


def extension_refused_message() -> str:
    return _("The end date can no longer be extended: a pool's closing decision is recorded (its "
             "unspent balance was refunded, transferred to another fund or left unrefunded), so "
             "the fund's operations stay closed.")


def already_closed_message() -> str:
    return _("The fund's operations are already closed.")


def close_operations(actor, fund: Fund, *, reason: str, version=None) -> Fund:
    """Close the fund's operations before its end date, with a reason: from today
    no new pledges, commitments, events, grant requests or approvals."""
    require_admin(actor)
    if effective_status(fund) != OPEN:  # before the version: the form sent twice moved it
        raise DomainError(already_closed_message())
    check_version(fund.version, version)
    reason = _reason(reason, "reason", _("Say why the operations close before the end date."))
    before = snapshot(fund)
    fund.status = OPERATIONALLY_CLOSED
    fund.operations_closed_on = today()
    fund.operations_closed_reason = reason
    db.session.flush()
    record(actor, "fund.close_operations", fund, before=before, note=reason)
    return fund
