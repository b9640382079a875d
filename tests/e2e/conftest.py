"""Browser tests: a live server and Debian's Chromium driven by Playwright.

The server is the real app (CSRF on, as in production) served by werkzeug in a
thread on 127.0.0.1 and a free port, on a temporary SQLite file created with
create_all() and loaded with the demo fund (trustfund.demo.seed()), so that the
demo accounts exist. Chromium is /usr/bin/chromium; nothing is ever downloaded:
without it (or without Playwright) these tests skip and say why.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _why_no_browser() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install -y chromium; never a downloaded browser)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config, items):
    why = _why_no_browser()
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
            # When the browser leaves a page while a static file is still being sent,
            # werkzeug's test server drops the connection and the file it was reading
            # is closed by the garbage collector (a ResourceWarning in the server's
            # thread, reported in whichever test runs then). Only that is ignored.
            item.add_marker(pytest.mark.filterwarnings(
                "ignore:Exception ignored in.*/static/:pytest.PytestUnraisableExceptionWarning"))
            if why:
                item.add_marker(pytest.mark.skip(reason=f"Browser tests skipped: {why}"))


class LiveServer:
    def __init__(self, app, server, thread):
        self.app = app
        self.server = server
        self.thread = thread
        self.url = f"http://127.0.0.1:{server.server_port}"

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server():
    from werkzeug.serving import make_server

    from trustfund import create_app, demo
    from trustfund.extensions import db

    folder = tempfile.mkdtemp(prefix="trustfund-e2e-")
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.path.join(folder, 'e2e.sqlite3')}",
        "TESTING": False, "DEBUG": False, "WTF_CSRF_ENABLED": True,
    })
    with app.app_context():
        db.create_all()
        from trustfund.maintenance.schema import stamp_head

        stamp_head()  # as `flask db upgrade` leaves it: no page is served on another schema
        demo.seed()
        demo.run_to_closure()
        # The demo fund ended on 31 December 2018; the journeys record today's commitments
        # and requests, as in a fund whose end date the admin extended.
        from trustfund.auth.models import User
        from trustfund.fund.services import extend_end
        from trustfund.fund.status import current_fund

        admin = db.session.scalar(db.select(User).where(User.email == "admin@trustfund.demo"))
        extend_end(admin, current_fund(), end_on=dt.date.today() + dt.timedelta(days=365),
                   reason="The browser journeys record today's commitments and requests")
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield LiveServer(app, server, thread)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() opens a page in a fresh browser context (its own cookies): one per user."""
    contexts = []

    def _open(locale: str = "en-GB"):
        context = browser.new_context(base_url=live_server.url, locale=locale, accept_downloads=True,
                                      viewport={"width": 1366, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()



