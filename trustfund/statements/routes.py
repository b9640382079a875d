"""The donor portal and donor statements."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..permissions import DONOR, get_donor_or_404, roles_required

bp = Blueprint("statements", __name__, url_prefix="/statements")


@bp.route("/portal")
@roles_required(DONOR)
def portal():
    donor = get_donor_or_404(current_user.donor_id)
    return render_template("statements/portal.html", donor=donor)
