"""The navigation bar: only what the current role may use, and only pages that exist,
grouped in menus (Contributions, Travel, Reports, Administration) so that the bar
fits one line however many pages a role may open."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from .exports import NOT_FILTERS


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    group: str | None = None  # None: a link of its own in the bar


# The bar's menus, in the bar's order.
GROUPS = {
    "contributions": _l("Contributions"),
    "travel": _l("Travel"),
    "reports": _l("Reports"),
    "admin": _l("Administration"),
}

# In the bar's order, each in its menu. Who sees an item is the view's own role
# declaration (@roles_required sets allowed_roles), so the bar never offers a page
# the role is refused.
NAV = (
    NavItem("dashboard.home", _l("Dashboard")),
    NavItem("statements.portal", _l("My contributions")),
    NavItem("donors.index", _l("Donors"), "contributions"),
    NavItem("contributions.index", _l("Pledges and commitments"), "contributions"),
    NavItem("contributions.deposits", _l("Deposits"), "contributions"),
    NavItem("contributions.interest", _l("Interest"), "contributions"),
    NavItem("contributions.pools", _l("Pools"), "contributions"),
    NavItem("contributions.transfers", _l("Transfers between pools"), "contributions"),
    NavItem("contributions.rates", _l("Exchange rates"), "contributions"),
    NavItem("travel.events", _l("Events"), "travel"),
    NavItem("travel.queue", _l("Review queue"), "travel"),
    NavItem("travel.grants", _l("Travel grants"), "travel"),
    NavItem("statements.index", _l("Statements"), "reports"),
    NavItem("travel.reports", _l("Participation"), "reports"),
    NavItem("closure.funding_status_view", _l("Funding status"), "reports"),
    NavItem("iati.download", _l("IATI file"), "reports"),
    NavItem("fund.index", _l("The fund"), "admin"),
    NavItem("admin.users", _l("Users"), "admin"),
    NavItem("admin.settings", _l("Settings"), "admin"),
    NavItem("contributions.objectives", _l("Objectives"), "admin"),
    NavItem("countries.index", _l("Countries"), "admin"),
    NavItem("admin.audit", _l("Audit trail"), "admin"),
    NavItem("mail.outbox", _l("Outbox"), "admin"),
)


@dataclass(frozen=True)
class NavEntry:
    """One place in the bar: a link (items of one) or a menu (items of several)."""

    key: str
    label: object
    items: tuple[NavItem, ...]

    @property
    def is_menu(self) -> bool:
        return len(self.items) > 1


def may_open(role: str, endpoint: str) -> bool:
    """Whether `role` may open the view of `endpoint`, as the view itself declares."""
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "allowed_roles", None)
    return view is not None and roles is not None and role in roles


def nav_items() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    return [item for item in NAV if may_open(current_user.role, item.endpoint)]


def nav_entries(items: list[NavItem]) -> list[NavEntry]:
    """The bar's places for these items: each ungrouped item, then each menu with at
    least one item. A menu of a single item is shown as that item's link: a menu
    that opens on one choice is a click for nothing."""
    entries: list[NavEntry] = []
    menus: dict[str, list[NavItem]] = {}
    for item in items:
        if item.group is None:
            entries.append(NavEntry(item.endpoint, item.label, (item,)))
        else:
            menus.setdefault(item.group, []).append(item)
    for key, label in GROUPS.items():
        members = menus.get(key)
        if members:
            entries.append(NavEntry(key, label if len(members) > 1 else members[0].label, tuple(members)))
    return entries


def _place_of(rule: str, items: list[NavItem]) -> str | None:
    """The endpoint of the bar's item the page of URL rule `rule` belongs to: its own,
    else the item whose URL is the longest leading part of the page's, segment by
    segment (a donor's page is in Donors, a commitment's in Pledges and commitments,
    the deposits' import in Deposits, a closing decision in The fund); None for a page
    of no item's (the profile, the search)."""
    place, longest = None, -1
    for item in items:
        own = next(current_app.url_map.iter_rules(item.endpoint)).rule
        if rule == own:
            return item.endpoint
        stem = own.rstrip("/")
        if (rule.startswith(stem + "/") or rule == stem) and len(stem) > longest:
            place, longest = item.endpoint, len(stem)
    return place


NAV_LINKS_KEPT = 2048  # (role, page, language, mount point) combinations kept per app


def nav_links() -> Markup:
    """The navigation bar's links and menus (_nav_links.html), rendered once per role,
    page, language and mount point and kept by the app: every page shows them, and
    rendering a dozen translated labels and URLs each time cost a third of a
    millisecond. Nothing in them is the user's own beyond the role."""
    if not current_user.is_authenticated:
        return Markup("")
    kept = current_app.extensions.setdefault("trustfund_nav_links", {})
    key = (current_user.role, request.endpoint, str(get_locale()), request.script_root)
    html = kept.get(key)
    if html is None:
        items = nav_items()
        rule = request.url_rule.rule if request.url_rule is not None else ""
        html = Markup(render_template("_nav_links.html", entries=nav_entries(items),
                                      place=_place_of(rule, items)))
        if len(kept) >= NAV_LINKS_KEPT:
            kept.clear()
        kept[key] = html
    return html


_MARK = 987654321  # an id no row holds yet, put where each row's own goes


def id_url(endpoint: str, name: str):
    """A function giving url_for(endpoint, **{name: id}) for an id: the URL is built
    once and each row's id put in its place. A list links each of its 50 rows to
    pages of theirs, and each url_for costs 7-9 µs."""
    head, mark, tail = url_for(endpoint, **{name: _MARK}).rpartition(str(_MARK))
    if not mark:  # the id is not in the URL as written: build each
        return lambda value: url_for(endpoint, **{name: value})
    return lambda value: f"{head}{int(value)}{tail}"


def query_args() -> dict[str, str]:
    """The page's query string as keywords of url_for, for the links that keep it (the
    pager, the sort and download links): without the names url_for keeps for itself
    ("endpoint", and "_method", "_external" and the like), which no page reads, so that
    a link typed with one of them ("?endpoint=x") still shows the page."""
    return {key: value for key, value in request.args.to_dict().items()
            if key != "endpoint" and not key.startswith("_")}


def filtered() -> bool:
    """Whether the page's query string sets a filter (a value other than empty): a
    list empty with none set is empty because nothing was recorded yet ("No donors
    yet."), not because a filter hides its rows ("No donors match."). What only
    chooses how a list is shown is no filter (exports.NOT_FILTERS, as a download's
    About sheet reads them)."""
    return any(value.strip() for key, value in query_args().items() if key not in NOT_FILTERS)


def register(app) -> None:
    app.jinja_env.globals["filtered"] = filtered
    app.jinja_env.globals["id_url"] = id_url
    app.jinja_env.globals["query_args"] = query_args
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["may_open"] = lambda endpoint: current_user.is_authenticated and may_open(
        current_user.role, endpoint)
    app.jinja_env.globals["nav_links"] = nav_links
