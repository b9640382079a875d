"""A double click on a form's button sends the form once (app.js): the second sending
of an edit came back refused as "Someone else changed this record while you were
editing it", the first sending having changed it (a colleague's review)."""
import pytest

from tests.e2e.browser import login

pytestmark = pytest.mark.e2e


def test_a_double_click_on_save_sends_the_form_once(new_page):
    page = new_page()
    login(page, "auditor")
    page.goto("/profile")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.locator("main form[method=post] button[type=submit]").last.dblclick()
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert len([url for url in posts if url.endswith("/profile")]) == 1, posts
    assert "Someone else changed" not in page.content()


def test_a_form_refused_can_be_sent_again(new_page):
    """The page that comes back with a refusal is a new page: its form sends at once."""
    page = new_page()
    login(page, "auditor")
    page.goto("/profile")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    button = page.locator("main form[method=post] button[type=submit]").last
    button.click()
    page.wait_for_load_state("load")
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert len([url for url in posts if url.endswith("/profile")]) == 2, posts
