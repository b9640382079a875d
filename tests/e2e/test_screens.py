"""Every page, as each role that may open it, in English and Arabic, at 1366×768 and
at 390×844 (a phone): a screenshot under test-artifacts/screenshots/pages/, no
sideways scrolling of the page, and no serious or critical violation found by
axe-core. Each page is visited once per size and language.

The pages are found from the app's URL map (a page added later joins the walk);
URL arguments are filled with a row of the demo data, so object pages are seen with
real content. Downloads and JSON endpoints are left out.

The navigation bar fits one line at 1366 px in every language, and collapses on a
phone behind its toggler, its menus still reachable.
"""
from __future__ import annotations

import re

import pytest

from tests.e2e.browser import ROLES, axe_here, login, pages_for, screenshot, sideways

pytestmark = pytest.mark.e2e

LOCALES = {"en": "en-GB", "ar": "ar"}
SIZES = {"1366x768": (1366, 768), "390x844": (390, 844)}

# axe-core takes most of the walk's time (up to seconds on a long list), and most
# pages look the same to several roles: a page is checked once per language, size
# and shape (the tags and classes of its main part, so a role's own buttons make
# another shape), and each role's first page is checked whole, with its own menus.
_AXED: set[tuple] = set()
_SHAPE = """() => [...document.querySelectorAll('main *')].map(
  el => el.tagName + '.' + (typeof el.className === 'string' ? el.className : '')).join(' ')"""


def _name(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"


def _visit_all(page, urls: list[str], folder: str, lang: str) -> list[str]:
    """Visit each URL at each size: screenshot, sideways scrolling, axe. Problems, one
    line each."""
    problems = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        for index, url in enumerate(urls):
            response = page.goto(url)
            page.wait_for_load_state("load")
            if response is None or response.status != 200:
                problems.append(f"{url} ({size}): HTTP {response.status if response else '?'}")
                continue
            wide = sideways(page)
            if wide:
                problems.append(f"{url} ({size}): the page scrolls sideways ({wide['scrollWidth']} px "
                                f"in {wide['clientWidth']}): {wide['culprits']}")
            screenshot(page, f"pages/{folder}/{size}/{_name(url)}")
            shape = (lang, size, url, hash(page.evaluate(_SHAPE)))
            if index == 0 or shape not in _AXED:
                _AXED.add(shape)
                problems += axe_here(page, f"{url} ({size})")
    return problems


@pytest.mark.parametrize("lang", LOCALES)
def test_the_login_page(new_page, lang):
    page = new_page(LOCALES[lang])
    problems = _visit_all(page, ["/login"], f"{lang}/anonymous", lang)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_each_role(new_page, live_server, role, lang):
    urls = [url for url in pages_for(live_server.app, role) if url != "/login"]
    assert "/dashboard/" in urls or role == "donor"
    page = new_page(LOCALES[lang])
    login(page, "srsg_staff2" if role == "srsg_staff" else role, english=lang == "en")
    assert page.locator("html").get_attribute("lang") == lang
    problems = _visit_all(page, urls, f"{lang}/{role}", lang)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
    assert not page.errors, page.errors


# The places of the bar: the name of the fund, each link or menu, the language, the user.
_BAR_ROWS = """() => {
  const places = [document.querySelector('.navbar-brand'),
                  ...document.querySelectorAll('#nav > .navbar-nav > .nav-item'),
                  document.querySelector('#lang-picker')];
  return places.map(el => {
    const box = el.getBoundingClientRect();
    return [el.textContent.trim().slice(0, 30), Math.round(box.top + box.height / 2)];
  });
}"""


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar", "zh", "ru"])
def test_the_bar_holds_one_line_at_1366_in_every_language(new_page, lang):
    """As an administrator, who has the most menus: every place of the bar on one line."""
    page = new_page(lang if lang != "en" else "en-GB")
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "admin", english=lang == "en")
    page.goto("/dashboard/")
    assert page.locator("html").get_attribute("lang") == lang
    assert not page.locator(".navbar-toggler").is_visible()
    places = page.evaluate(_BAR_ROWS)
    middles = [middle for _, middle in places]
    assert max(middles) - min(middles) <= 8, places
    assert page.locator("nav.navbar").bounding_box()["height"] < 70
    screenshot(page, f"bar/{lang}-1366", clip={"x": 0, "y": 0, "width": 1366, "height": 120})


def test_the_bar_folds_on_a_phone_and_its_menus_still_lead_everywhere(new_page):
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "mptf_officer")
    page.goto("/dashboard/")
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible() and not page.get_by_role("button", name="Travel").is_visible()
    toggler.click()
    page.get_by_role("button", name="Travel").click()
    screenshot(page, "bar/en-390-open", clip={"x": 0, "y": 0, "width": 390, "height": 844})
    page.get_by_role("link", name="Review queue").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/travel/queue")
    assert sideways(page) is None
    assert not page.errors, page.errors
