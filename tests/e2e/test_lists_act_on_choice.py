"""The language picker does not switch the whole interface (and the account's language)
while a keyboard user merely moves through its options (WCAG 3.2.2 On Input): the arrow
keys move, Enter changes the language; a choice with the mouse changes it at once.
(Found by a colleague's review: one arrow key reloaded the page in French and a
half-filled form was lost.)"""
import pytest

from tests.e2e.browser import login

pytestmark = pytest.mark.e2e


def _lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def _back_to_english(page) -> None:
    # put the account's language back for the other browser tests (a choice with the mouse)
    if _lang(page) != "en":
        page.locator("#lang-picker").select_option("en")
        page.wait_for_function("document.documentElement?.lang === 'en'")


def test_arrowing_through_the_languages_does_not_switch_the_page_and_enter_does(new_page):
    page = new_page()
    login(page, "srsg_staff")
    page.goto("/travel/grants/new")
    page.locator("#delegate_name").fill("Amina Diallo")      # a form half filled in
    page.locator("#lang-picker").focus()
    page.keyboard.press("ArrowDown")                         # on the way to العربية
    page.wait_for_timeout(1500)
    changed = _lang(page)
    try:
        assert changed == "en", (
            f"one arrow key on the language picker reloaded the page in {changed!r} (and saved it as "
            "the account's language); the delegate's name typed was lost and the focus went to the top")
        assert page.locator("#delegate_name").input_value() == "Amina Diallo"
        chosen = page.locator("#lang-picker").input_value()
        assert chosen != "en"
        page.keyboard.press("Enter")                         # the keyboard's choice
        page.wait_for_function(f"document.documentElement?.lang === '{chosen}'")
    finally:
        _back_to_english(page)
    assert _lang(page) == "en"  # the mouse's choice acts at once


def test_the_change_button_shows_when_the_keyboard_reaches_it(new_page):
    page = new_page()
    login(page, "srsg_staff")
    page.locator("#lang-picker").focus()
    page.keyboard.press("Tab")
    button = page.locator("nav form button[type=submit]:focus")
    assert button.count() == 1 and button.is_visible() and button.bounding_box()["width"] > 10


# A list opened from the keyboard takes its own keys; its Enter confirms a choice, which
# acts. Enter on a list left as the page gave it does nothing. (A colleague's review of
# this change.)
@pytest.mark.parametrize("opener", ["Alt+ArrowDown", "F4", "Space"])
def test_a_language_picked_with_enter_from_the_opened_list_is_applied(new_page, opener):
    page = new_page()
    login(page, "srsg_staff")
    page.goto("/travel/grants/new")
    page.locator("#lang-picker").focus()
    page.keyboard.press(opener)          # opens the list
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowDown")     # to the next language
    page.keyboard.press("Enter")         # chooses it
    page.wait_for_timeout(1500)
    shown, chosen = _lang(page), page.locator("#lang-picker").input_value()
    try:
        assert shown == chosen, (f"the list shows {chosen!r} chosen with Enter, the page stays {shown!r}: "
                                 "the choice was ignored")
    finally:
        _back_to_english(page)


def test_enter_on_the_unchanged_language_list_keeps_the_half_filled_form(new_page):
    page = new_page()
    login(page, "srsg_staff")
    page.goto("/travel/grants/new")
    page.locator("#delegate_name").fill("Amina Diallo")
    page.locator("#lang-picker").focus()
    page.keyboard.press("Enter")         # nothing chosen: the same language
    page.wait_for_timeout(1500)
    assert page.locator("#delegate_name").input_value() == "Amina Diallo", \
        "Enter on the unchanged language list reloaded the page and lost the form"


# A letter typed on the closed list (the browser's type-ahead) moves the choice too; Enter
# acts. (A colleague's review.)
def test_typing_a_letter_on_the_language_list_does_not_switch_the_page(new_page):
    page = new_page()
    login(page, "srsg_staff")
    page.goto("/travel/grants/new")
    page.locator("#delegate_name").fill("Amina Diallo")      # a form half filled in
    page.locator("#lang-picker").focus()
    page.keyboard.press("f")                                 # type-ahead: Français
    page.wait_for_timeout(1500)
    shown = _lang(page)
    try:
        assert shown == "en", (f"typing 'f' on the language list reloaded the page in {shown!r}; "
                               "the half-filled form was lost")
        assert page.locator("#delegate_name").input_value() == "Amina Diallo"
    finally:
        _back_to_english(page)
