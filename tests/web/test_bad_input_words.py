"""Bad input is answered with the right reason beside its field, in the reader's
language, and "-0" is zero: found by a colleague's review, where a French refusal of a
travel amount always said "Enter a number such as 1 250,00" (the reason was found by
its English words), a typed 0 or an impossible date was "This field is required.", a
setting too large was told about decimals, "-0" was saved as a negative zero shown
"-USD 0.00", and a DSA rate of zero was accepted only typed "0", "0.0" or "0.00"."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import second_admin_confirms_setting
from tests.security.form_walk import form_for, messages


def _fields(client, url: str) -> dict:
    page = client.get(url).get_data(as_text=True)
    form = form_for(page, url, url)
    return {k: f.value for k, f in form.fields.items() if f.tag == "input" and f.type != "checkbox"}


def _beside(answer) -> list[str]:
    """The messages beside the fields (not the summary above the form)."""
    return [m for m in messages(answer.get_data(as_text=True)) if ":" not in m]


def _in(client, lang: str) -> None:
    with client.session_transaction() as session:
        session["lang"] = lang


def _event(client, **values):
    data = _fields(client, "/travel/events/new")
    data.update({"kind": "thematic_session", "title": f"Event {values}", "city": "Geneva", "venue": "",
                 "start_on": "2017-06-05", "end_on": "2017-06-06", "dsa_rate": "300.00",
                 "max_per_country": "1", "dates_note": ""})
    data.update(values)
    return client.post("/travel/events/new", data=data)


# 1. travel/services.py _money_message recognises money's messages by their English words:
# in any other language every refusal becomes "Enter a number such as 1 250,00".
@pytest.mark.parametrize("typed, english, french", [
    ("-5", "The amount must be greater than zero.", "Le montant doit être supérieur à zéro."),
    ("0.001", "USD amounts have at most 2 decimal places.",
     "Les montants en USD comportent 2 décimales au plus."),
    ("12345678901234567890", "The amount is too large.", "Le montant est trop élevé.")])
def test_travel_money_refusals_say_why_in_french(client, login_as, typed, english, french):
    login_as("srsg_staff")
    assert _beside(_event(client, dsa_rate=typed)) == [english]
    _in(client, "fr")
    assert _beside(_event(client, dsa_rate=typed)) == [french]
    # Not a number at all: the example of a travel amount, written the French way.
    assert _beside(_event(client, dsa_rate="douze")) == ["Saisissez un nombre tel que 1 250,00."]


# 2. IntegerField + DataRequired: 0 (and a number too long) is "This field is required."
@pytest.mark.parametrize("typed", ["0", "12345678901234567890"])
def test_a_cap_of_zero_delegates_is_not_called_missing(client, login_as, typed):
    login_as("srsg_staff")
    shown = _beside(_event(client, max_per_country=typed))
    assert shown and shown != ["This field is required."], shown


def test_objective_number_zero_is_not_called_missing(client, login_as):
    login_as("admin")
    data = _fields(client, "/contributions/objectives/new")
    data.update({"number": "0", "title": "Objective zero"})
    shown = _beside(client.post("/contributions/objectives/new", data=data))
    assert shown and shown != ["This field is required."], shown


# 3. DateField + DataRequired: an impossible date is "This field is required."
def test_an_impossible_in_force_date_is_not_called_missing(client, login_as):
    login_as("admin")
    url = "/admin/settings/terminal_expenses_usd"
    data = _fields(client, url)
    data.update({"value": "120.00", "effective_from": "2030-02-30"})
    shown = _beside(client.post(url, data=data))
    assert shown and shown != ["This field is required."], shown


def test_an_impossible_statement_period_is_not_called_missing(client, login_as):
    login_as("mptf_officer")
    shown = _beside(client.post("/statements/issue", data={"from": "2017-02-30", "to": "2017-06-30"}))
    assert shown and shown != ["This field is required."], shown


# 4. A setting's value too large is told it has too many decimals.
def test_a_setting_too_large_is_not_told_about_decimals(client, login_as):
    login_as("admin")
    url = "/admin/settings/terminal_expenses_usd"
    data = _fields(client, url)
    data.update({"value": "2000000000", "effective_from": "2030-01-01"})
    shown = _beside(client.post(url, data=data))
    assert shown and "decimals" not in shown[0], shown


# 5. "-0" for a setting is saved as negative zero and shown "-USD 0.00" / "-0%".
@pytest.mark.parametrize("key", ["terminal_expenses_usd", "fee_rate"])
def test_minus_zero_setting_is_not_shown_negative(app, client, login_as, key):
    login_as("admin")
    url = f"/admin/settings/{key}"
    data = _fields(client, url)
    data.update({"value": "-0", "effective_from": dt.date.today().isoformat()})
    answer = client.post(url, data=data)
    if answer.status_code == 302:
        second_admin_confirms_setting(app, key)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "-USD" not in page and "-0%" not in page


# 6. A DSA rate of zero is accepted only spelled "0", "0.0" or "0.00".
@pytest.mark.parametrize("lang, typed", [("fr", "0,00"), ("en", "00"), ("en", "0.000")])
def test_a_zero_dsa_rate_in_any_spelling(client, login_as, lang, typed):
    login_as("srsg_staff")
    assert _event(client, dsa_rate="0.00").status_code == 302  # zero is a valid DSA rate
    _in(client, lang)
    answer = _event(client, dsa_rate=typed)
    assert answer.status_code == 302, _beside(answer)
