"""The donor page is the officer's desk: the donor's figures (the same as its
dashboard's and its statement's), its commitments and deposits a page at a time, and
the buttons of the work the reader's role may do."""
from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from tests.factories import statements as st
from tests.factories.contributions import pledge
from tests.pages import Tables, cell, figure, table_rows


def currency_rows(html: str) -> dict[str, list[D]]:
    """The desk's table per currency: {currency: [pledged, committed, deposited, outstanding]}."""
    return {row[0]: [figure(c) for c in row[1:]] for row in table_rows(html, "desk-currencies")}


@pytest.fixture
def fund(db):
    """Sweden (the donor user's donor): EUR and USD commitments, deposits, one reversed,
    a share of spending; a pledge of EUR 300,000 and one of NOK 2,000,000 not yet
    committed, and a pledge of EUR 100,000 withdrawn (counts nowhere)."""
    from tests.factories.contributions import officer
    from trustfund.contributions import services

    sweden, evil = st.two_donor_fund()
    pledge("EUR", "300000.00")
    pledge("NOK", "2000000.00")
    gone = pledge("EUR", "100000.00")
    services.withdraw_pledge(officer(), gone, "Announced twice")
    db.session.commit()
    return sweden, evil


def test_the_desk_shows_the_donors_figures_as_defined(client, login_as, fund):
    sweden, _evil = fund
    login_as("mptf_officer")
    html = client.get(f"/donors/{sweden.id}").get_data(as_text=True)
    assert currency_rows(html) == {
        "EUR": [D("300000.00"), D("1500000.00"), D("1000000.00"), D("500000.00")],
        "NOK": [D("2000000.00"), D("0.00"), D("0.00"), D("0.00")],
        "USD": [D("0.00"), D("250000.00"), D("125000.00"), D("125000.00")],
    }
    # EUR 1,000,000 at 0.941 = USD 1,062,699.26; USD 1,000 deposited and reversed; USD 125,000.
    assert figure(cell(html, "desk-deposited-usd")) == D("1187699.26")
    assert figure(cell(html, "desk-fee")) == D("10626.99") + D("1250.00")
    assert figure(cell(html, "desk-net")) == D("1187699.26") - D("11876.99")
    share = figure(cell(html, "desk-share"))
    assert share > 0
    assert figure(cell(html, "desk-balance")) == D("1175822.27") - share


def test_the_desks_figures_equal_the_dashboards_and_the_statements(client, login_as, fund):
    sweden, _evil = fund
    login_as("mptf_officer")
    desk = client.get(f"/donors/{sweden.id}").get_data(as_text=True)
    statement = client.get(f"/statements/{sweden.id}").get_data(as_text=True)
    assert figure(cell(desk, "desk-balance")) == figure(cell(statement, "closing"))
    assert figure(cell(desk, "desk-net")) == figure(cell(statement, "net-total"))
    # The pledges in force: the contributions list's totals for this donor.
    pledges = client.get(f"/contributions/?kind=pledges&donor={sweden.id}").get_data(as_text=True)
    assert "2,000,000.00" in pledges and "300,000.00" in pledges

    login_as("donor")  # the donor's own dashboard and balance, on its portal
    portal = client.get("/statements/portal").get_data(as_text=True)
    mine = Tables(portal).tables["donor_commitments"]["rows"]
    assert {row[0]: [figure(c) for c in row[2:]] for row in mine} == {
        currency: figures[1:] for currency, figures in currency_rows(desk).items() if figures[1]}
    pools = Tables(portal).tables["donor_pools"]["totals"]
    assert [figure(c) for c in pools[1:4]] == [figure(cell(desk, key)) for key in
                                               ("desk-deposited-usd", "desk-fee", "desk-net")]
    assert figure(pools[5]) == figure(cell(desk, "desk-share"))
    assert figure(cell(portal, "balance-total")) == figure(cell(desk, "desk-balance"))


def test_the_desk_lists_commitments_and_deposits_with_their_marks(client, login_as, fund):
    sweden, evil = fund
    login_as("mptf_officer")
    html = client.get(f"/donors/{sweden.id}").get_data(as_text=True)
    commitments = table_rows(html, "desk-commitment-rows")
    assert [row[1] for row in commitments] == ["SE-2017-OBJ1", "SE-2017-EUR"]
    assert "=EVIL-REF" not in html  # another donor's commitment is not on this desk
    deposits = table_rows(html, "desk-deposit-rows")
    assert [row[-1] for row in deposits] == ["SE-BANK-3", "SE-BANK-2", "SE-BANK-2", "SE-BANK-1"]
    reversal, reversed_ = deposits[1][0], deposits[2][0]
    original = re.search(r"Reversal of #(\d+)", reversal).group(1)
    assert "Reversed" in reversed_
    # Each links to the other's page.
    assert f'data-mark="reversal" href="/contributions/deposits/{original}"' in html
    assert re.search(r'data-mark="reversed" href="/contributions/deposits/(\d+)"', html).group(1) != original


