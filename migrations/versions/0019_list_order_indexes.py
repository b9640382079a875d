"""list order indexes: the commitments list newest first and the donors by name, read from indexes

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_committed_on_id', ['committed_on', 'id'], unique=False)
    op.create_index('ix_donor_lower_name_id', 'donor', [sa.text('lower(name)'), 'id'], unique=False)


def downgrade():
    op.drop_index('ix_donor_lower_name_id', table_name='donor')
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_committed_on_id')
