"""a closed trip's actual costs are corrected by two SRSG staff members

cost_correction: the corrected ticket, DSA and terminal expenses of a travelled or
no-show grant, with the reason, proposed by one SRSG staff member; nothing changes
until a second, different, active SRSG staff member confirms it (the grant's costs
and its pool's spending then move by the difference, dated that day), refuses it
with a reason, or its proposer withdraws it. One waiting correction per grant (a
partial unique index).

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06 08:40:00

"""
import sqlalchemy as sa
from alembic import op

from trustfund.money import Money

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'pending'")


def upgrade():
    op.create_table(
        'cost_correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('grant_id', sa.Integer(), nullable=False),
        sa.Column('actual_ticket', Money(2), nullable=False),
        sa.Column('actual_dsa', Money(2), nullable=False),
        sa.Column('actual_terminal', Money(2), nullable=False),
        sa.Column('spent_before', Money(2), nullable=False),
        sa.Column('spent_after', Money(2), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_cost_correction_status')),
        sa.CheckConstraint("actual_ticket >= 0 AND actual_dsa >= 0 AND actual_terminal >= 0 "
                           "AND spent_before >= 0 AND (spent_after IS NULL OR spent_after >= 0)",
                           name=op.f('ck_cost_correction_amounts_not_negative')),
        sa.CheckConstraint("spent_after IS NULL OR status = 'confirmed'",
                           name=op.f('ck_cost_correction_result_when_confirmed')),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id OR status = 'withdrawn'",
                           name=op.f('ck_cost_correction_four_eyes')),
        sa.ForeignKeyConstraint(['grant_id'], ['travel_grant.id'],
                                name=op.f('fk_cost_correction_grant_id_travel_grant')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_cost_correction_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_cost_correction_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cost_correction')),
    )
    op.create_index(op.f('ix_cost_correction_grant_id'), 'cost_correction', ['grant_id'])
    op.create_index(op.f('ix_cost_correction_status'), 'cost_correction', ['status'])
    op.create_index('uq_cost_correction_waiting', 'cost_correction', ['grant_id'],
                    unique=True, sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade():
    op.drop_index('uq_cost_correction_waiting', table_name='cost_correction')
    op.drop_index(op.f('ix_cost_correction_status'), table_name='cost_correction')
    op.drop_index(op.f('ix_cost_correction_grant_id'), table_name='cost_correction')
    op.drop_table('cost_correction')
