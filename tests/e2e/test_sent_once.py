"""A double click on a form's button sends the form once (app.js): the second sending
of an edit came back refused as "Someone else changed this record while you were
editing it", the first sending having changed it (a colleague's review)."""
import pytest

from tests.e2e.browser import login

pytestmark = pytest.mark.e2e
SAVE = "main form[method=post] button[type=submit]"


def _profile_posts(new_page):
    """The auditor's profile page, and the list of the profile forms it sends."""
    page = new_page()
    login(page, "auditor")
    page.goto("/profile")
    posts = []
    page.on("request", lambda request: posts.append(request.url)
            if request.method == "POST" and request.url.endswith("/profile") else None)
    return page, posts


def test_a_double_click_on_save_sends_the_form_once(new_page):
    page, posts = _profile_posts(new_page)
    page.locator(SAVE).last.dblclick()
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert len(posts) == 1, posts
    assert "Someone else changed" not in page.content()


def test_the_page_that_comes_back_sends_its_form_at_once(new_page):
    """The page the first sending brings back is a new page: its form sends at once."""
    page, posts = _profile_posts(new_page)
    for _ in range(2):
        page.locator(SAVE).last.click()
        page.wait_for_load_state("load")
    assert len(posts) == 2, posts
