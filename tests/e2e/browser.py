"""What the browser tests do in a page: log in as a demo account, take a
screenshot, run axe-core."""
from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

# Demo accounts (trustfund/demo/__init__.py): email and password per role.
ACCOUNTS = {
    "admin": ("admin@trustfund.demo", "demo-admin-pass"),
    "admin2": ("admin2@trustfund.demo", "demo-admin2-pass"),
    "mptf_officer": ("officer@trustfund.demo", "demo-officer-pass"),
    "mptf_officer2": ("officer2@trustfund.demo", "demo-officer2-pass"),
    "srsg_staff": ("srsg@trustfund.demo", "demo-srsg-pass"),
    "srsg_staff2": ("srsg2@trustfund.demo", "demo-srsg2-pass"),
    "donor": ("donor@trustfund.demo", "demo-donor-pass"),
    "auditor": ("auditor@trustfund.demo", "demo-auditor-pass"),
}


def appears(locator) -> None:
    """Assert that `locator` is visible, waiting for it as Playwright's expect() does
    (a page loaded after a click may still be arriving; is_visible() does not wait).
    Imported here, not at the top: without Playwright the browser tests skip."""
    from playwright.sync_api import expect

    expect(locator).to_be_visible()


def login(page, role: str, lang: str | None = None, *, english: bool = True):
    """Log in through the login form as the demo account of `role`. With `lang`, in
    that language, chosen on the login page (for this session only: the account's own
    language is left as it is); with english=False, in the language the browser asks
    for (the fields are then found by their ids)."""
    email, password = ACCOUNTS[role]
    page.goto("/login")
    if lang is not None:
        page.locator("#lang-picker").select_option(lang)  # submits itself (app.js)
        # (null for a moment while the picker's form navigates)
        page.wait_for_function(f"document.documentElement?.lang === '{lang}'")
    if lang is not None or not english:
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


def screenshot(page, name: str, clip: dict | None = None) -> Path:
    """A full-page screenshot under test-artifacts/screenshots/ (`name` may hold
    folders), or of the part `clip` of the page."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, clip=clip)
    return path


SEVERE = ("serious", "critical")


def axe_violations(page, urls: list[str]) -> list[str]:
    """Run axe-core on each URL (paths of the live server) and return its serious and
    critical violations, one line each: URL, rule id, impact, and the elements' targets."""
    found = []
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("load")
        found += axe_here(page, url)
    return found


def axe_here(page, name: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    found = []
    for violation in result.response["violations"]:
        if violation.get("impact") not in SEVERE:
            continue
        targets = [" ".join(map(str, node.get("target", []))) for node in violation["nodes"]]
        found.append(f"{name}: {violation['id']} ({violation['impact']}) on {targets[:5]}"
                     f"{' …' if len(targets) > 5 else ''}: {violation.get('help', '')}")
    return found


# The elements that stick out of the page's width, when the page scrolls sideways
# (the outermost ones: a wide table inside a box that scrolls is not one).
_SIDEWAYS = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const width = root.clientWidth, out = [];
  const scrolls = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if ((box.right > width + 1 || box.left < -1) && box.width > 0 && !scrolls(el)) {
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (parent && (parent.right > width + 1 || parent.left < -1) && !scrolls(el.parentElement)) continue;
      const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).join('.') : '';
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (classes ? '.' + classes : '') +
               ' [' + Math.round(box.left) + '..' + Math.round(box.right) + ']');
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, culprits: out.slice(0, 6)};
}"""


def sideways(page) -> dict | None:
    """None if the page fits its window's width; else how wide it is and what sticks out."""
    return page.evaluate(_SIDEWAYS)


# --- every page of the app, as each role may open it ---------------------------------

ROLES = ["mptf_officer", "srsg_staff", "admin", "auditor", "donor"]
NOT_PAGES = ("static", "main.favicon", "main.index", "auth.logout", "auth.set_language",
             "contributions.import_template", "contributions.rate_lookup",
             "contributions.deposit_preview", "iati.download",  # files, JSON, redirects: not pages
             # Before the fund's closing: 404 for a donor, the list for staff (test_final_statements.py).
             "closure.final_statement_view")


def argument_values(app) -> dict[str, str]:
    """A value for each URL argument, from the demo data."""
    from trustfund.auth.models import User
    from trustfund.contributions.models import (
        Commitment,
        Deposit,
        ExchangeRate,
        InterestEntry,
        Objective,
        Pledge,
    )
    from trustfund.countries.models import LdcPeriod
    from trustfund.donors.models import Donor
    from trustfund.extensions import db
    from trustfund.travel.models import Event, TravelGrant

    def first(column, *where):
        return db.session.scalar(sa.select(column).where(*where).order_by(column).limit(1))

    with app.app_context():
        own = first(Donor.id, Donor.name == "Kingdom of Sweden")
        period = db.session.execute(sa.select(LdcPeriod.id, LdcPeriod.country_code)
                                    .order_by(LdcPeriod.id).limit(1)).first()
        values = {
            "donor_id": own,
            "commitment_id": first(Commitment.id, Commitment.deposited < Commitment.amount),
            "deposit_id": first(Deposit.id, Deposit.reverses_id.is_(None)),
            "pledge_id": first(Pledge.id),
            "rate_id": first(ExchangeRate.id),
            "objective_id": first(Objective.id),
            "entry_id": first(InterestEntry.id),
            "user_id": first(User.id),
            "event_id": first(Event.id),
            "grant_id": first(TravelGrant.id, TravelGrant.status == "approved") or first(TravelGrant.id),
            "period_id": period.id if period else None,
            "code": period.country_code if period else "AF",
            "key": "fee_rate",
        }
    return {name: str(value) for name, value in values.items() if value is not None}


def pages_for(app, role: str) -> list[str]:
    values = argument_values(app)
    urls = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in NOT_PAGES or "GET" not in rule.methods:
            continue
        allowed = getattr(view, "allowed_roles", None)
        if allowed is not None and role not in allowed:
            continue
        if any(name not in values for name in rule.arguments):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", values[name], url)
        urls.append(url)
    return sorted(set(urls))
