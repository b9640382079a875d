"""Documents attached to a pool's closing decision (issue 19): the payment
instruction sent for a refund, the transfer agreement with the receiving fund, the
correspondence. Closure sits above documents in the layers, so it registers its
Target here (documents/targets.py's extension point); register_blueprints imports
this module before any request.

Who: the SRSG staff who decide and the administrator attach; they, the MPTF officers
(who make the payments) and the auditor read. Donors never: a decision covers every
donor of a pool, and each donor reads its own part in its final statement."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..documents.targets import OTHER, Target, register
from ..fund.entries import PoolClosing
from ..permissions import ADMIN, AUDITOR, MPTF_OFFICER, SRSG_STAFF

KINDS = {
    "payment_instruction": _l("Payment instruction"),
    "transfer_agreement": _l("Transfer agreement"),
    **OTHER,
}

register(Target(
    "closure_decision", "PoolClosing", _l("Closing decision"), PoolClosing, KINDS,
    readers=frozenset({ADMIN, SRSG_STAFF, MPTF_OFFICER, AUDITOR}),
    writers=frozenset({ADMIN, SRSG_STAFF}),
    page=lambda c: url_for("closure.decision", closing_id=c.id),
    describe=lambda c: f"{c.pool.label}: {c.kind_label}",
))
