"""Language choice, right-to-left layout, and locale formatting (Babel)."""
import datetime as dt
from decimal import Decimal

import pytest

from trustfund import formatting
from trustfund.auth.models import User
from trustfund.language import speaking


def test_browser_language_decides_for_anonymous_users(client):
    page = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert b'<html lang="ru" dir="ltr">' in page.data


def test_the_picker_choice_is_remembered_for_a_logged_in_user(client, login_as, db):
    user = login_as("mptf_officer")
    response = client.post("/language", data={"lang": "fr", "next": "/dashboard/"})
    assert response.status_code == 302
    assert db.session.get(User, user.id).locale == "fr"
    # A new browser with another Accept-Language still gets French once logged in.
    other = client.application.test_client()
    login_as(db.session.get(User, user.id), other)
    page = other.get("/dashboard/", headers={"Accept-Language": "es"})
    assert b'<html lang="fr"' in page.data


def test_arabic_pages_are_right_to_left_with_the_rtl_stylesheet(client):
    page = client.get("/login", headers={"Accept-Language": "ar"})
    assert b'dir="rtl"' in page.data
    assert b"bootstrap.rtl.min.css" in page.data
    css = client.get("/static/vendor/bootstrap.rtl.min.css")
    assert css.status_code == 200
    css.close()


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "xx"})
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert b'<html lang="en"' in page.data


@pytest.mark.parametrize("lang,expected", [
    ("en", "EUR\u00a01,234,567.89"),
    ("fr", "1\u202f234\u202f567,89\u00a0EUR"),
    ("es", "1.234.567,89\u00a0EUR"),
    ("ru", "1\u00a0234\u00a0567,89\u00a0EUR"),
    ("zh", "EUR\u00a01,234,567.89"),
])
def test_currency_formatting_follows_the_locale(app, lang, expected):
    with speaking(lang):
        assert formatting.money(Decimal("1234567.89"), "EUR") == expected


def test_arabic_currency_formatting_uses_arabic_conventions(app):
    with speaking("ar"):
        text = formatting.money(Decimal("1234567.89"), "EUR")
    assert text == "\u200f1,234,567.89\u00a0EUR"  # the right-to-left mark, the code after


def test_jpy_has_no_decimals_and_kwd_three_in_any_language(app):
    from babel.numbers import get_decimal_symbol

    for lang in ("en", "fr", "es", "ar", "zh", "ru"):
        with speaking(lang):
            symbol = get_decimal_symbol(lang)
            assert symbol not in formatting.amount(Decimal("150000"), "JPY")
            assert formatting.amount(Decimal("12.345"), "KWD").endswith(symbol + "345")


@pytest.mark.parametrize("lang,expected", [
    ("en", "8 May 2017"), ("fr", "8 mai 2017"), ("es", "8 may 2017"), ("ru", "8 мая 2017\u202fг."),
    ("zh", "2017年5月8日"),
])
def test_dates_follow_the_locale(app, lang, expected):
    with speaking(lang):
        assert formatting.date(dt.date(2017, 5, 8)) == expected


def test_country_names_come_from_babel_in_the_users_language(app):
    from trustfund.countries.models import localized_country_name

    with speaking("fr"):
        assert localized_country_name("CH", "Switzerland") == "Suisse"
    with speaking("zh"):
        assert localized_country_name("CH", "Switzerland") == "瑞士"
    with speaking("en"):
        assert localized_country_name("VA", "Holy See") == "Holy See"


@pytest.mark.parametrize("lang, button, heading", [("fr", "Changer", "Modifications apportées au donateur"),
                                                   ("es", "Cambiar", "Cambios relativos al donante"),
                                                   ("ru", "Изменить", "Изменения сведений о доноре")])
def test_change_the_verb_and_change_the_noun_are_translated_apart(client, login_as, db, lang, button,
                                                                  heading):
    """The language form's button is the verb "Change" (msgctxt "language form button"):
    without its context it took the noun's translation (French showed "Modification").
    The noun, once the SAA history's column, is now the donor's history heading
    ("Changes to the donor"): the same page shows both, each in its own word."""
    from tests.factories.contributions import sweden

    user = login_as("mptf_officer")
    user.locale = lang
    db.session.commit()
    page = client.get(f"/donors/{sweden().id}").get_data(as_text=True)
    assert f'type="submit">{button}</button></noscript>' in page
    assert f'<h2 class="h5" id="changes-heading">{heading}</h2>' in page


def test_requested_the_date_and_requested_the_status_are_translated_apart(client, login_as, db):
    """A grant's date of request (msgctxt "date of the request") and its status
    "Requested" are one word in English: in Russian the header was "Подана"."""
    from tests.factories.travel import make_event, make_request

    grant = make_request(make_event(cap=3), "NP", "Nepal delegate")
    user = login_as("srsg_staff")
    user.locale = "ru"
    db.session.commit()
    queue = client.get("/travel/queue").get_data(as_text=True)
    assert '<th scope="col">Дата подачи</th>' in queue and "Подана" in queue
    page = client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert '<dt class="col-sm-4">Дата подачи</dt>' in page
    user.locale = "fr"
    db.session.commit()
    page = client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert '<dt class="col-sm-4">Demandée le</dt>' in page and "Demandée<" in page


def test_a_message_in_another_language_mid_request_and_the_page_after_it(app):
    """The request's language is asked once (trustfund.language); a message written in
    its recipient's language (language.speaking) has that language's amounts, dates and
    texts, and the page goes on in its own language after it."""
    from flask import render_template_string

    from trustfund.language import speaking

    page = "{{ _('Deposits') }} {{ 1234.5|money('EUR') }} {{ day|date }}"
    day = dt.date(2017, 5, 8)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page, day=day) == "Deposits EUR\u00a01,234.50 8 May 2017"
        with speaking("fr"):
            assert render_template_string(page, day=day) == "Dépôts 1\u202f234,50\u00a0EUR 8 mai 2017"
            assert formatting.money(Decimal("1234.5"), "EUR") == "1\u202f234,50\u00a0EUR"
        assert render_template_string(page, day=day) == "Deposits EUR\u00a01,234.50 8 May 2017"
        assert formatting.money(Decimal("1234.5"), "EUR") == "EUR\u00a01,234.50"
