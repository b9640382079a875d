"""a bank reference's key leaves out direction marks: one transfer, one key

rules.reference_key now leaves out the invisible direction marks (U+200E, U+200F,
U+061C) a reference pasted from a right-to-left document carries: "FT18130XYZ" and
the same behind a right-to-left mark were two keys, and "no deposit twice" recorded
the transfer twice (a colleague's review). The standing deposits whose reference
holds such a mark take the new key. If two standing deposits not declared separate
transfers then hold one key (the same transfer recorded twice before this revision),
the upgrade stops and names them, for an MPTF officer to reverse the one recorded twice
in the version of Trustfund that made the database; then upgrade again.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 00:00:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def _key(reference):
    """rules.reference_key as at this revision (a migration keeps its own copy)."""
    text = unicodedata.normalize("NFKC", reference or "").casefold()
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return "".join(text.split()) or None


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, bank_reference, reference_key, separate_transfer FROM deposit "
        "WHERE reference_key IS NOT NULL")).all()
    new_keys = {row.id: _key(row.bank_reference) for row in rows}
    # One key per standing deposit not declared a separate transfer (the unique index's
    # rule: a separate transfer may share its key); after the change, who holds each?
    holders: dict[str, list[int]] = {}
    for row in rows:
        if not row.separate_transfer:
            holders.setdefault(new_keys[row.id], []).append(row.id)
    twice = [ids for ids in holders.values() if len(ids) > 1]
    if twice:
        pairs = "; ".join("deposits " + " and ".join(str(i) for i in sorted(ids)) for ids in twice)
        raise RuntimeError(
            "Some deposits are one bank transfer recorded twice, their references differing only by an "
            f"invisible direction mark ({pairs}). Reverse the one recorded twice, with a reason, in the "
            "version of Trustfund that made this database (it runs on it as it is; this version serves "
            "nothing until the upgrade is done); then run the upgrade again.")
    for row in rows:
        if new_keys[row.id] != row.reference_key:
            connection.execute(sa.text("UPDATE deposit SET reference_key = :key WHERE id = :id"),
                               {"key": new_keys[row.id], "id": row.id})


def downgrade():
    pass  # the keys stay without the marks (the rule before read them as other text)
