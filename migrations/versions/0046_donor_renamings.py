"""a donor's name changed once its contributions are recorded takes two MPTF officers

donor_renaming: the name an MPTF officer proposes for a donor with a pledge or a
commitment recorded, with its reason; a second, different MPTF officer confirms it (the
donor is renamed then) or refuses it; its proposer may withdraw it. At most one waits
per donor. Before this revision one officer could rename donors alone, and swap two
donors' names so that one's contributions read as the other's in every statement, the
audit trail and the IATI file (a colleague's review).

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-07 18:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0046'
down_revision = '0045'
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'pending'")


def upgrade():
    op.create_table(
        'donor_renaming',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('donor_id', sa.Integer(), nullable=False),
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
                           name=op.f('ck_donor_renaming_status')),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id OR status = 'withdrawn'",
                           name=op.f('ck_donor_renaming_four_eyes')),
        sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_donor_renaming_donor_id_donor')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_donor_renaming_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_donor_renaming_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_donor_renaming')),
    )
    op.create_index(op.f('ix_donor_renaming_donor_id'), 'donor_renaming', ['donor_id'])
    op.create_index(op.f('ix_donor_renaming_status'), 'donor_renaming', ['status'])
    op.create_index('uq_donor_renaming_waiting', 'donor_renaming', ['donor_id'],
                    unique=True, sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade():
    op.drop_index('uq_donor_renaming_waiting', table_name='donor_renaming')
    op.drop_index(op.f('ix_donor_renaming_status'), table_name='donor_renaming')
    op.drop_index(op.f('ix_donor_renaming_donor_id'), table_name='donor_renaming')
    op.drop_table('donor_renaming')
