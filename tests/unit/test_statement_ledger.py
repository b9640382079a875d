"""Statements over the ledger the real services write: contributions' deposits,
reversals and transfers, travel's approvals and reconciliations."""
import datetime as dt
from decimal import Decimal

from tests.factories import statements as data
from tests.factories.statements import D
from trustfund import demo
from trustfund.contributions.confirmed import reverse_deposit, set_rate, transfer
from trustfund.contributions.pools import all_pools
from trustfund.contributions.services import (
    record_commitment,
    record_deposit,
)
from trustfund.money import largest_remainder
from trustfund.statements.services import FUND_START, balances, statement
from trustfund.travel.decisions import approve_grant
from trustfund.travel.reconcile import record_no_show, record_travel
from trustfund.travel.services import request_grant, save_event


def test_statements_follow_the_services_ledger_to_the_cent(db, users):
    officer, srsg, srsg2 = users["mptf_officer"], users["srsg_staff"], users["srsg_staff2"]
    sweden, other = demo.demo_donor(), data.donor("Fondation Exemple")
    set_rate(officer, "EUR", dt.date(2017, 5, 1), "0.941")
    eur = record_commitment(officer, sweden, currency="EUR", amount="1000000.00", objective_id=None,
                            committed_on=dt.date(2017, 4, 20), reference="SE-EUR")
    record_deposit(officer, eur, value_date=dt.date(2017, 5, 2), amount="1000000.00")
    usd = record_commitment(officer, other, currency="USD", amount="600000.00", objective_id=None,
                            committed_on=dt.date(2017, 4, 25))
    record_deposit(officer, usd, value_date=dt.date(2017, 5, 9), amount="500000.00")
    twice = record_deposit(officer, usd, value_date=dt.date(2017, 5, 9), amount="1000.00")
    reverse_deposit(officer, twice, "Entered twice")
    obj2 = data.pool("OBJ2")
    transfer(officer, data.pool(), obj2, "20000.00", "Preparatory activities", on=dt.date(2017, 6, 1))

    event = save_event(srsg, None, kind="thematic_session", title="Drivers of migration",
                       city="New York", venue="UN HQ", start_on=dt.date(2017, 5, 22),
                       end_on=dt.date(2017, 5, 23), dsa_rate="350.00", max_per_country=5)
    grants = []
    for name, airfare in (("Delegate A", "1800.00"), ("Delegate B", "2100.00")):
        grant = request_grant(srsg, event_id=event.id, delegate_name=name, country_code="NP",
                              travel_from=dt.date(2017, 5, 21), travel_to=dt.date(2017, 5, 24),
                              origin_city="Kathmandu", airfare=airfare)
        approve_grant(srsg2, grant, pool_id=data.pool().id)
        grants.append(grant)
    record_travel(srsg, grants[0], ticket="1750.37", dsa="1050.00", terminal="100.00")
    record_no_show(srsg, grants[1], ticket="2100.00", dsa="0", terminal="0", reason="Visa refused")
    db.session.commit()

    s = statement(sweden)
    o = statement(other)
    assert s.net_in_period == D("1052072.27")
    assert o.net_in_period == D("495000.00")
    spent = D("1750.37") + D("1050.00") + D("100.00") + D("2100.00")
    assert data.pool().spent == spent
    # Both donors' weights in the un-earmarked pool after 20,000.00 left it for OBJ2
    # on 1 June 2017, split by their weights that day (the reversal is dated today).
    moved = largest_remainder(D("20000.00"), [D("1052072.27"), D("495990.00")])
    weights = [D("1052072.27") - moved[0], D("495000.00") - moved[1]]
    expected = largest_remainder(spent, weights)
    assert (s.share_in_period, o.share_in_period) == tuple(expected)
    assert s.share_in_period + o.share_in_period == spent
    for st in (s, o):
        assert st.opening == Decimal("0.00")
        assert st.opening + st.net_in_period - st.share_in_period == st.closing
    assert [d.net for d in o.deposits] == [D("495000.00"), D("990.00"), D("-990.00")]

    # Every donor's closing balance adds up to what the pools hold of the donors' money.
    _, _, lines = balances()
    pools = all_pools()
    assert sum(line.closing for line in lines) == \
        sum(p.deposits_net for p in pools) - sum(p.spent for p in pools)
    assert sum(line.opening for line in balances(dt.date(2017, 5, 10))[2]) == \
        D("1052072.27") + D("495000.00") + D("990.00")
    assert FUND_START == dt.date(2017, 4, 3)
