"""Each role's start page: its dashboard, with charts, tables and an .xlsx download.

Donors land on their portal (statements.portal), which includes
templates/dashboard/_donor.html: the donor's own figures from
services.donor_figures(donor_id), laid out by layout.donor_dashboard().

The staff dashboard's figures (tiles, charts and tables: dashboard/_body.html) are
the same for everyone of a role: each worker keeps them rendered (trustfund.cache)
per role, locale, time zone, day and data version, and the whole page around them
too, with holes for what is the request's own (trustfund.kept_pages: the user's
address, the session's CSRF token, the current path): a request while the data is
unchanged renders no template at all. Any change of the ledger records an audit entry, which
changes the data version: the next request renders afresh, so a change shows at once.
"""
import datetime as dt

from flask import current_app, render_template, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from markupsafe import Markup

from .. import cache
from ..exports import export_response
from ..kept_pages import render_kept
from ..permissions import STAFF, roles_required
from . import exports  # noqa: F401  (registers the "dashboard" export)
from .blueprint import bp
from .layout import dashboard_for, donor_dashboard


@bp.route("/")
@roles_required(*STAFF)
def home():
    if request.args.get("format") == "xlsx":
        return export_response("dashboard", {}, current_user)
    role, today = current_user.role, dt.date.today()
    return render_kept(_key(role, today), "dashboard/home.html", lambda: {"body": body(role, today)})


def _key(role: str, today: dt.date) -> tuple:
    """What a role's dashboard depends on besides the data: nothing in it is the
    user's own (base.html's holes carry that) or the query string's."""
    return (role, today, str(get_locale()), str(get_timezone()), request.script_root)


def body(role: str, today: dt.date) -> Markup:
    """A role's dashboard as HTML (heading, tiles and blocks), kept per worker while
    the data is unchanged (_key)."""
    def render() -> Markup:
        return Markup(render_template("dashboard/_body.html", board=dashboard_for(role, on=today),
                                      today=today))

    return cache.keep(("dashboard-body", *_key(role, today)), render)


@bp.app_context_processor
def dashboard_helpers():
    def dashboard_link(endpoint: str) -> bool:
        """Whether a block's "details" page exists (features land one by one)."""
        return endpoint in current_app.view_functions

    return {"dashboard_link": dashboard_link, "donor_dashboard": donor_dashboard}
