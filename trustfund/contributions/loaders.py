"""The contributions' objects by id for a page: 404 when there is none."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from ..extensions import db
from .models import Commitment, DepositImport


def get_commitment_or_404(commitment_id: int) -> Commitment:
    return db.session.get(Commitment, commitment_id) or abort(404)


def get_upload_or_404(token: str, user) -> DepositImport:
    """A kept import, for the officer who uploaded it only (anyone else: 404)."""
    upload = db.session.scalar(sa.select(DepositImport).where(DepositImport.token == token)) \
        if len(token) <= 64 else None
    if upload is None or upload.created_by_id != getattr(user, "id", None):
        abort(404)
    return upload
