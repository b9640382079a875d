"""The start page: each role lands where its work is."""
from flask import redirect, send_from_directory, url_for
from flask_login import current_user

from ..permissions import DONOR, login_required_any, public
from .blueprint import bp


@bp.route("/")
@login_required_any
def index():
    if current_user.role == DONOR:
        return redirect(url_for("statements.portal"))
    return redirect(url_for("dashboard.home"))


@bp.route("/favicon.ico")
@public
def favicon():
    from flask import current_app

    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")
