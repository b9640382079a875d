"""The navigation bar: only what the current role may use, and only pages that exist."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from .permissions import ADMIN, AUDITOR, DONOR, MPTF_OFFICER, SRSG_STAFF

STAFF = (ADMIN, MPTF_OFFICER, SRSG_STAFF, AUDITOR)
FINANCE = (ADMIN, MPTF_OFFICER, AUDITOR)
TRAVEL = (ADMIN, SRSG_STAFF, AUDITOR)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: tuple[str, ...]


NAV = (
    NavItem("dashboard.home", _l("Dashboard"), STAFF),
    NavItem("statements.portal", _l("My contributions"), (DONOR,)),
    NavItem("donors.index", _l("Donors"), FINANCE + (SRSG_STAFF,)),
    NavItem("contributions.index", _l("Contributions"), FINANCE + (SRSG_STAFF,)),
    NavItem("contributions.deposits", _l("Deposits"), FINANCE + (SRSG_STAFF,)),
    NavItem("contributions.pools", _l("Pools"), STAFF),
    NavItem("statements.index", _l("Statements"), STAFF),
    NavItem("contributions.rates", _l("Exchange rates"), FINANCE),
    NavItem("travel.events", _l("Events"), TRAVEL + (MPTF_OFFICER,)),
    NavItem("travel.queue", _l("Review queue"), TRAVEL),
    NavItem("travel.grants", _l("Travel grants"), TRAVEL + (MPTF_OFFICER,)),
    NavItem("travel.reports", _l("Participation"), TRAVEL + (MPTF_OFFICER,)),
    NavItem("countries.index", _l("Countries"), (ADMIN, SRSG_STAFF, MPTF_OFFICER, AUDITOR)),
    NavItem("admin.users", _l("Users"), (ADMIN, AUDITOR)),
    NavItem("admin.settings", _l("Settings"), (ADMIN, AUDITOR)),
    NavItem("admin.audit", _l("Audit trail"), (ADMIN, AUDITOR)),
)


def nav_items() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [item for item in NAV if current_user.role in item.roles and item.endpoint in views]


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
    app.jinja_env.globals["nav_links"] = nav_links
