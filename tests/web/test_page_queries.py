"""SQL statements per page do not grow with the rows (issue 9: no query per row).

Each page is requested with a fund of a few deposits, then again after many
more deposits, reversals, transfers and reconciled travel; the number of SQL
statements of the request must stay the same, and within the budget of 15."""
import datetime as dt

import pytest

from tests.factories import statements as data
from tests.sql_log import get_counted
from trustfund.contributions import pools
from trustfund.extensions import db

BUDGET = 15


@pytest.fixture
def count_statements(app):
    def _count(client, path):
        client.get(path)  # warm: the first request of a client loads session and translations
        return get_counted(client, path)[1]

    return _count


def _more_rows(sweden, n):
    """n more deposits of Sweden over the years, into two pools, one in five
    reversed, a transfer between the pools and reconciled travel after each ten."""
    unearmarked = data.pool()
    objective_1 = pools.pool_for_objective(data.objective(1).id)
    c_free = data.commitment(sweden, "90000000.00", "USD")
    c_obj = data.commitment(sweden, "90000000.00", "USD", objective_number=1)
    for i in range(n):
        day = dt.date(2017, 5, 1) + dt.timedelta(days=17 * i)
        d = data.deposit(c_obj if i % 2 else c_free, "1000.00", value_date=day)
        if i % 5 == 4:
            data.reverse(d, on=day + dt.timedelta(days=3))
        if i % 10 == 9:
            data.transfer(unearmarked, objective_1, "100.00", on=day + dt.timedelta(days=5))
            data.spend(objective_1, "150.00", reconciled_on=day + dt.timedelta(days=6))
    db.session.commit()


def _pages(sweden):
    return [("donor", "/statements/portal"),
            ("donor", f"/statements/{sweden.id}"),
            ("mptf_officer", f"/statements/{sweden.id}"),
            ("mptf_officer", f"/statements/{sweden.id}?date_from=2018-01-01&date_to=2019-12-31"),
            ("mptf_officer", "/dashboard/"),
            ("admin", "/dashboard/"),
            ("auditor", "/dashboard/"),
            ("srsg_staff", "/dashboard/"),
            ("mptf_officer", "/contributions/deposits"),
            ("mptf_officer", f"/contributions/deposits?donor={sweden.id}&currency=USD&sort=-usd"),
            ("mptf_officer", "/contributions/deposits?donor_type=member_state&earmark=none&page=2")]


def test_statement_portal_dashboard_and_deposits_statements_do_not_grow_with_rows(
        app, db, client, login_as, count_statements):
    sweden, _evil = data.two_donor_fund()
    _more_rows(sweden, 55)  # more than a page of the portal (50): its count query runs
    before = {}
    for role, path in _pages(sweden):
        login_as(role)
        before[(role, path)] = count_statements(client, path)
    _more_rows(sweden, 110)
    for role, path in _pages(sweden):
        login_as(role)
        after = count_statements(client, path)
        assert after == before[(role, path)], (role, path, before[(role, path)], after)
        assert after <= BUDGET, (role, path, after)


@pytest.mark.parametrize("args", [
    {}, {"donor_type": "member_state"}, {"earmark": "none"}, {"earmark": "objective"},
    {"donor_type": "member_state", "earmark": "none", "currency": "USD"},
    {"q": "Sweden"}, {"date_from": "2018-01-01", "date_to": "2019-12-31", "status": "outstanding"}])
def test_deposit_totals_are_the_sums_of_the_listed_rows(db, args):
    """The totals join only the tables their filters name: they still add up exactly
    the rows the list shows, whatever the filters."""
    from werkzeug.datastructures import MultiDict

    from trustfund.contributions import queries

    sweden, _evil = data.two_donor_fund()
    _more_rows(sweden, 12)
    if args.get("earmark") == "objective":
        args = {"earmark": str(data.objective(1).id)}
    filters = queries.parse_filters(MultiDict(args), queries.DEPOSIT_SORTS)
    rows = db.session.execute(queries.deposit_query(filters)).all()
    per_currency, usd = queries.deposit_totals(filters)
    assert usd["count"] == len(rows)
    assert usd["net"] == sum((r.Deposit.net for r in rows), data.D("0.00"))
    assert {c["currency"]: c["amount"] for c in per_currency} == {
        cur: sum(r.Deposit.amount for r in rows if r.Deposit.currency == cur)
        for cur in {r.Deposit.currency for r in rows}}
