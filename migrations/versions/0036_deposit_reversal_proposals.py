"""a deposit's reversal waits for a second MPTF officer

deposit_reversal_proposal: the reversal of a deposit, with its reason, proposed by
one MPTF officer; nothing is reversed until a second, different, active MPTF officer
confirms it (it then names the reversal it recorded), refuses it with a reason, or
its proposer withdraws it. One waiting reversal per deposit (a partial unique index).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06 02:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'pending'")


def upgrade():
    op.create_table(
        'deposit_reversal_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('deposit_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.Column('reversal_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_deposit_reversal_proposal_status')),
        sa.ForeignKeyConstraint(['deposit_id'], ['deposit.id'],
                                name=op.f('fk_deposit_reversal_proposal_deposit_id_deposit')),
        sa.ForeignKeyConstraint(['reversal_id'], ['deposit.id'],
                                name=op.f('fk_deposit_reversal_proposal_reversal_id_deposit')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_deposit_reversal_proposal_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_deposit_reversal_proposal_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deposit_reversal_proposal')),
        sa.UniqueConstraint('reversal_id', name=op.f('uq_deposit_reversal_proposal_reversal_id')),
    )
    op.create_index(op.f('ix_deposit_reversal_proposal_deposit_id'), 'deposit_reversal_proposal',
                    ['deposit_id'])
    op.create_index(op.f('ix_deposit_reversal_proposal_status'), 'deposit_reversal_proposal', ['status'])
    op.create_index('uq_deposit_reversal_proposal_waiting', 'deposit_reversal_proposal', ['deposit_id'],
                    unique=True, sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade():
    op.drop_index('uq_deposit_reversal_proposal_waiting', table_name='deposit_reversal_proposal')
    op.drop_index(op.f('ix_deposit_reversal_proposal_status'), table_name='deposit_reversal_proposal')
    op.drop_index(op.f('ix_deposit_reversal_proposal_deposit_id'), table_name='deposit_reversal_proposal')
    op.drop_table('deposit_reversal_proposal')
