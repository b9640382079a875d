"""a pool's closing decision waits for a second SRSG staff member

pool_closing_proposal: a pool's closing decision (refund, transfer to another fund,
waiver) proposed by one SRSG staff member, with the balance it was shown; nothing
moves until a second, different, active SRSG staff member confirms it (it then
names the pool_closing it became), refuses it with a reason, or its proposer
withdraws it. One waiting proposal per pool (a partial unique index).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

import trustfund.money

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'waiting'")


def upgrade():
    op.create_table(
        'pool_closing_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pool_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('usd_amount', trustfund.money.Money(2), nullable=False),
        sa.Column('fund_name', sa.String(length=300), nullable=False),
        sa.Column('fund_reference', sa.String(length=100), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.Column('closing_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('refund', 'transfer', 'waived')",
                           name=op.f('ck_pool_closing_proposal_kind')),
        sa.CheckConstraint("status IN ('waiting', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_pool_closing_proposal_status')),
        sa.CheckConstraint('usd_amount > 0', name=op.f('ck_pool_closing_proposal_amount_positive')),
        sa.CheckConstraint("kind <> 'transfer' OR (fund_name <> '' AND fund_reference <> '')",
                           name=op.f('ck_pool_closing_proposal_transfer_names_the_fund')),
        sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_pool_closing_proposal_pool_id_pool')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_pool_closing_proposal_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_pool_closing_proposal_decided_by_id_user')),
        sa.ForeignKeyConstraint(['closing_id'], ['pool_closing.id'],
                                name=op.f('fk_pool_closing_proposal_closing_id_pool_closing')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_closing_proposal')),
        sa.UniqueConstraint('closing_id', name=op.f('uq_pool_closing_proposal_closing_id')),
    )
    op.create_index('ix_pool_closing_proposal_pool_id', 'pool_closing_proposal', ['pool_id'], unique=False)
    op.create_index('uq_pool_closing_proposal_waiting_pool', 'pool_closing_proposal', ['pool_id'],
                    unique=True, sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade():
    op.drop_index('uq_pool_closing_proposal_waiting_pool', table_name='pool_closing_proposal')
    op.drop_index('ix_pool_closing_proposal_pool_id', table_name='pool_closing_proposal')
    op.drop_table('pool_closing_proposal')
