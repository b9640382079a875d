"""user changes that give power over money or accounts wait for a second admin

user_change: a change of the admin's user form (a new account in the role admin,
mptf_officer or srsg_staff; a move to one of them; the email, a typed password or
the reactivation of such an account) proposed by one admin and confirmed or refused
by another. A typed password is kept only as its hash. One waiting change per
account and per email (partial unique indexes over the pending ones).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade():
    op.create_table(
        'user_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('based_on_version', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('donor_id', sa.Integer(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('sign_in_typed', sa.Boolean(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_user_change_status')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_change_user_id_user')),
        sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_user_change_donor_id_donor')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_user_change_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_user_change_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_change')),
    )
    op.create_index('ix_user_change_user_id', 'user_change', ['user_id'], unique=False)
    op.create_index('uq_user_change_pending_user', 'user_change', ['user_id'], unique=True,
                    sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_index('uq_user_change_pending_email', 'user_change', ['email'], unique=True,
                    sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade():
    op.drop_index('uq_user_change_pending_email', table_name='user_change')
    op.drop_index('uq_user_change_pending_user', table_name='user_change')
    op.drop_index('ix_user_change_user_id', table_name='user_change')
    op.drop_table('user_change')
