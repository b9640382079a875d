"""the fund's own entries wait for a second MPTF officer

fund_entry_proposal: a direct cost, a bank charge or other income, or the reversal
of one, proposed by one MPTF officer; nothing is recorded and no pool moves until a
second, different, active MPTF officer confirms it (it then names the fund entry it
became), refuses it with a reason, or its proposer withdraws it. One waiting
reversal per entry (a partial unique index).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 00:00:00

"""
import sqlalchemy as sa
from alembic import op

from trustfund.money import Money

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

WAITING_REVERSAL = sa.text("status = 'waiting' AND reverses_id IS NOT NULL")


def upgrade():
    op.create_table(
        'fund_entry_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('pool_id', sa.Integer(), nullable=False),
        sa.Column('value_date', sa.Date(), nullable=True),
        sa.Column('usd_amount', Money(2), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('reverses_id', sa.Integer(), nullable=True),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('proposed_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('direct_cost', 'bank_charge', 'other_income')",
                           name=op.f('ck_fund_entry_proposal_kind')),
        sa.CheckConstraint("status IN ('waiting', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_fund_entry_proposal_status')),
        sa.CheckConstraint('usd_amount > 0', name=op.f('ck_fund_entry_proposal_amount_positive')),
        sa.CheckConstraint('(reverses_id IS NULL) <> (value_date IS NULL)',
                           name=op.f('ck_fund_entry_proposal_dated_unless_reversal')),
        sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_fund_entry_proposal_pool_id_pool')),
        sa.ForeignKeyConstraint(['reverses_id'], ['fund_entry.id'],
                                name=op.f('fk_fund_entry_proposal_reverses_id_fund_entry')),
        sa.ForeignKeyConstraint(['entry_id'], ['fund_entry.id'],
                                name=op.f('fk_fund_entry_proposal_entry_id_fund_entry')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_fund_entry_proposal_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_fund_entry_proposal_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_entry_proposal')),
        sa.UniqueConstraint('entry_id', name=op.f('uq_fund_entry_proposal_entry_id')),
    )
    op.create_index(op.f('ix_fund_entry_proposal_status'), 'fund_entry_proposal', ['status'])
    op.create_index('uq_fund_entry_proposal_waiting_reversal', 'fund_entry_proposal', ['reverses_id'],
                    unique=True, sqlite_where=WAITING_REVERSAL, postgresql_where=WAITING_REVERSAL)


def downgrade():
    op.drop_index('uq_fund_entry_proposal_waiting_reversal', table_name='fund_entry_proposal')
    op.drop_index(op.f('ix_fund_entry_proposal_status'), table_name='fund_entry_proposal')
    op.drop_table('fund_entry_proposal')
