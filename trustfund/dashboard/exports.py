"""The dashboard as .xlsx: one sheet per table of the user's dashboard."""
from __future__ import annotations

from flask_babel import gettext as _

from ..exports import register_export
from ..permissions import ADMIN, DONOR
from .layout import dashboard_for


@register_export("dashboard", "The figures of a dashboard, one sheet per table "
                              "(the user's role; all of them from the command line)")
def dashboard_export(filters: dict, user):
    role = getattr(user, "role", None) or ADMIN
    donor_id = getattr(user, "donor_id", None) if role == DONOR else None
    if role == DONOR and donor_id is None:
        return [], _("Dashboard")
    board = dashboard_for(role, donor_id)
    return [block.sheet() for block in board.blocks], _("Dashboard")
