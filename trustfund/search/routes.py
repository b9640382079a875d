"""The results of the bar's search box, grouped by kind, with links."""
from __future__ import annotations

from babel.lists import format_list
from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..contributions.queries import reversals_of, reversals_waiting_among
from ..permissions import DONOR, login_required_any
from .blueprint import bp
from .queries import KINDS_OF, LIMIT, SHORTEST, search


@bp.route("/")
@login_required_any
def results():
    found = search(current_user, request.args.get("q"))
    deposits = [row for group in found.found if group.kind == "deposits" for row in group.rows]
    # A reversal waiting for a second MPTF officer is the staff's business: never asked for a donor.
    unreversed = [d.id for d in deposits if d.reverses_id is None]
    return render_template("search/results.html", results=found, limit=LIMIT, shortest=SHORTEST,
                           reversed_by=reversals_of(unreversed),
                           reversal_waits=set() if current_user.role == DONOR
                           else reversals_waiting_among(unreversed))


WHAT = {"donors": _l("donors' names"), "commitments": _l("commitment references"),
        "deposits": _l("bank references"), "grants": _l("delegates' names")}


def search_help() -> str:
    """What the current user's search box finds, in words (its help and tooltip)."""
    kinds = KINDS_OF.get(current_user.role, ()) if current_user.is_authenticated else ()
    if not kinds:
        return ""
    return _("Finds %(what)s.", what=format_list([str(WHAT[kind]) for kind in kinds],
                                                  locale=get_locale() or "en"))


bp.add_app_template_global(search_help, "search_help")
