"""The donor page as the officer's desk: one donor's figures, its commitments and its
deposits, a page of each.

The figures, and what each means (the glossary says the same in words):

- Pledged, not yet committed (per currency): the rest of the donor's pledges in
  force, what they announced less the commitments recorded against them
  (Pledge.rest_expression over Pledge.open_condition): the contributions list's
  pledge totals for this donor, and the donor's part of the dashboard's figure.
- Committed (per currency): the amounts of its commitments (signed SAA).
- Deposited (per currency): what was received against them in their currency,
  reversals deducted (each commitment's running `deposited`).
- Outstanding (per currency): committed less deposited, still to come.
- Deposited, fee and net (USD): the USD, Administrative Agent fee and net of its
  deposits, fixed at deposit time, reversals deducted.
- Share of spending (USD): its share of each pool's spending to date, apportioned as
  on its statement (statements.shares).
- Returned at the fund's closing (USD): the part of its balance the closing gave
  back (or sent to another fund on its behalf), as on its statement.
- Balance (USD): net deposits less share of spending, less what the closing returned,
  today: the closing balance of its statement to today (a deposit dated after the
  reader's today, recorded by someone whose today is later, is in the net deposits,
  said beneath them, and not yet in the balance).

Every figure is the one the donor's own dashboard (services.donor_figures) and its
statement show, computed by the same functions; tests/web/test_donor_desk.py checks
that they agree. The caller has checked that the user may see this donor.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .. import clock
from ..contributions import lists, queries
from ..statements.shares import position_on
from .services import DonorFigures, DonorPool, donor_figures

PER_PAGE = 20


@dataclass
class CurrencyLine:
    """The donor's money in one currency, as entered."""

    currency: str
    pledged: Decimal
    committed: Decimal
    deposited: Decimal
    commitments: int = 0
    written_off: Decimal = Decimal("0.000")

    @property
    def outstanding(self) -> Decimal:
        """Neither deposited nor written off (as Commitment.outstanding)."""
        return self.committed - self.deposited - self.written_off


@dataclass
class Desk:
    donor_id: int
    on: dt.date
    currencies: list[CurrencyLine]
    figures: DonorFigures
    commitments: lists.Page
    deposits: lists.Page
    # {deposit id: id of the entry that reverses it} for the deposits of the page.
    reversed_by: dict[int, int] = field(default_factory=dict)
    # The page's deposits whose reversal waits for a second MPTF officer.
    reversal_waits: set[int] = field(default_factory=set)
    returned: Decimal = Decimal("0.00")  # its balance returned at the fund's closing

    @property
    def pools(self) -> list[DonorPool]:
        return self.figures.pools

    @property
    def deposited_usd(self) -> Decimal:
        return self.figures.deposited_usd

    @property
    def fees(self) -> Decimal:
        return self.figures.fees

    @property
    def net(self) -> Decimal:
        return self.figures.net

    @property
    def share_of_spending(self) -> Decimal:
        return self.figures.share_of_spending

    @property
    def net_later(self) -> Decimal:
        """Of `net`, the deposits dated after the reader's today (recorded by someone
        whose today is later): not in the balance of today, as on the statement."""
        return self.figures.net_later

    @property
    def balance(self) -> Decimal:
        """The closing balance of the statement to today: the deposits dated later left
        out (a colleague's review: the page counted them, beside its sentence saying it
        was the statement's)."""
        return self.net - self.net_later - self.share_of_spending - self.returned


def currency_lines(donor_id: int, figures: DonorFigures) -> list[CurrencyLine]:
    """Pledged (rest), committed, deposited per currency, every currency the donor has
    pledged or committed in, in code order."""
    pledged = {row["currency"]: row["amount"]
               for row in queries.pledge_totals({"donor": donor_id}, None)}
    lines = {c.currency: CurrencyLine(c.currency, pledged.get(c.currency, Decimal("0.000")),
                                      c.committed, c.deposited, c.count, c.written_off)
             for c in figures.commitments}
    for currency, rest in pledged.items():
        if currency not in lines:
            lines[currency] = CurrencyLine(currency, rest, Decimal("0.000"), Decimal("0.000"))
    return [lines[code] for code in sorted(lines)]


def desk(donor_id: int, commitments_page: int = 1, deposits_page: int = 1,
         on: dt.date | None = None, per_page: int = PER_PAGE) -> Desk:
    """The donor's figures on `on` (today), a page of its commitments (newest first,
    with what each has received) and a page of its deposits and reversals (newest
    value date first)."""
    on = on or clock.today()
    figures = donor_figures(donor_id, on)
    mine = {"donor": donor_id, "sort": "-date"}
    count = sum(c.count for c in figures.commitments)
    commitments = lists.commitment_page(mine, None, {"page": str(commitments_page)}, per_page, total=count)
    deposits = lists.page_of(queries.deposit_query(mine, None), {"page": str(deposits_page)}, per_page)
    return Desk(donor_id=donor_id, on=on, currencies=currency_lines(donor_id, figures), figures=figures,
                commitments=commitments, deposits=deposits,
                reversed_by=queries.reversals_of(row.Deposit.id for row in deposits.items
                                         if row.Deposit.reverses_id is None),
                reversal_waits=queries.reversals_waiting_among(row.Deposit.id for row in deposits.items
                                                               if row.Deposit.reverses_id is None),
                returned=position_on(on).returned(donor_id))

