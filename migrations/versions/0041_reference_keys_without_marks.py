"""a bank reference's key leaves out direction marks: one transfer, one key

rules.reference_key now leaves out the invisible direction marks (U+200E, U+200F,
U+061C) a reference pasted from a right-to-left document carries: "FT18130XYZ" and
the same behind a right-to-left mark were two keys, and "no deposit twice" recorded
the transfer twice (a colleague's review). The standing deposits whose reference
holds such a mark take the new key. If one of them is then the key of another
standing deposit (the same transfer recorded twice before this revision), the
upgrade stops and names them, for an MPTF officer to reverse the one recorded twice
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
        "SELECT id, bank_reference, reference_key FROM deposit WHERE reference_key IS NOT NULL")).all()
    keys = {row.reference_key: row.id for row in rows}
    changed = {row.id: _key(row.bank_reference) for row in rows
               if _key(row.bank_reference) != row.reference_key}
    twice = [(keys[new], id_) for id_, new in changed.items() if new in keys and keys[new] != id_]
    if twice:
        pairs = "; ".join(f"deposits {a} and {b}" for a, b in twice)
        raise RuntimeError(
            "Some deposits are one bank transfer recorded twice, their references differing only by an "
            f"invisible direction mark ({pairs}). Reverse the one recorded twice, with a reason, in the "
            "version of Trustfund that made this database (it runs on it as it is; this version serves "
            "nothing until the upgrade is done); then run the upgrade again.")
    for id_, new in changed.items():
        connection.execute(sa.text("UPDATE deposit SET reference_key = :key WHERE id = :id"),
                           {"key": new, "id": id_})


def downgrade():
    pass  # the keys stay without the marks (the rule before read them as other text)
