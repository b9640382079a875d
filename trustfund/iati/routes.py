"""The IATI file, downloaded by the admin and the auditor: as of today (UTC)."""
from __future__ import annotations

import datetime as dt

from flask import Response

from .. import cache
from ..permissions import ADMIN, AUDITOR, roles_required
from .blueprint import bp
from .generator import activities_file, publisher


@bp.route("/activities.xml")
@roles_required(ADMIN, AUDITOR)
def download():
    as_of = dt.datetime.now(dt.UTC).date()
    content = cache.keep(("iati.activities", as_of), lambda: activities_file(as_of))
    name = f"iati-{publisher().identifier}-{as_of.isoformat()}.xml"
    return Response(content, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
