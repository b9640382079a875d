"""Positions fixed by the closing of a year (fund.models.Year*Position), and the rule
after one (DESIGN.md §6a: a closed year's reports never change afterwards).

- On the last day of a closed year the position is what the closing stored: net
  deposits, weights and shares of spending per pool and donor, each pool's
  spending. Nothing recorded later changes it.
- After a closed year C, a donor's share of a pool's spending to date on D is its
  share fixed at the end of C, plus its part of the pool's spending since then,
  split by largest remainder over the donors' remaining weights: their weight in
  the pool on D less the share fixed at the end of C (donors with none left bear
  none). The spending of closed years is never re-apportioned: a later deposit by
  another donor shares only the spending of open years. What the closed years spent
  and was given back since (a cost reversed, a trip's costs corrected down:
  sums.given_back) goes back to those who bore it, by the shares fixed at the end
  of C, before the rest is split. A transfer between pools
  after C moves the donors' remaining weights in the source pool, not their whole
  weights (shares._transfer_parts): money C spent does not move to be spent again.
- Before the first closed year the rule of shares.py stands unchanged.

A date after a closed year is computed from what its closing stored, not from the
whole history: the weights it stored (every donor's, negative ones included: a
reversal after a transfer can leave one below zero) plus the deposits and the
transfers since, the net deposits it stored plus those since. Only the open years'
deposits are summed (shares._from_closed). A year closed before the closing stored
every weight (AccountingYear.all_weights false) cannot start anything: the dates
after it are summed from the start, as before.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from ..extensions import db
from ..fund.models import AccountingYear, YearDonorPosition, YearPoolPosition, YearShare
from ..fund.periods import closed_years
from ..money import split_cents
from .sums import _rows, cents


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def closed_ends() -> list[dt.date]:
    """The last days of the closed years, in order."""
    return sorted(year_end(year) for year in closed_years())


def base_for(on: dt.date, ends: list[dt.date]) -> dt.date | None:
    """The last day of the latest closed year strictly before `on` (None if none)."""
    before = [end for end in ends if end < on]
    return before[-1] if before else None


class Fixed:
    """What the closing of a year stored, in USD cents."""

    def __init__(self, year: int):
        self.year = year
        self.net_cents: dict[int, int] = {}
        self.returned_cents: dict[int, int] = {}
        self.spending: dict[int, int] = {}
        self.weights: dict[int, dict[int, int]] = defaultdict(dict)  # the positive ones
        self.all_weights: dict[int, dict[int, int]] = defaultdict(dict)  # every one stored
        self.shares: dict[int, dict[int, int]] = defaultdict(dict)
        self.complete = False  # every weight was stored: later dates can start from it

    @property
    def last_day(self) -> dt.date:
        return year_end(self.year)


def fixed_positions(years: set[int]) -> dict[int, Fixed]:
    """The stored positions of these closed years, three statements in all."""
    found = {year: Fixed(year) for year in years}
    if not years:
        return found
    wanted = sorted(years)
    for year in db.session.scalars(sa.select(AccountingYear.year).where(
            AccountingYear.year.in_(wanted), AccountingYear.all_weights)):
        found[year].complete = True
    for year, donor, net, returned in _rows(
            sa.select(YearDonorPosition.year, YearDonorPosition.donor_id, cents(YearDonorPosition.net),
                      cents(YearDonorPosition.returned)).where(YearDonorPosition.year.in_(wanted))):
        found[year].net_cents[donor] = net
        if returned:
            found[year].returned_cents[donor] = returned
    for year, pool, spending in _rows(
            sa.select(YearPoolPosition.year, YearPoolPosition.pool_id, cents(YearPoolPosition.spending))
            .where(YearPoolPosition.year.in_(wanted))):
        found[year].spending[pool] = spending
    for year, pool, donor, weight, share in _rows(
            sa.select(YearShare.year, YearShare.pool_id, YearShare.donor_id, cents(YearShare.weight),
                      cents(YearShare.share)).where(YearShare.year.in_(wanted))):
        if weight > 0:
            found[year].weights[pool][donor] = weight
        if weight:
            found[year].all_weights[pool][donor] = weight
        found[year].shares[pool][donor] = share
    return found


def split_after(base_shares: dict[int, int], weights_now: dict[int, int], spent_since: int,
                given_back: int = 0, base_spending: int = 0) -> dict[int, int]:
    """A pool's shares to date after a closed year: the shares fixed then, plus the
    spending since split over the remaining weights (weight now less the share), by
    largest remainder, ties to the lower donor id. The closed years' spending given
    back since (`given_back`, part of `spent_since`: sums.given_back) first goes back
    to those who bore it, in proportion to the shares fixed then (the part no donor's
    deposits reached, the closed pool's spending less their shares, takes its own
    proportion back), never more than the closed years spent; a donor who deposited
    later does not gain the money another donor's share paid."""
    shares = dict(base_shares)
    if given_back > 0:
        bearers = sorted((donor, share) for donor, share in base_shares.items() if share > 0)
        borne = sum(share for _, share in bearers)
        back = min(given_back, max(base_spending, borne))
        parts = split_cents(back, [share for _, share in bearers] + [max(base_spending - borne, 0)])
        for (donor, _), part in zip(bearers, parts, strict=False):
            shares[donor] -= part
        spent_since += back
    remaining = sorted((donor, weight - shares.get(donor, 0)) for donor, weight in weights_now.items()
                       if weight - shares.get(donor, 0) > 0)
    split = split_cents(spent_since, [w for _, w in remaining]) if remaining else []
    for (donor, _), part in zip(remaining, split, strict=True):
        shares[donor] = shares.get(donor, 0) + part
    return shares
