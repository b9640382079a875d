"""a setting's new value waits for a second admin

setting_change: a new value of a setting (the fee rate, terminal expenses, the
overrun tolerance, the refund waiver: each moves money) proposed by one admin;
nothing changes until a second, different, active admin confirms it (it then names
the setting row it wrote), refuses it with a reason, or its proposer withdraws it.
One waiting change per setting (a partial unique index).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade():
    op.create_table(
        'setting_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('value', sa.String(length=100), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('based_on_version', sa.Integer(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.Column('setting_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_setting_change_status')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_setting_change_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_setting_change_decided_by_id_user')),
        sa.ForeignKeyConstraint(['setting_id'], ['setting.id'],
                                name=op.f('fk_setting_change_setting_id_setting')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_setting_change')),
    )
    op.create_index('uq_setting_change_pending_key', 'setting_change', ['key'], unique=True,
                    sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade():
    op.drop_index('uq_setting_change_pending_key', table_name='setting_change')
    op.drop_table('setting_change')
