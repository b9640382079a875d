"""The contributions' objects by id for a page: 404 when there is none."""
from __future__ import annotations

from flask import abort

from ..extensions import db
from .models import Commitment


def get_commitment_or_404(commitment_id: int) -> Commitment:
    return db.session.get(Commitment, commitment_id) or abort(404)
