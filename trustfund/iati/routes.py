"""The IATI file, downloaded by the admin and the auditor: as of today (UTC). As the
command does (`flask --app trustfund export iati`), the page never serves a file the
standard refuses (validate.py): it says what is wrong instead."""
from __future__ import annotations

import datetime as dt

from flask import Response, render_template

from .. import cache
from ..permissions import ADMIN, AUDITOR, roles_required
from .blueprint import bp
from .generator import activities_file, publisher
from .validate import validate


def _checked(as_of: dt.date) -> tuple[bytes, tuple[str, ...]]:
    """The file as of that day, and what the IATI 2.03 schema and rules find wrong in
    it (kept together while the data is unchanged: the check reads the whole file)."""
    content = activities_file(as_of)
    return content, tuple(validate(content, as_of))


@bp.route("/activities.xml")
@roles_required(ADMIN, AUDITOR)
def download():
    as_of = dt.datetime.now(dt.UTC).date()
    content, problems = cache.keep(("iati.activities", as_of), lambda: _checked(as_of))
    if problems:
        return render_template("iati/invalid.html", problems=problems), 500
    name = f"iati-{publisher().identifier}-{as_of.isoformat()}.xml"
    return Response(content, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
