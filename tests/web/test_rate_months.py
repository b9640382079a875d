"""The rates page lists the months a currency in use has no UN rate for."""
from __future__ import annotations

import datetime as dt
import html as html_module
import re

from tests.factories import second_officer_confirms_rates
from tests.factories.contributions import commitment, deposit, pledge
from tests.pages import words
from trustfund.contributions import confirmed
from trustfund.contributions.rates import missing_months

D = dt.date


def _runs(found) -> dict[str, list[tuple[str, str]]]:
    return {m.currency: [(f"{a:%Y-%m}", f"{b:%Y-%m}") for a, b in m.runs] for m in found}


def test_the_months_without_a_rate_of_each_currency_in_use(app, db):
    commitment("EUR", "1000000.00", committed_on=D(2018, 3, 15))  # deposits still to come
    commitment("USD", "1000.00", committed_on=D(2017, 5, 1))  # the dollar needs no rate
    chf = commitment("CHF", "1000.00", committed_on=D(2018, 1, 10))
    for month in (D(2018, 4, 1), D(2018, 6, 1)):
        confirmed.set_rate(None, "EUR", month, "0.9")
    confirmed.set_rate(None, "CHF", D(2018, 1, 1), "0.99")
    deposit(chf, "1000.00", value_date=D(2018, 2, 20), rate="0.98")  # fully deposited in February
    pledge("JPY", "5000000", pledged_on=D(2018, 7, 2))  # pledged, not yet committed
    db.session.commit()
    found = missing_months(D(2018, 8, 20))
    assert _runs(found) == {
        "CHF": [("2018-02", "2018-02")],  # up to its last deposit: nothing more is expected
        "EUR": [("2018-03", "2018-03"), ("2018-05", "2018-05"), ("2018-07", "2018-08")],
        "JPY": [("2018-07", "2018-08")],
    }
    assert {m.currency: m.count for m in found} == {"CHF": 1, "EUR": 4, "JPY": 2}
    # Once the rates are there, nothing is missing.
    for currency, month in (("CHF", 2), ("EUR", 3), ("EUR", 5), ("EUR", 7), ("EUR", 8), ("JPY", 7),
                            ("JPY", 8)):
        rate = {"CHF": "0.98", "EUR": "0.9", "JPY": "110"}[currency]  # near each one's other months
        confirmed.set_rate(None, currency, D(2018, month, 1), rate)
    db.session.commit()
    assert missing_months(D(2018, 8, 20)) == []


def test_the_rates_page_shows_them_with_a_link_to_add_each(app, db, client, login_as):
    commitment("EUR", "1000000.00", committed_on=dt.date.today().replace(day=1))
    db.session.commit()
    this_month = dt.date.today().replace(day=1)
    login_as("mptf_officer")
    html = client.get("/contributions/rates").get_data(as_text=True)
    start = html.index('id="missing-rates"')
    section = html[start:html.index("</section>", start)]
    text = words(section)
    assert f"EUR : {this_month:%B %Y} Add the rate for {this_month:%B %Y} (1 month)" in text
    link = f'/contributions/rates/new?currency=EUR&amp;month={this_month:%Y-%m}'
    assert link in section
    form = client.get(html_module.unescape(link)).get_data(as_text=True)
    assert re.search(rf'name="month"[^>]*value="{this_month:%Y-%m}"', form)
    assert re.search(r'<option selected value="EUR">', form)
    login_as("auditor")
    html = client.get("/contributions/rates").get_data(as_text=True)
    assert 'id="missing-rates"' in html and "Add the rate for" not in html


def test_a_rate_confirmed_takes_its_month_off_the_list(app, db, client, login_as):
    """The list is kept while the data is unchanged (cache.keep): the rate just
    added is taken off it on the next view."""
    this_month = dt.date.today().replace(day=1)
    commitment("EUR", "1000000.00", committed_on=this_month)
    db.session.commit()
    login_as("mptf_officer")
    assert 'id="missing-rates"' in client.get("/contributions/rates").get_data(as_text=True)
    response = client.post("/contributions/rates/new", data={
        "currency": "EUR", "month": f"{this_month:%Y-%m}", "rate": "0.92"})
    assert response.status_code == 302
    assert 'id="missing-rates"' in client.get("/contributions/rates").get_data(as_text=True)  # proposed
    second_officer_confirms_rates(app)
    assert 'id="missing-rates"' not in client.get("/contributions/rates").get_data(as_text=True)
