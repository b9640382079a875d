"""What waits for a second person, as each staff member's dashboard says it.

Nobody alone moves money (DESIGN.md §5): transfers between pools, a setting's new
value and a change to a user's account wait for a second admin; the fund's own
entries, interest, a deposit's reversal, exchange rates and a write-off for a second
MPTF officer;
a pool's closing decision, a grant's overrun and a correction of a trip's costs for a
second SRSG staff member. Each is answered on its own page, and mail tells the
colleagues; the dashboard says it too, at every view (never from the figure cache:
what waits for one person is not what waits for another of the same role):
- for you: what a colleague proposed that your role answers, with a link to the page
  where you confirm or refuse it;
- for a colleague: what you proposed and still waits, which you may withdraw there.

It sits above every feature it counts (like ledger_check); the app factory offers
it to the templates (`waiting_for_you`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import ngettext

from .admin.models import PENDING, SettingChange, UserChange
from .contributions.models import (
    DepositReversalProposal,
    InterestProposal,
    RateImport,
    RateProposal,
    TransferProposal,
)
from .donors.models import DonorRenaming
from .extensions import db
from .fund.entries import WAITING, ClosingProposal, FundEntryProposal, WriteOffProposal
from .permissions import ADMIN, MPTF_OFFICER, SRSG_STAFF
from .travel.models import OVERRUN_PENDING, CostCorrection, DelegateRenaming, TravelGrant


@dataclass(frozen=True)
class Waiting:
    """One line of the dashboard: what waits, and the page where it is answered."""

    text: str
    url: str


@dataclass(frozen=True)
class WaitingForYou:
    mine_to_answer: list[Waiting]  # proposed by a colleague; the reader's role answers it
    proposed_by_me: list[Waiting]  # the reader's own proposals, waiting for a colleague

    def __bool__(self) -> bool:
        return bool(self.mine_to_answer or self.proposed_by_me)


@dataclass(frozen=True)
class _Kind:
    """Rows of `model` waiting (status `waiting` in column `status`), proposed by the
    user in `proposer`; the words for the reader's own and for the others', each
    given the count; the endpoint of the page that answers them."""

    role: str
    model: type
    status: sa.ColumnElement
    waiting: str
    proposer: sa.ColumnElement
    to_answer: Callable[[int], str]
    proposed: Callable[[int], str]
    endpoint: str


def _kinds() -> list[_Kind]:
    # The words are built when asked (in the reader's language).
    return [
        _Kind(ADMIN, TransferProposal, TransferProposal.status, PENDING, TransferProposal.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d transfer between pools waits for you to confirm or refuse it.",
                  "%(num)d transfers between pools wait for you to confirm or refuse them.", n),
              lambda n: ngettext(
                  "%(num)d transfer between pools that you proposed waits for another administrator.",
                  "%(num)d transfers between pools that you proposed wait for another administrator.", n),
              "contributions.transfers"),
        _Kind(ADMIN, SettingChange, SettingChange.status, PENDING, SettingChange.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d new value of a setting waits for you to confirm or refuse it.",
                  "%(num)d new values of settings wait for you to confirm or refuse them.", n),
              lambda n: ngettext(
                  "%(num)d new value of a setting that you proposed waits for another administrator.",
                  "%(num)d new values of settings that you proposed wait for another administrator.", n),
              "admin.settings"),
        _Kind(ADMIN, UserChange, UserChange.status, PENDING, UserChange.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d change to a user's account waits for you to confirm or refuse it.",
                  "%(num)d changes to users' accounts wait for you to confirm or refuse them.", n),
              lambda n: ngettext(
                  "%(num)d change to a user's account that you proposed waits for another administrator.",
                  "%(num)d changes to users' accounts that you proposed wait for another administrator.", n),
              "admin.users"),
        _Kind(MPTF_OFFICER, FundEntryProposal, FundEntryProposal.status, WAITING,
              FundEntryProposal.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d entry of the fund (or its reversal) waits for you to confirm or refuse it.",
                  "%(num)d entries of the fund (or their reversals) wait for you to confirm or refuse "
                  "them.", n),
              lambda n: ngettext(
                  "%(num)d entry of the fund (or its reversal) that you proposed waits for another MPTF "
                  "officer.",
                  "%(num)d entries of the fund (or their reversals) that you proposed wait for another "
                  "MPTF officer.", n),
              "closure.entries"),
        _Kind(MPTF_OFFICER, InterestProposal, InterestProposal.status, PENDING,
              InterestProposal.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d interest entry (or its reversal) waits for you to confirm or refuse it.",
                  "%(num)d interest entries (or their reversals) wait for you to confirm or refuse them.", n),
              lambda n: ngettext(
                  "%(num)d interest entry (or its reversal) that you proposed waits for another MPTF "
                  "officer.",
                  "%(num)d interest entries (or their reversals) that you proposed wait for another MPTF "
                  "officer.", n),
              "contributions.interest"),
        _Kind(MPTF_OFFICER, DepositReversalProposal, DepositReversalProposal.status, PENDING,
              DepositReversalProposal.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d deposit's reversal waits for you to confirm or refuse it.",
                  "%(num)d deposits' reversals wait for you to confirm or refuse them.", n),
              lambda n: ngettext(
                  "%(num)d deposit's reversal that you proposed waits for another MPTF officer.",
                  "%(num)d deposits' reversals that you proposed wait for another MPTF officer.", n),
              "contributions.deposits"),
        _Kind(MPTF_OFFICER, RateProposal, RateProposal.status, PENDING, RateProposal.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d exchange rate (or its correction) waits for you to confirm or refuse it.",
                  "%(num)d exchange rates (or their corrections) wait for you to confirm or refuse them.", n),
              lambda n: ngettext(
                  "%(num)d exchange rate (or its correction) that you proposed waits for another MPTF "
                  "officer.",
                  "%(num)d exchange rates (or their corrections) that you proposed wait for another MPTF "
                  "officer.", n),
              "contributions.rates"),
        _Kind(MPTF_OFFICER, WriteOffProposal, WriteOffProposal.status, WAITING,
              WriteOffProposal.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d write-off waits for you to confirm or refuse it.",
                  "%(num)d write-offs wait for you to confirm or refuse them.", n),
              lambda n: ngettext(
                  "%(num)d write-off that you proposed waits for another MPTF officer.",
                  "%(num)d write-offs that you proposed wait for another MPTF officer.", n),
              "closure.closing"),
        # A rates file waits while neither imported nor withdrawn (it has no status column).
        _Kind(MPTF_OFFICER, RateImport,
              sa.case((sa.and_(RateImport.posted_at.is_(None), RateImport.withdrawn_at.is_(None)), PENDING),
                      else_="done"), PENDING, RateImport.created_by_id,
              lambda n: ngettext(
                  "%(num)d rates file waits for you to confirm it.",
                  "%(num)d rates files wait for you to confirm them.", n),
              lambda n: ngettext(
                  "%(num)d rates file that you uploaded waits for another MPTF officer.",
                  "%(num)d rates files that you uploaded wait for another MPTF officer.", n),
              "contributions.rates"),
        _Kind(MPTF_OFFICER, DonorRenaming, DonorRenaming.status, PENDING, DonorRenaming.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d change of a donor's name, type or country waits for you to confirm or refuse it.",
                  "%(num)d changes of donors' names, types or countries wait for you to confirm or refuse "
                  "them.", n),
              lambda n: ngettext(
                  "%(num)d change of a donor's name, type or country that you proposed waits for another "
                  "MPTF officer.",
                  "%(num)d changes of donors' names, types or countries that you proposed wait for another "
                  "MPTF officer.", n),
              "donors.index"),
        _Kind(SRSG_STAFF, ClosingProposal, ClosingProposal.status, WAITING, ClosingProposal.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d pool's closing decision waits for you to confirm or refuse it.",
                  "%(num)d pools' closing decisions wait for you to confirm or refuse them.", n),
              lambda n: ngettext(
                  "%(num)d pool's closing decision that you proposed waits for another SRSG staff member.",
                  "%(num)d pools' closing decisions that you proposed wait for another SRSG staff "
                  "member.", n),
              "closure.closing"),
        _Kind(SRSG_STAFF, CostCorrection, CostCorrection.status, PENDING, CostCorrection.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d correction of a trip's costs waits for you to confirm or refuse it.",
                  "%(num)d corrections of trips' costs wait for you to confirm or refuse them.", n),
              lambda n: ngettext(
                  "%(num)d correction of a trip's costs that you proposed waits for another SRSG staff "
                  "member.",
                  "%(num)d corrections of trips' costs that you proposed wait for another SRSG staff member.",
                  n),
              "travel.queue"),
        _Kind(SRSG_STAFF, DelegateRenaming, DelegateRenaming.status, PENDING, DelegateRenaming.proposed_by_id,
              lambda n: ngettext(
                  "%(num)d change of a delegate's name waits for you to confirm or refuse it.",
                  "%(num)d changes of delegates' names wait for you to confirm or refuse them.", n),
              lambda n: ngettext(
                  "%(num)d change of a delegate's name that you proposed waits for another SRSG staff "
                  "member.",
                  "%(num)d changes of delegates' names that you proposed wait for another SRSG staff member.",
                  n),
              "travel.queue"),
        _Kind(SRSG_STAFF, TravelGrant, TravelGrant.overrun_status, OVERRUN_PENDING,
              TravelGrant.overrun_recorded_by_id,
              lambda n: ngettext(
                  "%(num)d travel grant's overrun waits for you to approve or reject it.",
                  "%(num)d travel grants' overruns wait for you to approve or reject them.", n),
              lambda n: ngettext(
                  "%(num)d travel grant's overrun that you recorded waits for another SRSG staff member.",
                  "%(num)d travel grants' overruns that you recorded wait for another SRSG staff "
                  "member.", n),
              "travel.queue"),
    ]


def waiting_for_you(user) -> WaitingForYou:
    """What waits for `user` (a staff member) to answer and what `user` proposed that
    waits for a colleague: one statement, two counts per kind of change their role
    answers (none at all for the auditor and donors, whose role answers none)."""
    kinds = [kind for kind in _kinds() if kind.role == user.role]
    if not kinds:
        return WaitingForYou([], [])
    counts = []
    for kind in kinds:
        mine = kind.proposer == user.id
        for whose in (sa.not_(mine), mine):
            counts.append(sa.select(sa.func.count()).select_from(kind.model)
                          .where(kind.status == kind.waiting, whose).scalar_subquery())
    found = iter(db.session.execute(sa.select(*counts)).one())
    to_answer, proposed = [], []
    for kind in kinds:
        theirs, own = next(found), next(found)
        url = url_for(kind.endpoint)
        if theirs:
            to_answer.append(Waiting(kind.to_answer(theirs), url))
        if own:
            proposed.append(Waiting(kind.proposed(own), url))
    return WaitingForYou(to_answer, proposed)
