"""Builders for the IATI file's tests (no tests here): a fund with every kind of entry
the file reports (pledges, one withdrawn after a partial commitment; commitments;
deposits in three currencies with a reversal; interest with a reversal; travel
spending, one grant with hostile text) and a donor whose name is hostile text; then
the same fund through its life's end, through the services: its own costs and
income, the operations closed, the commitments written off, the pools refunded or
transferred to another fund, the fund financially closed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import base_users
from tests.factories import statements as data
from trustfund.admin.confirmed_settings import set_setting
from trustfund.admin.models import REFUND_WAIVER
from trustfund.closure import closing_decisions, financial
from trustfund.closure.confirmed_write_offs import write_off
from trustfund.contributions import pools
from trustfund.contributions.fund_entries import record_fund_entry, reverse_fund_entry
from trustfund.contributions.models import Commitment, InterestEntry, Pledge, Pool
from trustfund.contributions.pools import unearmarked_pool
from trustfund.donors.models import Donor
from trustfund.extensions import db
from trustfund.fund import services as fund_services
from trustfund.fund.entries import PoolClosing
from trustfund.fund.status import current_fund
from trustfund.travel.models import Event

# Markup, an entity, both quotes, Arabic (right to left) with a right-to-left
# override, and a control character XML cannot carry (BEL, dropped from the file).
HOSTILE = '<b>Fondation "Al-Khayr" & \'Partners\'</b> \u202eمؤسسة الخير\u202c'
HOSTILE_NOTE = 'Note <!-- not a comment --> ]]> & "quoted" \x07bell עברית'


def pledge(donor: Donor, currency: str, amount: str, on: dt.date, *, note: str = "",
           fulfilled: str = "0", withdrawn_on: dt.date | None = None, reason: str = "") -> Pledge:
    p = Pledge(donor_id=donor.id, currency=currency, amount=Decimal(amount), fulfilled=Decimal(fulfilled),
               pledged_on=on, note=note,
               withdrawn_at=dt.datetime.combine(withdrawn_on, dt.time(10)) if withdrawn_on else None,
               withdrawn_reason=reason or None)
    db.session.add(p)
    db.session.flush()
    return p


def reverse_interest(entry: InterestEntry, *, on: dt.date) -> InterestEntry:
    r = InterestEntry(pool_id=entry.pool_id, value_date=on, usd_amount=-entry.usd_amount,
                      note="Booked twice", reverses_id=entry.id)
    db.session.add(r)
    pools.move(entry.pool_id, interest=-entry.usd_amount, available=-entry.usd_amount)
    db.session.flush()
    return r


def iati_fund() -> dict:
    """The statements' two-donor fund, and: a hostile donor (philanthropic) with a pledge
    whose note is hostile, a deposit and its reversal; pledges in force, partly
    fulfilled then withdrawn; interest and a reversed interest entry; a grant to an
    event with a hostile title; a grant whose overrun of 200.00 was approved ten days
    after its costs of 1,200.00 were recorded. Committed. Returns the donors by key."""
    sweden, evil = data.two_donor_fund()
    hostile = data.donor(HOSTILE)
    pledge(sweden, "EUR", "2000000.00", dt.date(2017, 4, 5))
    partly = pledge(evil, "JPY", "100000000", dt.date(2017, 4, 6), fulfilled="77777777",
                    withdrawn_on=dt.date(2017, 10, 2), reason='Budget cut <"final">')
    db.session.scalar(sa.select(Commitment).where(Commitment.reference == "=EVIL-REF")).pledge_id = partly.id
    pledge(hostile, "USD", "50000.00", dt.date(2017, 4, 7), note=HOSTILE_NOTE)
    c = data.commitment(hostile, "30000.00", "USD", reference="H&<1>")
    wrong = data.deposit(c, "30000.00", value_date=dt.date(2017, 7, 10), bank_reference="H-1")
    data.reverse(wrong, on=dt.date(2017, 7, 12), reason=HOSTILE_NOTE)
    data.deposit(c, "20000.00", value_date=dt.date(2017, 7, 14), bank_reference="H-2")
    data.interest("1234.56", on=dt.date(2017, 9, 30))
    data.interest("10.01", on=dt.date(2017, 10, 31))
    twice = db.session.scalar(sa.select(InterestEntry).where(InterestEntry.usd_amount == Decimal("10.01")))
    reverse_interest(twice, on=dt.date(2017, 11, 2))
    grant = data.spend(data.pool(), "2500.00", reconciled_on=dt.date(2017, 11, 20))
    event = db.session.get(Event, grant.event_id)
    event.title = HOSTILE
    grant.country_code = "SN"
    overrun = data.spend(data.pool("OBJ1"), "1200.00", reconciled_on=dt.date(2017, 11, 25))
    overrun.committed_amount = Decimal("1000.00")
    overrun.overrun_amount = Decimal("200.00")
    overrun.overrun_status = "approved"
    overrun.overrun_recorded_by_id = overrun.requested_by_id
    overrun.overrun_decided_by_id = overrun.decided_by_id
    overrun.overrun_decided_at = dt.datetime(2017, 12, 5, 11)
    db.session.commit()
    return {"sweden": sweden, "evil": evil, "hostile": hostile}


OTHER_FUND, OTHER_FUND_REFERENCE = "Migration Multi-Partner Trust Fund <MMPTF> & co", "MMPTF/2026-7"


def fund_entries() -> None:
    """Today, on the unearmarked pool: a direct cost of 250.00, a bank charge of 12.34,
    other income of 55.55, and a direct cost of 99.99 reversed. Committed."""
    officer, pool = base_users()["mptf_officer"], unearmarked_pool().id
    today = dt.date.today()
    record_fund_entry(officer, kind="direct_cost", pool_id=pool, value_date=today, usd_amount="250.00",
                      description="Audit of the fund's accounts")
    record_fund_entry(officer, kind="bank_charge", pool_id=pool, value_date=today, usd_amount="12.34",
                      description="Charges on incoming transfers")
    record_fund_entry(officer, kind="other_income", pool_id=pool, value_date=today, usd_amount="55.55",
                      description="Gain on exchange")
    wrong = record_fund_entry(officer, kind="direct_cost", pool_id=pool, value_date=today, usd_amount="99.99",
                              description="Booked to the wrong fund")
    reverse_fund_entry(officer, wrong, "Belongs to another fund")
    db.session.commit()


def close_operations() -> None:
    fund_services.close_operations(base_users()["admin"], current_fund(), reason="The Compact was adopted")
    db.session.commit()


def close_financially(waive_up_to: str | None = None) -> list[PoolClosing]:
    """Every commitment's rest written off; the OBJ1 pool's balance transferred to
    another fund, a balance of at most `waive_up_to` (the admin's residual waiver,
    if given) not refunded, every other pool's refunded to its donors; the fund
    closed. Returns the closings."""
    users = base_users()
    waiver = Decimal(waive_up_to) if waive_up_to else Decimal(-1)
    if waive_up_to:
        set_setting(users["admin"], REFUND_WAIVER, waive_up_to, dt.date(2017, 1, 1))
    for commitment in financial.outstanding_commitments():
        write_off(users["mptf_officer"], commitment, reason="Will not be paid <final> & done")
    db.session.commit()
    closings = []
    for pool in db.session.scalars(sa.select(Pool).where(Pool.available > 0).order_by(Pool.id)).all():
        if pool.available <= waiver:
            closings.append(closing_decisions.decide(users["srsg_staff"], pool, "waived"))
        elif pool.code == "OBJ1":
            closings.append(closing_decisions.decide(users["srsg_staff"], pool, "transfer",
                                                     fund_name=OTHER_FUND,
                                                     fund_reference=OTHER_FUND_REFERENCE))
        else:
            closings.append(closing_decisions.decide(users["srsg_staff"], pool, "refund"))
        db.session.commit()
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()
    return closings
