"""a message of a role's work is not sent once its account's role or donor changed

outbox_message.written_for_role and written_for_donor_id: the account's role and
donor when the message was written (mail.sender.undeliverable compares them with
the account's when it is sent). Messages written before this migration have none
and are sent as before.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-06 21:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases (a batch copy would reflect the whole schema).
    op.add_column('outbox_message', sa.Column('written_for_role', sa.String(length=20), nullable=True))
    op.add_column('outbox_message', sa.Column('written_for_donor_id', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('outbox_message', 'written_for_donor_id')
    op.drop_column('outbox_message', 'written_for_role')
