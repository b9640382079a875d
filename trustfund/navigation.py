"""The navigation bar: only what the current role may use, and only pages that exist."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object


# In the bar's order. Who sees an item is the view's own role declaration
# (@roles_required sets allowed_roles), so the bar never offers a page the role
# is refused.
NAV = (
    NavItem("dashboard.home", _l("Dashboard")),
    NavItem("statements.portal", _l("My contributions")),
    NavItem("donors.index", _l("Donors")),
    NavItem("contributions.index", _l("Contributions")),
    NavItem("contributions.deposits", _l("Deposits")),
    NavItem("contributions.pools", _l("Pools")),
    NavItem("statements.index", _l("Statements")),
    NavItem("contributions.rates", _l("Exchange rates")),
    NavItem("travel.events", _l("Events")),
    NavItem("travel.queue", _l("Review queue")),
    NavItem("travel.grants", _l("Travel grants")),
    NavItem("travel.reports", _l("Participation")),
    NavItem("countries.index", _l("Countries")),
    NavItem("admin.users", _l("Users")),
    NavItem("admin.settings", _l("Settings")),
    NavItem("admin.audit", _l("Audit trail")),
    NavItem("mail.outbox", _l("Outbox")),
)


def may_open(role: str, endpoint: str) -> bool:
    """Whether `role` may open the view of `endpoint`, as the view itself declares."""
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "allowed_roles", None)
    return view is not None and roles is not None and role in roles


def nav_items() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    return [item for item in NAV if may_open(current_user.role, item.endpoint)]


NAV_LINKS_KEPT = 2048  # (role, page, language, mount point) combinations kept per app


def nav_links() -> Markup:
    """The navigation bar's links (_nav_links.html), rendered once per role, page,
    language and mount point and kept by the app: every page shows them, and
    rendering a dozen translated labels and URLs each time cost a third of a
    millisecond. Nothing in them is the user's own beyond the role."""
    if not current_user.is_authenticated:
        return Markup("")
    kept = current_app.extensions.setdefault("trustfund_nav_links", {})
    key = (current_user.role, request.endpoint, str(get_locale()), request.script_root)
    html = kept.get(key)
    if html is None:
        html = Markup(render_template("_nav_links.html", items=nav_items()))
        if len(kept) >= NAV_LINKS_KEPT:
            kept.clear()
        kept[key] = html
    return html


def register(app) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["may_open"] = lambda endpoint: current_user.is_authenticated and may_open(
        current_user.role, endpoint)
    app.jinja_env.globals["nav_links"] = nav_links
