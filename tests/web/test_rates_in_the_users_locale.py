"""A rate is shown in a form as the user's locale writes it, and read back as the rate
it is. Spanish writes "1.345" for one thousand three hundred and forty-five: a form
that offered the UN rate of CAD 1.345 in the plain form had it read a thousand times
too large when a Spanish-speaking officer kept it (a deposit of CAD 10,000.00 worth
USD 7.43), and a rate saved unchanged became 1345. The plain form of the rate a form
is about (the month's UN rate, as the UN's tables print it) is still that rate."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import second_officer_confirms_rates
from tests.factories.contributions import commitment
from tests.pages import error_beside, form_token
from trustfund.contributions import confirmed
from trustfund.contributions.models import Deposit, ExchangeRate


def _spanish_officer(db, users, login_as) -> None:
    users["mptf_officer"].locale = "es"
    db.session.commit()
    login_as("mptf_officer")


def _field(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page) or \
        re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', page)
    return found.group(1)


def _deposit(client, c, rate: str, note: str = ""):
    url = f"/contributions/commitments/{c.id}/deposits/new"
    return client.post(url, data={"value_date": dt.date.today().isoformat(), "amount": "10000,00",
                                  "rate": rate, "rate_note": note, "bank_reference": "",
                                  "form_token": form_token(client, url)})


def test_the_deposit_form_offers_the_un_rate_as_a_spanish_officer_types_it(app, db, client, login_as, users):
    confirmed.set_rate(users["mptf_officer"], "CAD", dt.date.today().replace(day=1), "1.345")
    c = commitment(currency="CAD", amount="100000.00")
    _spanish_officer(db, users, login_as)
    page = client.get(f"/contributions/commitments/{c.id}/deposits/new").get_data(as_text=True)
    assert _field(page, "rate") == "1,345"
    assert 'data-table-rate="1,345"' in page
    assert _deposit(client, c, "1,345").status_code == 302  # kept as offered: no note asked
    deposit = db.session.scalar(sa.select(Deposit))
    assert (deposit.rate, deposit.usd_amount) == (Decimal("1.345"), Decimal("7434.94"))


def test_the_un_rate_copied_in_the_plain_form_is_that_rate(app, db, client, login_as, users):
    confirmed.set_rate(users["mptf_officer"], "CAD", dt.date.today().replace(day=1), "1.345")
    c = commitment(currency="CAD", amount="100000.00")
    _spanish_officer(db, users, login_as)
    assert _deposit(client, c, "1.345").status_code == 302
    deposit = db.session.scalar(sa.select(Deposit))
    assert (deposit.rate, deposit.usd_amount) == (Decimal("1.345"), Decimal("7434.94"))


def test_another_rate_is_read_in_the_officers_locale_and_the_un_rate_shown_in_it(app, db, client, login_as,
                                                                                 users):
    confirmed.set_rate(users["mptf_officer"], "CAD", dt.date.today().replace(day=1), "1.345")
    c = commitment(currency="CAD", amount="100000.00")
    _spanish_officer(db, users, login_as)
    answer = _deposit(client, c, "1,35")
    assert "es 1,345." in error_beside(answer.get_data(as_text=True), "rate_note")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 0


def test_the_live_preview_fills_the_rate_in_the_officers_locale(app, db, client, login_as, users):
    confirmed.set_rate(users["mptf_officer"], "CAD", dt.date.today().replace(day=1), "1.345")
    c = commitment(currency="CAD", amount="100000.00")
    _spanish_officer(db, users, login_as)
    asked = {"value_date": dt.date.today().isoformat(), "amount": "10000,00"}
    shown = client.get(f"/contributions/commitments/{c.id}/deposits/preview", query_string=asked).get_json()
    assert shown["shown"]["table_rate"] == "1,345"  # what the script puts in the rate field
    assert shown["figures"]["usd"] == "7434.94"


def test_a_rate_saved_unchanged_by_a_spanish_officer_stays_what_it_was(app, db, client, login_as, users):
    entry = confirmed.set_rate(users["mptf_officer"], "CAD", dt.date(2018, 5, 1), "1.345")
    db.session.commit()
    _spanish_officer(db, users, login_as)
    url = f"/contributions/rates/{entry.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert _field(page, "rate") == "1,345"
    answer = client.post(url, data={"csrf_token": _field(page, "csrf_token"), "currency": "CAD",
                                    "month": "2018-05", "rate": _field(page, "rate"),
                                    "version": _field(page, "version")})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(ExchangeRate, entry.id).rate == Decimal("1.345")


def test_a_spanish_officer_correcting_a_rate_is_read_in_spanish_and_told_in_spanish(app, db, client,
                                                                                     login_as, users):
    """Correcting KRW 1.345 (entered a thousand times too small) to "1.345" meaning 1345
    in Spanish: the correction is read in Spanish (the form shows rates as Spanish
    writes them), and the message says the new rate as Spanish writes it."""
    entry = confirmed.set_rate(users["mptf_officer"], "KRW", dt.date(2018, 5, 1), "1.345")
    db.session.commit()
    _spanish_officer(db, users, login_as)
    url = f"/contributions/rates/{entry.id}/edit"
    page = client.get(url).get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": _field(page, "csrf_token"), "currency": "KRW",
                                    "month": "2018-05", "rate": "1.345", "version": _field(page, "version")},
                         follow_redirects=True)
    assert "1.345 por dólar" in answer.get_data(as_text=True)  # 1345 as Spanish writes it
    second_officer_confirms_rates(app)
    db.session.expire_all()
    assert db.session.get(ExchangeRate, entry.id).rate == Decimal("1345")


def test_the_example_of_a_number_is_written_as_the_users_language_writes_it(app, db, client, login_as, users):
    """A French officer read "Saisissez un nombre tel que 1250000.00 (point comme
    séparateur décimal)", while the form takes "1 250 000,00" from them: the example is
    now the number as their language writes it, and so is the fee's."""
    c = commitment("USD", "1000000.00")
    users["mptf_officer"].locale = "fr"
    db.session.commit()
    login_as("mptf_officer")
    url = f"/contributions/commitments/{c.id}/deposits/new"
    page = client.post(url, data={"value_date": "2018-05-10", "amount": "douze", "rate": "",
                                  "rate_note": "", "bank_reference": "",
                                  "form_token": form_token(client, url)}).get_data(as_text=True)
    assert error_beside(page, "amount").replace("\u202f", " ").replace("\u00a0", " ") == (
        "Saisissez un nombre tel que 1 250 000,00.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 0
    users["admin"].locale = "fr"
    db.session.commit()
    login_as("admin")
    fee = client.get("/admin/settings/fee_rate").get_data(as_text=True)
    assert "Une fraction : 0,01 signifie 1 %." in fee.replace("\u202f", " ").replace("\u00a0", " ")
