"""The SRSG staff's dashboard: each pool's row adds up to its available money, to the
cent, once the fund has its own entries (direct costs, bank charges, other income)."""
import re
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest

from tests.factories.dashboard import build_fund
from tests.factories.iati import fund_entries
from tests.pages import number, table_rows


@pytest.fixture
def fund(app, db):
    built = build_fund()
    fund_entries()  # un-earmarked pool: direct cost 250.00, bank charge 12.34, other income 55.55
    return built


CLOSED_OUT = "Refunded, transferred or not refunded at closure"
COMMITTED, SPENT = "Grants committed, not yet reconciled", "Actual costs of reconciled grants"

def _header(html: str, table_id: str) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', html, re.DOTALL).group(1)
    head = re.search(r"<thead>(.*?)</thead>", table, re.DOTALL).group(1)
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.DOTALL)]


def _rows(html: str, block: str) -> dict[str, dict[str, str]]:
    """{pool: {column header: cell text}} of the block's table."""
    header = _header(html, f"table-{block}")
    return {row[0]: dict(zip(header, row, strict=True)) for row in table_rows(html, f"table-{block}")}


def test_each_pools_row_adds_up_to_its_available_money(fund, client, login_as):
    login_as("srsg_staff")
    html = client.get("/dashboard/").get_data(as_text=True)
    pools = _rows(html, "pools")
    row = pools["Un-earmarked"]
    got = {key: number(value) for key, value in row.items() if key != "Pool"}
    assert got["Other income"] == D("55.55")
    assert got["Direct costs"] == D("250.00")
    assert got["Bank charges"] == D("12.34")
    assert (got["Net deposits"] + got["Interest"] + got["Other income"] + got["Transfers in"]
            - got["Transfers out"] - got[COMMITTED] - got[SPENT] - got["Direct costs"]
            - got["Bank charges"] - got[CLOSED_OUT]) == got["Available"]

    budget = _rows(html, "budget")["Un-earmarked"]
    got = {key: number(value) for key, value in budget.items() if key not in ("Pool", "Used (%)")}
    assert (got[SPENT] + got["Direct costs"] + got["Bank charges"] + got[COMMITTED]
            + got[CLOSED_OUT] + got["Available"]) == got["Budget"]


def test_the_budget_note_says_what_used_counts(fund, client, login_as):
    """Used (%) counts the direct costs and the bank charges beside what was spent and
    committed: the note under "Spending against budget" names each."""
    login_as("srsg_staff")
    html = client.get("/dashboard/").get_data(as_text=True)
    budget = _rows(html, "budget")["Un-earmarked"]
    got = {key: number(value) for key, value in budget.items() if key not in ("Pool", "Used (%)")}
    used = got[SPENT] + got["Direct costs"] + got["Bank charges"] + got[COMMITTED]
    assert got["Direct costs"] and got["Bank charges"]
    shown = D(re.sub(r"[^\d.]", "", budget["Used (%)"]))
    assert shown == (100 * used / got["Budget"]).quantize(D("0.1"), rounding=ROUND_HALF_UP)
    note = ("Used is what was spent, the direct costs, the bank charges and what is committed to grants, "
            "as a share of the budget.")
    assert note in " ".join(html.split())
