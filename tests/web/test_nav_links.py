"""The navigation bar's links are rendered once per role, page, language and mount
point (navigation.nav_links): each role still sees only its own links, the current
page is marked, and each language gets its own labels."""
from __future__ import annotations

import re


def _nav(client, path) -> list[tuple[str, str, bool]]:
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    links = html[html.index('<ul class="navbar-nav'):]
    links = links[:links.index("</ul>")]
    return [(label, href, "aria-current" in attrs) for href, attrs, label in re.findall(
        r'<a class="nav-link[^"]*" href="([^"]+)"([^>]*)>([^<]+)</a>', links)]


def test_each_role_sees_its_own_links_on_the_same_page(app, db, client, login_as):
    login_as("mptf_officer")
    officer = _nav(client, "/dashboard/")
    login_as("admin")
    admin = _nav(client, "/dashboard/")
    login_as("srsg_staff")
    srsg = _nav(client, "/dashboard/")
    assert ("Dashboard", "/dashboard/", True) in officer
    assert "Users" in {label for label, _, _ in admin} - {label for label, _, _ in officer}
    assert "Exchange rates" in {label for label, _, _ in officer} - {label for label, _, _ in srsg}
    assert "Review queue" in {label for label, _, _ in srsg} - {label for label, _, _ in officer}


def test_the_current_page_is_marked_and_nothing_else(app, db, client, login_as):
    login_as("mptf_officer")
    on_dashboard = _nav(client, "/dashboard/")
    on_donors = _nav(client, "/donors/")
    assert [label for label, _, current in on_dashboard if current] == ["Dashboard"]
    assert [label for label, _, current in on_donors if current] == ["Donors"]
    assert ({(label, href) for label, href, _ in on_dashboard}
            == {(label, href) for label, href, _ in on_donors})


def test_each_language_has_its_own_labels(app, db, client, login_as):
    officer = login_as("mptf_officer")
    assert ("Dashboard", "/dashboard/", True) in _nav(client, "/dashboard/")
    officer.locale = "fr"
    db.session.commit()
    assert ("Tableau de bord", "/dashboard/", True) in _nav(client, "/dashboard/")


def test_no_links_before_logging_in(app, db, client):
    assert _nav(client, "/login") == []


def test_the_bar_offers_exactly_the_pages_each_role_may_open(app, db, client, login_as):
    """The menu follows the views' own role declarations: every link it offers opens,
    and every page of the bar that a role may open is offered to it."""
    from trustfund.navigation import NAV

    views = app.view_functions
    for role in ("admin", "mptf_officer", "srsg_staff", "donor", "auditor"):
        login_as(role)
        home = "/statements/portal" if role == "donor" else "/dashboard/"
        shown = {href for _, href, _ in _nav(client, home)}
        with app.test_request_context():
            from flask import url_for

            expected = {url_for(item.endpoint) for item in NAV
                        if role in (getattr(views[item.endpoint], "allowed_roles", None) or ())}
        assert shown == expected, role
        for href in shown:
            assert client.get(href).status_code == 200, (role, href)
