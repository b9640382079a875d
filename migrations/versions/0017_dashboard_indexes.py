"""dashboard indexes: each commitment's schedule in due order with its amounts
(dashboard.services.overdue_instalments reads it from the index alone)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 00:00:00

"""
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_instalment_schedule', 'instalment', ['commitment_id', 'due_on', 'id', 'amount'])


def downgrade():
    op.drop_index('ix_instalment_schedule', table_name='instalment')
