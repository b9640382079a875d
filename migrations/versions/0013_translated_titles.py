"""objectives' and events' titles in the other languages (trustfund.localized)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('objective', 'event'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('title_translations', sa.JSON(), server_default=sa.text("'{}'"),
                                          nullable=False))


def downgrade():
    for table in ('event', 'objective'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('title_translations')
