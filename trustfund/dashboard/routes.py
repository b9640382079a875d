"""Each role's start page."""
from flask import Blueprint, render_template

from ..permissions import STAFF, roles_required

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.route("/")
@roles_required(*STAFF)
def home():
    return render_template("dashboard/home.html")
