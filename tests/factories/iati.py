"""Builders for the IATI file's tests (no tests here): a fund with every kind of entry
the file reports (pledges, one withdrawn after a partial commitment; commitments;
deposits in three currencies with a reversal; interest with a reversal; travel
spending, one grant with hostile text) and a donor whose name is hostile text."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import statements as data
from trustfund.contributions import pools
from trustfund.contributions.models import Commitment, InterestEntry, Pledge
from trustfund.donors.models import Donor
from trustfund.extensions import db
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
