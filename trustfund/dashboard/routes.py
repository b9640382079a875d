"""Each role's start page: its dashboard, with charts, tables and an .xlsx download.

Donors land on their portal (statements.portal), which includes
templates/dashboard/_donor.html: the donor's own figures from
services.donor_figures(donor_id), laid out by layout.donor_dashboard().

The staff dashboard is rendered at every request; its figures (sums over every
deposit and grant) are kept per worker for the data they were computed from
(trustfund.cache, see layout._figures), so a change shows at once.
"""

from flask import current_app, render_template, request
from flask_login import current_user

from .. import clock
from ..exports import export_response
from ..permissions import STAFF, roles_required
from . import exports  # noqa: F401  (registers the "dashboard" export)
from .blueprint import bp
from .desk import desk
from .layout import dashboard_for, donor_dashboard


@bp.route("/")
@roles_required(*STAFF)
def home():
    if request.args.get("format") == "xlsx":
        return export_response("dashboard", {}, current_user)
    today = clock.today()
    return render_template("dashboard/home.html", board=dashboard_for(current_user.role, on=today),
                           today=today)


@bp.app_context_processor
def dashboard_helpers():
    def dashboard_link(endpoint: str) -> bool:
        """Whether a block's "details" page exists (features land one by one)."""
        return endpoint in current_app.view_functions

    # donor_desk: the donor page's figures and lists (templates/donors/view.html; the
    # donors feature sits below the ledger and cannot compute them itself).
    return {"dashboard_link": dashboard_link, "donor_dashboard": donor_dashboard, "donor_desk": desk}
