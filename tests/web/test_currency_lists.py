"""Currency lists: the fund's own currencies first, then the current ISO 4217 ones,
never a withdrawn one (Babel's list_currencies() has the East German mark)."""
from __future__ import annotations

import datetime as dt
import html as html_module
import re

import pytest

from tests.factories.contributions import commitment, counts
from tests.pages import error_beside, post_entry
from trustfund import currencies
from trustfund.contributions import confirmed, services


def currency_groups(html: str) -> list[tuple[str, list[str]]]:
    """The currency select's groups as shown: [(group label, [option values])], the
    blank choice's group first with label ""."""
    select = re.search(r'<select[^>]*name="currency"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert select, "no currency select"
    groups, body = [], select.group(1)
    for match in re.finditer(r'<optgroup label="([^"]*)">(.*?)</optgroup>|(<option[^>]*>[^<]*</option>)',
                             body, re.DOTALL):
        if match.group(3):
            values = re.findall(r'value="([^"]*)"', match.group(3))
            if groups and groups[-1][0] == "":
                groups[-1][1].extend(values)
            else:
                groups.append(("", values))
        else:
            groups.append((html_module.unescape(match.group(1)),
                           re.findall(r'<option[^>]*value="([^"]*)"', match.group(2))))
    return groups


def test_the_current_set_has_no_withdrawn_currency(app):
    today = currencies.current()
    assert {"EUR", "USD", "JPY", "KWD", "CHF", "XOF", "SSP"} <= today
    # Withdrawn: the East German and Deutsche marks, the French franc, the Sierra Leone
    # leone of before 2022, the Croatian kuna (the euro since 2023).
    assert not today & {"DDM", "DEM", "FRF", "SLL", "HRK", "VEF", "ZWD"}
    # On a day of 1990 the East German mark was legal tender, and the euro was not yet.
    assert "DDM" in currencies.current_on(dt.date(1990, 1, 1))
    assert "EUR" not in currencies.current_on(dt.date(1990, 1, 1))


def test_commitment_form_offers_the_funds_currencies_first_and_no_withdrawn_one(app, db, client, login_as):
    commitment("JPY", "5000000", reference="JP-1")
    confirmed.set_rate(None, "KWD", dt.date(2018, 5, 1), "0.302")
    db.session.commit()
    login_as("mptf_officer")
    html = client.get("/contributions/commitments/new").get_data(as_text=True)
    groups = currency_groups(html)
    assert [label for label, _values in groups] == ["", "Currencies of the fund", "Other current currencies"]
    assert groups[0][1] == [""]
    assert groups[1][1] == ["JPY", "KWD"]
    others = groups[2][1]
    assert others == sorted(others) and {"EUR", "USD", "CHF"} <= set(others)
    assert not {"JPY", "KWD"} & set(others)
    assert "DDM" not in html and "East German" not in html
    assert ">EUR — Euro<" in html and ">KWD — Kuwaiti Dinar<" in html
    # A box to narrow the list (static/select-filter.js reads the label).
    assert 'data-filter-label="Filter the list"' in html
    assert "select-filter.js" in html


def test_a_currency_the_fund_starts_using_is_offered_among_the_funds_at_once(app, db, client,
                                                                             login_as):
    """The fund's currencies are kept between views while the data is unchanged: a
    commitment in a new currency moves it among the fund's at the next view."""
    commitment("JPY", "5000000", reference="JP-1")
    db.session.commit()
    login_as("mptf_officer")
    assert currency_groups(client.get("/contributions/commitments/new").get_data(as_text=True))[1] \
        == ("Currencies of the fund", ["JPY"])
    commitment("NOK", "1000000", reference="NO-1")
    db.session.commit()
    groups = currency_groups(client.get("/contributions/commitments/new").get_data(as_text=True))
    assert groups[1] == ("Currencies of the fund", ["JPY", "NOK"])
    assert "NOK" not in groups[2][1]


def test_a_withdrawn_currency_the_fund_holds_stays_offered(app, db, client, login_as):
    """A pledge recorded in the old Sierra Leone leone (before 2022): its currency is
    the fund's, so the lists offer it among the fund's, and no other withdrawn one."""
    from tests.factories.contributions import sweden

    services.record_pledge(None, sweden(), currency="SLL", amount="1000000", objective_id=None,
                           pledged_on=dt.date(2017, 6, 1))
    db.session.commit()
    login_as("mptf_officer")
    groups = currency_groups(client.get("/contributions/pledges/new").get_data(as_text=True))
    assert groups[1] == ("Currencies of the fund", ["SLL"])
    assert "SLE" in groups[2][1] and "DDM" not in groups[2][1]


def test_a_withdrawn_currency_is_refused_beside_the_field(app, db, client, login_as):
    from tests.factories.contributions import sweden

    donor = sweden()
    db.session.commit()
    login_as("mptf_officer")
    before = counts()
    answer = post_entry(client, "/contributions/pledges/new", {
        "donor_id": str(donor.id), "currency": "DDM", "amount": "1000", "objective_id": "",
        "pledged_on": "2017-06-01", "note": ""})
    assert answer.status_code == 200
    assert "Not a valid choice" in error_beside(answer.get_data(as_text=True), "currency")
    assert counts() == before


@pytest.mark.parametrize("lang, fund_group, name", [
    ("fr", "Monnaies du Fonds", "EUR — euro"),
    ("ar", "عملات الصندوق", "EUR — يورو"),
])
def test_the_lists_speak_the_users_language(app, db, client, login_as, users, lang, fund_group, name):
    commitment("EUR", "1000.00", reference="EU-1")
    users["mptf_officer"].locale = lang
    db.session.commit()
    login_as("mptf_officer")
    html = client.get("/contributions/commitments/new").get_data(as_text=True)
    groups = currency_groups(html)
    assert groups[1] == (fund_group, ["EUR"])
    assert f">{name}<" in html


def test_the_rate_form_leaves_the_us_dollar_out(app, db, client, login_as):
    commitment("USD", "1000.00", reference="US-1")
    db.session.commit()
    login_as("mptf_officer")
    groups = currency_groups(client.get("/contributions/rates/new").get_data(as_text=True))
    assert all("USD" not in values for _label, values in groups)
    # The fund's only currency is the dollar, which has no rate: one group of current ones.
    assert [label for label, _values in groups] == ["", "Current currencies"]
