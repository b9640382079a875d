"""the language a user's pages spoke at their last sign-in

user.seen_locale: kept at each sign-in from the login page's language (the browser's,
or the page's menu); messages to a user who has chosen no language (user.locale)
speak it rather than the default.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05 16:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases (a batch copy would reflect the whole schema).
    op.add_column('user', sa.Column('seen_locale', sa.String(length=10), nullable=True))


def downgrade():
    op.drop_column('user', 'seen_locale')
