"""The records a document may be attached to, and who may read and attach there.

Each Target names a kind of record as it appears in URLs and in Document.object_type,
how to load one, the donor it belongs to (a donor user reads its own records'
documents, 404 for anything else), the roles that read and attach, and the short list
of kinds of document it takes.

Extension point: a feature placed below documents in .importlinter's layers adds its
Target to TARGETS here; one placed above (the fund-closure decisions of the lifecycle
work) calls register(Target(...)) from its own module, imported by register_blueprints
before any request.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..contributions.models import Commitment, Deposit
from ..donors.models import Donor
from ..extensions import db
from ..permissions import (
    ADMIN,
    AUDITOR,
    DONOR,
    FINANCE_READERS,
    MPTF_OFFICER,
    SRSG_STAFF,
    TRAVEL_READERS,
)
from ..travel.models import TravelGrant

OTHER = {"correspondence": _l("Correspondence"), "other": _l("Other")}


@dataclass(frozen=True)
class Target:
    name: str  # in URLs and Document.object_type
    audit_type: str  # the object_type of the record's own audit entries (its History)
    label: Any
    model: type
    kinds: dict[str, Any]
    readers: frozenset[str]  # staff roles that read; DONOR reads its own if donor_of says whose
    writers: frozenset[str]
    page: Callable[[Any], str]  # the record's page
    donor_of: Callable[[Any], int | None] = lambda _obj: None
    describe: Callable[[Any], str] = lambda obj: f"#{obj.id}"

    def load(self, object_id: int):
        return db.session.get(self.model, object_id)


TARGETS: dict[str, Target] = {}


def register(target: Target) -> None:
    TARGETS[target.name] = target


def _deposit_label(deposit: Deposit) -> str:
    """After the target's label ("Deposit"): its number, and what a reversal reverses."""
    from flask_babel import gettext as _

    if deposit.reverses_id:
        return _("#%(id)s, the reversal of #%(of)s", id=deposit.id, of=deposit.reverses_id)
    return f"#{deposit.id}"


FINANCE = frozenset(FINANCE_READERS) | {DONOR}
for _target in (
    Target("donor", "Donor", _l("Donor"), Donor,
           {"saa": _l("Signed SAA"), "saa_amendment": _l("SAA amendment"),
            "statement": _l("Donor statement"), **OTHER},
           FINANCE, frozenset({MPTF_OFFICER}),
           lambda d: url_for("donors.view", donor_id=d.id), lambda d: d.id, lambda d: d.name),
    Target("commitment", "Commitment", _l("Commitment"), Commitment,
           {"agreement": _l("Signed agreement or amendment"), **OTHER},
           FINANCE, frozenset({MPTF_OFFICER}),
           lambda c: url_for("contributions.commitment", commitment_id=c.id), lambda c: c.donor_id,
           lambda c: c.reference or f"#{c.id}"),
    # A reversal is a Deposit too: its bank advice of the return is attached the same way.
    Target("deposit", "Deposit", _l("Deposit"), Deposit,
           {"bank_advice": _l("Bank advice"), **OTHER},
           FINANCE, frozenset({MPTF_OFFICER}),
           lambda d: url_for("contributions.deposit", deposit_id=d.id), lambda d: d.donor_id,
           _deposit_label),
    Target("grant", "TravelGrant", _l("Travel grant"), TravelGrant,
           {"note_verbale": _l("Note verbale or nomination letter"), "ticket": _l("Ticket"),
            "receipt": _l("Receipt"), "attendance": _l("Proof of attendance"), **OTHER},
           frozenset(TRAVEL_READERS), frozenset({SRSG_STAFF}),
           lambda g: url_for("travel.grant", grant_id=g.id), describe=lambda g: f"#{g.id}"),
):
    register(_target)

READERS = (ADMIN, MPTF_OFFICER, SRSG_STAFF, AUDITOR, DONOR)
WRITERS = (ADMIN, MPTF_OFFICER, SRSG_STAFF)  # each target narrows it (may_write)


def may_read(user, target: Target, donor_id: int | None) -> bool:
    """Staff by the target's readers; a donor user its own donor's records only."""
    if user.role == DONOR:
        return DONOR in target.readers and donor_id is not None and user.donor_id == donor_id
    return user.role in target.readers


def may_write(user, target: Target) -> bool:
    return user.role in target.writers
