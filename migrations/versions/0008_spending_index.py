"""each pool's spending from an index alone (statements.sums.spending)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 00:00:00

"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('travel_grant', schema=None) as batch_op:
        batch_op.create_index('ix_travel_grant_spending',
                              ['pool_id', 'status', 'reconciled_at', 'actual_total'], unique=False)


def downgrade():
    with op.batch_alter_table('travel_grant', schema=None) as batch_op:
        batch_op.drop_index('ix_travel_grant_spending')
