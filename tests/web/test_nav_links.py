"""The navigation bar's links are rendered once per role, page, language and mount
point (navigation.nav_links): each role still sees only its own links, the current
page is marked, and each language gets its own labels."""
from __future__ import annotations

import re


def _nav(client, path) -> list[tuple[str, str, bool]]:
    """The bar's links to the pages, in their menus or on their own (not the user's own
    menu): (label, href, is the current page)."""
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    bar = html[html.index('<nav class="navbar'):]
    bar = bar[:bar.index("</nav>")]
    bar = bar.split('id="nav-user"')[0]
    return [(label, href, "aria-current" in attrs) for href, attrs, label in re.findall(
        r'<a class="(?:nav-link|dropdown-item)[^"]*" href="([^"]+)"([^>]*)>([^<]+)</a>', bar)]


# A menu's button (the user's own menu is none of the pages' menus).
TOGGLE = r'<button class="nav-link dropdown-toggle([^"]*)"[^>]*id="nav-(?!user)[^"]*"[^>]*>([^<]+)</button>'


def _menus(client, path) -> dict[str, list[str]]:
    """The bar's menus: {the menu's label: the labels of its links}."""
    html = client.get(path).get_data(as_text=True)
    return {label: re.findall(r'<a class="dropdown-item[^"]*" href="[^"]+"[^>]*>([^<]+)</a>', items)
            for label, items in re.findall(
                TOGGLE.replace("([^\"]*)", "[^\"]*") +
                r'\s*<ul class="dropdown-menu"[^>]*>(.*?)</ul>', html, re.DOTALL)}


def test_each_role_sees_its_own_links_on_the_same_page(app, db, client, login_as):
    login_as("mptf_officer")
    officer = _nav(client, "/dashboard/")
    login_as("admin")
    admin = _nav(client, "/dashboard/")
    login_as("srsg_staff")
    srsg = _nav(client, "/dashboard/")
    assert ("Dashboard", "/dashboard/", True) in officer
    assert "Users" in {label for label, _, _ in admin} - {label for label, _, _ in officer}
    # SRSG staff may read the rates and officers the review queue: the bar follows
    # the views' role lists (test_the_bar_offers_exactly_the_pages_each_role_may_open).
    assert "Users" not in {label for label, _, _ in srsg}


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


def test_pages_are_grouped_in_menus(app, db, client, login_as):
    login_as("admin")
    menus = _menus(client, "/dashboard/")
    assert list(menus) == ["Contributions", "Travel", "Reports", "Administration"]
    assert menus["Contributions"][:3] == ["Donors", "Pledges and commitments", "Deposits"]
    assert menus["Travel"] == ["Events", "Review queue", "Travel grants"]
    assert menus["Reports"] == ["Statements", "Participation", "Funding status", "IATI file"]
    assert menus["Administration"] == [
        "The fund", "Users", "Settings", "Objectives", "Countries", "Audit trail", "Outbox"]
    # Dashboard stays a link of its own, outside every menu.
    assert ("Dashboard", "/dashboard/", True) in _nav(client, "/dashboard/")
    assert all("Dashboard" not in items for items in menus.values())


def test_the_menu_of_the_current_page_is_marked(app, db, client, login_as):
    login_as("mptf_officer")
    html = client.get("/travel/queue").get_data(as_text=True)
    toggles = {label: "active" in cls for cls, label in re.findall(TOGGLE, html)}
    assert toggles == {"Contributions": False, "Travel": True, "Reports": False, "Administration": False}


def test_a_donor_has_no_menu_to_open(app, db, client, login_as):
    login_as("donor")
    assert _menus(client, "/statements/portal") == {}
    assert [label for label, _, _ in _nav(client, "/statements/portal")] == ["My contributions"]


