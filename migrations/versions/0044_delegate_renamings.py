"""a delegate's name changed after their travel was approved takes two people

delegate_renaming: the name an SRSG staff member proposes for a delegate who has a
grant approved (or travelled, or a no-show), with its reason; a second, different
SRSG staff member confirms it (the delegate is renamed then) or refuses it; its
proposer may withdraw it. At most one waits per delegate. Before this revision one
person could rename such a delegate, sending another person on money a colleague
approved (a review of the travel module).

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-07 15:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'pending'")


def upgrade():
    op.create_table(
        'delegate_renaming',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delegate_id', sa.Integer(), nullable=False),
        sa.Column('name_before', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_delegate_renaming_status')),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id OR status = 'withdrawn'",
                           name=op.f('ck_delegate_renaming_four_eyes')),
        sa.ForeignKeyConstraint(['delegate_id'], ['delegate.id'],
                                name=op.f('fk_delegate_renaming_delegate_id_delegate')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_delegate_renaming_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_delegate_renaming_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delegate_renaming')),
    )
    op.create_index(op.f('ix_delegate_renaming_delegate_id'), 'delegate_renaming', ['delegate_id'])
    op.create_index(op.f('ix_delegate_renaming_status'), 'delegate_renaming', ['status'])
    op.create_index('uq_delegate_renaming_waiting', 'delegate_renaming', ['delegate_id'],
                    unique=True, sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade():
    op.drop_index('uq_delegate_renaming_waiting', table_name='delegate_renaming')
    op.drop_index(op.f('ix_delegate_renaming_status'), table_name='delegate_renaming')
    op.drop_index(op.f('ix_delegate_renaming_delegate_id'), table_name='delegate_renaming')
    op.drop_table('delegate_renaming')
