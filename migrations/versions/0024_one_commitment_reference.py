"""a commitment's reference names one commitment, held by the database

uq_commitment_reference: a partial unique index on lower(reference) over the
commitments that have one, the rule the commitment service already looks up (imports
find a commitment by its reference, without case); two commitments entered at the
same moment with the same reference both passed that look-up.

A database holding two commitments with one reference (entered at the same moment
before this revision) is not changed: the upgrade stops and names them, for an MPTF
officer to give each its own reference (the commitment's page, "Correct the
reference") in the version of Trustfund that made the database, which runs on it as
it is (this version serves nothing until its upgrade is done: schema_guard.py), then
upgrade again.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

GIVEN = "reference <> ''"


def upgrade():
    twice = op.get_bind().execute(sa.text(
        f"SELECT lower(reference), count(*) FROM commitment WHERE {GIVEN} "
        "GROUP BY lower(reference) HAVING count(*) > 1 ORDER BY lower(reference)")).all()
    if twice:
        names = "; ".join(f"{reference!r}: {n} commitments" for reference, n in twice[:20])
        raise RuntimeError(
            "Some commitments share a reference, which imports read as one commitment "
            f"({len(twice)} in all; {names}). Give each its own reference: an MPTF officer "
            "opens each commitment's page (Contributions, the reference) and uses "
            "\"Correct the reference\" in the version of Trustfund that made this database (it "
            "runs on it as it is; this version serves nothing until the upgrade is done); then "
            "run the upgrade again.")
    op.create_index('uq_commitment_reference', 'commitment', [sa.text('lower(reference)')], unique=True,
                    sqlite_where=sa.text(GIVEN), postgresql_where=sa.text(GIVEN))


def downgrade():
    op.drop_index('uq_commitment_reference', table_name='commitment')
