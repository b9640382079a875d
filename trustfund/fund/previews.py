"""What closing the fund's operations early will do, said before it is done
(confirmation.py), with the service's own refusals. Nothing here writes."""
from __future__ import annotations

from flask_babel import gettext as _

from ..clock import today
from ..confirmation import Summary
from ..errors import DomainError, check_version
from ..formatting import date
from .models import OPEN, Fund
from .services import _reason, already_closed_message
from .status import effective_status


def operations_closing(fund: Fund, reason: str, version) -> Summary:
    """Closing the operations before the end date (services.close_operations): refused
    when they are closed already, for a record changed since the form was read, and
    without a reason."""
    if effective_status(fund) != OPEN:  # before the version: the form sent twice moved it
        raise DomainError(already_closed_message())
    check_version(fund.version, version)
    reason = _reason(reason, "reason", _("Say why the operations close before the end date."))
    return Summary(_("Close the fund's operations early"), [
        (_("Fund"), fund.name), (_("Date"), date(today())), (_("End date"), date(fund.end_on)),
        (_("Reason"), reason)], [
        _("From %(day)s, no new pledges, commitments, events, grant requests or approvals are recorded.",
          day=date(today()))])
