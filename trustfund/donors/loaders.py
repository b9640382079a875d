"""A donor by id for a page, with its access rule: 404 when there is none or when
the current user may not see it."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..extensions import db
from ..permissions import can_see_donor
from .models import Donor


def get_donor_or_404(donor_id: int) -> Donor:
    """Load a donor the current user may see; anyone else's answers 404, never 403,
    so that a donor cannot even learn which ids exist."""
    donor = db.session.get(Donor, donor_id)
    if donor is None or not can_see_donor(current_user, donor.id):
        abort(404)
    return donor
