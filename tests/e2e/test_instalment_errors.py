"""A refused instalment of a new commitment: the error summary's link leads to the field
in error, and that field says it is invalid (WCAG 3.3.1, 1.3.1, 2.4.3). (A colleague's review.)"""
import pytest

from tests.e2e.browser import login

pytestmark = pytest.mark.e2e


def _refused_instalment(page):
    login(page, "mptf_officer")
    page.goto("/contributions/commitments/new")
    page.locator("#donor_id").select_option(index=1)
    page.locator("#currency").select_option("USD")
    page.locator("#amount").fill("1000")
    page.locator("#committed_on").fill("2018-01-01")
    page.locator("#instalments-0-due_on").fill("2018-01-01")
    page.locator("#instalments-0-amount").fill("12x")
    page.get_by_role("button", name="Record the commitment").click()
    page.wait_for_load_state("load")
    assert "Instalment 1" in page.locator("#error-summary").inner_text()


def test_the_summarys_link_leads_to_the_instalment(new_page):
    page = new_page()
    _refused_instalment(page)
    hrefs = page.locator("#error-summary a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    missing = [h for h in hrefs if page.evaluate("id => !document.getElementById(id)", h[1:])]
    assert not missing, f"the error summary links to {missing}, which no element of the page has"
    page.locator("#error-summary a").first.click()
    assert page.evaluate("document.activeElement.tagName") in ("INPUT", "SELECT", "TEXTAREA")


def test_the_refused_instalment_says_it_is_invalid(new_page):
    page = new_page()
    _refused_instalment(page)
    amount = page.locator("#instalments-0-amount")
    assert amount.get_attribute("aria-invalid") == "true", (
        "the instalment amount refused ('12x') is not marked invalid: "
        + amount.evaluate("e => e.outerHTML"))
