"""overrun index: a partial index of the grants with an overrun

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_travel_grant_overrun_status', table_name='travel_grant')
    op.create_index('ix_travel_grant_overruns', 'travel_grant', ['overrun_status', 'pool_id'], unique=False,
                    sqlite_where=sa.text('overrun_status IS NOT NULL'),
                    postgresql_where=sa.text('overrun_status IS NOT NULL'))


def downgrade():
    op.drop_index('ix_travel_grant_overruns', table_name='travel_grant')
    op.create_index('ix_travel_grant_overrun_status', 'travel_grant', ['overrun_status'], unique=False)
