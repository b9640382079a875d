"""Counts read as each language says them: the plural form follows the number
(«Total (1 aide)», «1 día», «7 أيام», «5 субсидий»), and the number itself is
formatted for the locale («2 000» in French)."""
import datetime as dt

from tests.factories.travel import make_event, make_request
from tests.pages import text
from trustfund.extensions import db
from trustfund.language import speaking
from trustfund.validation import too_long

SIX_DAYS = (dt.date(2017, 5, 8), dt.date(2017, 5, 13))


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return text(response)


def speak(user, lang: str) -> None:
    user.locale = lang
    db.session.commit()


def test_one_grant_is_singular_in_french_and_five_take_the_russian_genitive_plural(client, login_as, users):
    one = make_event()
    make_request(one, "SN")
    five = make_event("Regional meeting, Bangkok", (dt.date(2017, 6, 19), dt.date(2017, 6, 20)), cap=5)
    for number in range(5):
        make_request(five, "SN", name=f"Delegate {number} of Senegal")
    user = login_as("srsg_staff")

    speak(user, "fr")
    assert "Total (1 aide)" in page_text(client, f"/travel/events/{one.id}")
    assert "Total (1 aide)" in page_text(client, f"/travel/grants?event={one.id}")
    assert "Total (5 aides)" in page_text(client, f"/travel/grants?event={five.id}")

    speak(user, "ru")
    assert "Итого (5 субсидий)" in page_text(client, f"/travel/events/{five.id}")
    assert "Итого (1 субсидия)" in page_text(client, f"/travel/grants?event={one.id}")


def test_dsa_days_agree_with_their_number_in_spanish_and_arabic(client, login_as, users):
    event = make_event("Thematic session, Geneva", SIX_DAYS)
    why = "Days agreed with the delegation."
    one_day = make_request(event, "SN", dsa_days=1, override_reason=why)
    seven_days = make_request(event, "ML", dsa_days=7, override_reason=why)
    eleven_days = make_request(event, "NE", dsa_days=11, override_reason=why,
                               travel_from=dt.date(2017, 5, 3), travel_to=dt.date(2017, 5, 14))
    user = login_as("srsg_staff")

    speak(user, "es")
    assert "Dietas: 1 día ×" in page_text(client, f"/travel/grants/{one_day.id}")
    assert "Dietas: 7 días ×" in page_text(client, f"/travel/grants/{seven_days.id}")

    speak(user, "ar")
    assert "بدل الإقامة اليومي: 7 أيام ×" in page_text(client, f"/travel/grants/{seven_days.id}")
    # 11 to 99 take the singular accusative («يوما»), not the plural of 3 to 10.
    assert "بدل الإقامة اليومي: 11 يوما ×" in page_text(client, f"/travel/grants/{eleven_days.id}")


def test_a_count_in_a_python_message_chooses_its_form_and_formats_its_number(app):
    with speaking("ru"):
        assert too_long(21) == "Не более 21 символа."
        assert too_long(100) == "Не более 100 символов."
    with speaking("fr"):
        assert too_long(2000) == "2\u202f000 caractères au maximum."
        assert too_long(1) == "1 caractère au maximum."
    with speaking("ar"):
        assert too_long(7) == "7 أحرف كحد أقصى."
