"""The donor portal's figures: a donor's commitments, instalments and balance.

Instalments: a commitment's schedule is cumulative. Deposits against the
commitment and what the fund's closing wrote off of it (its running `deposited`
and `written_off`, Commitment.settled, in the commitment's currency) pay the
instalments in due-date order, so an instalment is covered for the part of them
beyond the instalments due before it. An instalment is outstanding
while not fully covered, and overdue when, in addition, its due date has passed
(the commitment's deposits are below the cumulative amount due up to it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from ..clock import today
from ..contributions.models import Commitment, Instalment
from ..donors.models import Donor
from ..extensions import db
from ..fund.entries import ClosingPart, FinalStatement, donor_subject
from .services import CommitmentLine, closing_parts, donor_commitments
from .shares import position_on


@dataclass
class InstalmentLine:
    commitment: Commitment
    instalment: Instalment
    cumulative_due: Decimal
    covered: Decimal  # by deposits
    overdue: bool
    written_off: Decimal = Decimal(0)  # the part of it the fund's closing wrote off

    @property
    def outstanding(self) -> Decimal:
        return self.instalment.amount - self.covered - self.written_off


def instalment_lines(commitments: list[Commitment], on: dt.date) -> list[InstalmentLine]:
    """The instalments not fully covered on `on`, earliest due first; overdue ones
    are those due before `on`."""
    lines = []
    for commitment in commitments:
        cumulative = Decimal(0)
        for instalment in sorted(commitment.instalments, key=lambda i: (i.due_on, i.id or 0)):
            due_before = cumulative
            cumulative += instalment.amount
            covered = min(instalment.amount, max(commitment.deposited - due_before, Decimal(0)))
            settled = min(instalment.amount, max(commitment.settled - due_before, Decimal(0)))
            if settled < instalment.amount:
                lines.append(InstalmentLine(commitment, instalment, cumulative, covered,
                                            overdue=instalment.due_on < on, written_off=settled - covered))
    lines.sort(key=lambda line: (line.instalment.due_on, line.commitment.id))
    return lines


@dataclass
class Overview:
    donor: Donor
    on: dt.date
    commitments: list[Commitment]
    instalments: list[InstalmentLine]
    net_deposits: Decimal
    share_of_spending: Decimal
    returned: Decimal = Decimal("0.00")  # its balance returned at the fund's closing
    closing_parts: list[ClosingPart] | None = None  # its refunds (or transfers on its behalf)
    final_statement: FinalStatement | None = None  # its certified final statement, once issued

    @property
    def balance(self) -> Decimal:
        return self.net_deposits - self.share_of_spending - self.returned

    @property
    def refunded(self) -> Decimal:
        """What the closing paid it or transferred on its behalf: its balance returned and its
        part of the pools' interest and other income (ClosingPart.income)."""
        return sum((part.usd_amount for part in self.closing_parts or ()), Decimal("0.00"))

    @property
    def commitment_lines(self) -> list[CommitmentLine]:
        """The commitments with what is deposited against each today and written off (their
        running figures)."""
        return [CommitmentLine(c, c.deposited, written_off=c.written_off) for c in self.commitments]

    @property
    def overdue(self) -> list[InstalmentLine]:
        return [line for line in self.instalments if line.overdue]

    @property
    def unscheduled_outstanding(self) -> bool:
        """Whether a commitment with money outstanding has no instalment schedule (what
        it still owes is in the commitments' table, not among the instalments)."""
        return any(not c.instalments and c.outstanding > 0 for c in self.commitments)

    @property
    def any_written_off(self) -> bool:
        """Whether an instalment listed was partly written off (its column is shown)."""
        return any(line.written_off for line in self.instalments)


def overview(donor: Donor, on: dt.date | None = None) -> Overview:
    """What the donor's portal shows on `on` (today by default)."""
    on = on or today()
    commitments = donor_commitments(donor.id)
    position = position_on(on)
    return Overview(donor=donor, on=on, commitments=commitments,
                    instalments=instalment_lines(commitments, on),
                    net_deposits=position.net_of(donor.id),
                    share_of_spending=position.share(donor.id), returned=position.returned(donor.id),
                    closing_parts=closing_parts(donor.id, date_to=on),
                    final_statement=db.session.scalar(sa.select(FinalStatement).where(
                        FinalStatement.subject == donor_subject(donor.id))))
