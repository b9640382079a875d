"""What the search box finds, for whom.

Each role searches the kinds of record its work is about, and within them only the
records it may see; both are decided here, in the queries themselves (a donor's
rows never leave the database for another donor, not even to be filtered out):

- admin and auditor: donors, commitments (by reference), deposits (by bank
  reference) and travel grants (by delegate's name);
- MPTF officer: donors, commitments and deposits;
- SRSG staff: travel grants, by delegate's name;
- donor: its own donor, its own commitments and deposits, nothing else.

The text is found anywhere in the name or reference, in any letter case, its
%, _ and \\ taken literally. Each kind lists at most LIMIT rows, and says when there
are more.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..connections import holds_text
from ..contributions.models import Commitment, Deposit
from ..donors.models import Donor
from ..extensions import db
from ..permissions import ADMIN, AUDITOR, DONOR, MPTF_OFFICER, SRSG_STAFF
from ..travel.models import Delegate, TravelGrant

LIMIT = 20
SHORTEST = 2  # fewer characters find too much to be of use
LONGEST = 100

KINDS_OF = {
    ADMIN: ("donors", "commitments", "deposits", "grants"),
    AUDITOR: ("donors", "commitments", "deposits", "grants"),
    MPTF_OFFICER: ("donors", "commitments", "deposits"),
    SRSG_STAFF: ("grants",),
    DONOR: ("donors", "commitments", "deposits"),
}


@dataclass
class Found:
    kind: str
    rows: list = field(default_factory=list)
    more: bool = False  # more rows than LIMIT match


@dataclass
class Results:
    text: str
    kinds: tuple[str, ...]
    found: list[Found] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(f.rows) for f in self.found)


def searched_text(raw) -> str:
    """The text searched: spaces collapsed, at most LONGEST characters."""
    return " ".join(str(raw or "").split())[:LONGEST]


def as_names_are_stored(text: str) -> str:
    """The text searched among names, in NFKC as names are stored (validation.
    normalized_name: a full-width "Ｓｗｉｓｓ" is "Swiss"). References are stored as
    typed ("№ 4521"), and searched as typed."""
    return unicodedata.normalize("NFKC", text)




def _own(user, column):
    """The rows a donor user may see: those of its own donor (none without one)."""
    if user.role != DONOR:
        return sa.true()
    return column == user.donor_id if user.donor_id is not None else sa.false()


def _donors(user, text: str):
    return (sa.select(Donor).where(holds_text(Donor.name, as_names_are_stored(text)), _own(user, Donor.id))
            .order_by(sa.func.lower(Donor.name), Donor.id))


def _commitments(user, text: str):
    return (sa.select(Commitment).options(joinedload(Commitment.donor))
            .where(holds_text(Commitment.reference, text), _own(user, Commitment.donor_id))
            .order_by(Commitment.committed_on.desc(), Commitment.id.desc()))


def _deposits(user, text: str):
    return (sa.select(Deposit).options(joinedload(Deposit.donor), joinedload(Deposit.commitment))
            .where(holds_text(Deposit.bank_reference, text), _own(user, Deposit.donor_id))
            .order_by(Deposit.value_date.desc(), Deposit.id.desc()))


def _grants(user, text: str):
    return (sa.select(TravelGrant).join(Delegate, TravelGrant.delegate_id == Delegate.id)
            .options(joinedload(TravelGrant.delegate), joinedload(TravelGrant.event),
                     joinedload(TravelGrant.country))
            .where(holds_text(Delegate.name, as_names_are_stored(text)))
            .order_by(sa.func.lower(Delegate.name), TravelGrant.id.desc()))


QUERIES = {"donors": _donors, "commitments": _commitments, "deposits": _deposits, "grants": _grants}


def search(user, raw) -> Results:
    """The records `user` may see that hold the text, grouped by kind (the kinds of
    the user's role, in that order; a kind with no match is left out)."""
    text = searched_text(raw)
    kinds = KINDS_OF.get(user.role, ())
    results = Results(text, kinds)
    if len(text) < SHORTEST:
        return results
    for kind in kinds:
        rows = list(db.session.scalars(QUERIES[kind](user, text).limit(LIMIT + 1)).unique())
        if rows:
            results.found.append(Found(kind, rows[:LIMIT], len(rows) > LIMIT))
    return results
