"""Walk every registered route as anonymous and as each role.

No list of routes to maintain: the test reads app.url_map, so a route added
later joins it. Each view declares its roles with @roles_required (or @public);
a view with neither fails here.
"""
import html as html_module
import re

import pytest

from trustfund import demo
from trustfund.permissions import ROLES

ROLES_TO_TRY = list(ROLES)


def _endpoints(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def _url_for_rule(rule) -> str:
    """A concrete URL for a rule: every <int:...> argument is 1, every string 'x'."""
    url = rule.rule
    url = re.sub(r"<int:[^>]+>", "1", url)
    url = re.sub(r"<(?:string:)?[^>]+>", "x", url)
    return url


def test_every_view_declares_who_may_use_it(app):
    missing = []
    for rule in _endpoints(app):
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "allowed_roles"):
            missing.append(rule.endpoint)
    assert not missing, f"views without @roles_required or @public: {missing}"


@pytest.fixture
def seeded(app, db):
    demo.seed()
    demo.run_to_closure()  # as `make run` shows it: 2017 closed, the fund's own costs of 2018
    db.session.commit()


def test_anonymous_users_are_sent_to_login(app, client, seeded):
    for rule in _endpoints(app):
        view = app.view_functions[rule.endpoint]
        if getattr(view, "is_public", False):
            continue
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url, response.status_code)
            assert "/login" in response.headers["Location"], (method, url)


@pytest.mark.parametrize("role", ROLES_TO_TRY)
def test_each_role_gets_exactly_what_it_may(app, client, login_as, seeded, role):
    login_as("srsg_staff2" if role == "srsg_staff" else role)
    for rule in _endpoints(app):
        view = app.view_functions[rule.endpoint]
        if getattr(view, "is_public", False):
            continue
        allowed = view.allowed_roles
        url = _url_for_rule(rule)
        if role not in allowed:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method)
                assert response.status_code == 403, (role, method, url, response.status_code)
        elif "GET" in rule.methods:
            response = client.get(url)
            # Allowed: the page, a redirect within the site, or 404 for an object
            # that is not theirs or does not exist; never 403 or 500.
            assert response.status_code in (200, 302, 404), (role, url, response.status_code)
            if response.status_code == 302:
                assert "/login" not in response.headers["Location"], (role, url)
            if "<" not in rule.rule:
                assert response.status_code in (200, 302), (role, url, response.status_code)


LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)"')
ID = re.compile(r'<[a-zA-Z][^>]*\sid="([^"]*)"')


def _repeated_ids(page: str) -> list[str]:
    """The ids a page gives to more than one element (HTML allows one: a label, a
    link to #id or a screen reader's description finds the first only)."""
    ids = ID.findall(page)
    return sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("role", ROLES_TO_TRY + ["admin2"])
def test_no_page_links_to_a_page_the_role_is_refused(app, client, login_as, seeded, role, monkeypatch):
    """Follow every link of the site a role can reach from its start page (the
    demo fund; one page per view and object kind, downloads not opened): none
    answers 403. Menus and buttons are shown from the views' own role lists. And no
    page repeats an id (a page of several forms gave each of them id="csrf_token");
    the second admin sees the buttons that answer the first one's waiting changes.
    CSRF on, as in production: every form has its token."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_as("srsg_staff2" if role == "srsg_staff" else role)
    adapter = app.url_map.bind("localhost")
    seen_views, queue, refused, repeated = set(), ["/"], [], {}
    while queue:
        url = queue.pop(0)
        path, _, query = url.partition("?")
        try:
            endpoint, _ = adapter.match(path)
        except Exception:
            continue
        shape = (endpoint, "format=" in query)
        if shape in seen_views or "format=" in query or endpoint in ("auth.logout", "static"):
            continue
        seen_views.add(shape)
        response = client.get(url)
        if response.status_code == 403:
            refused.append(url)
        if response.status_code == 302:
            queue.append(response.headers["Location"])
        if response.status_code == 200 and response.mimetype == "text/html":
            page = response.get_data(as_text=True)
            queue.extend(html_module.unescape(link) for link in LINK.findall(page))
            if _repeated_ids(page):
                repeated[url] = _repeated_ids(page)
    assert refused == [], role
    assert repeated == {}, role
    assert len(seen_views) >= 3, seen_views
