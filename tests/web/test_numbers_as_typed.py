"""Numbers and dates as users of the six languages type them (a colleague's review): a
USD setting typed with a thousands group ("1.500" in English, "1,500" in French) is
refused, as every other USD amount is, where it was kept as USD 1.50 waiting for a
second admin; a date typed otherwise than YYYY-MM-DD, or a whole number typed in other
digits, is refused once, saying how to write it (two wordings of "not a valid date"
stood beside the field in French or Russian, and "٢" was said out of 1 to 50 before
being refused for its digits)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.pages import error_beside, form_token
from trustfund.admin.models import PENDING, TERMINAL_EXPENSES, SettingChange
from trustfund.admin.setting_changes import form_version


def _messages(html: str, field: str) -> list[str]:
    block = re.search(rf'id="{field}-errors">(.*?)</div>\s*</div>', html, re.DOTALL)
    assert block, f"no error beside {field}"
    return re.findall(r"<div>(.*?)</div>", block.group(1) + "</div>", re.DOTALL)


def _in(client, lang: str) -> None:
    assert client.post("/language", data={"lang": lang, "next": "/"}).status_code == 302


@pytest.mark.parametrize("lang, typed", [("en", "1.500"), ("fr", "1,500"), ("en", "1.5000")])
def test_a_usd_setting_typed_with_a_thousands_group_is_refused(app, db, client, login_as, users, lang, typed):
    login_as("admin")
    _in(client, lang)
    page = client.post(f"/admin/settings/{TERMINAL_EXPENSES}", data={
        "value": typed, "effective_from": "2018-01-01", "version": form_version(TERMINAL_EXPENSES)})
    assert error_beside(page.get_data(as_text=True), "value")
    db.session.expire_all()
    assert db.session.scalars(sa.select(SettingChange).where(SettingChange.status == PENDING)).all() == []


def test_a_usd_setting_with_its_cents_is_kept(app, db, client, login_as, users):
    login_as("admin")
    page = client.post(f"/admin/settings/{TERMINAL_EXPENSES}", data={
        "value": "1,500.50", "effective_from": "2018-01-01", "version": form_version(TERMINAL_EXPENSES)})
    assert page.status_code == 302
    db.session.expire_all()
    assert [str(c.value) for c in db.session.scalars(sa.select(SettingChange))] == ["1500.50"]


@pytest.mark.parametrize("lang, said", [("en", "Enter the month as YYYY-MM, for example 2018-05."),
                                        ("fr", None), ("ru", None)])
def test_a_month_typed_by_hand_is_refused_once_saying_how_to_write_it(app, db, client, login_as, users,
                                                                     lang, said):
    login_as("mptf_officer")
    _in(client, lang)
    page = client.post("/contributions/rates/new",
                       data={"currency": "EUR", "month": "05/2018", "rate": "0.941"})
    messages = _messages(page.get_data(as_text=True), "month")
    assert len(messages) == 1, messages
    assert said is None or messages == [said]


def test_a_date_typed_by_hand_is_refused_once(app, db, client, login_as, users):
    login_as("mptf_officer")
    _in(client, "ru")
    page = client.post("/contributions/interest/new", data={"value_date": "10.05.2018", "usd_amount": "1",
                                                            "note": "x"})
    assert len(_messages(page.get_data(as_text=True), "value_date")) == 1


@pytest.mark.parametrize("lang, typed", [("en", "٢"), ("ar", "٢"), ("en", "2.0")])
def test_a_whole_number_in_other_digits_is_refused_for_its_digits_only(app, db, client, login_as, users,
                                                                      lang, typed):
    login_as("srsg_staff")
    _in(client, lang)
    url = "/travel/events/new"
    page = client.post(url, data={
        "kind": "workshop", "title": "T", "city": "Addis Ababa", "venue": "", "start_on": "2018-06-01",
        "end_on": "2018-06-03", "dsa_rate": "250.00", "max_per_country": typed, "dates_note": "",
        "form_token": form_token(client, url)})
    messages = _messages(page.get_data(as_text=True), "max_per_country")
    assert len(messages) == 1, messages
    if lang == "en":
        assert messages == ["Enter a whole number in digits 0-9."]



CHANGED = ("Your language changed since this form was shown, and the amounts and dates you typed are now "
           "read in this language: nothing was recorded. Check them and save again.")


def test_an_entry_form_sent_after_the_language_changed_records_nothing(app, db, client, login_as, users):
    """A French officer types one and a half Kuwaiti dinars, "1,500", then picks
    English in another tab and sends the French form: English reads "1,500" as one
    thousand five hundred (and an English "1,500" sent after a switch to French was
    recorded as KWD 1.500), without a word. The form's one-time token names the
    language it was shown in (trustfund.submissions); the form shown again, in the
    new language, records."""
    from tests.factories.contributions import sweden
    from trustfund.contributions.models import Pledge

    login_as("mptf_officer")
    url = "/contributions/pledges/new"
    _in(client, "fr")
    data = {"donor_id": str(sweden().id), "currency": "KWD", "amount": "1,500", "objective_id": "",
            "pledged_on": "2018-05-10", "note": "", "form_token": form_token(client, url)}
    _in(client, "en")
    refused = client.post(url, data=data)
    assert refused.status_code == 200
    assert CHANGED in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(sa.select(Pledge)).all() == []
    again = client.post(url, data=dict(data, amount="1.500", form_token=form_token(client, url)))
    assert again.status_code == 302
    db.session.expire_all()
    assert [p.amount for p in db.session.scalars(sa.select(Pledge))] == [Decimal("1.500")]


def test_the_example_of_a_yen_amount_is_one_the_field_takes(app, db, client, login_as, users):
    """"¥1000" is refused with an example to follow: it was "1,250,000.00", which the yen
    field then refused as "JPY amounts have at most 0 decimal places"."""
    from tests.factories.contributions import sweden
    from tests.pages import post_entry

    def pledge(amount: str):
        return post_entry(client, "/contributions/pledges/new", {
            "donor_id": str(sweden().id), "currency": "JPY", "amount": amount, "objective_id": "",
            "pledged_on": "2018-05-10", "note": ""})

    login_as("mptf_officer")
    refused = error_beside(pledge("¥1000").get_data(as_text=True), "amount")
    assert refused == "Enter a number such as 1,250,000."
    refused = error_beside(pledge("1,250,000.00").get_data(as_text=True), "amount")
    assert refused == "JPY amounts have no decimals."
    assert pledge("1,250,000").status_code == 302


@pytest.mark.parametrize("url, field, typed, data, said", [
    ("/contributions/interest/new", "value_date", "2018-02-30", {"usd_amount": "1", "note": "x"},
     "There is no such day."),
    ("/contributions/rates/new", "month", "2018-13", {"currency": "EUR", "rate": "0.941"},
     "There is no such month."),
])
def test_a_date_written_as_asked_that_does_not_exist_is_said_so(app, db, client, login_as, users,
                                                                url, field, typed, data, said):
    """Not told how to write it (the review of this session's diff)."""
    login_as("mptf_officer")
    page = client.post(url, data={field: typed, **data})
    assert _messages(page.get_data(as_text=True), field) == [said]