def test_every_user_s_own_menu_leads_to_its_profile(app, db, client, login_as):
    for role in ("admin", "mptf_officer", "srsg_staff", "donor", "auditor"):
        login_as(role)
        html = client.get("/profile").get_data(as_text=True)
        own = html[html.index('id="nav-user"'):]
        own = own[:own.index("</nav>")]
        assert '<a class="dropdown-item" href="/profile">Your profile</a>' in own, role
        assert "<h1" in html and "Your profile" in html, role


def test_a_menu_of_one_page_is_that_page_s_link(app):
    """A role that may open one page of a menu gets its link, not a menu to open."""
    from trustfund.navigation import NAV, nav_entries

    with app.test_request_context():
        one_of_each = [item for item in NAV if item.endpoint in ("dashboard.home", "admin.audit")]
        entries = nav_entries(one_of_each)
        assert [(str(e.label), e.is_menu) for e in entries] == [("Dashboard", False), ("Audit trail", False)]
        admin = nav_entries([item for item in NAV if item.group == "admin"])
        assert [(str(e.label), e.is_menu) for e in admin] == [("Administration", True)]


def test_a_lists_links_to_its_rows_are_url_fors(app):
    """navigation.id_url builds a row's link once per list and puts each id in its
    place: the same URL as url_for, under any mount point, for any id."""
    from flask import url_for

    from trustfund.navigation import id_url

    for root in ("", "/trustfund", "/987654321"):
        with app.test_request_context("/", base_url=f"https://fund.example{root}/"):
            for endpoint, name in (("contributions.deposit", "deposit_id"), ("travel.approve", "grant_id"),
                                   ("donors.view", "donor_id")):
                link = id_url(endpoint, name)
                for value in (1, 42, 987654321, 2**31 - 1):
                    assert link(value) == url_for(endpoint, **{name: value}), (root, endpoint, value)
            assert id_url("donors.view", "donor_id")(7) == f"{root}/donors/7"


def _marks(client, path) -> tuple[dict[str, str], list[str]]:
    """What the bar marks on a page: {link label: its aria-current} and the labels of
    the menus marked active."""
    html = client.get(path).get_data(as_text=True)
    assert "<h1" in html, path
    links = {label: current for _, current, label in re.findall(
        r'<a class="(?:nav-link|dropdown-item)[^"]*" href="([^"]+)"(?: aria-current="([a-z]+)")?>([^<]+)</a>',
        html) if current}
    menus = [label for cls, label in re.findall(TOGGLE, html) if "active" in cls]
    return links, menus


def test_a_page_inside_a_section_marks_the_section_and_its_menu(app, db, client, login_as):
    """A donor's page, a commitment, a grant, the deposits' import: the reader sees
    where they are in the bar (the link of the list they came from, and its menu)
    without it claiming to be that very page."""
    from tests.factories.contributions import commitment
    from tests.factories.travel import make_event, make_request

    pledged = commitment()
    grant = make_request(make_event())
    db.session.commit()
    login_as("mptf_officer")
    assert _marks(client, f"/donors/{pledged.donor_id}") == ({"Donors": "location"}, ["Contributions"])
    assert _marks(client, f"/contributions/commitments/{pledged.id}") == (
        {"Pledges and commitments": "location"}, ["Contributions"])
    assert _marks(client, "/contributions/deposits/import") == ({"Deposits": "location"}, ["Contributions"])
    assert _marks(client, "/contributions/deposits") == ({"Deposits": "page"}, ["Contributions"])
    # The longer of two leading parts wins: the transfers are inside the pools' URL.
    assert _marks(client, "/contributions/pools/transfers") == (
        {"Transfers between pools": "page"}, ["Contributions"])
    login_as("srsg_staff")
    assert _marks(client, f"/travel/grants/{grant.id}") == ({"Travel grants": "location"}, ["Travel"])
    assert _marks(client, f"/travel/events/{grant.event_id}") == ({"Events": "location"}, ["Travel"])
    # A page of no item's marks nothing.
    assert _marks(client, "/profile") == ({}, [])
