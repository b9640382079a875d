"""The dashboard as .xlsx: one sheet per table of the user's dashboard."""
from __future__ import annotations

from flask_babel import gettext as _

from ..donors.models import Donor
from ..errors import DomainError
from ..exports import DONOR_ID, register_export
from ..extensions import db
from ..permissions import ADMIN, DONOR
from .layout import dashboard_for


@register_export("dashboard", "The figures of a dashboard, one sheet per table: the user's role "
                              "(from the command line: every staff block, or with --donor that "
                              "donor's dashboard)", applies=(DONOR_ID,))
def dashboard_export(filters: dict, user):
    if user is not None and user.role == DONOR:
        # A donor's own figures only, whatever the filters say.
        board = dashboard_for(DONOR, user.donor_id)
    elif user is None and filters.get("donor_id"):
        donor = db.session.get(Donor, int(filters["donor_id"]))
        if donor is None:
            raise DomainError(_("There is no donor with id %(id)s.", id=filters["donor_id"]),
                              field="donor_id")
        board = dashboard_for(DONOR, donor.id)
    else:
        # Every row of every table (the page shows the first rows of the long ones).
        board = dashboard_for(user.role if user is not None else ADMIN, complete=True)
    return [block.sheet() for block in board.blocks], _("Dashboard")
