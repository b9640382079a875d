"""The dashboard's figures equal a naive sum over the rows, for a fund of many donors
of every type, in currencies of 0, 2 and 3 decimals, over months with and without an
exchange rate: pledges (in force, partly fulfilled, fulfilled, withdrawn), commitments
with schedules, and deposits. The naive sums here follow the rules
of dashboard/services.py in the plainest way (one row at a time, every group
converted at its month's rate); the dashboard reads its sums grouped by the
database, by month, currency and earmarking with a column per donor type."""
from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories.dashboard import add_commitment, add_deposit, add_donor, add_pledge, add_rate, objective
from trustfund.contributions.models import Commitment, Deposit, ExchangeRate, Instalment, Pledge, Pool
from trustfund.dashboard import services
from trustfund.donors.models import DONOR_TYPES, Donor
from trustfund.extensions import db
from trustfund.money import quantum

ON = dt.date(2019, 3, 15)
CURRENCIES = ("USD", "EUR", "JPY", "KWD", "SEK")
MONTHS = [dt.date(2017 + (m // 12), m % 12 + 1, 1) for m in range(4, 24)]  # May 2017 - Dec 2018
CENT = D("0.01")


def _amount(rng: random.Random, currency: str) -> D:
    return (D(rng.randint(1_000, 5_000_000)) / 7).quantize(quantum(currency))


@pytest.fixture
def mixed_fund(app):
    """About 40 donors, 120 commitments, 60 pledges, 150 deposits; every month has a rate
    but for a few (currency, month) pairs. Seeded: the same fund every run."""
    rng = random.Random(16)
    for currency in CURRENCIES[1:]:
        for month in MONTHS:
            if rng.random() < 0.85:
                add_rate(currency, month, str(D(rng.randint(100, 2_000_000)) / 1000))
    objectives = [None, objective(1).id, objective(2).id, objective(3).id]
    types = list(DONOR_TYPES)
    donors = [add_donor(f"Donor {i:02d}", types[i % len(types)], country="FR" if i % 4 == 0 else None)
              for i in range(40)]
    for i in range(60):
        donor, currency = rng.choice(donors), rng.choice(CURRENCIES)
        pledge = add_pledge(donor, currency, str(_amount(rng, currency)), rng.choice(MONTHS) + dt.timedelta(
            days=rng.randint(0, 27)), rng.choice(objectives), withdrawn=i % 9 == 0)
        if i % 5 == 0:  # partly fulfilled; every seventh fulfilled beyond its amount
            pledge.fulfilled = (pledge.amount * D("1.5") if i % 7 == 0 else pledge.amount / 3).quantize(
                quantum(currency))
    for i in range(120):
        donor, currency = rng.choice(donors), rng.choice(CURRENCIES)
        amount = _amount(rng, currency)
        committed_on = rng.choice(MONTHS) + dt.timedelta(days=rng.randint(0, 27))
        first = (amount / 3).quantize(quantum(currency))
        schedule = [(committed_on + dt.timedelta(days=30 * k), part)
                    for k, part in enumerate((first, first, amount - 2 * first))] if i % 2 else []
        commitment = add_commitment(donor, currency, str(amount), committed_on, rng.choice(objectives),
                                    instalments=[(due, str(part)) for due, part in schedule])
        commitment.reference = f"C-{i:03d}"
        for _ in range(rng.choice((0, 1, 1, 2))):
            left = commitment.amount - commitment.deposited
            if left <= 0:
                break
            part = min(left, (amount / rng.choice((2, 3, 4))).quantize(quantum(currency)))
            rate = "1" if currency == "USD" else str(D(rng.randint(100, 2_000_000)) / 1000)
            add_deposit(commitment, str(part), rate, committed_on + dt.timedelta(days=rng.randint(1, 200)))
    # Two instalments falling due the same day, the later recorded one of the donor
    # first in alphabetical order: the oldest rows are ordered by donor name, not by id.
    for name in ("Zulu Foundation", "Alpha Foundation"):
        add_commitment(add_donor(name, "philanthropic_organization"), "USD", "900.00", dt.date(2017, 1, 2),
                       instalments=[(dt.date(2017, 1, 10), "900.00")]).reference = f"C-{name[:4]}"
    db.session.commit()


def _naive_figures():
    """The dashboard's contribution figures worked out one row at a time."""
    rates = {(r.currency, r.month): r.rate for r in db.session.scalars(sa.select(ExchangeRate))}
    types = {d.id: d.donor_type for d in db.session.scalars(sa.select(Donor))}
    groups = defaultdict(D)  # (kind, type, objective, currency, month) -> amount as entered
    for p in db.session.scalars(sa.select(Pledge)):
        if p.withdrawn_at is None and p.fulfilled < p.amount:
            groups["pledged", types[p.donor_id], p.objective_id, p.currency, p.pledged_on.replace(day=1)] += \
                p.amount - p.fulfilled
    for c in db.session.scalars(sa.select(Commitment)):
        groups["committed", types[c.donor_id], c.objective_id, c.currency, c.committed_on.replace(day=1)] += \
            c.amount
    total, by_type = defaultdict(D), defaultdict(D)  # (kind) / (kind, type) -> USD
    by_earmark, by_currency = defaultdict(D), defaultdict(D)  # (kind, objective) / (kind, currency[, usd])
    unconverted = []
    for (kind, donor_type, objective_id, currency, month), amount in groups.items():
        by_currency[kind, currency] += amount
        if currency == "USD":
            usd = amount.quantize(CENT, ROUND_HALF_UP)
        elif (currency, month) in rates:
            usd = (amount / rates[currency, month]).quantize(CENT, ROUND_HALF_UP)
        else:
            unconverted.append((kind, currency, month, amount))
            continue
        total[kind,] += usd
        by_type[kind, donor_type] += usd
        by_earmark[kind, objective_id] += usd
        by_currency[kind, currency, "usd"] += usd
    objective_of = {p.id: p.objective_id for p in db.session.scalars(sa.select(Pool))}
    fees = D(0)
    for d in db.session.scalars(sa.select(Deposit)):
        total["deposited",] += d.usd_amount
        by_type["deposited", types[d.donor_id]] += d.usd_amount
        by_earmark["deposited", objective_of[d.pool_id]] += d.usd_amount
        by_currency["deposited", d.currency] += d.amount
        by_currency["deposited", d.currency, "usd"] += d.usd_amount
        fees += d.fee
    return total, by_type, by_earmark, by_currency, sorted(unconverted), fees


def test_every_dashboard_figure_is_the_naive_sum_of_the_rows(mixed_fund):
    total, by_type, by_earmark, by_currency, unconverted, fees = _naive_figures()
    assert len(unconverted) >= 3 and len({c for _, c, _, _ in unconverted}) >= 2  # the data set covers them
    fig = services.contribution_figures(on=ON)
    kinds = ("pledged", "committed", "deposited")
    assert [getattr(fig.total, k) for k in kinds] == [total[k,] for k in kinds]
    assert (fig.fees, fig.net) == (fees, total["deposited",] - fees)
    for donor_type, flow in fig.by_type.items():
        assert [getattr(flow, k) for k in kinds] == [by_type[k, donor_type] for k in kinds], donor_type
    assert all(fig.by_type[t].committed for t in DONOR_TYPES)  # every donor type has figures
    for objective_id, _label, flow in fig.by_earmark:
        assert [getattr(flow, k) for k in kinds] == [by_earmark[k, objective_id] for k in kinds], objective_id
    currencies = {c.currency: c for c in fig.by_currency}
    assert set(currencies) == set(CURRENCIES)
    for code, c in currencies.items():
        assert [c.pledged, c.committed, c.deposited] == [by_currency[k, code] for k in kinds], code
        assert [c.pledged_usd, c.committed_usd, c.deposited_usd] == \
            [by_currency[k, code, "usd"] for k in kinds], code
    assert sorted((u.kind, u.currency, u.month, u.amount) for u in fig.unconverted) == unconverted


def _naive_overdue():
    """Every overdue instalment, one commitment at a time: its schedule in order of due
    date (then as recorded), a running sum against what was deposited or written off."""
    names = {d.id: d.name for d in db.session.scalars(sa.select(Donor))}
    rows = []
    for c in db.session.scalars(sa.select(Commitment)):
        settled, running = c.deposited + c.written_off, D(0)
        schedule = db.session.scalars(
            sa.select(Instalment).where(Instalment.commitment_id == c.id)).all()
        for i in sorted(schedule, key=lambda i: (i.due_on, i.id)):
            running += i.amount
            if i.due_on < ON and running > settled:
                rows.append((i.due_on, names[c.donor_id], i.id, c.reference, c.currency, i.amount,
                             min(i.amount, running - settled)))
    return [row[:2] + row[3:] for row in sorted(rows)]


def test_the_overdue_instalments_are_the_naive_running_sums_first_rows_and_count(mixed_fund):
    expected = _naive_overdue()
    assert len(expected) > 10
    every, count = services.overdue_instalments(ON)
    first, first_count = services.overdue_instalments(ON, limit=10)
    seen = [(o.due_on, o.donor_name, o.reference, o.currency, o.amount, o.shortfall) for o in every]
    assert seen == expected and count == first_count == len(expected)
    assert [(o.due_on, o.donor_name, o.reference) for o in first] == [row[:3] for row in expected[:10]]
    assert [o.donor_name for o in first[:2]] == ["Alpha Foundation", "Zulu Foundation"]
    oldest, _count = services.overdue_instalments(ON, limit=1)
    assert [o.donor_name for o in oldest] == ["Alpha Foundation"]


def test_the_xlsx_overview_holds_the_naive_totals(mixed_fund, client, login_as):
    total, _by_type, _by_earmark, _by_currency, _unconverted, fees = _naive_figures()
    login_as("auditor")
    response = client.get("/dashboard/?format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    overview = [row[1].value for row in book["Overview"].iter_rows(min_row=2)]
    assert overview == [float(v) for v in (total["pledged",], total["committed",], total["deposited",], fees,
                                           total["deposited",] - fees)]
    overdue = list(book["Overdue instalments"].iter_rows(min_row=2, values_only=True))
    assert len(overdue) == len(_naive_overdue())
