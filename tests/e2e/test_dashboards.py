"""Each role's dashboard in Chromium: every chart drawn (under the real CSP), no
script error, a screenshot saved under test-artifacts/screenshots/. (axe-core walks
the dashboards with every other page in test_accessibility.py.)"""
from __future__ import annotations

import pytest

from tests.e2e.browser import login, screenshot

pytestmark = pytest.mark.e2e

STAFF_ROLES = ["mptf_officer", "srsg_staff", "admin", "auditor"]


def _watch_console(page) -> list[str]:
    problems = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text else None)
    return problems


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_each_dashboard_draws_its_charts(page, role):
    console = _watch_console(page)
    login(page, role)
    page.goto("/dashboard/")
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() >= 1
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')].every(c => c.dataset.drawn)")
    for i in range(canvases.count()):
        box = canvases.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
    # Chart.js really drew on the canvas: some pixels are not blank.
    painted = page.evaluate("""() => [...document.querySelectorAll('canvas[data-chart]')].map(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }
        return false; })""")
    assert all(painted)
    assert page.get_by_role("link", name="Download .xlsx").count() == 1
    screenshot(page, f"dashboard-{role}")
    assert not page.errors, page.errors
    assert not console, console


def test_the_dashboard_xlsx_downloads(page, tmp_path):
    import openpyxl

    login(page, "mptf_officer")
    page.goto("/dashboard/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download .xlsx").click()
    download = info.value
    assert download.suggested_filename.startswith("dashboard-")
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = openpyxl.load_workbook(path)
    assert "Overview" in book.sheetnames and "About this export" in book.sheetnames
    overview = {row[0]: row[1] for row in book["Overview"].iter_rows(min_row=2, values_only=True)}
    shown = page.locator("#table-overview tbody tr").all_inner_texts()
    assert len(shown) == len(overview) == 5


def test_donor_lands_on_its_portal(page):
    login(page, "donor")
    assert page.url.endswith("/statements/portal")
    screenshot(page, "dashboard-donor")
    assert not page.errors, page.errors
