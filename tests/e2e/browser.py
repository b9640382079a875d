"""What the browser tests do in a page: log in as a demo account, take a
screenshot, run axe-core."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

# Demo accounts (trustfund/demo/__init__.py): email and password per role.
ACCOUNTS = {
    "admin": ("admin@trustfund.demo", "demo-admin-pass"),
    "mptf_officer": ("officer@trustfund.demo", "demo-officer-pass"),
    "srsg_staff": ("srsg@trustfund.demo", "demo-srsg-pass"),
    "srsg_staff2": ("srsg2@trustfund.demo", "demo-srsg2-pass"),
    "donor": ("donor@trustfund.demo", "demo-donor-pass"),
    "auditor": ("auditor@trustfund.demo", "demo-auditor-pass"),
}


def login(page, role: str, lang: str | None = None):
    """Log in through the login form as the demo account of `role`; with `lang`, in
    that language, chosen on the login page (for this session only: the account's own
    language is left as it is)."""
    email, password = ACCOUNTS[role]
    page.goto("/login")
    if lang is not None:
        page.locator("#lang-picker").select_option(lang)  # submits itself (app.js)
        page.wait_for_function(f"document.documentElement.lang === '{lang}'")
        page.locator("#email").fill(email)
        page.locator("#password").fill(password)
        page.locator("main form button[type=submit]").click()
    else:
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    assert "/login" not in page.url, f"login as {role} failed"
    return page


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


SEVERE = ("serious", "critical")


def axe_violations(page, urls: list[str]) -> list[str]:
    """Run axe-core on each URL (paths of the live server) and return its serious and
    critical violations, one line each: URL, rule id, impact, and the elements' targets."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = []
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("load")
        result = axe.run(page)
        for violation in result.response["violations"]:
            if violation.get("impact") not in SEVERE:
                continue
            targets = [" ".join(map(str, node.get("target", []))) for node in violation["nodes"]]
            found.append(f"{url}: {violation['id']} ({violation['impact']}) on {targets[:5]}"
                         f"{' …' if len(targets) > 5 else ''}: {violation.get('help', '')}")
    return found
