"""a transfer between pools waits for a second admin

transfer_proposal: a transfer between pools proposed by one admin (from pool, to
pool, USD amount, value date, reason), confirmed, refused (with a reason) or
withdrawn by another admin or its proposer; a confirmed one names the
pool_transfer it became. Nothing moves while it waits.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

import trustfund.money

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'transfer_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('from_pool_id', sa.Integer(), nullable=False),
        sa.Column('to_pool_id', sa.Integer(), nullable=False),
        sa.Column('usd_amount', trustfund.money.Money(2), nullable=False),
        sa.Column('transferred_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.Column('transfer_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_transfer_proposal_status')),
        sa.CheckConstraint('usd_amount > 0', name=op.f('ck_transfer_proposal_amount_positive')),
        sa.CheckConstraint('from_pool_id <> to_pool_id', name=op.f('ck_transfer_proposal_different_pools')),
        sa.ForeignKeyConstraint(['from_pool_id'], ['pool.id'],
                                name=op.f('fk_transfer_proposal_from_pool_id_pool')),
        sa.ForeignKeyConstraint(['to_pool_id'], ['pool.id'], name=op.f('fk_transfer_proposal_to_pool_id_pool')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_transfer_proposal_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_transfer_proposal_decided_by_id_user')),
        sa.ForeignKeyConstraint(['transfer_id'], ['pool_transfer.id'],
                                name=op.f('fk_transfer_proposal_transfer_id_pool_transfer')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_proposal')),
        sa.UniqueConstraint('transfer_id', name=op.f('uq_transfer_proposal_transfer_id')),
    )
    op.create_index('ix_transfer_proposal_status', 'transfer_proposal', ['status'], unique=False)


def downgrade():
    op.drop_index('ix_transfer_proposal_status', table_name='transfer_proposal')
    op.drop_table('transfer_proposal')
