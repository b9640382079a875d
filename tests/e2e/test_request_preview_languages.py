"""The travel request form's figures, while it is filled in (static/travel.js), read
the amounts as the server will and write them in the reader's language: a French
airfare "1 250,50" is USD 1,250.50, a Spanish "1.250,50" too, and the total shown is
the one the request will have. (Found by a colleague's review: the script deleted
every comma and space, so the French airfare became 125,050.00 and the total a
hundred times too large; a Spanish one gave no total at all.)"""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.browser import login

# The language, the airfare as its readers write it, and the figures then shown:
# the DSA and the total with the language's separators.
CASES = {
    "fr": ("1 250,50", "\u202f", ","),
    "es": ("1.250,50", ".", ","),
    "ru": ("1 250,50", "\u00a0", ","),
    "en": ("1,250.50", ",", "."),
}


@pytest.mark.parametrize("lang", sorted(CASES))
def test_the_total_shown_while_typing_is_the_requests(new_page, lang):
    typed, group, decimal = CASES[lang]
    page = login(new_page(), "srsg_staff", lang)
    page.goto("/travel/grants/new")
    event = page.locator("select[name=event_id]")
    option = event.locator("option:not([value=''])").first
    rate, terminal = option.get_attribute("data-dsa-rate"), option.get_attribute("data-terminal")
    event.select_option(option.get_attribute("value"))
    page.locator("input[name=dsa_days]").fill("3")
    page.locator("input[name=airfare]").fill(typed)

    def written(cents: int) -> str:
        whole = f"{cents // 100:,}".replace(",", group)
        return f"{whole}{decimal}{cents % 100:02d}"

    dsa = 3 * int(Decimal(rate) * 100)  # whole cents of the event's plain "300.00"
    expected = 125050 + dsa + int(Decimal(terminal) * 100)
    figure = page.locator("#grant-figures [data-figure=total]")
    assert figure.inner_text() == written(expected)
    assert page.locator("#grant-figures [data-figure=dsa_amount]").inner_text() == written(dsa)
    # Typed the plain way, it reads the same; with more decimals than a dollar has, no total.
    page.locator("input[name=airfare]").fill("1250.50")
    assert figure.inner_text() == written(expected)
    page.locator("input[name=airfare]").fill("1250,505" if decimal == "," else "1250.505")
    assert figure.inner_text() == ""
    # Nor with three decimals that are zeros: "1.500" in English is a thousands group the
    # server refuses, not USD 1.50 (the preview showed a total of it).
    page.locator("input[name=airfare]").fill("1,500" if decimal == "," else "1.500")
    assert figure.inner_text() == ""
    # Spaces are groups of three or no number (the server refuses "1 250 50"); a direction
    # mark pasted with the number is no part of it.
    page.locator("input[name=airfare]").fill("1 250 50")
    assert figure.inner_text() == ""
    page.locator("input[name=airfare]").fill("\u200f" + typed)
    assert figure.inner_text() == written(expected)
    assert not page.errors, page.errors
