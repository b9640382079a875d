"""The statement's download carries the spending no donor's deposits reach, as its page
says it (a pool funded by interest alone paying a cost): the shares of spending in the
workbook fell short of the pools' spending with nothing saying why (a colleague's
review; DESIGN §6: an export's figures are the page's)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from tests.factories import statements as data
from trustfund.closure import entry_proposals

HEADER = "Spending in the period no donor's deposits reach (USD)"


def test_the_statement_download_has_the_spending_no_donor_bears(app, client, login_as, db, users):
    alpha = data.donor("Alpha")
    data.deposit(data.commitment(alpha, "1000.00", objective_number=1), "1000.00",
                 value_date=dt.date(2017, 5, 2), fee_rate="0")
    data.interest("500.00", on=dt.date(2017, 6, 30))
    data.transfer(data.pool(), data.pool("OBJ2"), "500.00", on=dt.date(2017, 7, 1))
    db.session.commit()
    cost = entry_proposals.propose_entry(users["mptf_officer"], kind="direct_cost",
                                         pool_id=data.pool("OBJ2").id, value_date=dt.date(2017, 8, 1),
                                         usd_amount="300.00", description="Preparatory meeting")
    db.session.commit()
    entry_proposals.confirm(users["mptf_officer2"], cost.id)
    db.session.commit()

    login_as("auditor")
    query = f"/statements/{alpha.id}?from=2017-04-03&to=2017-12-31"
    html = client.get(query).get_data(as_text=True)
    assert "no donor’s deposits reach (paid from interest alone): USD\u00a0300.00" in html
    summary = load_workbook(io.BytesIO(client.get(query + "&format=xlsx").data)).worksheets[0]
    header, values = [c.value for c in summary[1]], [c.value for c in summary[2]]
    assert Decimal(str(values[header.index(HEADER)])) == Decimal("300.00")
    # A period without such spending has no such column.
    later = f"/statements/{alpha.id}?from=2018-01-01&to=2018-12-31&format=xlsx"
    assert HEADER not in [c.value for c in load_workbook(io.BytesIO(client.get(later).data)).worksheets[0][1]]
