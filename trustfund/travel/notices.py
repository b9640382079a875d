"""Messages to the requester of a travel grant: the decision on the request, an
overrun awaiting a colleague's approval, and the decision on the overrun. Written in
the transaction of the decision (trustfund/mail), in the requester's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..mail.links import external_url
from ..mail.outbox import enqueue
from ..permissions import SRSG_STAFF
from .models import TravelGrant

SUBJECTS = {
    "approved": _l("Travel grant approved: %(delegate)s"),
    "waitlisted": _l("Travel grant waitlisted: %(delegate)s"),
    "rejected": _l("Travel grant rejected: %(delegate)s"),
    "overrun_pending": _l("Overrun awaiting approval: %(delegate)s"),
    "overrun_approved": _l("Overrun approved: %(delegate)s"),
    "overrun_rejected": _l("Overrun rejected: %(delegate)s"),
}


def tell_requester(actor, grant: TravelGrant, outcome: str, short_of=None) -> None:
    """The requester (the SRSG staff member who entered the request) learns of
    `outcome` on their request, with a link to it; not once they left the SRSG staff
    (deactivated, or moved to another role: a donor may not read travel grants).
    `short_of`: (the amount, the pools that did not have it) of a request waitlisted
    for want of money, said in the requester's language (the grant's stored reason is
    in its approver's)."""
    requester = grant.requested_by
    if requester is None or not requester.active or requester.role != SRSG_STAFF:
        return
    delegate = grant.delegate.name
    enqueue(requester, f"grant_{outcome}", "grant_decision",
            lambda: SUBJECTS[outcome] % {"delegate": delegate},
            outcome=outcome, grant=grant, delegate=delegate, event=grant.event,
            decider=getattr(actor, "name", "") or getattr(actor, "email", ""),
            url=external_url("travel.grant", grant_id=grant.id), short_of=short_of)
