"""Security headers on every response, cookies, and pages that need no inline
script, inline style or anything from another host (so the CSP can forbid them)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.security.helpers import assert_secure_headers

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "trustfund" / "static"


def test_anonymous_pages_carry_the_headers(app, client):
    for url, status in [("/login", 200), ("/no-such-page", 404), ("/favicon.ico", 200),
                        ("/static/app.css", 200), ("/static/app.js", 200), ("/", 302),
                        ("/logout", 405)]:
        response = client.get(url)
        assert response.status_code == status, url
        assert_secure_headers(response, url)
        response.close()


def test_logged_in_pages_carry_the_headers_and_are_not_cached(app, client, login_as):
    login_as("admin")
    for url, status in [("/dashboard/", 200), ("/admin/users", 200), ("/admin/audit", 200),
                        ("/admin/users/99999", 404), ("/admin/users?format=xlsx", 200)]:
        response = client.get(url)
        assert response.status_code == status, url
        assert_secure_headers(response, url)
        assert "no-store" in response.headers.get("Cache-Control", ""), url


def test_refusals_carry_the_headers(app, client, login_as, users):
    login_as("donor")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert_secure_headers(response, "403")
    anonymous = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = anonymous.post("/login", data={"email": "a@b.c", "password": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert_secure_headers(response, "400 (CSRF)")
    for _ in range(6):
        response = anonymous.post("/login", data={"email": "officer@test.example", "password": "x"})
    assert response.status_code == 429
    assert_secure_headers(response, "429")


def test_the_session_cookie_is_httponly_and_samesite_lax(app, client, users):
    response = client.post("/login", data={"email": "officer@test.example", "password": PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    attributes = [a.strip().lower() for a in cookies[0].split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    # Not Secure in development and tests (plain http://localhost); see production below.
    assert "secure" not in attributes
    assert "Strict-Transport-Security" not in response.headers


GOOD_SECRET = "f" * 8 + "0123456789abcdef0123456789abcdef"


@pytest.fixture
def production_client(tmp_path, shared_ratelimit_storage):
    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("production", {"SECRET_KEY": GOOD_SECRET,
                                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}",
                                    "RATELIMIT_STORAGE_URI": shared_ratelimit_storage,
                                    "MAIL_SERVER": "smtp.example.org", "MAIL_SENDER": "trustfund@example.org",
                                    "EXTERNAL_URL": "https://trustfund.example.org"})
    with app.app_context():  # a database `flask db upgrade` made: no page is served on another
        from trustfund.maintenance.schema import stamp_head

        db.create_all()
        stamp_head()
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def test_production_sends_hsts_and_secure_cookies(production_client):
    response = production_client.get("/login", base_url="https://trustfund.example")
    assert response.status_code == 200
    hsts = response.headers.get("Strict-Transport-Security", "")
    assert re.search(r"max-age=(\d+)", hsts) and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert "includeSubDomains" in hsts
    assert_secure_headers(response, "production /login")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies, "the login form's CSRF token lives in the session cookie"
    for cookie in cookies:
        attributes = [a.strip().lower() for a in cookie.split(";")]
        assert "secure" in attributes and "httponly" in attributes and "samesite=lax" in attributes
    response = production_client.get("/missing", base_url="https://trustfund.example")
    assert response.status_code == 404
    assert "Strict-Transport-Security" in response.headers


# --- templates and static files -------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
EVENT_ATTR = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)
FOREIGN_URL = re.compile(r"""(?:src|href|action|srcset|data|poster)\s*=\s*["']\s*(?:https?:)?//""",
                         re.IGNORECASE)
CSS_FOREIGN = re.compile(r"""(?:url\(\s*["']?\s*(?:https?:)?//"""
                         r"""|@import\s+["']?\s*(?:url\()?\s*["']?(?:https?:)?//)""", re.IGNORECASE)


DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']application/(?:ld\+)?json["']""", re.IGNORECASE)


def _is_code(match) -> bool:
    """An inline <script> that would run: one with a body, or without src, unless it
    is a JSON data block (type="application/json"), which browsers never execute."""
    if DATA_BLOCK.search(match.group("attrs")):
        return False
    return bool(match.group("body").strip()) or "src=" not in match.group("attrs")


def _template_files():
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file() and p.suffix in (".html", ".txt", ".xml"))


def test_templates_have_no_inline_script_style_or_foreign_resources():
    problems = []
    files = _template_files()
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        for match in INLINE_SCRIPT.finditer(text):
            if _is_code(match):
                problems.append(f"{where}: inline <script> with code")
        if STYLE_ATTR.search(text):
            problems.append(f"{where}: style=\"\" attribute")
        if STYLE_BLOCK.search(text):
            problems.append(f"{where}: <style> block")
        if EVENT_ATTR.search(text):
            problems.append(f"{where}: on...= event handler attribute")
        if JS_URL.search(text):
            problems.append(f"{where}: javascript: URL")
        if FOREIGN_URL.search(text):
            problems.append(f"{where}: loads or links something from another host")
    assert not problems, "\n".join(problems)


def _vendor_urls_are_only_notes(text: str) -> list[str]:
    """Vendor files may mention URLs in licence comments and sourceMappingURL; what
    would load something from another host is a URL used as a resource."""
    offending = []
    for match in CSS_FOREIGN.finditer(text):
        offending.append(text[max(0, match.start() - 40):match.end() + 40])
    for match in re.finditer(
            r"""(?:importScripts|fetch|XMLHttpRequest|\.src\s*=)\s*\(?\s*["'](?:https?:)?//""", text):
        offending.append(text[max(0, match.start() - 40):match.end() + 40])
    return offending


def test_static_files_load_nothing_from_another_host():
    problems = []
    for path in sorted(STATIC.rglob("*")):
        if not path.is_file() or path.suffix not in (".js", ".css", ".svg", ".html"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        where = path.relative_to(ROOT)
        if "vendor" in path.parts:
            problems += [f"{where}: {snippet!r}" for snippet in _vendor_urls_are_only_notes(text)]
            continue
        for url in re.findall(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[a-z]{2,}[^\s"')]*""", text):
            if not url.startswith("http://www.w3.org/"):  # SVG/XML namespaces are names, not requests
                problems.append(f"{where}: {url}")
    assert not problems, "\n".join(problems)


def test_the_scanner_catches_what_it_forbids():
    bad = ['<script>alert(1)</script>', '<div style="color:red">', '<a onclick="x()">',
           '<script src="https://cdn.example/x.js"></script>', '<link href="//cdn.example/a.css">',
           '<a href="javascript:alert(1)">', '<style>p{}</style>']
    checks = [lambda t: any(_is_code(m) for m in INLINE_SCRIPT.finditer(t)),
              STYLE_ATTR.search, EVENT_ATTR.search, FOREIGN_URL.search, FOREIGN_URL.search,
              JS_URL.search, STYLE_BLOCK.search]
    for text, check in zip(bad, checks, strict=True):
        assert check(text), text
    assert not any(_is_code(m) for m in INLINE_SCRIPT.finditer(
        '<script type="application/json" id="d">{"a": 1}</script><script src="/static/a.js"></script>'))
    assert _vendor_urls_are_only_notes('a{background:url("https://x.example/i.png")}')
    assert not _vendor_urls_are_only_notes("/*! Bootstrap (https://getbootstrap.com/) */\n"
                                           "//# sourceMappingURL=bootstrap.min.css.map")
