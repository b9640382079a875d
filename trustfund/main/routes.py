"""The start page: each role lands where its work is; the glossary."""
from flask import redirect, render_template, send_from_directory, url_for
from flask_login import current_user

from ..donors.models import SAA_STATUSES
from ..permissions import DONOR, login_required_any, public
from .blueprint import bp
from .glossary import GLOSSARY
from .glossary import term as glossary_term


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


@bp.route("/help/glossary")
@login_required_any
def glossary():
    """The fund's words explained (trustfund/main/glossary.py), linked from the pages."""
    return render_template("main/glossary.html", entries=GLOSSARY, saa_labels=SAA_STATUSES)


# {{ term('pool') }} in any template: the word linked to its entry.
bp.add_app_template_global(glossary_term, "term")
