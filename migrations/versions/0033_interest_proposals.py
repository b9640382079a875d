"""interest waits for a second MPTF officer

interest_proposal: interest earned by the fund, or the reversal of an interest entry,
proposed by one MPTF officer; nothing is credited and the un-earmarked pool does not
move until a second, different, active MPTF officer confirms it (it then names the
interest entry it became), refuses it with a reason, or its proposer withdraws it.
One waiting reversal per entry (a partial unique index).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05 04:10:00

"""
import sqlalchemy as sa
from alembic import op

from trustfund.money import Money

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

WAITING_REVERSAL = sa.text("status = 'pending' AND reverses_id IS NOT NULL")


def upgrade():
    op.create_table(
        'interest_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value_date', sa.Date(), nullable=True),
        sa.Column('usd_amount', Money(2), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('reverses_id', sa.Integer(), nullable=True),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('proposed_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_interest_proposal_status')),
        sa.CheckConstraint('usd_amount > 0', name=op.f('ck_interest_proposal_amount_positive')),
        sa.CheckConstraint('(reverses_id IS NULL) <> (value_date IS NULL)',
                           name=op.f('ck_interest_proposal_dated_unless_reversal')),
        sa.ForeignKeyConstraint(['reverses_id'], ['interest_entry.id'],
                                name=op.f('fk_interest_proposal_reverses_id_interest_entry')),
        sa.ForeignKeyConstraint(['entry_id'], ['interest_entry.id'],
                                name=op.f('fk_interest_proposal_entry_id_interest_entry')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_interest_proposal_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_interest_proposal_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_proposal')),
        sa.UniqueConstraint('entry_id', name=op.f('uq_interest_proposal_entry_id')),
    )
    op.create_index(op.f('ix_interest_proposal_status'), 'interest_proposal', ['status'])
    op.create_index('uq_interest_proposal_waiting_reversal', 'interest_proposal', ['reverses_id'],
                    unique=True, sqlite_where=WAITING_REVERSAL, postgresql_where=WAITING_REVERSAL)


def downgrade():
    op.drop_index('uq_interest_proposal_waiting_reversal', table_name='interest_proposal')
    op.drop_index(op.f('ix_interest_proposal_status'), table_name='interest_proposal')
    op.drop_table('interest_proposal')
