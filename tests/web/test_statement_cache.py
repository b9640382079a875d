"""Every donor's balance is kept per worker (trustfund.cache) while the data is
unchanged: a deposit or a renamed donor shows at the next view."""
import re

from tests.factories import base_users
from tests.factories import statements as data
from trustfund.donors import renamings


def _table(page: str) -> str:
    return page[page.index("<table"):page.index("</table>")]


def _closing_total(page: str) -> str:
    """The "All donors" row's closing balance (the last figure of the table's foot)."""
    foot = page[page.index("<tfoot>"):page.index("</tfoot>")]
    return re.findall(r'<td class="num">([^<]*)</td>', foot)[-1]


def test_balances_follow_a_deposit_and_a_rename(cached, db, client, login_as):
    sweden, _evil = data.two_donor_fund()
    db.session.commit()
    login_as("mptf_officer")
    first = client.get("/statements/").get_data(as_text=True)
    again = client.get("/statements/").get_data(as_text=True)
    assert _table(again) == _table(first)  # (the page's CSRF token is timestamped)

    data.recorded_deposit("SE-2017-OBJ1", "4321.09", bank_reference="NEW-1")
    after = client.get("/statements/").get_data(as_text=True)
    assert _closing_total(first) != _closing_total(after)
    assert after.count("Kingdom of Sweden") == first.count("Kingdom of Sweden") == 1

    # Renamed (its contributions are recorded: proposed by one officer, confirmed by another).
    renaming = renamings.correct_donor(
        base_users()["mptf_officer"], sweden, version=sweden.version, name="Kingdom of Sweden (renamed)",
        donor_type=sweden.donor_type, country_code=sweden.country_code, contact_name=sweden.contact_name,
        contact_email=sweden.contact_email, reason="The SAA's amendment").renaming
    db.session.commit()
    assert "Kingdom of Sweden (renamed)" not in client.get("/statements/").get_data(as_text=True)
    renamings.confirm(base_users()["mptf_officer2"], renaming.id)
    db.session.commit()
    assert "Kingdom of Sweden (renamed)" in client.get("/statements/").get_data(as_text=True)


def _commitment_row(page: str, reference: str) -> list[str]:
    """The figures of a commitment's row in the statement's commitments table."""
    row = page[page.index(f">{reference}</td>"):]
    row = row[:row.index("</tr>")]
    return re.findall(r'<td class="num">([^<]*)</td>', row)


def test_a_statement_follows_a_deposit_at_once(cached, db, client, login_as):
    """The statement's sums of the donor's deposits (per currency, per commitment) are
    kept while the data is unchanged; a new deposit shows at the next view."""
    sweden, _evil = data.two_donor_fund()
    login_as("mptf_officer")
    url = f"/statements/{sweden.id}"
    first = client.get(url).get_data(as_text=True)
    assert client.get(url).get_data(as_text=True).count("125,000.00") == first.count("125,000.00")
    assert _commitment_row(first, "SE-2017-OBJ1") == [
        "250,000.00", "125,000.00", "125,000.00", "125,000.00"]

    data.recorded_deposit("SE-2017-OBJ1", "4321.09")
    after = client.get(url).get_data(as_text=True)
    assert _commitment_row(after, "SE-2017-OBJ1") == [
        "250,000.00", "129,321.09", "129,321.09", "120,678.91"]
    assert '<td>USD</td><td class="num">129,321.09</td>' in after