def test_each_role_sees_only_the_buttons_it_may_use(client, login_as, fund):
    sweden, _evil = fund
    buttons = {
        "mptf_officer": {"New pledge", "New commitment", "Statement", "Record a deposit", "Edit details"},
        "admin": {"Statement"},
        "auditor": {"Statement"},
        "srsg_staff": {"Statement"},
    }
    every = set().union(*buttons.values())
    for role, expected in buttons.items():
        login_as(role)
        html = client.get(f"/donors/{sweden.id}").get_data(as_text=True)
        shown = {label for label in every if re.search(rf">\s*{label}(<|\s)", html)}
        assert shown == expected, role
        for label, url in (("New pledge", f"/contributions/pledges/new?donor={sweden.id}"),
                           ("New commitment", f"/contributions/commitments/new?donor={sweden.id}")):
            assert (url in html) == (label in expected), (role, label)
    login_as("donor")
    assert client.get(f"/donors/{sweden.id}").status_code == 403


def test_a_donor_without_a_signed_saa_gets_no_commitment_button(client, login_as, db):
    unsigned = st.donor("Foundation in talks", signed=False)
    db.session.commit()
    login_as("mptf_officer")
    html = client.get(f"/donors/{unsigned.id}").get_data(as_text=True)
    assert "New pledge" in html and "New commitment" not in html
    assert "need an SAA in force" in html
    assert "No pledge or commitment yet." in html and "No commitment yet." in html


def test_the_new_pledge_button_opens_the_form_for_this_donor(client, login_as, fund):
    sweden, _evil = fund
    login_as("mptf_officer")
    form = client.get(f"/contributions/pledges/new?donor={sweden.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{sweden.id}">|<option value="{sweden.id}" selected',
                     form), "the donor is chosen"


def test_commitments_and_deposits_page_apart(client, login_as, db):
    from trustfund.dashboard import desk

    donor = st.donor("Many Deposits Foundation")
    commitment = st.commitment(donor, "100000.00", reference="MANY")
    for day in range(1, desk.PER_PAGE + 6):
        st.deposit(commitment, "10.00", bank_reference=f"B-{day:02d}")
    for n in range(desk.PER_PAGE + 2):
        st.commitment(donor, "5.00", reference=f"C-{n:02d}")
    db.session.commit()
    login_as("mptf_officer")
    first = client.get(f"/donors/{donor.id}").get_data(as_text=True)
    assert len(table_rows(first, "desk-deposit-rows")) == desk.PER_PAGE
    assert len(table_rows(first, "desk-commitment-rows")) == desk.PER_PAGE
    assert f"{desk.PER_PAGE + 5} entries" in first and f"{desk.PER_PAGE + 3} commitments" in first
    second = client.get(f"/donors/{donor.id}?deposits_page=2").get_data(as_text=True)
    assert len(table_rows(second, "desk-deposit-rows")) == 5
    # The other list stays on its first page, and the pager keeps both.
    assert len(table_rows(second, "desk-commitment-rows")) == desk.PER_PAGE
    assert "commitments_page=2" in second and "deposits_page=2" in second
    both = client.get(f"/donors/{donor.id}?deposits_page=2&commitments_page=2").get_data(as_text=True)
    assert len(table_rows(both, "desk-commitment-rows")) == 3
    # A page past the end shows the last page, never an error.
    assert client.get(f"/donors/{donor.id}?deposits_page=99999999999").status_code == 200


def test_after_the_funds_closing_the_balance_is_the_statements_closing_balance(client, login_as, db):
    """The closing refunded the donor its balance: the desk deducts it, shows it, and
    its balance is the statement's closing balance to today, as the page says."""
    from tests.factories import iati

    fund = iati.iati_fund()
    iati.fund_entries()
    iati.close_operations()
    iati.close_financially()
    sweden = fund["sweden"]
    login_as("mptf_officer")
    desk = client.get(f"/donors/{sweden.id}").get_data(as_text=True)
    statement = client.get(f"/statements/{sweden.id}").get_data(as_text=True)
    assert figure(cell(desk, "desk-returned")) > 0
    assert figure(cell(desk, "desk-balance")) == figure(cell(statement, "closing"))
    net, share, returned = (figure(cell(desk, key)) for key in ("desk-net", "desk-share", "desk-returned"))
    assert figure(cell(desk, "desk-balance")) == net - share - returned
