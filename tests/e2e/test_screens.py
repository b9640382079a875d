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


def _name(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"


def _visit_all(page, urls: list[str], folder: str) -> list[str]:
    """Visit each URL at each size: screenshot, sideways scrolling, axe. Problems, one
    line each."""
    problems = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        for url in urls:
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
            problems += axe_here(page, f"{url} ({size})")
    return problems


@pytest.mark.parametrize("lang", LOCALES)
def test_the_login_page(new_page, lang):
    page = new_page(LOCALES[lang])
    problems = _visit_all(page, ["/login"], f"{lang}/anonymous")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_each_role(new_page, live_server, role, lang):
    urls = [url for url in pages_for(live_server.app, role) if url != "/login"]
    assert "/dashboard/" in urls or role == "donor"
    page = new_page(LOCALES[lang])
    login(page, "srsg_staff2" if role == "srsg_staff" else role, english=lang == "en")
    assert page.locator("html").get_attribute("lang") == lang
    problems = _visit_all(page, urls, f"{lang}/{role}")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
    assert not page.errors, page.errors
