"""a write-off takes two MPTF officers

write_off_proposal: part of a commitment (or all that is outstanding) to be written
off, with the reason and the outstanding amount the proposer saw, proposed by one
MPTF officer; nothing is written off until a second, different, active MPTF officer
confirms it (the write-off is then recorded: entry_id), refuses it with a reason, or
its proposer withdraws it. One waiting write-off per commitment (a partial unique
index).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06 14:40:00

"""
import sqlalchemy as sa
from alembic import op

from trustfund.money import Money

revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'waiting'")


def upgrade():
    op.create_table(
        'write_off_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('commitment_id', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('amount', Money(3), nullable=False),
        sa.Column('outstanding', Money(3), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('waiting', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_write_off_proposal_status')),
        sa.CheckConstraint("amount > 0 AND amount <= outstanding",
                           name=op.f('ck_write_off_proposal_amount_within_outstanding')),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id OR status = 'withdrawn'",
                           name=op.f('ck_write_off_proposal_four_eyes')),
        sa.ForeignKeyConstraint(['commitment_id'], ['commitment.id'],
                                name=op.f('fk_write_off_proposal_commitment_id_commitment')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_write_off_proposal_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_write_off_proposal_decided_by_id_user')),
        sa.ForeignKeyConstraint(['entry_id'], ['write_off.id'],
                                name=op.f('fk_write_off_proposal_entry_id_write_off')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_write_off_proposal')),
        sa.UniqueConstraint('entry_id', name=op.f('uq_write_off_proposal_entry_id')),
    )
    op.create_index(op.f('ix_write_off_proposal_commitment_id'), 'write_off_proposal', ['commitment_id'])
    op.create_index(op.f('ix_write_off_proposal_status'), 'write_off_proposal', ['status'])
    op.create_index('uq_write_off_proposal_waiting_commitment', 'write_off_proposal', ['commitment_id'],
                    unique=True, sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade():
    op.drop_index('uq_write_off_proposal_waiting_commitment', table_name='write_off_proposal')
    op.drop_index(op.f('ix_write_off_proposal_status'), table_name='write_off_proposal')
    op.drop_index(op.f('ix_write_off_proposal_commitment_id'), table_name='write_off_proposal')
    op.drop_table('write_off_proposal')
