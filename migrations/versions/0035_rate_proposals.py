"""a month's UN rate waits for a second MPTF officer

rate_proposal: a month's UN operational rate, or the correction of one, proposed by
one MPTF officer; the table does not change until a second, different, active MPTF
officer confirms it (it then names the rate it set), refuses it with a reason, or its
proposer withdraws it. One waiting proposal per currency and month (a partial unique
index). rate_import.withdrawn_at, refusal_reason: a rates file waits for another MPTF
officer too, who may refuse it with a reason (the audit trail names who); its
uploader may withdraw it. Files kept before and never confirmed are marked withdrawn.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05 23:20:00

"""
import sqlalchemy as sa
from alembic import op

from trustfund.money import Rate

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'pending'")


def upgrade():
    op.create_table(
        'rate_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('rate', Rate(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.Column('entry_version', sa.Integer(), nullable=True),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.Column('rate_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')",
                           name=op.f('ck_rate_proposal_status')),
        sa.CheckConstraint('rate > 0', name=op.f('ck_rate_proposal_rate_positive')),
        sa.ForeignKeyConstraint(['entry_id'], ['exchange_rate.id'],
                                name=op.f('fk_rate_proposal_entry_id_exchange_rate')),
        sa.ForeignKeyConstraint(['rate_id'], ['exchange_rate.id'],
                                name=op.f('fk_rate_proposal_rate_id_exchange_rate')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_rate_proposal_proposed_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_rate_proposal_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_proposal')),
    )
    op.create_index(op.f('ix_rate_proposal_status'), 'rate_proposal', ['status'])
    op.create_index('uq_rate_proposal_waiting', 'rate_proposal', ['currency', 'month'], unique=True,
                    sqlite_where=WAITING, postgresql_where=WAITING)
    # Plain ALTER TABLE on both databases (a batch copy would reflect the whole schema).
    op.add_column('rate_import', sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
    op.add_column('rate_import', sa.Column('refusal_reason', sa.Text(), nullable=True))
    # A file previewed before and never confirmed was left by its officer: it does not
    # now wait for a second one.
    op.execute("UPDATE rate_import SET withdrawn_at = CURRENT_TIMESTAMP WHERE posted_at IS NULL")


def downgrade():
    op.drop_column('rate_import', 'refusal_reason')
    op.drop_column('rate_import', 'withdrawn_at')
    op.drop_index('uq_rate_proposal_waiting', table_name='rate_proposal')
    op.drop_index(op.f('ix_rate_proposal_status'), table_name='rate_proposal')
    op.drop_table('rate_proposal')
