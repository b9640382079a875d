"""The message after a deposit is recorded writes its rate in the reader's language,
as every page does (formatting.rate). It wrote Python's str(Decimal): a Spanish-speaking
officer who recorded a CAD deposit at the UN rate 1.345 read "al tipo de cambio de
1.345", one thousand three hundred and forty-five in Spanish, beside amounts written
the Spanish way ("7.434,94 USD"). (Found by a colleague's review.)"""
from __future__ import annotations

import datetime as dt
import re

from tests.factories.contributions import commitment
from tests.pages import form_token
from trustfund.contributions import confirmed


def test_the_deposit_message_writes_the_rate_in_the_officers_language(app, db, client, login_as, users):
    confirmed.set_rate(users["mptf_officer"], "CAD", dt.date.today().replace(day=1), "1.345")
    c = commitment(currency="CAD", amount="100000.00")
    users["mptf_officer"].locale = "es"
    db.session.commit()
    login_as("mptf_officer")
    url = f"/contributions/commitments/{c.id}/deposits/new"
    page = client.post(url, data={"value_date": dt.date.today().isoformat(), "amount": "10000,00",
                                  "rate": "1,345", "rate_note": "", "bank_reference": "",
                                  "form_token": form_token(client, url)},
                       follow_redirects=True).get_data(as_text=True)
    said = re.search(r"Depósito registrado:[^<]*", page).group(0)
    assert "7.434,94" in said  # the dollars, written the Spanish way
    assert "de 1,345 " in said, said  # the rate too: "1.345" reads as 1345 in Spanish
