"""when the single-use link a message carries expires

outbox_message.link_expires_at: the moment the invitation's or password reset's link
in the message dies (None for a message without one). A message whose link died
before it went out is not sent, and "Send again" refuses it (a colleague's review of
the e-mail: a failed reset sent again delivered a dead link). Messages written before
this revision have none: their links are wiped once sent, as before.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-07 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox_message", sa.Column("link_expires_at", sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column("outbox_message", "link_expires_at")
