"""each user's time zone (timestamps are shown in it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 00:00:00

Existing users get none: they read UTC until the browser sets their zone at their
next login, or they choose one on their profile page.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (SQLite has it): a batch copy of the user table is not needed.
    op.add_column('user', sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('timezone')
