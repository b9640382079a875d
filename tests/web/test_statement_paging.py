"""A statement of many deposits: the screen shows them a hundred a page, with the
figures of the whole period; the print view and the .xlsx hold every deposit."""
import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest

from tests.factories import make_user
from tests.factories import statements as data

FROM, TO = "2017-04-03", "2018-12-31"
COUNT = 205


@pytest.fixture
def big(db):
    """A donor with 205 deposits in the period (USD and EUR, one reversed) and one
    before it; amounts 1,000.00 + i so that each row can be told apart."""
    donor = data.donor("Many Deposits")
    usd = data.commitment(donor, "10000000.00", reference="C-USD")
    eur = data.commitment(donor, "10000000.00", "EUR", reference="C-EUR")
    data.deposit(usd, "5.00", value_date=dt.date(2017, 4, 2))  # the day before the period
    deposits = []
    for i in range(COUNT - 1):
        deposits.append(data.deposit(eur if i % 3 == 0 else usd, f"{1000 + i}.00",
                                     rate="0.9" if i % 3 == 0 else "1",
                                     value_date=dt.date(2017, 5, 1) + dt.timedelta(days=i * 2)))
    deposits.append(data.reverse(deposits[7], on=dt.date(2018, 6, 1)))
    deposits.sort(key=lambda d: (d.value_date, d.id))
    db.session.commit()
    return donor, deposits


def _deposit_rows(page: str) -> list[str]:
    """The Amount cell of each row of the deposits table, in order."""
    section = page[page.index('aria-labelledby="deposits-heading"'):]
    body = section[section.index("<tbody>"):section.index("</tbody>")]
    return [re.findall(r'<td class="num">([^<]*)</td>', row)[0]
            for row in body.split("<tr>")[1:]]


def _amount(d) -> str:
    return f"{d.amount:,.2f}"


def _get(client, donor, **query) -> str:
    response = client.get(f"/statements/{donor.id}", query_string={"from": FROM, "to": TO, **query})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_page_shows_a_hundred_deposits_and_the_whole_periods_figures(client, login_as, big):
    donor, deposits = big
    login_as("mptf_officer")
    net = sum((d.net for d in deposits), Decimal(0))
    usd = sum((d.usd_amount for d in deposits), Decimal(0))
    seen = []
    for number, size in ((1, 100), (2, 100), (3, 5)):
        page = _get(client, donor, page=number)
        rows = _deposit_rows(page)
        assert len(rows) == size
        seen += rows
        first, last = (number - 1) * 100 + 1, (number - 1) * 100 + size
        assert f"Deposits {first} to {last} of 205, oldest first." in page
        assert "the print view and the .xlsx download list every deposit" in page
        # The totals and the summary are those of all 205 deposits, on every page.
        assert re.search(r'id="net-total">([^<]*)<', page).group(1) == f"{net:,.2f}"
        assert re.search(r'id="usd-total">([^<]*)<', page).group(1) == f"{usd:,.2f}"
        assert re.search(r'id="net-in-period">([^<]*)<', page).group(1) == f"USD\u00a0{net:,.2f}"
    # Every deposit once, oldest first, the reversal included.
    assert seen == [_amount(d) for d in deposits]
    assert "-1,007.00" in seen


def test_the_pager_keeps_the_period_and_stays_within_the_pages(client, login_as, big):
    donor, deposits = big
    login_as(make_user("donor", "many@example.org", donor_id=donor.id))  # the donor itself
    page = _get(client, donor)
    assert "Page 1 of 3" in page
    link = re.search(r'href="([^"]*page=2[^"]*)"', page).group(1).replace("&amp;", "&")
    assert f"from={FROM}" in link and f"to={TO}" in link and f"/statements/{donor.id}" in link
    # Beyond the last page: the last page; before the first: the first.
    assert _deposit_rows(_get(client, donor, page=99)) == [_amount(d) for d in deposits[200:]]
    assert _deposit_rows(_get(client, donor, page=-4)) == [_amount(d) for d in deposits[:100]]
    assert _deposit_rows(_get(client, donor, page="x")) == [_amount(d) for d in deposits[:100]]


def test_print_view_and_xlsx_hold_every_deposit(client, login_as, big):
    donor, deposits = big
    login_as("mptf_officer")
    printed = _get(client, donor, print=1, page=2)
    assert _deposit_rows(printed) == [_amount(d) for d in deposits]
    assert "Deposits 1 to" not in printed and "Page 1 of" not in printed
    response = client.get(f"/statements/{donor.id}",
                          query_string={"from": FROM, "to": TO, "page": 2, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Deposits"]
    header = [c.value for c in sheet[1]]
    column = header.index("Amount")
    amounts = [Decimal(str(r[column])) for r in sheet.iter_rows(min_row=2, values_only=True)
               if r[column] is not None]
    assert amounts[:COUNT] == [d.amount for d in deposits]


def test_a_statement_of_few_deposits_has_no_pager(client, login_as, db):
    sweden, _evil = data.two_donor_fund()
    login_as("mptf_officer")
    page = _get(client, sweden)
    assert "oldest first." not in page and "Page 1 of" not in page
    assert len(_deposit_rows(page)) == 4
