"""dashboard indexes: each commitment's schedule in due order with its amounts
(dashboard.services.overdue_instalments reads it from the index alone)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 00:00:00

"""
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_instalment_schedule', 'instalment', ['commitment_id', 'due_on', 'id', 'amount'])


def downgrade():
    op.drop_index('ix_instalment_schedule', table_name='instalment')
