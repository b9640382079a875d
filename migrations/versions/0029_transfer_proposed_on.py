"""a waiting transfer keeps its proposer's today

transfer_proposal.proposed_on: the proposer's date (in their time zone) when they
proposed the transfer. At the confirmation the value date is in the future only if it
is after both the confirmer's today and this date, so an admin west of the proposer,
still on the day before, can confirm a transfer dated the proposer's today.
Proposals made before keep the date of their proposal moment in UTC, the only date
known for them.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

PROPOSALS = sa.table('transfer_proposal', sa.column('id', sa.Integer()), sa.column('proposed_at', sa.DateTime()),
                     sa.column('proposed_on', sa.Date()))


def upgrade():
    # Plain ALTER TABLE on both databases (a batch copy would reflect the whole schema);
    # hence nullable, SQLite adding no NOT NULL column without a default. Every row has it.
    op.add_column('transfer_proposal', sa.Column('proposed_on', sa.Date(), nullable=True))
    bind = op.get_bind()
    for proposal_id, proposed_at in bind.execute(sa.select(PROPOSALS.c.id, PROPOSALS.c.proposed_at)).all():
        bind.execute(PROPOSALS.update().where(PROPOSALS.c.id == proposal_id).values(proposed_on=proposed_at.date()))


def downgrade():
    op.drop_column('transfer_proposal', 'proposed_on')
